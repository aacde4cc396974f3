"""Every bad config is refused by the real entry point (`python main.py`, as the cdktf CLI runs
it): exit status 2, each problem on its own line as `<field.path>: <what> (got <value>)`, no
traceback, and no output directory created or touched. The table's cases call its ``main()``
in-process; the tests after the table run the process itself."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, WORKSPACE_DETAILS

# libyaml's emitter when PyYAML has it: ~170 cases are written per run.
SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
DEFAULT = yaml.safe_load((ROOT / "config" / "default.yaml").read_text())
STANDALONE = yaml.safe_load((ROOT / "config" / "standalone.yaml").read_text())
ID_PREFIX = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg"


@dataclass(frozen=True)
class Case:
    name: str
    expected_paths: tuple[str, ...]
    mutate: Callable[[dict], None] | None = None
    text: str | None = None  # raw file content instead of a mutation
    base: dict | None = None
    exact: tuple[str, ...] = ()  # whole problem lines that must be printed as they are


def put(path: str, value):
    def mutate(raw: dict) -> None:
        *parents, leaf = path.split(".")
        node = raw
        for key in parents:
            node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
        if leaf.isdigit():
            node[int(leaf)] = value
        else:
            node[leaf] = value

    return mutate


def drop(path: str):
    def mutate(raw: dict) -> None:
        *parents, leaf = path.split(".")
        node = raw
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        del node[leaf]

    return mutate


def both(*mutations):
    def mutate(raw: dict) -> None:
        for m in mutations:
            m(raw)

    return mutate


POOL = {"name": "mlcpu", "vm_size": "Standard_D8ds_v5", "min_count": 3, "max_count": 10}
WORKSPACE_ID = (
    "/subscriptions/44444444-4444-4444-4444-444444444444/resourceGroups/rg-ml"
    "/providers/Microsoft.MachineLearningServices/workspaces/mlw"
)
WITH_WORKSPACE = {
    **copy.deepcopy(DEFAULT),
    "subscription_id": "44444444-4444-4444-4444-444444444444",
    "azureml": {**DEFAULT["azureml"], "workspace": {"id": WORKSPACE_ID, "compute_name": "aks-prod", **WORKSPACE_DETAILS}},
}
COMPUTE_IDENTITY = (
    "/subscriptions/44444444-4444-4444-4444-444444444444/resourceGroups/rg-ml"
    "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aml-compute"
)
WITH_COMPUTE_IDENTITY = {
    "id": WORKSPACE_ID,
    "compute_name": "aks-prod",
    "compute_identity": COMPUTE_IDENTITY,
    "storage_account_id": "/subscriptions/44444444-4444-4444-4444-444444444444/resourceGroups/rg-ml"
    "/providers/Microsoft.Storage/storageAccounts/stmlw",
    "container_registry_id": "/subscriptions/44444444-4444-4444-4444-444444444444/resourceGroups/rg-ml"
    "/providers/Microsoft.ContainerRegistry/registries/crmlw",
}
GPU_POOL = {**POOL, "name": "mlgpu", "vm_size": "Standard_NC24ads_A100_v4", "min_count": 0, "gpu": True}
INSTANCE = {
    "name": "cpu",
    "node_pool": "mlcpu",
    "requests": {"cpu": "1", "memory": "4Gi"},
    "limits": {"cpu": "2", "memory": "8Gi"},
}
ROUTER_TLS = {
    "cname": "aml.prod.contoso.internal",
    "key_vault_id": f"{ID_PREFIX}/providers/Microsoft.KeyVault/vaults/kv",
    "certificate_name": "router",
}

AZURE_DEVOPS_REPO = "https://dev.azure.com/contoso/platform/_git/aks-gitops"
GITOPS = {
    **copy.deepcopy(DEFAULT),
    "subscription_id": "44444444-4444-4444-4444-444444444444",
    "kubernetes_config": {"mode": "gitops"},
    "gitops": {"repository_url": AZURE_DEVOPS_REPO, "auth": "https-token", "https_user": "flux"},
}

# Written into the cases that carry a credential; must never appear in an error message.
SECRET_MARKER = "S3CRET"

EXISTING = yaml.safe_load((ROOT / "tests" / "fixtures" / "configs" / "existing-cluster-terraform.yaml").read_text())
EXISTING_GITOPS = yaml.safe_load((ROOT / "tests" / "fixtures" / "configs" / "existing-cluster-gitops.yaml").read_text())
EXISTING_REFUSED = "must be absent with cluster.existing_id"


# --- capacity (issue #18): the mistakes a new user made with a CPU and an A100 pool, each with the
# exact line printed, and all of them in one file reported in one run.
def _pools(*pools):
    return put("cluster.node_pools", list(pools))


A100 = "Standard_NC24ads_A100_v4"
D16 = "Standard_D16ds_v5"
D16_NODE = "one mlcpu node (Standard_D16ds_v5: 15730m CPU, 61.6Gi memory allocatable)"
A100_NODE = "one mlgpu node (Standard_NC24ads_A100_v4: 23650m CPU, 217.6Gi memory, 1 GPU allocatable)"
CPU_POOL_WITH_GPU_FLAG = {**POOL, "vm_size": D16, "gpu": True}
GPU_POOL_WITHOUT_FLAG = {**POOL, "name": "mlgpu", "vm_size": A100, "min_count": 0}
SMALL_DISK_POOL = {**POOL, "name": "mlsmall", "vm_size": "Standard_D2ds_v5", "min_count": 0}
MISSPELLED_POOL = {**POOL, "name": "mltypo", "vm_size": "Standard_NC24ads_A100v4", "min_count": 0}
GPU_INSTANCE_ON_CPU_POOL = {**INSTANCE, "limits": {"cpu": "2", "memory": "128Gi", "gpu": 1}}
TWO_GPUS_ON_ONE_GPU_POOL = {**INSTANCE, "name": "a100", "node_pool": "mlgpu", "limits": {"cpu": "2", "memory": "8Gi", "gpu": 2}}
LINES = {
    "gpu-flag": f"cluster.node_pools[0].gpu: must be false: {D16} has no GPU (catalog/vm_sizes.py); pick a GPU size"
    " such as Standard_NC24ads_A100_v4 for GPU work (got True)",
    "gpu-on-cpu-pool": f"azureml.instance_types[0].limits.gpu: needs GPUs; {D16_NODE} has none (got 1)",
    "missing-gpu-flag": f"cluster.node_pools[1].gpu: must be true: {A100} has 1 NVIDIA A100 80GB GPU; without gpu:"
    " true nothing installs the NVIDIA device plugin and no pod can request nvidia.com/gpu (got False)",
    "two-gpus": f"azureml.instance_types[1].limits.gpu: must not exceed the 1 GPU of {A100_NODE} (got 2)",
    "memory-limit": f"azureml.instance_types[0].limits.memory: must fit {D16_NODE} (got '128Gi')",
    "ephemeral-disk": "cluster.node_pools[2].os_disk_size_gb: must fit Standard_D2ds_v5's largest local disk for an"
    " ephemeral OS disk (temp 75 GiB): at most 75, or set os_disk_type: Managed (got 128)",
    "misspelled-size": "cluster.node_pools[3].vm_size: must be a VM size catalog/vm_sizes.py lists (did you mean"
    f" '{A100}'? Otherwise set acknowledge_uncatalogued_vm_size: true to skip the size checks and the quota count"
    " for it) (got 'Standard_NC24ads_A100v4')",
    "region": "location: must be an Azure region config/regions.py lists (as `az account list-locations` prints);"
    " did you mean 'westeurope'? (got 'westeurop')",
    "key": "cluster.system_pool.min_cont: unknown key (README 'Configuration reference' lists the keys); did you mean"
    " 'min_count'? (got 3)",
}
ISSUE_18_MISTAKES = both(
    put("location", "westeurop"),
    put("cluster.system_pool.min_cont", 3),
    _pools(CPU_POOL_WITH_GPU_FLAG, GPU_POOL_WITHOUT_FLAG, SMALL_DISK_POOL, MISSPELLED_POOL),
    put("azureml.instance_types", [GPU_INSTANCE_ON_CPU_POOL, TWO_GPUS_ON_ONE_GPU_POOL]),
)


def _case(name: str, line: str, mutate, base=None) -> Case:
    return Case(name, (line.split(": ", 1)[0],), mutate, base=base, exact=(line,))


CAPACITY_CASES = [
    _case(
        "gpu-flag-on-cpu-size",
        LINES["gpu-flag"],
        both(
            _pools(CPU_POOL_WITH_GPU_FLAG),
            put("azureml.instance_types", [{**INSTANCE, "limits": {**INSTANCE["limits"], "gpu": 1}}]),
        ),
        base=WITH_WORKSPACE,
    ),
    _case("gpu-size-without-gpu-flag", LINES["missing-gpu-flag"], _pools(POOL, GPU_POOL_WITHOUT_FLAG)),
    _case(
        "instance-type-two-gpus-on-one-gpu-size",
        LINES["two-gpus"],
        both(_pools(POOL, GPU_POOL), put("azureml.instance_types", [INSTANCE, TWO_GPUS_ON_ONE_GPU_POOL])),
        base=WITH_WORKSPACE,
    ),
    _case(
        "instance-type-memory-above-node",
        LINES["memory-limit"],
        both(
            _pools({**POOL, "vm_size": D16}),
            put("azureml.instance_types", [{**INSTANCE, "limits": {"cpu": "2", "memory": "128Gi"}}]),
        ),
        base=WITH_WORKSPACE,
    ),
    _case(
        "ephemeral-os-disk-larger-than-local-disk",
        LINES["ephemeral-disk"],
        _pools(POOL, {**POOL, "name": "mlmid"}, SMALL_DISK_POOL),
    ),
    _case(
        "vm-size-misspelled",
        LINES["misspelled-size"],
        _pools(POOL, {**POOL, "name": "b"}, {**POOL, "name": "c"}, MISSPELLED_POOL),
    ),
    _case("region-lowercase-unknown", LINES["region"], put("location", "westeurop")),
    _case("unknown-key-suggestion", LINES["key"], put("cluster.system_pool.min_cont", 3)),
    _case(
        "vm-size-uncatalogued-acknowledged-needlessly",
        "cluster.node_pools[0].acknowledge_uncatalogued_vm_size: only applies to a VM size catalog/vm_sizes.py lacks;"
        " Standard_D8ds_v5 is catalogued (got True)",
        _pools({**POOL, "acknowledge_uncatalogued_vm_size": True}),
    ),
    _case(
        "gpu-driver-without-gpu",
        "cluster.node_pools[0].gpu_driver: only applies to a pool with gpu: true (got 'none')",
        _pools({**POOL, "gpu_driver": "none"}),
    ),
    _case(
        "gpu-driver-mixed-plugin-owners",
        "cluster.node_pools[2].gpu_driver: must leave the NVIDIA device plugin to the same installer as"
        " cluster.node_pools[1] (the Azure ML extension): the extension's installNvidiaDevicePlugin and"
        " installDcgmExporter settings are cluster-wide (got 'none')",
        _pools(POOL, GPU_POOL, {**GPU_POOL, "name": "mlgpu2", "gpu_driver": "none"}),
    ),
    _case(
        "gpu-driver-aks-managed-before-1-34",
        "cluster.node_pools[1].gpu_driver: aks-managed (preview) needs Kubernetes 1.34 or later"
        " (cluster.kubernetes_version is 1.33) (got 'aks-managed')",
        both(put("cluster.kubernetes_version", "1.33"), _pools(POOL, {**GPU_POOL, "gpu_driver": "aks-managed"})),
    ),
    _case(
        "ephemeral-os-disk-unsupported-size",
        "cluster.system_pool.os_disk_type: must be Managed: Standard_E8ds_v6 does not support ephemeral OS disks"
        " (Learn size page) (got 'Ephemeral')",
        put("cluster.system_pool.vm_size", "Standard_E8ds_v6"),
    ),
    _case(
        "volcano-no-gang-without-volcano",
        "azureml.volcano_gang_scheduling: false configures the Volcano scheduler the extension installs: needs"
        " azureml.install_volcano: true (got False)",
        both(put("azureml.install_volcano", False), put("azureml.volcano_gang_scheduling", False)),
    ),
    _case(
        "volcano-no-gang-in-gitops-mode",
        "azureml.volcano_gang_scheduling: false is automated in kubernetes_config.mode terraform only: in gitops"
        " mode the extension settings would have to wait for Flux to create the scheduler ConfigMap (README"
        " 'Autoscaler-friendly scheduling') (got False)",
        put("azureml.volcano_gang_scheduling", False),
        base=GITOPS,
    ),
    Case(
        "issue-18-mistakes-in-one-file",
        tuple(line.split(": ", 1)[0] for line in LINES.values()),
        ISSUE_18_MISTAKES,
        base=WITH_WORKSPACE,
        exact=tuple(LINES.values()),
    ),
]


CASES = [
    # --- file and YAML
    Case("yaml-syntax", ("(yaml line 3, column 7)",), text="name: amlprod\nlocation: westeurope\n  tags: x\n"),
    Case("yaml-duplicate-key", ("(yaml line 2, column 1)",), text="name: amlprod\nname: other\n"),
    Case("yaml-not-mapping", ("(root)",), text="- a\n- b\n"),
    Case("empty-file", ("(file)",), text="   \n"),
    # --- root
    Case("unknown-top-level-key", ("clustr",), put("clustr", {})),
    Case("missing-network", ("network",), drop("network")),
    Case("name-uppercase", ("name",), put("name", "AmlProd")),
    Case("name-too-long", ("name",), put("name", "a" * 21)),
    Case("name-double-hyphen", ("name",), put("name", "aml--prod")),
    Case("location-unknown", ("location",), put("location", "west-europe")),
    Case("subscription-not-guid", ("subscription_id",), put("subscription_id", "my-subscription")),
    Case("tag-key-invalid", ("tags.a/b (key)",), put("tags", {"a/b": "x"})),
    Case("tag-deployment-reserved", ("tags",), put("tags", {"deployment": "other"})),
    Case("too-many-tags", ("tags",), put("tags", {f"k{i}": "v" for i in range(50)})),
    Case("protect-not-bool", ("protect",), put("protect", "maybe")),
    # --- state
    Case("state-backend-unknown", ("state",), put("state", {"backend": "s3"})),
    Case(
        "state-azurerm-missing-fields",
        ("state.resource_group_name", "state.container_name"),
        put("state", {"backend": "azurerm", "storage_account_name": "sttfstate"}),
    ),
    Case(
        "state-storage-account-name",
        ("state.storage_account_name",),
        put(
            "state",
            {
                "backend": "azurerm",
                "resource_group_name": "rg",
                "storage_account_name": "St-TfState",
                "container_name": "tfstate",
            },
        ),
    ),
    Case("state-local-absolute-path", ("state.directory",), put("state", {"backend": "local", "directory": "/var/state"})),
    Case("state-local-parent-path", ("state.directory",), put("state", {"backend": "local", "directory": "../state"})),
    # --- hub and resource ids
    Case("hub-vnet-id-malformed", ("hub.vnet_id",), put("hub.vnet_id", "/subscriptions/x/vnet-hub")),
    Case(
        "hub-vnet-id-wrong-type",
        ("hub.vnet_id",),
        put("hub.vnet_id", f"{ID_PREFIX}/providers/Microsoft.Network/networkSecurityGroups/nsg"),
    ),
    Case("hub-firewall-ip-outside-hub", ("hub.firewall_private_ip",), put("hub.firewall_private_ip", "10.1.0.4")),
    Case("hub-firewall-ip-invalid", ("hub.firewall_private_ip",), put("hub.firewall_private_ip", "10.0.1.400")),
    Case(
        "workspace-id-wrong-type",
        ("monitoring.log_analytics_workspace_id",),
        put("monitoring.log_analytics_workspace_id", f"{ID_PREFIX}/providers/Microsoft.Storage/storageAccounts/st"),
    ),
    # --- network
    Case("vnet-cidr-host-bits", ("network.vnet_cidr",), put("network.vnet_cidr", "10.20.0.1/16")),
    Case("subnet-outside-vnet", ("network.aks_subnet_cidr",), put("network.aks_subnet_cidr", "10.21.0.0/22")),
    Case(
        "vnet-overlaps-hub",
        ("network.vnet_cidr",),
        both(put("network.vnet_cidr", "10.0.0.0/8"), put("network.aks_subnet_cidr", "10.20.0.0/22")),
    ),
    Case(
        "service-overlaps-vnet", ("network.service_cidr", "network.dns_service_ip"), put("network.service_cidr", "10.20.128.0/20")
    ),
    Case("pod-overlaps-service", ("network.pod_cidr",), put("network.pod_cidr", "172.16.0.0/14")),
    Case("pod-overlaps-hub", ("network.pod_cidr",), put("network.pod_cidr", "10.0.0.0/16")),
    Case(
        "service-cidr-reserved",
        ("network.service_cidr",),
        both(put("network.service_cidr", "172.30.0.0/16"), put("network.dns_service_ip", "172.30.0.10")),
    ),
    Case(
        "aks-subnet-too-small",
        ("network.aks_subnet_cidr",),
        both(drop("ingress.load_balancer_ip"), put("network.aks_subnet_cidr", "10.20.0.0/28")),
    ),
    Case(
        "service-cidr-too-large",
        ("network.service_cidr",),
        both(put("network.service_cidr", "10.64.0.0/11"), put("network.dns_service_ip", "10.64.0.10")),
    ),
    Case(
        "service-overlaps-hub",
        ("network.service_cidr",),
        both(put("network.service_cidr", "10.0.0.0/16"), put("network.dns_service_ip", "10.0.0.10")),
    ),
    Case("pod-overlaps-vnet", ("network.pod_cidr",), put("network.pod_cidr", "10.20.0.0/16")),
    Case(
        "peering-name-too-long",
        ("hub.vnet_id",),
        put("hub.vnet_id", f"{ID_PREFIX}-hub-network/providers/Microsoft.Network/virtualNetworks/{'h' * 56}"),
    ),
    Case("dns-ip-outside-service", ("network.dns_service_ip",), put("network.dns_service_ip", "172.17.0.10")),
    Case("dns-ip-first-address", ("network.dns_service_ip",), put("network.dns_service_ip", "172.16.0.1")),
    # --- cluster
    Case("entra-missing", ("cluster.entra",), drop("cluster.entra")),
    Case("entra-no-admin-groups", ("cluster.entra.admin_group_object_ids",), put("cluster.entra.admin_group_object_ids", [])),
    Case("sku-tier-lowercase", ("cluster.sku_tier",), put("cluster.sku_tier", "standard")),
    Case("network-policy-none", ("cluster.network_policy",), put("cluster.network_policy", "none")),
    Case("kubernetes-version-float", ("cluster.kubernetes_version",), put("cluster.kubernetes_version", 1.3)),
    Case("upgrade-channel-none", ("cluster.automatic_upgrade_channel",), put("cluster.automatic_upgrade_channel", "none")),
    Case(
        "node-image-channel-mismatch",
        ("cluster.node_os_upgrade_channel",),
        both(put("cluster.automatic_upgrade_channel", "node-image"), put("cluster.node_os_upgrade_channel", "SecurityPatch")),
    ),
    Case(
        "private-api-with-authorized-ranges",
        ("cluster.api.authorized_ip_ranges",),
        put("cluster.api.authorized_ip_ranges", ["203.0.113.0/24"]),
    ),
    Case(
        "public-api-in-hub",
        ("cluster.api.private", "cluster.api.private_dns_zone_id", "cluster.api.authorized_ip_ranges"),
        put("cluster.api.private", False),
    ),
    Case(
        "dns-zone-wrong-region",
        ("cluster.api.private_dns_zone_id",),
        put(
            "cluster.api.private_dns_zone_id",
            f"{ID_PREFIX}/providers/Microsoft.Network/privateDnsZones/privatelink.northeurope.azmk8s.io",
        ),
    ),
    Case(
        "maintenance-window-time", ("cluster.upgrade_window.start_time",), put("cluster.upgrade_window", {"start_time": "25:00"})
    ),
    Case(
        "policy-effect-unknown",
        ("cluster.policy.internal_load_balancers",),
        put("cluster.policy", {"internal_load_balancers": "block"}),
    ),
    # --- node pools
    Case("system-pool-name-too-long", ("cluster.system_pool.name",), put("cluster.system_pool.name", "systempoolname")),
    Case(
        "rotation-name-equals-pool",
        ("cluster.system_pool.temporary_name_for_rotation",),
        put("cluster.system_pool.temporary_name_for_rotation", "system"),
    ),
    Case("pool-name-uppercase", ("cluster.node_pools[0].name",), put("cluster.node_pools", [{**POOL, "name": "MLcpu"}])),
    Case("pool-name-duplicate", ("cluster.node_pools[1].name",), put("cluster.node_pools", [POOL, POOL])),
    Case("pool-min-above-max", ("cluster.node_pools[0].min_count",), put("cluster.node_pools", [{**POOL, "min_count": 12}])),
    Case("pool-vm-size", ("cluster.node_pools[0].vm_size",), put("cluster.node_pools", [{**POOL, "vm_size": "D8ds_v5"}])),
    Case(
        "pool-taint-format",
        ("cluster.node_pools[0].taints[0]",),
        put("cluster.node_pools", [{**POOL, "taints": ["gpu:NoSchedule"]}]),
    ),
    Case("pool-unknown-key", ("cluster.node_pools[0].count",), put("cluster.node_pools", [{**POOL, "count": 3}])),
    Case("no-node-pools", ("cluster.node_pools",), put("cluster.node_pools", [])),
    Case("no-azureml-pool", ("cluster.node_pools",), put("cluster.node_pools", [{**POOL, "azureml": False}])),
    Case(
        "only-tainted-azureml-pools",
        ("cluster.node_pools", "azureml.inference_router_ha"),
        put("cluster.node_pools", [{**POOL, "taints": ["sku=gpu:NoSchedule"]}]),
    ),
    Case(
        "rotation-name-collides",
        ("cluster.node_pools[1].temporary_name_for_rotation",),
        put("cluster.node_pools", [POOL, {**POOL, "name": "batch", "temporary_name_for_rotation": "mlcputmp"}]),
    ),
    Case("system-pool-max-pods-below-30", ("cluster.system_pool.max_pods",), put("cluster.system_pool.max_pods", 20)),
    Case("system-pool-burstable", ("cluster.system_pool.vm_size",), put("cluster.system_pool.vm_size", "Standard_B4ms")),
    # --- Azure ML extension
    Case(
        "neither-training-nor-inference",
        ("azureml.enable_inference",),
        both(put("azureml.enable_training", False), put("azureml.enable_inference", False)),
    ),
    Case("router-ha-too-few-nodes", ("azureml.inference_router_ha",), put("cluster.node_pools", [{**POOL, "min_count": 2}])),
    Case("local-accounts-disabled", ("cluster.local_account_disabled",), put("cluster.local_account_disabled", True)),
    Case("private-cluster-public-fqdn", ("cluster.api.public_fqdn_enabled",), put("cluster.api.public_fqdn_enabled", True)),
    Case(
        "router-public-service-type",
        ("azureml.inference_router_service_type",),
        put("azureml.inference_router_service_type", "nodePort"),
    ),
    Case(
        "insecure-false-without-router-tls",
        ("azureml.allow_insecure_connections",),
        put("azureml.allow_insecure_connections", False),
    ),
    Case(
        "router-tls-behind-ingress",
        ("azureml.router_tls",),
        put("azureml.router_tls", ROUTER_TLS),
    ),
    Case(
        "router-tls-with-insecure-true",
        ("azureml.allow_insecure_connections",),
        both(
            put("azureml.inference_router_service_type", "loadBalancer"),
            put("azureml.router_tls", ROUTER_TLS),
            put("azureml.allow_insecure_connections", True),
        ),
    ),
    # --- ingress and TLS
    Case("ingress-class-reserved", ("ingress.class_name",), put("ingress.class_name", "azureml-nginx")),
    Case("ingress-controller-unknown", ("ingress.controller",), put("ingress.controller", "traefik")),
    Case("ingress-namespace-underscore", ("ingress.namespace",), put("ingress.namespace", "nginx_ingress")),
    Case("ingress-namespace-reserved", ("ingress.namespace",), put("ingress.namespace", "kube-system")),
    Case("ingress-source-not-cidr", ("ingress.allowed_source_cidrs[0]",), put("ingress.allowed_source_cidrs", ["10.1.0.1/16"])),
    Case(
        "workspace-location-without-workspace",
        ("monitoring.log_analytics_workspace_location",),
        both(drop("monitoring.log_analytics_workspace_id"), put("monitoring.log_analytics_workspace_location", "northeurope")),
    ),
    Case(
        "workspace-location-unknown",
        ("monitoring.log_analytics_workspace_location",),
        put("monitoring.log_analytics_workspace_location", "mars"),
    ),
    Case("ingress-namespace-kube-prefix", ("ingress.namespace",), put("ingress.namespace", "kube-ingress")),
    Case(
        "public-api-with-public-fqdn-flag",
        ("cluster.api.public_fqdn_enabled",),
        put("cluster.api", {"private": False, "authorized_ip_ranges": ["203.0.113.0/24"], "public_fqdn_enabled": True}),
        base=STANDALONE,
    ),
    Case(
        "field-and-cross-field-problems-together",
        ("cluster.node_pools[0].name", "network.aks_subnet_cidr"),
        both(put("cluster.node_pools", [{**POOL, "name": "MLcpu"}]), put("network.aks_subnet_cidr", "10.21.0.0/22")),
    ),
    Case("ingress-single-replica", ("ingress.replicas",), put("ingress.replicas", 1)),
    Case("ingress-prefix-no-slash", ("ingress.path_prefix",), put("ingress.path_prefix", "aml")),
    Case("ingress-lb-ip-outside-subnet", ("ingress.load_balancer_ip",), put("ingress.load_balancer_ip", "10.20.8.10")),
    Case("ingress-lb-ip-reserved", ("ingress.load_balancer_ip",), put("ingress.load_balancer_ip", "10.20.0.2")),
    Case(
        "tls-keyvault-missing-fields",
        ("tls.key_vault_id", "tls.certificate_name", "ingress.host"),
        both(put("tls", {"mode": "keyvault"}), drop("ingress.host")),
    ),
    Case("tls-none-with-vault", ("tls.key_vault_id",), put("tls.mode", "none")),
    Case(
        "tls-vault-wrong-type",
        ("tls.key_vault_id",),
        put("tls.key_vault_id", f"{ID_PREFIX}/providers/Microsoft.Network/virtualNetworks/vnet"),
    ),
    Case("kube-auth-unknown", ("kubernetes_auth.login",), put("kubernetes_auth.login", "password")),
    # --- several problems in different sections, all reported in one run
    Case(
        "many-problems-at-once",
        ("name", "network.aks_subnet_cidr", "cluster.sku_tier", "ingress.replicas", "tls.certificate_name"),
        both(
            put("name", "Bad"),
            put("network.aks_subnet_cidr", "10.20.0.0/33"),
            put("cluster.sku_tier", "gold"),
            put("ingress.replicas", 0),
            put("tls.certificate_name", "bad name"),
        ),
    ),
    # --- public API server
    Case(
        "public-api-open-to-the-world",
        ("cluster.api.authorized_ip_ranges[0]",),
        put("cluster.api", {"private": False, "authorized_ip_ranges": ["0.0.0.0/0"]}),
        base=STANDALONE,
    ),
    Case(
        "public-api-implausibly-broad-range",
        ("cluster.api.authorized_ip_ranges[1]",),
        put("cluster.api", {"private": False, "authorized_ip_ranges": ["203.0.113.0/24", "20.0.0.0/8"]}),
        base=STANDALONE,
    ),
    Case(
        "admin-login-over-public-api-unacknowledged",
        ("kubernetes_auth.login",),
        both(
            put("cluster.api", {"private": False, "authorized_ip_ranges": ["203.0.113.0/24"]}),
            put("kubernetes_auth", {"login": "admin"}),
        ),
        base=STANDALONE,
    ),
    Case(
        "admin-login-without-local-accounts",
        ("kubernetes_auth.login",),
        both(put("cluster.local_account_disabled", True), put("kubernetes_auth", {"login": "admin"})),
        base=WITH_WORKSPACE,
    ),
    Case(
        "admin-acknowledgement-without-admin",
        ("kubernetes_auth.acknowledge_admin_over_public_api",),
        put("kubernetes_auth", {"login": "azurecli", "acknowledge_admin_over_public_api": True}),
    ),
    # --- extra VNets linked to the API zone
    Case(
        "zone-links-with-hub-owned-zone",
        ("cluster.api.dns_zone_linked_vnet_ids",),
        put("cluster.api.dns_zone_linked_vnet_ids", [f"{ID_PREFIX}/providers/Microsoft.Network/virtualNetworks/vnet-runners"]),
    ),
    Case(
        "zone-links-list-the-hub",
        ("cluster.api.dns_zone_linked_vnet_ids",),
        put(
            "cluster.api",
            {"dns_zone_linked_vnet_ids": [f"{ID_PREFIX}-hub-network/providers/Microsoft.Network/virtualNetworks/vnet-hub"]},
        ),
    ),
    Case(
        "zone-links-same-vnet-name-twice",
        ("cluster.api.dns_zone_linked_vnet_ids",),
        put(
            "cluster.api.dns_zone_linked_vnet_ids",
            [
                f"{ID_PREFIX}-a/providers/Microsoft.Network/virtualNetworks/vnet-runners",
                f"{ID_PREFIX}-b/providers/Microsoft.Network/virtualNetworks/vnet-runners",
            ],
        ),
        base=STANDALONE,
    ),
    Case(
        "zone-links-not-a-vnet",
        ("cluster.api.dns_zone_linked_vnet_ids[0]",),
        put("cluster.api.dns_zone_linked_vnet_ids", [f"{ID_PREFIX}/providers/Microsoft.Network/networkSecurityGroups/nsg"]),
        base=STANDALONE,
    ),
    Case(
        "zone-links-with-public-api",
        ("cluster.api.dns_zone_linked_vnet_ids",),
        put(
            "cluster.api",
            {
                "private": False,
                "authorized_ip_ranges": ["203.0.113.0/24"],
                "dns_zone_linked_vnet_ids": [f"{ID_PREFIX}/providers/Microsoft.Network/virtualNetworks/vnet-runners"],
            },
        ),
        base=STANDALONE,
    ),
    # --- router TLS
    Case(
        "router-tls-without-inference",
        ("azureml.router_tls",),
        both(
            put("azureml.enable_inference", False),
            put("azureml.router_tls", ROUTER_TLS),
            put("azureml.allow_insecure_connections", False),
        ),
    ),
    Case(
        "router-tls-missing-certificate",
        ("azureml.router_tls.key_vault_id", "azureml.router_tls.certificate_name"),
        put("azureml.router_tls", {"cname": "aml.prod.contoso.internal"}),
    ),
    Case("ingress-sources-null", ("ingress.allowed_source_cidrs",), put("ingress.allowed_source_cidrs", None)),
    # --- Azure ML workspace attach and instance types
    Case(
        "lb-router-plaintext-not-explicit",
        ("azureml.allow_insecure_connections",),
        put("azureml.inference_router_service_type", "loadBalancer"),
    ),
    Case(
        "compute-identity-system",
        ("azureml.workspace.compute_identity",),
        put("azureml.workspace.compute_identity", "system"),
        base=WITH_WORKSPACE,
    ),
    Case(
        "compute-identity-without-storage-and-registry",
        ("azureml.workspace.compute_identity",),
        put("azureml.workspace", {"id": WORKSPACE_ID, "compute_name": "aks-prod", "compute_identity": COMPUTE_IDENTITY}),
        base=WITH_WORKSPACE,
    ),
    Case(
        "compute-identity-is-the-admin-workspace-identity",
        ("azureml.workspace.compute_identity",),
        put("azureml.workspace", {**WITH_COMPUTE_IDENTITY, "identity_id": COMPUTE_IDENTITY}),
        base=WITH_WORKSPACE,
    ),
    Case(
        "compute-identity-not-an-identity",
        ("azureml.workspace.compute_identity",),
        put("azureml.workspace.compute_identity", f"{ID_PREFIX}/providers/Microsoft.Storage/storageAccounts/st"),
        base=WITH_WORKSPACE,
    ),
    Case(
        "grant-rbac-cluster-admin-not-bool",
        ("azureml.workspace.grant_rbac_cluster_admin",),
        put("azureml.workspace.grant_rbac_cluster_admin", "yes please"),
        base=WITH_WORKSPACE,
    ),
    Case("workspace-without-subscription", ("subscription_id",), drop("subscription_id"), base=WITH_WORKSPACE),
    Case(
        "workspace-in-other-subscription",
        ("azureml.workspace.id",),
        put("subscription_id", "55555555-5555-5555-5555-555555555555"),
        base=WITH_WORKSPACE,
    ),
    Case(
        "ml-workspace-id-wrong-type",
        ("azureml.workspace.id",),
        put("azureml.workspace.id", f"{ID_PREFIX}/providers/Microsoft.OperationalInsights/workspaces/log"),
        base=WITH_WORKSPACE,
    ),
    Case(
        "compute-name-too-long",
        ("azureml.workspace.compute_name",),
        put("azureml.workspace.compute_name", "a" * 17),
        base=WITH_WORKSPACE,
    ),
    Case(
        "compute-name-leading-digit",
        ("azureml.workspace.compute_name",),
        put("azureml.workspace.compute_name", "1aks"),
        base=WITH_WORKSPACE,
    ),
    Case(
        "compute-namespace-system",
        ("azureml.workspace.namespace",),
        put("azureml.workspace.namespace", "kube-system"),
        base=WITH_WORKSPACE,
    ),
    Case(
        "compute-namespace-azureml",
        ("azureml.workspace.namespace",),
        put("azureml.workspace.namespace", "azureml"),
        base=WITH_WORKSPACE,
    ),
    Case(
        "compute-namespace-is-ingress-namespace",
        ("azureml.workspace.namespace",),
        put("azureml.workspace.namespace", "nginx-ingress"),
        base=WITH_WORKSPACE,
    ),
    Case(
        "workspace-identity-in-other-subscription",
        ("azureml.workspace.identity_id",),
        put(
            "azureml.workspace.identity_id",
            "/subscriptions/55555555-5555-5555-5555-555555555555/resourceGroups/rg"
            "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-mlw",
        ),
        base=WITH_WORKSPACE,
    ),
    Case(
        "instance-type-as-large-as-a-node",
        ("azureml.instance_types[0].requests.cpu",),
        put(
            "azureml.instance_types",
            [{**INSTANCE, "requests": {"cpu": "8", "memory": "4Gi"}, "limits": {"cpu": "8", "memory": "8Gi"}}],
        ),
        base=WITH_WORKSPACE,
    ),
    Case("instance-types-without-workspace", ("azureml.instance_types",), put("azureml.instance_types", [INSTANCE])),
    Case(
        "instance-type-unknown-pool",
        ("azureml.instance_types[0].node_pool",),
        put("azureml.instance_types", [{**INSTANCE, "node_pool": "nopool"}]),
        base=WITH_WORKSPACE,
    ),
    Case(
        "instance-type-non-azureml-pool",
        ("azureml.instance_types[0].node_pool",),
        both(
            put("cluster.node_pools", [POOL, {**POOL, "name": "batch", "azureml": False}]),
            put("azureml.instance_types", [{**INSTANCE, "node_pool": "batch"}]),
        ),
        base=WITH_WORKSPACE,
    ),
    Case(
        "instance-type-gpu-on-cpu-pool",
        ("azureml.instance_types[0].limits.gpu",),
        put("azureml.instance_types", [{**INSTANCE, "limits": {"cpu": "2", "memory": "8Gi", "gpu": 1}}]),
        base=WITH_WORKSPACE,
    ),
    Case(
        "instance-type-requests-above-limits",
        ("azureml.instance_types[0].requests.cpu", "azureml.instance_types[0].requests.memory"),
        put("azureml.instance_types", [{**INSTANCE, "requests": {"cpu": "3", "memory": "16Gi"}}]),
        base=WITH_WORKSPACE,
    ),
    Case(
        "instance-type-larger-than-a-node",
        ("azureml.instance_types[0].requests.cpu",),
        put(
            "azureml.instance_types",
            [{**INSTANCE, "requests": {"cpu": "12", "memory": "4Gi"}, "limits": {"cpu": "16", "memory": "8Gi"}}],
        ),
        base=WITH_WORKSPACE,
    ),
    Case(
        "instance-type-duplicate-names",
        ("azureml.instance_types[1].name",),
        both(
            put("cluster.node_pools", [POOL, GPU_POOL]),
            put("azureml.instance_types", [INSTANCE, {**INSTANCE, "node_pool": "mlgpu"}]),
        ),
        base=WITH_WORKSPACE,
    ),
    Case(
        "instance-type-quantity-format",
        ("azureml.instance_types[0].requests.memory",),
        put("azureml.instance_types", [{**INSTANCE, "requests": {"cpu": "1", "memory": "4 GB"}}]),
        base=WITH_WORKSPACE,
    ),
    # --- GitOps mode
    Case(
        "gitops-url-plain-http",
        ("gitops.repository_url",),
        put("gitops.repository_url", "http://git.contoso.com/aks.git"),
        base=GITOPS,
    ),
    Case(
        "gitops-url-with-credentials",
        ("gitops.repository_url",),
        put("gitops.repository_url", "https://flux:S3CRET-pat-value@dev.azure.com/contoso/platform/_git/aks-gitops"),
        base=GITOPS,
    ),
    Case(
        "gitops-ssh-url-with-token-auth",
        ("gitops.auth",),
        put("gitops.repository_url", "git@github.com:contoso/aks-gitops.git"),
        base=GITOPS,
    ),
    Case(
        "gitops-https-url-with-ssh-auth",
        ("gitops.auth",),
        both(put("gitops.auth", "ssh"), drop("gitops.https_user")),
        base=GITOPS,
    ),
    Case(
        "gitops-azure-devops-without-auth",
        ("gitops.auth",),
        both(put("gitops.auth", "none"), drop("gitops.https_user")),
        base=GITOPS,
    ),
    Case(
        "gitops-workload-identity-on-github",
        ("gitops.auth",),
        both(
            put("gitops.repository_url", "https://github.com/contoso/aks-gitops.git"),
            put("gitops.auth", "workload-identity"),
            drop("gitops.https_user"),
        ),
        base=GITOPS,
    ),
    Case("gitops-token-without-user", ("gitops.https_user",), drop("gitops.https_user"), base=GITOPS),
    Case("gitops-user-without-token-auth", ("gitops.https_user",), put("gitops.auth", "workload-identity"), base=GITOPS),
    Case("gitops-path-parent-directory", ("gitops.path",), put("gitops.path", "clusters/../prod"), base=GITOPS),
    Case("gitops-path-absolute", ("gitops.path",), put("gitops.path", "/clusters/prod"), base=GITOPS),
    Case("gitops-branch-invalid", ("gitops.branch",), put("gitops.branch", "release..1"), base=GITOPS),
    Case(
        "gitops-sync-interval-too-short", ("gitops.sync_interval_seconds",), put("gitops.sync_interval_seconds", 10), base=GITOPS
    ),
    Case("gitops-unknown-key", ("gitops.token",), put("gitops.token", "S3CRET-pat-value"), base=GITOPS),
    Case(
        "gitops-url-with-token-as-user",
        ("gitops.repository_url",),
        put("gitops.repository_url", "https://ghp_S3CRETtokenvalue@github.com/contoso/aks-gitops.git"),
        base=GITOPS,
    ),
    Case(
        "yaml-syntax-on-a-token-line",
        ("(yaml line 2, column 24)",),
        text="name: amlprod\ntoken: S3CRET-pat-value: [\n",
    ),
    # --- hub firewall egress (config/checks/egress.py)
    Case(
        "hub-workspace-without-egress-details",
        ("azureml.workspace.workspace_guid", "azureml.workspace.storage_account_id", "azureml.workspace.container_registry_id"),
        both(
            drop("azureml.workspace.workspace_guid"),
            drop("azureml.workspace.storage_account_id"),
            drop("azureml.workspace.container_registry_id"),
        ),
        base=WITH_WORKSPACE,
    ),
    Case(
        "ml-workspace-location-unknown",
        ("azureml.workspace.location",),
        put("azureml.workspace.location", "mars"),
        base=WITH_WORKSPACE,
    ),
    Case("private-endpoint-unknown-service", ("network.private_endpoints[0]",), put("network.private_endpoints", ["blob"])),
    Case(
        "private-endpoint-repeated", ("network.private_endpoints",), put("network.private_endpoints", ["key_vault", "key_vault"])
    ),
    Case(
        "private-endpoint-workspace-without-workspace",
        ("network.private_endpoints[0]",),
        put("network.private_endpoints", ["storage"]),
    ),
    Case(
        "private-endpoint-key-vault-without-vault",
        ("network.private_endpoints[0]",),
        put("network.private_endpoints", ["key_vault"]),
        base=STANDALONE,
    ),
    Case(
        "firewall-policy-id-wrong-type",
        ("hub.firewall_policy_id",),
        put("hub.firewall_policy_id", f"{ID_PREFIX}/providers/Microsoft.Network/virtualNetworks/vnet-hub"),
    ),
    Case(
        "egress-priority-too-low",
        ("hub.egress_rule_collection_group_priority",),
        put("hub.egress_rule_collection_group_priority", 99),
    ),
    Case("gitops-section-missing", ("gitops",), drop("gitops"), base=GITOPS),
    Case("gitops-section-in-terraform-mode", ("gitops",), put("kubernetes_config.mode", "terraform"), base=GITOPS),
    Case("gitops-mode-unknown", ("kubernetes_config.mode",), put("kubernetes_config.mode", "flux"), base=GITOPS),
    Case("gitops-without-subscription", ("subscription_id",), drop("subscription_id"), base=GITOPS),
    *CAPACITY_CASES,
    # --- bring your own cluster (cluster.existing_id)
    Case(
        "existing-refuses-created-cluster-settings",
        (
            "hub",
            "network",
            "cluster.entra",
            "cluster.api",
            "cluster.network_policy",
            "cluster.system_pool",
            "cluster.node_pools",
            "monitoring.retention_days",
            "ingress.allowed_source_cidrs",
        ),
        both(
            put("hub", DEFAULT["hub"]),
            put("network", DEFAULT["network"]),
            put("cluster.entra", DEFAULT["cluster"]["entra"]),
            put("cluster.api", {"private": True}),
            put("cluster.network_policy", "cilium"),
            put("cluster.system_pool", {"min_count": 3}),
            put("cluster.node_pools", [POOL]),
            put("monitoring.retention_days", 60),
            put("ingress.allowed_source_cidrs", ["10.100.0.0/16"]),
        ),
        base=EXISTING,
        exact=(
            "network: must be absent with cluster.existing_id: the address ranges of a spoke created here; give the existing"
            " node subnet in cluster.existing.node_subnet (got 'network')",
            "cluster.node_pools: must be absent with cluster.existing_id: pools created here; name the existing cluster's"
            " Azure ML pools in cluster.existing.azureml_node_pools (got 'node_pools')",
        ),
    ),
    Case("existing-section-missing", ("cluster.existing",), drop("cluster.existing"), base=EXISTING),
    Case("existing-section-without-id", ("cluster.existing",), put("cluster.existing", EXISTING["cluster"]["existing"])),
    Case(
        "existing-id-not-a-cluster",
        ("cluster.existing_id",),
        put("cluster.existing_id", f"{ID_PREFIX}/providers/Microsoft.Network/virtualNetworks/vnet"),
        base=EXISTING,
    ),
    Case(
        "existing-baseline-not-acknowledged",
        ("cluster.existing.acknowledge_unverified_baseline",),
        drop("cluster.existing.acknowledge_unverified_baseline"),
        base=EXISTING,
    ),
    Case(
        "existing-subscription-mismatch",
        ("subscription_id",),
        put("subscription_id", "44444444-4444-4444-4444-444444444444"),
        base=EXISTING,
        exact=(
            "subscription_id: must be the existing cluster's subscription (66666666-6666-6666-6666-666666666666): the stacks"
            " read and change it there (got '44444444-4444-4444-4444-444444444444')",
        ),
    ),
    Case(
        "existing-load-balancer-ip-outside-node-subnet",
        ("ingress.load_balancer_ip",),
        put("ingress.load_balancer_ip", "10.61.0.10"),
        base=EXISTING,
        exact=(
            "ingress.load_balancer_ip: must be a free, usable address in cluster.existing.node_subnet.cidr (10.60.0.0/22)"
            " (got '10.61.0.10')",
        ),
    ),
    Case("existing-diagnostics-without-workspace", ("monitoring.log_analytics_workspace_id",), drop("monitoring"), base=EXISTING),
    Case(
        "existing-node-label-with-one-pool",
        ("azureml.node_label",),
        put("azureml.node_label", {"key": "pool", "value": "ml"}),
        base=EXISTING,
    ),
    Case(
        "existing-pool-named-twice",
        ("cluster.existing.azureml_node_pools",),
        put("cluster.existing.azureml_node_pools", [{"name": "mlcpu"}, {"name": "mlcpu"}]),
        base=EXISTING,
    ),
    Case(
        "existing-no-pools",
        ("cluster.existing.azureml_node_pools",),
        put("cluster.existing.azureml_node_pools", []),
        base=EXISTING,
    ),
    Case(
        "existing-instance-type-on-unknown-pool",
        ("azureml.instance_types[0].node_pool",),
        put("azureml.instance_types", [{**INSTANCE, "node_pool": "mlgpu"}]),
        base=EXISTING,
    ),
    Case("existing-admin-login-unacknowledged", ("kubernetes_auth.login",), put("kubernetes_auth.login", "admin"), base=EXISTING),
    Case(
        "existing-workload-identity-waived-with-flux-workload-identity",
        ("cluster.existing.acknowledge_no_workload_identity",),
        put("cluster.existing.acknowledge_no_workload_identity", True),
        base=EXISTING_GITOPS,
    ),
    Case(
        "existing-subnet-cidr-invalid",
        ("cluster.existing.node_subnet.cidr",),
        put("cluster.existing.node_subnet.cidr", "10.60.0.1/22"),
        base=EXISTING,
    ),
    Case(
        "existing-flux-extension-in-terraform-mode",
        ("cluster.existing.flux_extension",),
        put("cluster.existing.flux_extension", False),
        base=EXISTING,
    ),
    Case(
        "existing-flux-extension-off-with-workload-identity",
        ("cluster.existing.flux_extension",),
        put("cluster.existing.flux_extension", False),
        base=EXISTING_GITOPS,
    ),
    Case(
        "existing-images-registry",
        ("images.registry",),
        put("images", {"registry": f"{ID_PREFIX}/providers/Microsoft.ContainerRegistry/registries/crhub"}),
        base=EXISTING,
        exact=(
            "images.registry: is not supported with cluster.existing_id: this project grants no role to the existing"
            " cluster's kubelet identity; pull from the default sources, or let the cluster's owners attach the registry"
            " first (got '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/"
            "Microsoft.ContainerRegistry/registri...)",
        ),
    ),
    Case(
        "existing-volcano-on-an-extension-we-do-not-own",
        ("azureml.volcano_gang_scheduling",),
        both(put("cluster.existing.azureml_extension", False), put("azureml.volcano_gang_scheduling", False)),
        base=EXISTING,
        exact=(
            "azureml.volcano_gang_scheduling: false updates the Azure ML extension's settings: not with"
            " cluster.existing.azureml_extension: false (the extension is its owners'; ask them to set the scheduler"
            " ConfigMap) (got False)",
        ),
    ),
    Case(
        "created-cluster-without-node-pools",
        ("cluster.node_pools",),
        drop("cluster.node_pools"),
        exact=(
            "cluster.node_pools: is required: the user pools created here (or set cluster.existing_id to use an existing"
            " cluster) (got nothing)",
        ),
    ),
    Case(
        "standalone-public-api-without-ranges",
        ("cluster.api.authorized_ip_ranges",),
        put("cluster.api", {"private": False}),
        base=STANDALONE,
    ),
]


def run_main(config_file: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CDKTF_OUTDIR"}
    env["AKS_CONFIG"] = str(config_file)
    return subprocess.run([sys.executable, str(ROOT / "main.py")], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def call_main(config_file: Path, cwd: Path, monkeypatch, capsys) -> subprocess.CompletedProcess:
    """``main.main()`` in this process: the function `python main.py` runs, without the ~0.5 s of
    CPU a fresh interpreter costs per case (issue #16). The process itself, its exit status and
    its imports are checked by the tests below that use ``run_main``."""
    import main

    monkeypatch.delenv("CDKTF_OUTDIR", raising=False)
    monkeypatch.setenv("AKS_CONFIG", str(config_file))
    monkeypatch.chdir(cwd)
    capsys.readouterr()
    status = main.main()
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(["main.main()"], status, captured.out, captured.err)


def write_case(case: Case, directory: Path) -> Path:
    path = directory / f"{case.name}.yaml"
    if case.text is not None:
        path.write_text(case.text)
    else:
        raw = copy.deepcopy(case.base if case.base is not None else DEFAULT)
        assert case.mutate is not None
        case.mutate(raw)
        path.write_text(yaml.dump(raw, Dumper=SAFE_DUMPER, sort_keys=False))
    return path


def assert_rejected(result: subprocess.CompletedProcess, cwd: Path, expected_paths) -> list[str]:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    problems = lines[1:]
    assert problems, result.stderr
    for line in problems:
        assert " (got " in line and line.endswith(")"), f"not '<path>: <what> (got <value>)': {line}"
    reported = {line.split(": ", 1)[0] for line in problems}
    missing = [p for p in expected_paths if p not in reported]
    assert not missing, f"expected problems at {missing}; got:\n{result.stderr}"
    assert not (cwd / "cdktf.out").exists(), "a bad config must not create the output directory"
    return problems


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_config_is_rejected(case: Case, tmp_path: Path, monkeypatch, capsys):
    config_file = write_case(case, tmp_path)
    result = call_main(config_file, tmp_path, monkeypatch, capsys)
    problems = assert_rejected(result, tmp_path, case.expected_paths)
    missing = [line for line in case.exact if line not in problems]
    assert not missing, "\n".join(["expected exactly:", *missing, "got:", *problems])
    # Never echo a secret (every case; the ones above with S3CRET carry one where users put them).
    assert SECRET_MARKER.lower() not in result.stderr.lower(), result.stderr


def test_at_least_forty_distinct_bad_configs():
    assert len({c.name for c in CASES}) == len(CASES) >= 40


def test_missing_file(tmp_path):
    assert_rejected(run_main(tmp_path / "nope.yaml", tmp_path), tmp_path, ["(file)"])


def test_directory_instead_of_file(tmp_path):
    assert_rejected(run_main(tmp_path, tmp_path), tmp_path, ["(file)"])


def test_existing_output_directory_is_left_untouched(tmp_path):
    out = tmp_path / "cdktf.out"
    out.mkdir()
    marker = out / "manifest.json"
    marker.write_text("previous synth")
    before = marker.stat().st_mtime_ns
    config_file = write_case(CASES[5], tmp_path)
    result = run_main(config_file, tmp_path)
    assert result.returncode == 2
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]
    assert marker.read_text() == "previous synth" and marker.stat().st_mtime_ns == before


def test_every_problem_is_reported_once(tmp_path):
    case = next(c for c in CASES if c.name == "many-problems-at-once")
    problems = assert_rejected(run_main(write_case(case, tmp_path), tmp_path), tmp_path, case.expected_paths)
    assert len(problems) == len(set(problems))


def test_bad_config_is_reported_before_provider_bindings_load(tmp_path):
    """The ~20 s jsii load is never paid for a config that is going to be refused."""
    config_file = write_case(CASES[5], tmp_path)
    env = {**os.environ, "AKS_CONFIG": str(config_file)}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", str(ROOT / "main.py")], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "yaml" in imported and "pydantic" in imported
    assert not {m for m in imported if m.split(".")[0] in ("jsii", "cdktf", "constructs") or m.startswith("cdktf_")}
