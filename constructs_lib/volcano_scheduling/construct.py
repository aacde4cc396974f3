"""Terraform mode: the no-gang Volcano scheduler ConfigMap in the extension's namespace, then the
extension settings that point at it, in the order Learn documents (objects.py).

Why here and not in the aks-cluster stack: the ``azureml`` namespace is created by the extension,
and the ConfigMap must exist before the extension reads the setting. The aks-cluster stack has no
Kubernetes provider; this stack deploys after it (the namespace exists), creates the ConfigMap and
only then applies the two settings with ``az k8s-extension update`` (a create-time step that runs
again whenever the ConfigMap's name or the extension changes). The aks-cluster stack's extension
ignores those two settings (``lifecycle.ignore_changes``), so Terraform does not take them back.
"""

from __future__ import annotations

import json

from constructs import Construct

from constructs_lib.volcano_scheduling.objects import (
    SCHEDULER_CONFIG_MAP_SETTING,
    SKIP_RESOURCE_VALIDATION_SETTING,
    UPDATE_SCRIPT,
    VolcanoSchedulingProps,
    extension_settings,
    scheduler_config_map,
)
from toolchain.cdk import LocalExecProvisioner, TerraformProvider
from toolchain.kubernetes.config_map_v1 import ConfigMapV1, ConfigMapV1Metadata
from toolchain.time.sleep import Sleep


class VolcanoAutoscalerScheduling(Construct):
    """Exposes ``config_map`` (the ConfigMap) and ``extension_update`` (the step that applies the
    settings, a time_sleep carrying the create-time local-exec; it depends on ``config_map``)."""

    def __init__(self, scope: Construct, id_: str, *, props: VolcanoSchedulingProps, kubernetes_provider: TerraformProvider):
        super().__init__(scope, id_)
        manifest = scheduler_config_map(props.namespace, props.config_map_name)
        self.config_map = ConfigMapV1(
            self,
            "scheduler_config",
            # One object in both toolchains' bindings (unlike NamespaceV1's metadata: toolchain/shims.py).
            metadata=ConfigMapV1Metadata(name=manifest["metadata"]["name"], namespace=manifest["metadata"]["namespace"]),
            data=manifest["data"],
            provider=kubernetes_provider,
        )
        self.extension_update = Sleep(
            self,
            "extension_settings",
            create_duration="1s",
            triggers={
                "extension": f"{props.resource_group_name}/{props.cluster_name}/{props.extension_name}",
                "settings": json.dumps(extension_settings(props.config_map_name), sort_keys=True),
            },
            depends_on=[self.config_map],
            provisioners=[
                LocalExecProvisioner(
                    type="local-exec",
                    command=UPDATE_SCRIPT,
                    environment={
                        "EXTENSION_NAME": props.extension_name,
                        "CLUSTER_NAME": props.cluster_name,
                        "RESOURCE_GROUP": props.resource_group_name,
                        "CONFIG_MAP_NAME": props.config_map_name,
                        "SCHEDULER_CONFIG_MAP_SETTING": SCHEDULER_CONFIG_MAP_SETTING,
                        "SKIP_RESOURCE_VALIDATION_SETTING": SKIP_RESOURCE_VALIDATION_SETTING,
                    },
                )
            ],
        )
