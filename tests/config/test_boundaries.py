"""Every limit in the config, tested on both sides: the last accepted value passes, the first
refused one is reported at its field. A limit tested only on the refused side lets an off-by-one
(``<`` for ``<=``, /15 for /16) through. The limits are written out here as the README and the
sources state them, not read from the code under test.

In-process (config.loader.parse_config): the exit status and the rendering of each problem are
tested end to end in test_bad_configs.py."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from config.loader import ConfigError, parse_config
from tests.config.test_bad_configs import DEFAULT, GITOPS, GPU_POOL, INSTANCE, POOL, STANDALONE, WITH_WORKSPACE, both, drop, put


def reported(raw: dict) -> list[str]:
    """Paths of every problem in ``raw``; empty when it is accepted."""
    try:
        parse_config(copy.deepcopy(raw))
    except ConfigError as error:
        return [p.path for p in error.problems]
    return []


def apply(base: dict, mutate: Callable[[dict], None]) -> dict:
    raw = copy.deepcopy(base)
    mutate(raw)
    return raw


@dataclass(frozen=True)
class Boundary:
    name: str
    path: str  # where the refused side is reported
    accepted: Callable[[dict], None]
    refused: Callable[[dict], None]
    base: dict | None = None


def value(path: str, accepted, refused, *, setup=None, base=None, reported_at: str | None = None, name: str = "") -> Boundary:
    """A field whose ``accepted`` value is the last one allowed and ``refused`` the first one not."""
    extra = [setup] if setup else []
    where = reported_at or path.replace(".0.", "[0].")
    return Boundary(
        name or f"{path}={accepted}|{refused}",
        where,
        both(*extra, put(path, accepted)),
        both(*extra, put(path, refused)),
        base,
    )


NO_ROUTER_HA = put("azureml.inference_router_ha", False)
BIG_POOLS = both(put("cluster.system_pool.max_count", 1000), put("cluster.node_pools.0.max_count", 1000))
PUBLIC_API = {"private": False}


def gpu_workspace(raw: dict) -> None:
    # Fresh copies: the limits edited next must not be INSTANCE's own dict. The GPU pool's size is
    # one the catalogue lacks (acknowledged), so that the field limit, not a size's GPU count, is
    # what the 16/17 boundary meets (config/checks/capacity.py checks the count for known sizes).
    uncatalogued = {**GPU_POOL, "vm_size": "Standard_ND96isr_H200_v5", "acknowledge_uncatalogued_vm_size": True}
    raw["cluster"]["node_pools"] = copy.deepcopy([POOL, uncatalogued])
    raw["azureml"]["instance_types"] = [{**copy.deepcopy(INSTANCE), "node_pool": "mlgpu"}]


# Field limits (config/model.py), lowest and highest allowed values.
FIELD_BOUNDARIES = [
    value("cluster.upgrade_window.duration_hours", 4, 3),
    value("cluster.upgrade_window.duration_hours", 24, 25),
    value("cluster.upgrade_window.interval_weeks", 1, 0),
    value("cluster.upgrade_window.interval_weeks", 4, 5),
    value("cluster.node_os_window.duration_hours", 24, 25),
    value("cluster.system_pool.min_count", 1, 0, setup=put("cluster.system_pool.max_count", 1)),
    value("cluster.system_pool.min_count", 1000, 1001, setup=BIG_POOLS),
    value("cluster.system_pool.max_count", 1000, 1001),
    value("cluster.system_pool.max_count", 1, 0, setup=put("cluster.system_pool.min_count", 1)),
    value("cluster.system_pool.max_pods", 250, 251),
    value("cluster.system_pool.os_disk_size_gb", 30, 29),
    # A managed OS disk: an ephemeral one must also fit the size's local disk (config/checks/capacity.py).
    value("cluster.system_pool.os_disk_size_gb", 2048, 2049, setup=put("cluster.system_pool.os_disk_type", "Managed")),
    value("cluster.node_pools.0.min_count", 0, -1, setup=NO_ROUTER_HA),
    value("cluster.node_pools.0.min_count", 1000, 1001, setup=BIG_POOLS),
    value("cluster.node_pools.0.max_count", 1, 0, setup=both(NO_ROUTER_HA, put("cluster.node_pools.0.min_count", 1))),
    value("cluster.node_pools.0.max_count", 1000, 1001),
    value("cluster.node_pools.0.max_pods", 10, 9),
    value("cluster.node_pools.0.max_pods", 250, 251),
    value("cluster.node_pools.0.os_disk_size_gb", 30, 29),
    value("cluster.node_pools.0.os_disk_size_gb", 2048, 2049, setup=put("cluster.node_pools.0.os_disk_type", "Managed")),
    value("cluster.node_pools.0.max_surge", "100%", "101%"),
    value("cluster.node_pools.0.max_surge", "1%", "0%"),
    value("cluster.node_pools.0.max_surge", "1", "0"),
    value("cluster.image_cleaner_interval_hours", 24, 23),
    value("cluster.image_cleaner_interval_hours", 2160, 2161),
    value("monitoring.retention_days", 30, 29),
    value("monitoring.retention_days", 730, 731),
    value("ingress.replicas", 2, 1),
    value("ingress.replicas", 20, 21),
    value("gitops.sync_interval_seconds", 60, 59, base=GITOPS),
    value("gitops.sync_interval_seconds", 86400, 86401, base=GITOPS),
    value(
        "azureml.instance_types.0.limits.gpu",
        16,
        17,
        setup=gpu_workspace,
        base=WITH_WORKSPACE,
        reported_at="azureml.instance_types[0].limits.gpu",
    ),
    # Lengths
    value("name", "a" * 20, "a" * 21),
    value("name", "abc", "ab"),
    value("cluster.node_pools.0.name", "a" * 12, "a" * 13),
    value("azureml.workspace.compute_name", "a" * 16, "a" * 17, base=WITH_WORKSPACE),
    value("azureml.workspace.compute_name", "abc", "ab", base=WITH_WORKSPACE),
    value("azureml.workspace.namespace", "a" * 63, "a" * 64, base=WITH_WORKSPACE),
    value("ingress.release_name", "a" * 53, "a" * 54),
    value("ingress.namespace", "a" * 63, "a" * 64),
    value("tls.certificate_name", "a" * 127, "a" * 128),
    value("tags", {f"k{i}": "v" for i in range(49)}, {f"k{i}": "v" for i in range(50)}, name="tags=49|50"),
    value("tags", {"k": "v" * 256}, {"k": "v" * 257}, reported_at="tags.k", name="tag-value=256|257"),
]

# Limits of the cross-field rules (config/checks/).
RULE_BOUNDARIES = [
    # api.py: a public API server's authorized ranges are /16 or narrower.
    Boundary(
        "authorized-range-width",
        "cluster.api.authorized_ip_ranges[0]",
        put("cluster.api", {**PUBLIC_API, "authorized_ip_ranges": ["20.0.0.0/16"]}),
        put("cluster.api", {**PUBLIC_API, "authorized_ip_ranges": ["20.0.0.0/15"]}),
        STANDALONE,
    ),
    # network.py: the AKS subnet holds the pools from /27 on.
    Boundary(
        "aks-subnet-size",
        "network.aks_subnet_cidr",
        both(drop("ingress.load_balancer_ip"), put("network.aks_subnet_cidr", "10.20.0.0/27")),
        both(drop("ingress.load_balancer_ip"), put("network.aks_subnet_cidr", "10.20.0.0/28")),
    ),
    # network.py: the service range is /12 or smaller (AKS).
    Boundary(
        "service-cidr-size",
        "network.service_cidr",
        both(put("network.service_cidr", "10.96.0.0/12"), put("network.dns_service_ip", "10.96.0.10")),
        both(put("network.service_cidr", "10.64.0.0/11"), put("network.dns_service_ip", "10.64.0.10")),
    ),
    # network.py: the DNS service address is neither of the first two nor the broadcast address.
    value("network.dns_service_ip", "172.16.0.2", "172.16.0.1"),
    value("network.dns_service_ip", "172.16.255.254", "172.16.255.255"),
    # network.py: peering names are at most 80 characters ("peer-vnet-amlprod-aks-to-" is 25).
    value(
        "hub.vnet_id",
        "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-hub-network"
        "/providers/Microsoft.Network/virtualNetworks/" + "h" * 55,
        "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-hub-network"
        "/providers/Microsoft.Network/virtualNetworks/" + "h" * 56,
        name="peering-name-length",
    ),
    # pools.py: a system pool runs at least 30 pods per node; min_count may equal max_count.
    value("cluster.system_pool.max_pods", 30, 29),
    Boundary(
        "pool-min-equals-max",
        "cluster.node_pools[0].min_count",
        both(put("cluster.node_pools.0.min_count", 10), put("cluster.node_pools.0.max_count", 10)),
        both(put("cluster.node_pools.0.min_count", 11), put("cluster.node_pools.0.max_count", 10)),
    ),
    Boundary(
        "system-pool-min-equals-max",
        "cluster.system_pool.min_count",
        both(put("cluster.system_pool.min_count", 5), put("cluster.system_pool.max_count", 5)),
        both(put("cluster.system_pool.min_count", 6), put("cluster.system_pool.max_count", 5)),
    ),
    # azureml.py: the HA router needs 3 nodes in untainted azureml pools (tainted ones do not count).
    value("cluster.node_pools.0.min_count", 3, 2, reported_at="azureml.inference_router_ha"),
    Boundary(
        "router-ha-ignores-tainted-pools",
        "azureml.inference_router_ha",
        put("cluster.node_pools", [{**POOL, "min_count": 2}, {**POOL, "name": "batch", "min_count": 1}]),
        put(
            "cluster.node_pools",
            [{**POOL, "min_count": 2}, {**POOL, "name": "batch", "min_count": 5, "taints": ["sku=batch:NoSchedule"]}],
        ),
    ),
    # capacity.py: an instance type's CPU request fits one node's allocatable CPU. Standard_D8ds_v5:
    # 8000m less AKS's kube-reserved 180m for 8 cores and the extension's fluent-bit 10m = 7810m.
    Boundary(
        "instance-type-within-node-allocatable-cpu",
        "azureml.instance_types[0].requests.cpu",
        put(
            "azureml.instance_types",
            [{**INSTANCE, "requests": {"cpu": "7810m", "memory": "4Gi"}, "limits": {"cpu": "8", "memory": "8Gi"}}],
        ),
        put(
            "azureml.instance_types",
            [{**INSTANCE, "requests": {"cpu": "7811m", "memory": "4Gi"}, "limits": {"cpu": "8", "memory": "8Gi"}}],
        ),
        WITH_WORKSPACE,
    ),
    # azureml.py: requests may equal limits, not exceed them.
    Boundary(
        "instance-type-cpu-request-equals-limit",
        "azureml.instance_types[0].requests.cpu",
        put("azureml.instance_types", [{**INSTANCE, "requests": {"cpu": "2", "memory": "4Gi"}}]),
        put("azureml.instance_types", [{**INSTANCE, "requests": {"cpu": "2001m", "memory": "4Gi"}}]),
        WITH_WORKSPACE,
    ),
    Boundary(
        "instance-type-memory-request-equals-limit",
        "azureml.instance_types[0].requests.memory",
        put("azureml.instance_types", [{**INSTANCE, "requests": {"cpu": "1", "memory": "8192Mi"}}]),
        put("azureml.instance_types", [{**INSTANCE, "requests": {"cpu": "1", "memory": "8193Mi"}}]),
        WITH_WORKSPACE,
    ),
    # ingress.py: Azure reserves a subnet's first four addresses and its last one.
    value("ingress.load_balancer_ip", "10.20.0.4", "10.20.0.3"),
    value("ingress.load_balancer_ip", "10.20.3.254", "10.20.3.255"),
]

BOUNDARIES = FIELD_BOUNDARIES + RULE_BOUNDARIES


def test_bases_are_accepted():
    for base in (DEFAULT, STANDALONE, WITH_WORKSPACE, GITOPS):
        assert reported(base) == []


@pytest.mark.parametrize("case", BOUNDARIES, ids=lambda c: c.name)
def test_limit_accepts_its_last_value_and_refuses_the_next(case: Boundary):
    base = case.base if case.base is not None else DEFAULT
    assert reported(apply(base, case.accepted)) == [], "the last allowed value is refused"
    assert case.path in reported(apply(base, case.refused)), "the first value past the limit is accepted"


# --- Azure ids compare as Azure does: case-insensitively -----------------------------------------

SUBSCRIPTION = "44444444-4444-4444-4444-44444444abcd"
ML_WORKSPACE = "/providers/Microsoft.MachineLearningServices/workspaces/mlw"


def _workspace(subscription_id: str, workspace_subscription: str, identity_subscription: str | None = None) -> dict:
    raw = copy.deepcopy(WITH_WORKSPACE)
    raw["subscription_id"] = subscription_id
    raw["azureml"]["workspace"]["id"] = f"/subscriptions/{workspace_subscription}/resourceGroups/rg-ml{ML_WORKSPACE}"
    if identity_subscription:
        raw["azureml"]["workspace"]["identity_id"] = (
            f"/subscriptions/{identity_subscription}/resourceGroups/rg-ml"
            "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-mlw"
        )
    return raw


@pytest.mark.parametrize(
    ("subscription_id", "workspace_subscription"),
    [(SUBSCRIPTION, SUBSCRIPTION.upper()), (SUBSCRIPTION.upper(), SUBSCRIPTION)],
)
def test_subscription_guids_compare_case_insensitively(subscription_id, workspace_subscription):
    assert reported(_workspace(subscription_id, workspace_subscription, workspace_subscription)) == []


def test_a_different_subscription_is_still_refused():
    other = SUBSCRIPTION.replace("abcd", "abce")
    assert reported(_workspace(SUBSCRIPTION, other.upper(), SUBSCRIPTION)) == ["azureml.workspace.id"]
    assert reported(_workspace(SUBSCRIPTION, SUBSCRIPTION, other.upper())) == ["azureml.workspace.identity_id"]


def test_resource_id_segment_names_are_case_insensitive():
    """Azure returns ids with "resourcegroups" as well as "resourceGroups" (the CLI and some ARM
    APIs lower-case it); both name the same resource."""
    raw = copy.deepcopy(DEFAULT)
    raw["hub"]["vnet_id"] = (
        raw["hub"]["vnet_id"].replace("/resourceGroups/", "/resourcegroups/").replace("/subscriptions/", "/SUBSCRIPTIONS/")
    )
    raw["tls"]["key_vault_id"] = raw["tls"]["key_vault_id"].replace("/providers/", "/Providers/")
    assert reported(raw) == []


def test_hub_vnet_in_zone_links_is_found_whatever_its_case():
    raw = copy.deepcopy(STANDALONE)
    hub = DEFAULT["hub"]
    raw["hub"] = hub
    raw["network"]["vnet_cidr"], raw["network"]["aks_subnet_cidr"] = "10.30.0.0/16", "10.30.0.0/22"
    raw["cluster"]["api"] = {"dns_zone_linked_vnet_ids": [hub["vnet_id"].upper().replace("/SUBSCRIPTIONS/", "/subscriptions/")]}
    assert "cluster.api.dns_zone_linked_vnet_ids" in reported(raw)


def test_private_dns_zone_name_compares_case_insensitively():
    """DNS names are case-insensitive: a hub zone id naming PrivateLink.WestEurope.azmk8s.io is the
    zone the cluster needs."""
    raw = copy.deepcopy(DEFAULT)
    zone = raw["cluster"]["api"]["private_dns_zone_id"]
    raw["cluster"]["api"]["private_dns_zone_id"] = zone.replace("privatelink.westeurope", "PrivateLink.WestEurope")
    assert reported(raw) == []
    raw["cluster"]["api"]["private_dns_zone_id"] = zone.replace("privatelink.westeurope", "PrivateLink.NorthEurope")
    assert reported(raw) == ["cluster.api.private_dns_zone_id"]


@pytest.mark.parametrize(
    ("zone", "accepted"),
    [
        ("privatelink.westeurope.azmk8s.io", True),
        ("contoso.privatelink.westeurope.azmk8s.io", True),  # a subzone (AKS accepts <subzone>.privatelink...)
        ("Contoso.PrivateLink.WestEurope.azmk8s.io", True),
        ("contosoprivatelink.westeurope.azmk8s.io", False),  # not a subzone: no dot before privatelink
        ("privatelink.westeurope.azmk8s.io.contoso.com", False),
    ],
)
def test_private_dns_zone_and_its_subzones(zone, accepted):
    raw = copy.deepcopy(DEFAULT)
    current = raw["cluster"]["api"]["private_dns_zone_id"]
    raw["cluster"]["api"]["private_dns_zone_id"] = current.rsplit("/", 1)[0] + "/" + zone
    assert reported(raw) == ([] if accepted else ["cluster.api.private_dns_zone_id"])
