"""Which attribute changes force a new resource (RequiresReplace), per resource type.

With these rules a plan from the state of one configuration to another lists the replacements
the real provider would plan, so tests can tell a benign edit (in place) from a destructive one.
Terraform core compares prior and planned values at each returned path and replaces only where
they differ, so unconditional rules are returned wherever their path exists.

Where the rules come from (read at the provider versions the project pins; only the resource
types the project uses, and only the arguments of each that a rule below names):

- azurerm 4.55.0 (tag v4.55.0): ``ForceNew: true`` in each resource's schema, including the
  shared helpers ``commonschema.Location()``, ``commonschema.ResourceGroupName()`` and
  ``azure.SchemaResourceGroupNameDiffSuppress()`` (all ForceNew), and the ``ForceNewIf`` /
  ``ForceNewIfChange`` rules of its ``CustomizeDiff``. Files: internal/services/containers/
  kubernetes_cluster_resource.go, kubernetes_nodepool.go (default_node_pool),
  kubernetes_cluster_node_pool_resource.go, kubernetes_cluster_extension_resource.go;
  internal/services/network/{virtual_network,subnet,virtual_network_peering,route_table,route,
  network_security_group,network_security_rule,subnet_network_security_group_association,
  subnet_route_table_association}_resource.go; internal/services/monitor/{monitor_data_collection_rule,
  monitor_data_collection_rule_association,monitor_diagnostic_setting}_resource.go;
  internal/services/{resource/resource_group,policy/resource_policy_assignment,
  authorization/role_assignment,managedidentity/user_assigned_identity,
  loganalytics/log_analytics_workspace,privatedns/private_dns_zone,
  privatedns/private_dns_zone_virtual_network_link}_resource.go.
  node_network_profile.node_public_ip_tags is ForceNew in both pools' shared
  schemaNodePoolNetworkProfile(). A ForceNew *block* (network_profile, load_balancer_profile, soa_record, windows_profile)
  replaces only when the block is added or removed: the SDK puts RequiresNew on its item count.
- kubernetes 2.38.0: metadata ``name`` and ``namespace`` are ForceNew (kubernetes/schema_metadata.go).
  kubernetes_manifest's own rule (identity fields inside the dynamic ``manifest``) is not modelled.
- helm 3.1.1: ``name`` and ``namespace`` require replacement (resource_helm_release.go).
- time 0.13.1: ``triggers`` (all four resources) and ``rfc3339`` (time_static, time_rotating) use
  RequiresReplace plan modifiers (internal/provider/resource_time_*.go).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tools.terraform_standin.values import Path

EMPTY = (None, "", 0)


def always(old: Any, new: Any) -> bool:
    return True


def prior_set(old: Any, new: Any) -> bool:
    """ForceNewIfChange(..., old != ""): changing a value once it is set."""
    return old not in EMPTY


def cleared(old: Any, new: Any) -> bool:
    """ForceNewIfChange(..., old != "" && new == ""): removing a value once set."""
    return old not in EMPTY and new in EMPTY


def count_changed(old: Any, new: Any) -> bool:
    """A ForceNew block: its item count carries RequiresNew (added or removed)."""
    return len(old or ()) != len(new or ())


def leaves_overlay(old: Any, new: Any) -> bool:
    """network_plugin_mode: any value but "overlay" forces a new cluster."""
    return str(new or "").lower() != "overlay"


def os_sku_migration(old: Any, new: Any) -> bool:
    """Only Ubuntu* <-> AzureLinux* migrations update a node pool in place."""
    migratable = ("Ubuntu", "AzureLinux")
    return not (str(old or "").startswith(migratable) and str(new or "").startswith(migratable))


@dataclass(frozen=True)
class Rule:
    path: tuple[str, ...]  # attribute names; nested blocks by name
    when: Callable[[Any, Any], bool] = always


def _rules(*always_paths: str, **conditional: Callable[[Any, Any], bool]) -> tuple[Rule, ...]:
    """Rules from dotted paths; conditional ones as keyword arguments with "__" for "."."""
    return tuple(Rule(tuple(p.split("."))) for p in always_paths) + tuple(
        Rule(tuple(p.split("__")), when) for p, when in conditional.items()
    )


_AZURE = ("name", "location", "resource_group_name")

RULES: dict[tuple[str, str], tuple[Rule, ...]] = {
    ("azurerm", "azurerm_kubernetes_cluster"): _rules(
        *_AZURE,
        "disk_encryption_set_id",
        "dns_prefix",
        "dns_prefix_private_cluster",
        "edge_zone",
        "node_resource_group",
        "private_cluster_enabled",
        "private_dns_zone_id",
        "role_based_access_control_enabled",
        "kubelet_identity.client_id",
        "kubelet_identity.object_id",
        "kubelet_identity.user_assigned_identity_id",
        "linux_profile.admin_username",
        "linux_profile.ssh_key.key_data",
        "windows_profile.admin_username",
        "network_profile.network_plugin",
        "network_profile.network_mode",
        "network_profile.dns_service_ip",
        "network_profile.pod_cidr",
        "network_profile.pod_cidrs",
        "network_profile.service_cidr",
        "network_profile.service_cidrs",
        "network_profile.load_balancer_sku",
        "network_profile.nat_gateway_profile",
        "network_profile.ip_versions",
        # ForceNewIf: always, except when a failed rotation left the temporary name in place.
        "default_node_pool.name",
        "default_node_pool.type",
        "default_node_pool.capacity_reservation_group_id",
        "default_node_pool.gpu_instance",
        "default_node_pool.gpu_driver",
        "default_node_pool.host_group_id",
        "default_node_pool.node_public_ip_prefix_id",
        "default_node_pool.proximity_placement_group_id",
        "default_node_pool.node_network_profile.node_public_ip_tags",
        network_profile=count_changed,
        network_profile__load_balancer_profile=count_changed,
        network_profile__network_data_plane=prior_set,
        network_profile__network_policy=prior_set,
        network_profile__network_plugin_mode=leaves_overlay,
        api_server_access_profile__subnet_id=cleared,
        default_node_pool__upgrade_settings__drain_timeout_in_minutes=cleared,
        default_node_pool__upgrade_settings__undrainable_node_behavior=cleared,
    ),
    ("azurerm", "azurerm_kubernetes_cluster_node_pool"): _rules(
        "name",
        "kubernetes_cluster_id",
        "capacity_reservation_group_id",
        "eviction_policy",
        "gpu_instance",
        "gpu_driver",
        "host_group_id",
        "node_public_ip_prefix_id",
        "os_type",
        "priority",
        "proximity_placement_group_id",
        "spot_max_price",
        "windows_profile.outbound_nat_enabled",
        "node_network_profile.node_public_ip_tags",
        windows_profile=count_changed,
        os_sku=os_sku_migration,
        upgrade_settings__drain_timeout_in_minutes=cleared,
        upgrade_settings__undrainable_node_behavior=cleared,
    ),
    ("azurerm", "azurerm_kubernetes_cluster_extension"): _rules(
        "name",
        "cluster_id",
        "extension_type",
        "release_train",
        "release_namespace",
        "target_namespace",
        "version",
        "plan.name",
        "plan.product",
        "plan.publisher",
        "plan.promotion_code",
        "plan.version",
        plan=count_changed,
    ),
    ("azurerm", "azurerm_resource_group"): _rules("name", "location"),
    ("azurerm", "azurerm_user_assigned_identity"): _rules(*_AZURE),
    ("azurerm", "azurerm_virtual_network"): _rules(*_AZURE, "edge_zone"),
    ("azurerm", "azurerm_subnet"): _rules("name", "resource_group_name", "virtual_network_name"),
    ("azurerm", "azurerm_virtual_network_peering"): _rules(
        "name",
        "resource_group_name",
        "virtual_network_name",
        "remote_virtual_network_id",
        "only_ipv6_peering_enabled",
        "peer_complete_virtual_networks_enabled",
    ),
    ("azurerm", "azurerm_route_table"): _rules(*_AZURE),
    ("azurerm", "azurerm_route"): _rules("name", "resource_group_name", "route_table_name"),
    ("azurerm", "azurerm_network_security_group"): _rules(*_AZURE),
    ("azurerm", "azurerm_network_security_rule"): _rules("name", "resource_group_name", "network_security_group_name"),
    ("azurerm", "azurerm_subnet_network_security_group_association"): _rules("subnet_id", "network_security_group_id"),
    ("azurerm", "azurerm_subnet_route_table_association"): _rules("subnet_id", "route_table_id"),
    ("azurerm", "azurerm_monitor_data_collection_rule"): _rules(*_AZURE),
    ("azurerm", "azurerm_monitor_data_collection_rule_association"): _rules("name", "target_resource_id"),
    ("azurerm", "azurerm_monitor_diagnostic_setting"): _rules("name", "target_resource_id"),
    ("azurerm", "azurerm_resource_policy_assignment"): _rules("name", "resource_id"),
    ("azurerm", "azurerm_role_assignment"): _rules(
        "name",
        "scope",
        "role_definition_id",
        "role_definition_name",
        "principal_id",
        "principal_type",
        "delegated_managed_identity_resource_id",
        "description",
        "condition",
        "condition_version",
    ),
    ("azurerm", "azurerm_log_analytics_workspace"): _rules(*_AZURE),
    ("azurerm", "azurerm_private_dns_zone"): _rules("name", "resource_group_name", soa_record=count_changed),
    ("azurerm", "azurerm_private_dns_zone_virtual_network_link"): _rules(
        "name", "resource_group_name", "private_dns_zone_name", "virtual_network_id"
    ),
    ("kubernetes", "kubernetes_namespace_v1"): _rules("metadata.name"),
    ("kubernetes", "kubernetes_config_map_v1"): _rules("metadata.name", "metadata.namespace"),
    ("kubernetes", "kubernetes_ingress_v1"): _rules("metadata.name", "metadata.namespace"),
    ("helm", "helm_release"): _rules("name", "namespace"),
    ("time", "time_sleep"): _rules("triggers"),
    ("time", "time_static"): _rules("triggers", "rfc3339"),
    ("time", "time_offset"): _rules("triggers"),
    ("time", "time_rotating"): _rules("triggers", "rfc3339"),
}


def requires_replace(provider: str, type_name: str, block: dict[str, Any], prior: Any, planned: Any) -> list[Path]:
    """RequiresReplace paths for an update from ``prior`` to ``planned`` (``block`` is the
    resource's JSON block schema)."""
    found: dict[Path, None] = {}
    for rule in RULES.get((provider, type_name), ()):
        for value in (prior, planned):
            for path in _expand(block, value, rule.path, ()):
                old, new = _at(prior, path), _at(planned, path)
                if rule.when is always or (old != new and rule.when(old, new)):
                    found[path] = None
    return list(found)


def _expand(block: dict[str, Any], value: Any, rule: tuple[str, ...], path: Path) -> Iterator[Path]:
    """Paths that ``rule`` names in ``value``. List blocks expand by index; a set block, whose
    elements Terraform cannot address, ends the path at the set itself, as the SDK does."""
    if not isinstance(value, dict):
        return
    head, *rest = rule
    here = (*path, ("attribute_name", head))
    if head in block.get("attributes", {}) or not rest:
        yield here
        return
    nested = block["block_types"][head]
    current = value.get(head)
    if current is None:
        return
    mode = nested["nesting_mode"]
    if mode in ("single", "group"):
        yield from _expand(nested["block"], current, tuple(rest), here)
    elif mode == "list":
        for index, element in enumerate(current):
            yield from _expand(nested["block"], element, tuple(rest), (*here, ("element_key_int", index)))
    else:
        yield here


def _at(value: Any, path: Path) -> Any:
    for _, key in path:
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and isinstance(key, int) and key < len(value):
            value = value[key]
        else:
            return None
    return value
