"""Log Analytics (the hub's, by id, or one created in the spoke) and the cluster's diagnostic
setting. Two constructs because the cluster needs the workspace before it exists and the
diagnostic setting needs the cluster."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from constructs import Construct

from constructs_lib._lifecycle import lifecycle
from toolchain.azurerm.log_analytics_workspace import LogAnalyticsWorkspace
from toolchain.azurerm.monitor_data_collection_rule import (
    MonitorDataCollectionRule,
    MonitorDataCollectionRuleDataFlow,
    MonitorDataCollectionRuleDataSources,
    MonitorDataCollectionRuleDataSourcesExtension,
    MonitorDataCollectionRuleDestinations,
    MonitorDataCollectionRuleDestinationsLogAnalytics,
)
from toolchain.azurerm.monitor_data_collection_rule_association import (
    MonitorDataCollectionRuleAssociation,
)
from toolchain.azurerm.monitor_diagnostic_setting import (
    MonitorDiagnosticSetting,
    MonitorDiagnosticSettingEnabledLog,
    MonitorDiagnosticSettingEnabledMetric,
)


@dataclass(frozen=True)
class LogAnalyticsProps:
    existing_workspace_id: str | None  # set: use it; None: create the workspace below
    name: str
    location: str
    resource_group_name: str
    retention_days: int
    tags: Mapping[str, str] = field(default_factory=dict)
    protect: bool = True


class LogAnalytics(Construct):
    """Exposes ``workspace_id`` and ``workspace`` (the created workspace, or ``None``)."""

    def __init__(self, scope: Construct, id_: str, *, props: LogAnalyticsProps) -> None:
        super().__init__(scope, id_)
        self.workspace: LogAnalyticsWorkspace | None = None
        if props.existing_workspace_id:
            self.workspace_id: str = props.existing_workspace_id
            return
        self.workspace = LogAnalyticsWorkspace(
            self,
            "workspace",
            name=props.name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            sku="PerGB2018",
            retention_in_days=props.retention_days,
            tags=dict(props.tags),
            lifecycle=lifecycle(protect=props.protect),
        )
        self.workspace_id = self.workspace.id


# Container Insights streams (Azure Monitor's documented set for the ContainerInsights extension).
CONTAINER_INSIGHTS_STREAMS = (
    "Microsoft-ContainerLogV2",
    "Microsoft-KubeEvents",
    "Microsoft-KubePodInventory",
    "Microsoft-KubeNodeInventory",
    "Microsoft-KubePVInventory",
    "Microsoft-KubeServices",
    "Microsoft-KubeMonAgentEvents",
    "Microsoft-InsightsMetrics",
    "Microsoft-ContainerInventory",
    "Microsoft-ContainerNodeInventory",
    "Microsoft-Perf",
)
WORKSPACE_DESTINATION = "ciworkspace"


@dataclass(frozen=True)
class ClusterDiagnosticsProps:
    name: str
    target_resource_id: str
    workspace_id: str
    log_categories: tuple[str, ...]
    # Container Insights data collection rule (managed-identity monitoring needs one).
    data_collection_rule_name: str
    data_collection_rule_location: str  # the workspace's region
    resource_group_name: str
    tags: Mapping[str, str] = field(default_factory=dict)
    # Container Insights' data collection rule and association: only where this project also
    # turns on the cluster's monitoring add-on (a created cluster); an existing cluster's
    # Container Insights is its owners'.
    container_insights: bool = True


class ClusterDiagnostics(Construct):
    """Exposes ``setting`` (control-plane logs and metrics), ``data_collection_rule`` and
    ``data_collection_rule_association`` (Container Insights, or ``None`` without it)."""

    def __init__(self, scope: Construct, id_: str, *, props: ClusterDiagnosticsProps) -> None:
        super().__init__(scope, id_)
        self.setting = MonitorDiagnosticSetting(
            self,
            "setting",
            name=props.name,
            target_resource_id=props.target_resource_id,
            log_analytics_workspace_id=props.workspace_id,
            # Resource-specific tables: cheaper queries and per-table retention.
            log_analytics_destination_type="Dedicated",
            enabled_log=[MonitorDiagnosticSettingEnabledLog(category=c) for c in props.log_categories],
            enabled_metric=[MonitorDiagnosticSettingEnabledMetric(category="AllMetrics")],
        )
        self.data_collection_rule: MonitorDataCollectionRule | None = None
        self.data_collection_rule_association: MonitorDataCollectionRuleAssociation | None = None
        if not props.container_insights:
            return
        # With msi_auth_for_monitoring_enabled the AKS API creates no data collection rule, so
        # Container Insights would collect nothing without these two resources.
        self.data_collection_rule = MonitorDataCollectionRule(
            self,
            "container_insights_rule",
            name=props.data_collection_rule_name,
            location=props.data_collection_rule_location,
            resource_group_name=props.resource_group_name,
            description="Azure Monitor Container Insights for the AKS cluster",
            data_sources=MonitorDataCollectionRuleDataSources(
                extension=[
                    MonitorDataCollectionRuleDataSourcesExtension(
                        name="ContainerInsightsExtension",
                        extension_name="ContainerInsights",
                        streams=list(CONTAINER_INSIGHTS_STREAMS),
                        extension_json=json.dumps(
                            {
                                "dataCollectionSettings": {
                                    "interval": "1m",
                                    "namespaceFilteringMode": "Off",
                                    "enableContainerLogV2": True,
                                }
                            },
                            sort_keys=True,
                        ),
                    )
                ]
            ),
            destinations=MonitorDataCollectionRuleDestinations(
                log_analytics=[
                    MonitorDataCollectionRuleDestinationsLogAnalytics(
                        name=WORKSPACE_DESTINATION, workspace_resource_id=props.workspace_id
                    )
                ]
            ),
            data_flow=[
                MonitorDataCollectionRuleDataFlow(streams=list(CONTAINER_INSIGHTS_STREAMS), destinations=[WORKSPACE_DESTINATION])
            ],
            tags=dict(props.tags),
        )
        self.data_collection_rule_association = MonitorDataCollectionRuleAssociation(
            self,
            "container_insights_association",
            name="ContainerInsightsExtension",
            target_resource_id=props.target_resource_id,
            data_collection_rule_id=self.data_collection_rule.id,
            description="Container Insights data collection for the AKS cluster",
        )
