"""Autoscaler-friendly Volcano scheduling for the Azure ML extension: the scheduler ConfigMap and
the extension settings that point at it. Pure data, no cdktf.

Source: Learn, how-to-troubleshoot-kubernetes-extension, "Volcano scheduler integration supporting
cluster autoscaler": the extension's default Volcano config enables the gang plugin, which does not
work with the cluster autoscaler (volcano-sh/volcano#2558), so pending jobs never make AKS add a
node (a GPU pool scaling from zero stays at zero). The documented fix, cluster-wide and without gang
scheduling: (1) create a ConfigMap with a no-gang scheduler config in the ``azureml`` namespace,
(2) set ``volcanoScheduler.schedulerConfigMap=<configmap name>`` and
``amloperator.skipResourceValidation=true`` on the extension (``az k8s-extension update``).
Learn's note: without gang a deadlock can happen; use the same instance type across jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CONFIG_MAP_NAME = "volcano-scheduler-autoscaler"
CONFIG_KEY = "volcano-scheduler.conf"
# Learn's example, verbatim in content: no gang, sla waiting time 1m.
NO_GANG_SCHEDULER_CONF = """\
actions: "enqueue, allocate, backfill"
tiers:
- plugins:
  - name: sla
    arguments:
      sla-waiting-time: 1m
- plugins:
  - name: conformance
- plugins:
  - name: drf
  - name: predicates
  - name: proportion
  - name: nodeorder
  - name: binpack
"""
SCHEDULER_CONFIG_MAP_SETTING = "volcanoScheduler.schedulerConfigMap"
SKIP_RESOURCE_VALIDATION_SETTING = "amloperator.skipResourceValidation"


def extension_settings(config_map_name: str = CONFIG_MAP_NAME) -> dict[str, str]:
    """The two extension settings of step (2)."""
    return {SCHEDULER_CONFIG_MAP_SETTING: config_map_name, SKIP_RESOURCE_VALIDATION_SETTING: "true"}


def scheduler_config_map(namespace: str, name: str = CONFIG_MAP_NAME) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace},
        "data": {CONFIG_KEY: NO_GANG_SCHEDULER_CONF},
    }


@dataclass(frozen=True)
class VolcanoSchedulingProps:
    namespace: str  # the extension's namespace (azureml), created by the extension itself
    extension_name: str
    cluster_name: str
    resource_group_name: str
    config_map_name: str = CONFIG_MAP_NAME


# Step (2), run on the deploying machine once the ConfigMap exists (POSIX sh; Azure CLI signed in,
# with its k8s-extension CLI extension). Learn's command: the update merges these two settings into
# the extension's others. No "${" in it: Terraform would read that as its own interpolation.
UPDATE_SCRIPT = """\
set -eu
az k8s-extension update --name "$EXTENSION_NAME" --cluster-type managedClusters \\
  --cluster-name "$CLUSTER_NAME" --resource-group "$RESOURCE_GROUP" --yes --output none \\
  --config "$SCHEDULER_CONFIG_MAP_SETTING=$CONFIG_MAP_NAME" "$SKIP_RESOURCE_VALIDATION_SETTING=true"
"""
