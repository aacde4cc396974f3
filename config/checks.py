"""Rules that relate several fields, run after the per-field validation of config/model.py.

Each rule appends a :class:`Problem` instead of raising, so one run reports every problem.
Most rules exist because Azure or the providers only reject the combination at apply time,
tens of minutes into a deploy (README "Configuration reference" states each rule).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from config.azure_ids import parse_resource_id
from config.lenient import InvalidFieldRead, InvalidValue
from config.model import AppConfig
from config.naming import PEERING_NAME_MAX, peering_names
from config.quantities import memory_bytes, millicores
from config.quota import vcpus

# Ranges AKS refuses for the service CIDR (documented AKS networking constraints).
AKS_RESERVED_SERVICE_RANGES = tuple(IPv4Network(r) for r in ("169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24"))
RESERVED_INGRESS_CLASSES = ("nginx", "azureml-nginx")
ROUTER_HA_MIN_NODES = 3
SYSTEM_POOL_MIN_PODS = 30
# Namespaces owned by Kubernetes, AKS add-ons or the Azure ML extension.
RESERVED_NAMESPACES = ("default", "azureml", "gatekeeper-system", "calico-system", "tigera-operator", "flux-system")
RESERVED_NAMESPACE_PREFIX = "kube-"
# A public API server's authorized ranges: broader prefixes than this are refused as implausible
# (a runner or office egress range is far smaller; /0 would open the API to the internet).
AUTHORIZED_RANGE_MIN_PREFIX = 16


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


def cross_field_problems(config: AppConfig) -> list[Problem]:
    """Run every rule. ``config`` may come from config/lenient.py, with failed fields held by
    InvalidValue: a rule that reads one stops there (InvalidFieldRead), keeping the problems it
    found before, and every other rule still runs."""
    problems: list[Problem] = []
    for rule in RULES:
        try:
            for problem in rule(config):
                problem.render()  # a value taken from a failed field raises here, not at print time
                problems.append(problem)
        except InvalidFieldRead:
            continue
        except TypeError as error:
            # C functions (re.match, ...) refuse the stand-in with a TypeError instead.
            if "InvalidValue" not in str(error):
                raise
    return problems


def is_valid(value: Any) -> bool:
    """False for a field that failed its own validation (see config/lenient.py)."""
    return not isinstance(value, InvalidValue)


def _hub_ranges(config: AppConfig) -> dict[str, IPv4Network]:
    return {f"hub.address_space[{i}]": r for i, r in enumerate(config.hub.address_space)} if config.hub else {}


def _overlaps(path: str, value: IPv4Network, others: dict[str, IPv4Network]) -> Iterator[Problem]:
    for other_path, other in others.items():
        if value.overlaps(other):
            yield Problem(path, f"must not overlap {other_path} ({other})", value)


# --------------------------------------------------------------------------- network
def _subnet_rules(config: AppConfig) -> Iterator[Problem]:
    net = config.network
    if not net.aks_subnet_cidr.subnet_of(net.vnet_cidr):
        yield Problem("network.aks_subnet_cidr", f"must lie inside network.vnet_cidr ({net.vnet_cidr})", net.aks_subnet_cidr)
    if net.aks_subnet_cidr.prefixlen > 27:
        yield Problem("network.aks_subnet_cidr", "must be /27 or larger to hold the node pools", net.aks_subnet_cidr)


def _vnet_hub_overlap(config: AppConfig) -> Iterator[Problem]:
    yield from _overlaps("network.vnet_cidr", config.network.vnet_cidr, _hub_ranges(config))


def _service_range_rules(config: AppConfig) -> Iterator[Problem]:
    net = config.network
    if net.service_cidr.prefixlen < 12:
        yield Problem("network.service_cidr", "must be /12 or smaller (AKS limit)", net.service_cidr)
    for reserved in AKS_RESERVED_SERVICE_RANGES:
        if net.service_cidr.overlaps(reserved):
            yield Problem("network.service_cidr", f"must not overlap {reserved}, which AKS reserves", net.service_cidr)
    if net.dns_service_ip not in net.service_cidr:
        yield Problem("network.dns_service_ip", f"must lie inside network.service_cidr ({net.service_cidr})", net.dns_service_ip)
    elif (
        int(net.dns_service_ip) - int(net.service_cidr.network_address) < 2
        or net.dns_service_ip == net.service_cidr.broadcast_address
    ):
        yield Problem(
            "network.dns_service_ip",
            "must not be the network address, the first address (used by the kubernetes service) or the broadcast address",
            net.dns_service_ip,
        )
    yield from _overlaps("network.service_cidr", net.service_cidr, {"network.vnet_cidr": net.vnet_cidr})


def _service_hub_overlap(config: AppConfig) -> Iterator[Problem]:
    yield from _overlaps("network.service_cidr", config.network.service_cidr, _hub_ranges(config))


def _pod_range_rules(config: AppConfig) -> Iterator[Problem]:
    net = config.network
    yield from _overlaps(
        "network.pod_cidr", net.pod_cidr, {"network.vnet_cidr": net.vnet_cidr, "network.service_cidr": net.service_cidr}
    )


def _pod_hub_overlap(config: AppConfig) -> Iterator[Problem]:
    yield from _overlaps("network.pod_cidr", config.network.pod_cidr, _hub_ranges(config))


# --------------------------------------------------------------------------- hub
def _firewall_ip_rule(config: AppConfig) -> Iterator[Problem]:
    hub = config.hub
    if hub is not None and not any(hub.firewall_private_ip in r for r in hub.address_space):
        yield Problem("hub.firewall_private_ip", "must lie inside hub.address_space", hub.firewall_private_ip)


def _peering_name_rule(config: AppConfig) -> Iterator[Problem]:
    if config.hub is None:
        return
    for name in peering_names(config.name, config.hub.vnet_id):
        if len(name) > PEERING_NAME_MAX:
            yield Problem(
                "hub.vnet_id",
                f"hub VNet name makes the peering name '{name}' longer than {PEERING_NAME_MAX} characters",
                config.hub.vnet_id,
            )
            return


# --------------------------------------------------------------------------- API server
def _public_fqdn_rule(config: AppConfig) -> Iterator[Problem]:
    if config.cluster.api.public_fqdn_enabled:
        yield Problem(
            "cluster.api.public_fqdn_enabled",
            "must be false: the Azure ML extension does not support a private cluster with a public FQDN"
            " (a public API server, cluster.api.private: false, has its own public FQDN)",
            True,
        )


def _private_api_rules(config: AppConfig) -> Iterator[Problem]:
    api = config.cluster.api
    if not api.private:
        return
    if api.authorized_ip_ranges:
        yield Problem("cluster.api.authorized_ip_ranges", "must be empty for a private API server", api.authorized_ip_ranges)
    if api.private_dns_zone_id and api.dns_zone_linked_vnet_ids:
        yield Problem(
            "cluster.api.dns_zone_linked_vnet_ids",
            "only applies to a zone this project creates: link your VNets to the existing zone"
            " (cluster.api.private_dns_zone_id) where it is managed",
            api.dns_zone_linked_vnet_ids,
        )
    linked = [parse_resource_id(v) for v in api.dns_zone_linked_vnet_ids]
    names = [v.name.lower() for v in linked]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        yield Problem(
            "cluster.api.dns_zone_linked_vnet_ids",
            "must name each VNet once, and no two VNets of the same name (the name keys the link)",
            repeated,
        )
    if config.hub is not None and config.hub.vnet_id.lower() in (v.lower() for v in api.dns_zone_linked_vnet_ids):
        yield Problem(
            "cluster.api.dns_zone_linked_vnet_ids", "must not list the hub VNet: it is linked already", config.hub.vnet_id
        )


def _private_dns_zone_name_rule(config: AppConfig) -> Iterator[Problem]:
    api = config.cluster.api
    if api.private and api.private_dns_zone_id:
        zone = parse_resource_id(api.private_dns_zone_id).name
        expected = f"privatelink.{config.location}.azmk8s.io"
        if zone != expected and not zone.endswith("." + expected):
            yield Problem("cluster.api.private_dns_zone_id", f"must name the zone {expected} (or a subzone of it)", zone)


def _public_api_rules(config: AppConfig) -> Iterator[Problem]:
    api = config.cluster.api
    if api.private:
        return
    if api.private_dns_zone_id:
        yield Problem(
            "cluster.api.private_dns_zone_id",
            "only applies to a private API server (cluster.api.private: true)",
            api.private_dns_zone_id,
        )
    if api.dns_zone_linked_vnet_ids:
        yield Problem(
            "cluster.api.dns_zone_linked_vnet_ids",
            "only applies to a private API server (cluster.api.private: true)",
            api.dns_zone_linked_vnet_ids,
        )
    if not api.authorized_ip_ranges:
        yield Problem(
            "cluster.api.authorized_ip_ranges",
            "must list the CIDRs allowed to reach a public API server (secure default: cluster.api.private: true)",
            [],
        )
    for i, cidr in enumerate(api.authorized_ip_ranges):
        if cidr.prefixlen < AUTHORIZED_RANGE_MIN_PREFIX:
            yield Problem(
                f"cluster.api.authorized_ip_ranges[{i}]",
                f"must be /{AUTHORIZED_RANGE_MIN_PREFIX} or narrower: a broader range opens the API server to"
                " much of the internet; list your runners' egress and the Azure ML ranges instead",
                cidr,
            )


def _public_api_in_hub_rule(config: AppConfig) -> Iterator[Problem]:
    if not config.cluster.api.private and config.hub is not None:
        yield Problem("cluster.api.private", "must be true in a hub-and-spoke deployment", False)


# --------------------------------------------------------------------------- node pools
def _pool_name_rules(config: AppConfig) -> Iterator[Problem]:
    """Pool names and rotation names share one namespace in the cluster. A name that failed its
    own validation is left out, so the others are still compared."""
    cluster = config.cluster
    candidates = [("cluster.system_pool", cluster.system_pool)] + [
        (f"cluster.node_pools[{i}]", pool) for i, pool in enumerate(cluster.node_pools)
    ]
    names: list[tuple[str, str]] = []
    for path, pool in candidates:
        if not is_valid(pool):
            continue
        if is_valid(pool.name):
            names.append((f"{path}.name", pool.name))
        with contextlib.suppress(InvalidFieldRead):
            names.append((f"{path}.temporary_name_for_rotation", pool.rotation_name))
    seen: dict[str, str] = {}
    for path, name in names:
        if name in seen:
            yield Problem(path, f"must differ from every other pool and rotation name (also used by {seen[name]})", name)
        else:
            seen[name] = path


def _pool_size_rules(config: AppConfig) -> Iterator[Problem]:
    cluster = config.cluster
    pools = [("cluster.system_pool", cluster.system_pool)] + [
        (f"cluster.node_pools[{i}]", p) for i, p in enumerate(cluster.node_pools)
    ]
    for path, pool in pools:
        try:
            if pool.min_count > pool.max_count:
                yield Problem(f"{path}.min_count", f"must not exceed max_count ({pool.max_count})", pool.min_count)
        except InvalidFieldRead:
            pass
        try:
            if len(set(pool.zones)) != len(pool.zones):
                yield Problem(f"{path}.zones", "must not repeat a zone", pool.zones)
        except InvalidFieldRead:
            pass


def _system_pool_rules(config: AppConfig) -> Iterator[Problem]:
    system = config.cluster.system_pool
    if is_valid(system.max_pods) and system.max_pods < SYSTEM_POOL_MIN_PODS:
        yield Problem(
            "cluster.system_pool.max_pods", f"must be at least {SYSTEM_POOL_MIN_PODS} for a system pool (AKS)", system.max_pods
        )
    if is_valid(system.vm_size) and system.vm_size.startswith("Standard_B"):
        yield Problem(
            "cluster.system_pool.vm_size",
            "must not be a B-series (burstable) size: AKS refuses them for system pools",
            system.vm_size,
        )


def _pool_label_rule(config: AppConfig) -> Iterator[Problem]:
    label_key = config.azureml.node_label.key
    for i, pool in enumerate(config.cluster.node_pools):
        if is_valid(pool) and is_valid(pool.labels) and label_key in pool.labels:
            yield Problem(
                f"cluster.node_pools[{i}].labels",
                f"must not set '{label_key}': it is azureml.node_label, applied from node_pools[].azureml",
                pool.labels,
            )


def _azureml_pool_rules(config: AppConfig) -> Iterator[Problem]:
    pools = config.cluster.node_pools
    azureml_pools = [p for p in pools if p.azureml]
    if not azureml_pools:
        yield Problem("cluster.node_pools", "must contain at least one pool with azureml: true", [p.name for p in pools])
    elif all(p.taints for p in azureml_pools):
        yield Problem(
            "cluster.node_pools",
            "must contain at least one untainted pool with azureml: true: the extension's components do not tolerate taints",
            [p.name for p in azureml_pools],
        )


# --------------------------------------------------------------------------- cluster options
def _upgrade_rules(config: AppConfig) -> Iterator[Problem]:
    cluster = config.cluster
    if cluster.automatic_upgrade_channel == "node-image" and cluster.node_os_upgrade_channel != "NodeImage":
        yield Problem(
            "cluster.node_os_upgrade_channel",
            "must be NodeImage when cluster.automatic_upgrade_channel is node-image",
            cluster.node_os_upgrade_channel,
        )


def _local_account_rule(config: AppConfig) -> Iterator[Problem]:
    if config.cluster.local_account_disabled and config.azureml.workspace is None:
        yield Problem(
            "cluster.local_account_disabled",
            "true needs azureml.workspace: Azure ML reaches a cluster without local accounts only through the"
            " Trusted Access binding this project creates for the workspace",
            True,
        )


# --------------------------------------------------------------------------- Azure ML extension
def _azureml_workload_rule(config: AppConfig) -> Iterator[Problem]:
    aml = config.azureml
    if not (aml.enable_training or aml.enable_inference):
        yield Problem(
            "azureml.enable_inference",
            "at least one of azureml.enable_training and azureml.enable_inference must be true",
            False,
        )


def _router_ha_rule(config: AppConfig) -> Iterator[Problem]:
    aml = config.azureml
    if aml.enable_inference and aml.inference_router_ha:
        # Tainted pools do not count: the router replicas do not tolerate taints.
        capacity = sum(p.min_count for p in config.cluster.node_pools if p.azureml and not p.taints)
        if capacity < ROUTER_HA_MIN_NODES:
            yield Problem(
                "azureml.inference_router_ha",
                f"needs at least {ROUTER_HA_MIN_NODES} nodes for its replicas; untainted node pools with azureml: true "
                f"have min_count summing to {capacity} (raise min_count or set inference_router_ha: false)",
                True,
            )


def _router_tls_rules(config: AppConfig) -> Iterator[Problem]:
    aml = config.azureml
    if aml.router_tls is not None:
        if not aml.enable_inference:
            yield Problem("azureml.router_tls", "only applies with azureml.enable_inference: true", aml.router_tls.cname)
        elif aml.inference_router_service_type == "clusterIP":
            yield Problem(
                "azureml.router_tls",
                "must be absent with inference_router_service_type clusterIP: TLS terminates at the project's ingress (tls.mode)",
                aml.router_tls.cname,
            )
        if aml.allow_insecure_connections:
            yield Problem(
                "azureml.allow_insecure_connections",
                "must be false when azureml.router_tls gives the router its own certificate",
                True,
            )
    elif aml.allow_insecure_connections is False:
        yield Problem(
            "azureml.allow_insecure_connections",
            "false needs azureml.router_tls (cname, key_vault_id, certificate_name): without TLS material the"
            " extension only serves HTTP",
            False,
        )


# --------------------------------------------------------------------------- Azure ML workspace
def _subscription_required_rule(config: AppConfig) -> Iterator[Problem]:
    """The second stack names the cluster by its resource id, built from subscription_id (reading
    the cluster instead would put its credentials in state)."""
    needed_by = [
        why
        for why, needed in (
            ("azureml.workspace (the attach)", config.azureml.workspace is not None),
            ("kubernetes_config.mode gitops (the Flux extension and configuration)", config.kubernetes_config.mode == "gitops"),
        )
        if needed
    ]
    if needed_by and config.subscription_id is None:
        yield Problem(
            "subscription_id",
            f"is required with {' and '.join(needed_by)}: the second stack names the cluster by its resource id,"
            " built from it (reading the cluster would put its credentials in state)",
            MISSING,
        )


def _workspace_subscription_rule(config: AppConfig) -> Iterator[Problem]:
    workspace = config.azureml.workspace
    if workspace is None or config.subscription_id is None:
        return
    workspace_subscription = parse_resource_id(workspace.id).subscription_id
    if workspace_subscription.lower() != config.subscription_id.lower():
        yield Problem(
            "azureml.workspace.id",
            f"must be in the cluster's subscription ({config.subscription_id}): Azure ML does not attach"
            " clusters across subscriptions",
            workspace_subscription,
        )
    if workspace.identity_id:
        identity_subscription = parse_resource_id(workspace.identity_id).subscription_id
        if identity_subscription.lower() != config.subscription_id.lower():
            yield Problem(
                "azureml.workspace.identity_id",
                f"must be in the cluster's subscription ({config.subscription_id}): the identity is read there",
                identity_subscription,
            )


def _compute_namespace_rule(config: AppConfig) -> Iterator[Problem]:
    workspace = config.azureml.workspace
    if workspace is None:
        return
    namespace = workspace.namespace
    if namespace in RESERVED_NAMESPACES or namespace.startswith(RESERVED_NAMESPACE_PREFIX):
        yield Problem(
            "azureml.workspace.namespace",
            f"must not be a system namespace ({', '.join(RESERVED_NAMESPACES)} or kube-*)",
            namespace,
        )
    elif namespace == config.ingress.namespace:
        yield Problem("azureml.workspace.namespace", "must differ from ingress.namespace", namespace)


def _instance_types_need_workspace(config: AppConfig) -> Iterator[Problem]:
    if config.azureml.instance_types is not None and config.azureml.workspace is None:
        yield Problem(
            "azureml.instance_types", "only applies with azureml.workspace (the compute they belong to)", "instance_types"
        )


def _instance_type_rules(config: AppConfig) -> Iterator[Problem]:
    types = config.azureml.instance_types or []
    pools = {p.name: p for p in config.cluster.node_pools}
    seen: set[str] = set()
    for i, instance_type in enumerate(types):
        path = f"azureml.instance_types[{i}]"
        if not is_valid(instance_type):
            continue
        if instance_type.name in seen:
            yield Problem(f"{path}.name", "must be unique", instance_type.name)
        seen.add(instance_type.name)
        yield from _instance_type_fits(path, instance_type, pools)


def _instance_type_fits(path: str, instance_type, pools: dict) -> Iterator[Problem]:
    pool = pools.get(instance_type.node_pool)
    if pool is None:
        yield Problem(
            f"{path}.node_pool", f"must name a pool in cluster.node_pools ({', '.join(sorted(pools))})", instance_type.node_pool
        )
    elif not pool.azureml:
        yield Problem(f"{path}.node_pool", "must name a pool with azureml: true (Azure ML schedules only there)", pool.name)
    requests, limits = instance_type.requests, instance_type.limits
    if millicores(requests.cpu) > millicores(limits.cpu):
        yield Problem(f"{path}.requests.cpu", f"must not exceed limits.cpu ({limits.cpu})", requests.cpu)
    if memory_bytes(requests.memory) > memory_bytes(limits.memory):
        yield Problem(f"{path}.requests.memory", f"must not exceed limits.memory ({limits.memory})", requests.memory)
    if pool is None:
        return
    if limits.gpu and not pool.gpu:
        yield Problem(f"{path}.limits.gpu", f"needs a pool with gpu: true; {pool.name} has none", limits.gpu)
    node_vcpus = vcpus(pool.vm_size)
    # A node's allocatable CPU is always below its vCPUs (kube-reserved, system daemonsets).
    if node_vcpus is not None and millicores(requests.cpu) >= node_vcpus * 1000:
        yield Problem(
            f"{path}.requests.cpu",
            f"must be below the vCPUs of one {pool.name} node ({pool.vm_size}: {node_vcpus}; allocatable CPU is"
            " less): no node could run it",
            requests.cpu,
        )


# --------------------------------------------------------------------------- ingress and TLS
def _ingress_name_rules(config: AppConfig) -> Iterator[Problem]:
    ingress = config.ingress
    if is_valid(ingress.class_name) and ingress.class_name in RESERVED_INGRESS_CLASSES:
        yield Problem(
            "ingress.class_name",
            f"must not be one of {', '.join(RESERVED_INGRESS_CLASSES)} (used by other controllers)",
            ingress.class_name,
        )
    if is_valid(ingress.namespace) and (
        ingress.namespace in RESERVED_NAMESPACES or ingress.namespace.startswith(RESERVED_NAMESPACE_PREFIX)
    ):
        yield Problem(
            "ingress.namespace",
            f"must not be a reserved namespace ({', '.join(RESERVED_NAMESPACES)} or kube-*)",
            ingress.namespace,
        )


def _load_balancer_ip_rule(config: AppConfig) -> Iterator[Problem]:
    ip = config.ingress.load_balancer_ip
    if ip is None:
        return
    subnet = config.network.aks_subnet_cidr
    offset = int(ip) - int(subnet.network_address)
    # Azure reserves the first four addresses and the last one of every subnet.
    if ip not in subnet or offset < 4 or ip == subnet.broadcast_address:
        yield Problem("ingress.load_balancer_ip", f"must be a usable address in network.aks_subnet_cidr ({subnet})", ip)


def _tls_rules(config: AppConfig) -> Iterator[Problem]:
    tls = config.tls
    if tls.mode == "keyvault":
        if tls.key_vault_id is None:
            yield Problem("tls.key_vault_id", "is required when tls.mode is keyvault", MISSING)
        if tls.certificate_name is None:
            yield Problem("tls.certificate_name", "is required when tls.mode is keyvault", MISSING)
    else:
        for field in ("key_vault_id", "certificate_name"):
            value = getattr(tls, field)
            if is_valid(value) and value is not None:
                yield Problem(f"tls.{field}", "only applies when tls.mode is keyvault", value)


def _tls_host_rule(config: AppConfig) -> Iterator[Problem]:
    if config.tls.mode == "keyvault" and config.ingress.host is None:
        yield Problem("ingress.host", "is required when tls.mode is keyvault (the certificate's host name)", MISSING)


# --------------------------------------------------------------------------- monitoring and access
def _monitoring_rules(config: AppConfig) -> Iterator[Problem]:
    monitoring = config.monitoring
    if monitoring.log_analytics_workspace_location and not monitoring.log_analytics_workspace_id:
        yield Problem(
            "monitoring.log_analytics_workspace_location",
            "only applies with monitoring.log_analytics_workspace_id (a created workspace is in location)",
            monitoring.log_analytics_workspace_location,
        )


def _admin_login_rules(config: AppConfig) -> Iterator[Problem]:
    auth = config.kubernetes_auth
    if auth.login != "admin":
        if auth.acknowledge_admin_over_public_api:
            yield Problem(
                "kubernetes_auth.acknowledge_admin_over_public_api", "only applies with kubernetes_auth.login: admin", True
            )
        return
    if config.cluster.local_account_disabled:
        yield Problem("kubernetes_auth.login", "admin needs local accounts (cluster.local_account_disabled: false)", "admin")
    if not config.cluster.api.private and not auth.acknowledge_admin_over_public_api:
        yield Problem(
            "kubernetes_auth.login",
            "admin against a public API server sends the cluster's admin client certificate (not Entra ID) over the"
            " internet; prefer azurecli/workloadidentity/spn/msi, or set"
            " kubernetes_auth.acknowledge_admin_over_public_api: true to accept it",
            "admin",
        )


# --------------------------------------------------------------------------- GitOps mode
AZURE_DEVOPS_HOSTS = ("dev.azure.com", "ssh.dev.azure.com", ".visualstudio.com")


def _repository_host(url: str) -> str:
    if url.startswith(("https://", "ssh://")):
        return url.split("://", 1)[1].split("/", 1)[0].split("@")[-1].split(":")[0].lower()
    return url.split("@", 1)[1].split(":", 1)[0].lower()  # scp-like git@host:org/repo


def _gitops_section_rules(config: AppConfig) -> Iterator[Problem]:
    mode = config.kubernetes_config.mode
    if mode == "gitops" and config.gitops is None:
        yield Problem("gitops", "is required when kubernetes_config.mode is gitops (repository_url at least)", MISSING)
    if mode == "terraform" and config.gitops is not None:
        yield Problem("gitops", "only applies when kubernetes_config.mode is gitops", "gitops")


def _gitops_auth_rules(config: AppConfig) -> Iterator[Problem]:
    gitops = config.gitops
    if gitops is None:
        return
    url, auth = gitops.repository_url, gitops.auth
    ssh_url = not url.startswith("https://")
    host = _repository_host(url)
    azure_devops = host.endswith(AZURE_DEVOPS_HOSTS) or host in AZURE_DEVOPS_HOSTS
    if ssh_url and auth != "ssh":
        yield Problem("gitops.auth", "must be ssh for an SSH repository URL", auth)
    if not ssh_url and auth == "ssh":
        yield Problem("gitops.auth", "ssh needs an SSH repository URL (ssh://... or git@host:...)", auth)
    if azure_devops and auth == "none":
        yield Problem("gitops.auth", "must not be none: Azure DevOps always authenticates Git clients", auth)
    if auth == "workload-identity" and not (azure_devops and not ssh_url):
        yield Problem(
            "gitops.auth",
            "workload-identity works with Azure DevOps HTTPS repositories (Flux provider Azure) only",
            auth,
        )
    if gitops.https_user is not None and auth != "https-token":
        yield Problem("gitops.https_user", "only applies with gitops.auth: https-token", gitops.https_user)
    if gitops.https_user is None and auth == "https-token":
        # azurerm sends the token only together with a user name (https_user requires https_key_base64).
        yield Problem(
            "gitops.https_user",
            "is required with gitops.auth: https-token (the user name sent with the token; Azure DevOps accepts any)",
            MISSING,
        )


# Every rule, in report order. Each reads only what it needs, so that a field that failed its own
# validation silences just the rules reading it (see cross_field_problems).
RULES = (
    _subnet_rules,
    _vnet_hub_overlap,
    _service_range_rules,
    _service_hub_overlap,
    _pod_range_rules,
    _pod_hub_overlap,
    _firewall_ip_rule,
    _peering_name_rule,
    _public_fqdn_rule,
    _private_api_rules,
    _private_dns_zone_name_rule,
    _public_api_rules,
    _public_api_in_hub_rule,
    _pool_name_rules,
    _pool_size_rules,
    _system_pool_rules,
    _pool_label_rule,
    _azureml_pool_rules,
    _upgrade_rules,
    _local_account_rule,
    _azureml_workload_rule,
    _router_ha_rule,
    _router_tls_rules,
    _subscription_required_rule,
    _workspace_subscription_rule,
    _compute_namespace_rule,
    _instance_types_need_workspace,
    _instance_type_rules,
    _ingress_name_rules,
    _load_balancer_ip_rule,
    _tls_rules,
    _tls_host_rule,
    _monitoring_rules,
    _admin_login_rules,
    _gitops_section_rules,
    _gitops_auth_rules,
)
