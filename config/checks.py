"""Rules that relate several fields, run after the per-field validation of config/model.py.

Each rule appends a :class:`Problem` instead of raising, so one run reports every problem.
Most rules exist because Azure or the providers only reject the combination at apply time,
tens of minutes into a deploy (README "Configuration reference" states each rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from config.azure_ids import parse_resource_id
from config.model import AppConfig
from config.naming import PEERING_NAME_MAX, derive_names

# Ranges AKS refuses for the service CIDR (documented AKS networking constraints).
AKS_RESERVED_SERVICE_RANGES = tuple(IPv4Network(r) for r in ("169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24"))
RESERVED_INGRESS_CLASSES = ("nginx", "azureml-nginx")
ROUTER_HA_MIN_NODES = 3
SYSTEM_POOL_MIN_PODS = 30
# Namespaces owned by Kubernetes, AKS add-ons or the Azure ML extension.
RESERVED_NAMESPACES = ("default", "azureml", "gatekeeper-system", "calico-system", "tigera-operator")
RESERVED_NAMESPACE_PREFIX = "kube-"


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    value: Any

    def render(self) -> str:
        return f"{self.path}: {self.message} (got {format_value(self.value)})"


def format_value(value: Any) -> str:
    if isinstance(value, (IPv4Network, IPv4Address)):
        value = str(value)
    if isinstance(value, list):
        value = [str(v) if isinstance(v, (IPv4Network, IPv4Address)) else v for v in value]
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 120 else text[:117] + "..."


class _Missing:
    """The value of a required key that is absent; renders as "(got nothing)"."""

    def __str__(self) -> str:
        return "nothing"


MISSING = _Missing()


def cross_field_problems(config: AppConfig, invalid_sections: frozenset[str] = frozenset()) -> list[Problem]:
    """Run every rule whose input sections are valid. ``invalid_sections`` names the top-level
    keys that failed per-field validation; ``config`` then holds defaults in their place, so the
    rules reading them are skipped rather than run on made-up values."""
    problems: list[Problem] = []
    for rule, sections in RULES:
        if not sections & invalid_sections:
            problems.extend(rule(config))
    return problems


def _overlap(problems: list[Problem], path: str, value: IPv4Network, others: dict[str, IPv4Network]) -> None:
    for other_path, other in others.items():
        if value.overlaps(other):
            problems.append(Problem(path, f"must not overlap {other_path} ({other})", value))


def _network_rules(config: AppConfig) -> list[Problem]:
    net = config.network
    problems: list[Problem] = []
    if not net.aks_subnet_cidr.subnet_of(net.vnet_cidr):
        problems.append(
            Problem("network.aks_subnet_cidr", f"must lie inside network.vnet_cidr ({net.vnet_cidr})", net.aks_subnet_cidr)
        )
    if net.aks_subnet_cidr.prefixlen > 27:
        problems.append(Problem("network.aks_subnet_cidr", "must be /27 or larger to hold the node pools", net.aks_subnet_cidr))
    hub_ranges = {f"hub.address_space[{i}]": r for i, r in enumerate(config.hub.address_space)} if config.hub else {}
    _overlap(problems, "network.vnet_cidr", net.vnet_cidr, hub_ranges)
    _overlap(problems, "network.service_cidr", net.service_cidr, {"network.vnet_cidr": net.vnet_cidr, **hub_ranges})
    _overlap(
        problems,
        "network.pod_cidr",
        net.pod_cidr,
        {"network.vnet_cidr": net.vnet_cidr, "network.service_cidr": net.service_cidr, **hub_ranges},
    )
    for reserved in AKS_RESERVED_SERVICE_RANGES:
        if net.service_cidr.overlaps(reserved):
            problems.append(Problem("network.service_cidr", f"must not overlap {reserved}, which AKS reserves", net.service_cidr))
    if net.service_cidr.prefixlen < 12:
        problems.append(Problem("network.service_cidr", "must be /12 or smaller (AKS limit)", net.service_cidr))
    if net.dns_service_ip not in net.service_cidr:
        problems.append(
            Problem("network.dns_service_ip", f"must lie inside network.service_cidr ({net.service_cidr})", net.dns_service_ip)
        )
    elif (
        int(net.dns_service_ip) - int(net.service_cidr.network_address) < 2
        or net.dns_service_ip == net.service_cidr.broadcast_address
    ):
        problems.append(
            Problem(
                "network.dns_service_ip",
                "must not be the network address, the first address (used by the kubernetes service) or the broadcast address",
                net.dns_service_ip,
            )
        )
    return problems


def _hub_rules(config: AppConfig) -> list[Problem]:
    problems: list[Problem] = []
    hub = config.hub
    if hub is None:
        return problems
    if not any(hub.firewall_private_ip in r for r in hub.address_space):
        problems.append(Problem("hub.firewall_private_ip", "must lie inside hub.address_space", hub.firewall_private_ip))
    names = derive_names(config)
    for name in (names.spoke_to_hub_peering, names.hub_to_spoke_peering):
        if name and len(name) > PEERING_NAME_MAX:
            problems.append(
                Problem(
                    "hub.vnet_id",
                    f"hub VNet name makes the peering name '{name}' longer than {PEERING_NAME_MAX} characters",
                    hub.vnet_id,
                )
            )
            break
    return problems


def _api_rules(config: AppConfig) -> list[Problem]:
    api = config.cluster.api
    problems: list[Problem] = []
    if api.public_fqdn_enabled:
        problems.append(
            Problem(
                "cluster.api.public_fqdn_enabled",
                "must be false: the Azure ML extension does not support a private cluster with a public FQDN"
                " (a public API server, cluster.api.private: false, has its own public FQDN)",
                True,
            )
        )
    if api.private:
        if api.authorized_ip_ranges:
            problems.append(
                Problem("cluster.api.authorized_ip_ranges", "must be empty for a private API server", api.authorized_ip_ranges)
            )
        if api.private_dns_zone_id:
            zone = parse_resource_id(api.private_dns_zone_id).name
            expected = f"privatelink.{config.location}.azmk8s.io"
            if zone != expected and not zone.endswith("." + expected):
                problems.append(
                    Problem("cluster.api.private_dns_zone_id", f"must name the zone {expected} (or a subzone of it)", zone)
                )
    else:
        if api.private_dns_zone_id:
            problems.append(
                Problem(
                    "cluster.api.private_dns_zone_id",
                    "only applies to a private API server (cluster.api.private: true)",
                    api.private_dns_zone_id,
                )
            )
        if not api.authorized_ip_ranges:
            problems.append(
                Problem(
                    "cluster.api.authorized_ip_ranges",
                    "must list the CIDRs allowed to reach a public API server (secure default: cluster.api.private: true)",
                    [],
                )
            )
        if config.hub is not None:
            problems.append(Problem("cluster.api.private", "must be true in a hub-and-spoke deployment", False))
    return problems


def _pool_rules(config: AppConfig) -> list[Problem]:
    cluster = config.cluster
    problems: list[Problem] = []
    system = cluster.system_pool
    # Pool names and rotation names share one namespace in the cluster.
    names = [
        ("cluster.system_pool.name", system.name),
        ("cluster.system_pool.temporary_name_for_rotation", system.rotation_name),
    ]
    for i, pool in enumerate(cluster.node_pools):
        names += [
            (f"cluster.node_pools[{i}].name", pool.name),
            (f"cluster.node_pools[{i}].temporary_name_for_rotation", pool.rotation_name),
        ]
    seen: dict[str, str] = {}
    for path, name in names:
        if name in seen:
            problems.append(
                Problem(path, f"must differ from every other pool and rotation name (also used by {seen[name]})", name)
            )
        else:
            seen[name] = path

    pools = [("cluster.system_pool", system)] + [(f"cluster.node_pools[{i}]", p) for i, p in enumerate(cluster.node_pools)]
    for path, pool in pools:
        if pool.min_count > pool.max_count:
            problems.append(Problem(f"{path}.min_count", f"must not exceed max_count ({pool.max_count})", pool.min_count))
        if len(set(pool.zones)) != len(pool.zones):
            problems.append(Problem(f"{path}.zones", "must not repeat a zone", pool.zones))
    if system.max_pods < SYSTEM_POOL_MIN_PODS:
        problems.append(
            Problem(
                "cluster.system_pool.max_pods",
                f"must be at least {SYSTEM_POOL_MIN_PODS} for a system pool (AKS)",
                system.max_pods,
            )
        )
    if system.vm_size.startswith("Standard_B"):
        problems.append(
            Problem(
                "cluster.system_pool.vm_size",
                "must not be a B-series (burstable) size: AKS refuses them for system pools",
                system.vm_size,
            )
        )

    label_key = config.azureml.node_label.key
    for i, pool in enumerate(cluster.node_pools):
        if label_key in pool.labels:
            problems.append(
                Problem(
                    f"cluster.node_pools[{i}].labels",
                    f"must not set '{label_key}': it is azureml.node_label, applied from node_pools[].azureml",
                    pool.labels,
                )
            )
    azureml_pools = [p for p in cluster.node_pools if p.azureml]
    if not azureml_pools:
        problems.append(
            Problem(
                "cluster.node_pools", "must contain at least one pool with azureml: true", [p.name for p in cluster.node_pools]
            )
        )
    elif all(p.taints for p in azureml_pools):
        problems.append(
            Problem(
                "cluster.node_pools",
                "must contain at least one untainted pool with azureml: true: the extension's components do not tolerate taints",
                [p.name for p in azureml_pools],
            )
        )
    return problems


def _upgrade_rules(config: AppConfig) -> list[Problem]:
    cluster = config.cluster
    problems: list[Problem] = []
    if cluster.automatic_upgrade_channel == "node-image" and cluster.node_os_upgrade_channel != "NodeImage":
        problems.append(
            Problem(
                "cluster.node_os_upgrade_channel",
                "must be NodeImage when cluster.automatic_upgrade_channel is node-image",
                cluster.node_os_upgrade_channel,
            )
        )
    if cluster.local_account_disabled:
        problems.append(
            Problem(
                "cluster.local_account_disabled",
                "must be false: the Azure ML extension does not support clusters without local accounts",
                True,
            )
        )
    return problems


def _azureml_rules(config: AppConfig) -> list[Problem]:
    aml = config.azureml
    problems: list[Problem] = []
    if not (aml.enable_training or aml.enable_inference):
        problems.append(
            Problem(
                "azureml.enable_inference",
                "at least one of azureml.enable_training and azureml.enable_inference must be true",
                False,
            )
        )
    if aml.enable_inference and aml.inference_router_ha:
        # Tainted pools do not count: the router replicas do not tolerate taints.
        capacity = sum(p.min_count for p in config.cluster.node_pools if p.azureml and not p.taints)
        if capacity < ROUTER_HA_MIN_NODES:
            problems.append(
                Problem(
                    "azureml.inference_router_ha",
                    f"needs at least {ROUTER_HA_MIN_NODES} nodes for its replicas; untainted node pools with azureml: true "
                    f"have min_count summing to {capacity} (raise min_count or set inference_router_ha: false)",
                    True,
                )
            )
    if aml.router_tls is not None:
        if aml.inference_router_service_type == "clusterIP":
            problems.append(
                Problem(
                    "azureml.router_tls",
                    "must be absent with inference_router_service_type clusterIP: "
                    "TLS terminates at the project's ingress (tls.mode)",
                    aml.router_tls.model_dump(),
                )
            )
        if aml.allow_insecure_connections:
            problems.append(
                Problem(
                    "azureml.allow_insecure_connections",
                    "must be false when azureml.router_tls gives the router its own certificate",
                    True,
                )
            )
    elif aml.allow_insecure_connections is False:
        problems.append(
            Problem(
                "azureml.allow_insecure_connections",
                "false needs azureml.router_tls (cname and secret_name): without TLS material the extension only serves HTTP",
                False,
            )
        )
    return problems


def _ingress_rules(config: AppConfig) -> list[Problem]:
    ingress, tls = config.ingress, config.tls
    problems: list[Problem] = []
    if ingress.class_name in RESERVED_INGRESS_CLASSES:
        problems.append(
            Problem(
                "ingress.class_name",
                f"must not be one of {', '.join(RESERVED_INGRESS_CLASSES)} (used by other controllers)",
                ingress.class_name,
            )
        )
    if ingress.namespace in RESERVED_NAMESPACES or ingress.namespace.startswith(RESERVED_NAMESPACE_PREFIX):
        problems.append(
            Problem(
                "ingress.namespace",
                f"must not be a reserved namespace ({', '.join(RESERVED_NAMESPACES)} or kube-*)",
                ingress.namespace,
            )
        )
    if ingress.load_balancer_ip is not None:
        subnet = config.network.aks_subnet_cidr
        offset = int(ingress.load_balancer_ip) - int(subnet.network_address)
        # Azure reserves the first four addresses and the last one of every subnet.
        if ingress.load_balancer_ip not in subnet or offset < 4 or ingress.load_balancer_ip == subnet.broadcast_address:
            problems.append(
                Problem(
                    "ingress.load_balancer_ip",
                    f"must be a usable address in network.aks_subnet_cidr ({subnet})",
                    ingress.load_balancer_ip,
                )
            )
    if tls.mode == "keyvault":
        if tls.key_vault_id is None:
            problems.append(Problem("tls.key_vault_id", "is required when tls.mode is keyvault", MISSING))
        if tls.certificate_name is None:
            problems.append(Problem("tls.certificate_name", "is required when tls.mode is keyvault", MISSING))
        if ingress.host is None:
            problems.append(
                Problem("ingress.host", "is required when tls.mode is keyvault (the certificate's host name)", MISSING)
            )
    else:
        for field in ("key_vault_id", "certificate_name"):
            if getattr(tls, field) is not None:
                problems.append(Problem(f"tls.{field}", "only applies when tls.mode is keyvault", getattr(tls, field)))
    return problems


def _monitoring_rules(config: AppConfig) -> list[Problem]:
    problems: list[Problem] = []
    monitoring = config.monitoring
    if monitoring.log_analytics_workspace_location and not monitoring.log_analytics_workspace_id:
        problems.append(
            Problem(
                "monitoring.log_analytics_workspace_location",
                "only applies with monitoring.log_analytics_workspace_id (a created workspace is in location)",
                monitoring.log_analytics_workspace_location,
            )
        )
    return problems


def _access_rules(config: AppConfig) -> list[Problem]:
    problems: list[Problem] = []
    if config.kubernetes_auth.login == "admin" and config.cluster.local_account_disabled:
        problems.append(
            Problem("kubernetes_auth.login", "admin needs local accounts (cluster.local_account_disabled: false)", "admin")
        )
    return problems


# Each rule and the top-level sections it reads.
RULES = (
    (_network_rules, frozenset({"network", "hub"})),
    (_hub_rules, frozenset({"name", "hub", "location"})),
    (_api_rules, frozenset({"cluster", "hub", "location"})),
    (_pool_rules, frozenset({"cluster", "azureml"})),
    (_upgrade_rules, frozenset({"cluster"})),
    (_azureml_rules, frozenset({"azureml", "cluster"})),
    (_ingress_rules, frozenset({"ingress", "tls", "network"})),
    (_monitoring_rules, frozenset({"monitoring"})),
    (_access_rules, frozenset({"kubernetes_auth", "cluster"})),
)
