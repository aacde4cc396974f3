"""Log Analytics (the hub's, by id, or one created in the spoke) and the cluster's diagnostic
setting. Two constructs because the cluster needs the workspace before it exists and the
diagnostic setting needs the cluster."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cdktf_cdktf_provider_azurerm.log_analytics_workspace import LogAnalyticsWorkspace
from cdktf_cdktf_provider_azurerm.monitor_diagnostic_setting import (
    MonitorDiagnosticSetting,
    MonitorDiagnosticSettingEnabledLog,
    MonitorDiagnosticSettingEnabledMetric,
)
from constructs import Construct

from constructs_lib._lifecycle import lifecycle


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


@dataclass(frozen=True)
class ClusterDiagnosticsProps:
    name: str
    target_resource_id: str
    workspace_id: str
    log_categories: tuple[str, ...]


class ClusterDiagnostics(Construct):
    """Exposes ``setting``."""

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
