"""Cross-field rules: bring your own cluster (``cluster.existing_id``) versus a created one.

With ``cluster.existing_id`` the project creates no network, cluster or pool, so every setting
that only describes what it would create is refused, each with its own line, in one run. Without
it, the sections a created cluster needs (``network``, ``cluster.entra``, ``cluster.node_pools``)
are required. What only the cluster itself can tell is checked at plan time by postconditions
(constructs_lib/existing_cluster); what not even the azurerm data source shows needs
``cluster.existing.acknowledge_unverified_baseline``.
"""

from __future__ import annotations

from collections.abc import Iterator

from config.azure_ids import parse_resource_id
from config.checks.base import MISSING, Problem, is_valid
from config.model import AppConfig

CREATED_CLUSTER_SECTIONS = (
    ("network", "the spoke's address ranges"),
    ("cluster.entra", "the Entra ID tenant and admin groups of the cluster created here"),
    ("cluster.node_pools", "the user pools created here"),
)

# Settings of a created cluster, with why they make no sense for an existing one.
_NOT_OURS = "describes the cluster this project would create; the existing cluster's owners manage it"
REFUSED_ROOT_KEYS = {
    "hub": "the hub peering and routes are made for a spoke created here; an existing cluster's network is its owners'",
    "network": "the address ranges of a spoke created here; give the existing node subnet in cluster.existing.node_subnet",
}
REFUSED_CLUSTER_KEYS = {
    "kubernetes_version": _NOT_OURS,
    "sku_tier": _NOT_OURS,
    "api": _NOT_OURS + " (its API access is checked at plan time)",
    "entra": "describes the cluster this project would create; give the existing cluster's tenant in cluster.existing.tenant_id",
    "network_policy": _NOT_OURS + " (a network policy engine is checked at plan time)",
    "automatic_upgrade_channel": _NOT_OURS,
    "node_os_upgrade_channel": _NOT_OURS,
    "upgrade_window": _NOT_OURS,
    "node_os_window": _NOT_OURS,
    "system_pool": _NOT_OURS,
    "node_pools": "pools created here; name the existing cluster's Azure ML pools in cluster.existing.azureml_node_pools",
    "defender_enabled": _NOT_OURS,
    "image_cleaner_interval_hours": _NOT_OURS,
    "secret_rotation_interval": _NOT_OURS,
}


def _existing(config: AppConfig) -> bool:
    return config.cluster.existing_id is not None


def _created_cluster_sections(config: AppConfig) -> Iterator[Problem]:
    if _existing(config):
        return
    for path, what in CREATED_CLUSTER_SECTIONS:
        node = config
        for part in path.split("."):
            node = getattr(node, part)
        if node is None:
            yield Problem(path, f"is required: {what} (or set cluster.existing_id to use an existing cluster)", MISSING)
    existing = config.cluster.existing
    if existing is not None:
        yield Problem("cluster.existing", "only applies with cluster.existing_id", "existing")


def _refused_settings(config: AppConfig) -> Iterator[Problem]:
    """Everything in one run: each refused key on its own line."""
    if not _existing(config):
        return
    for key, why in REFUSED_ROOT_KEYS.items():
        if key in config.model_fields_set and getattr(config, key) is not None:
            yield Problem(key, f"must be absent with cluster.existing_id: {why}", key)
    for key, why in REFUSED_CLUSTER_KEYS.items():
        if key in config.cluster.model_fields_set:
            yield Problem(f"cluster.{key}", f"must be absent with cluster.existing_id: {why}", key)
    monitoring = config.monitoring
    if "retention_days" in monitoring.model_fields_set:
        yield Problem(
            "monitoring.retention_days",
            "must be absent with cluster.existing_id: it sets a workspace created here, and none is",
            monitoring.retention_days,
        )
    if config.ingress.allowed_source_cidrs:
        yield Problem(
            "ingress.allowed_source_cidrs",
            "must be absent with cluster.existing_id: it opens the NSG of a subnet created here; ask the existing"
            " subnet's owners to admit your clients on 80/443",
            config.ingress.allowed_source_cidrs,
        )


def _existing_section_rules(config: AppConfig) -> Iterator[Problem]:
    if not _existing(config):
        return
    existing = config.cluster.existing
    if existing is None:
        yield Problem(
            "cluster.existing",
            "is required with cluster.existing_id: the cluster's tenant, node subnet and Azure ML pools",
            MISSING,
        )
        return
    if is_valid(existing.acknowledge_unverified_baseline) and not existing.acknowledge_unverified_baseline:
        yield Problem(
            "cluster.existing.acknowledge_unverified_baseline",
            "must be true: the azurerm data source cannot see whether workload identity is enabled, local accounts are"
            " disabled, the network plugin mode or the outbound type; check them with `az aks show --ids <existing_id>"
            " --query '{workloadIdentity: securityProfile.workloadIdentity.enabled, localAccountsDisabled:"
            " disableLocalAccounts, pluginMode: networkProfile.networkPluginMode, outbound: networkProfile.outboundType}'`"
            " (README 'Bring your own cluster') and acknowledge",
            False,
        )
    pools = existing.azureml_node_pools
    if is_valid(pools):
        names = [p.name for p in pools if is_valid(p) and is_valid(p.name)]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            yield Problem(
                "cluster.existing.azureml_node_pools", f"must name each pool once; repeated: {', '.join(repeated)}", names
            )
        if len(pools) == 1 and "node_label" in config.azureml.model_fields_set:
            yield Problem(
                "azureml.node_label",
                "must be absent with one existing Azure ML pool: the extension selects it by its kubernetes.azure.com/agentpool"
                " label (this project labels no pool it does not own)",
                f"{config.azureml.node_label.key}={config.azureml.node_label.value}",
            )


def _existing_subscription_rule(config: AppConfig) -> Iterator[Problem]:
    if not _existing(config) or config.subscription_id is None:
        return
    cluster_subscription = parse_resource_id(config.cluster.existing_id).subscription_id
    if cluster_subscription.lower() != config.subscription_id.lower():
        yield Problem(
            "subscription_id",
            f"must be the existing cluster's subscription ({cluster_subscription}): the stacks read and change it there",
            config.subscription_id,
        )


def _existing_monitoring_rule(config: AppConfig) -> Iterator[Problem]:
    existing = config.cluster.existing
    if not _existing(config) or existing is None or not existing.diagnostics:
        return
    if config.monitoring.log_analytics_workspace_id is None:
        yield Problem(
            "monitoring.log_analytics_workspace_id",
            "is required with cluster.existing_id and cluster.existing.diagnostics: no workspace is created for a"
            " cluster this project does not own (or set cluster.existing.diagnostics: false)",
            MISSING,
        )


def _existing_load_balancer_ip_rule(config: AppConfig) -> Iterator[Problem]:
    existing = config.cluster.existing
    ip = config.ingress.load_balancer_ip
    if not _existing(config) or existing is None or ip is None:
        return
    subnet = existing.node_subnet.cidr
    offset = int(ip) - int(subnet.network_address)
    # Azure reserves the first four addresses and the last one of every subnet.
    if ip not in subnet or offset < 4 or ip == subnet.broadcast_address:
        yield Problem(
            "ingress.load_balancer_ip",
            f"must be a free, usable address in cluster.existing.node_subnet.cidr ({subnet})",
            ip,
        )


def _existing_acknowledgement_rules(config: AppConfig) -> Iterator[Problem]:
    existing = config.cluster.existing
    if not _existing(config) or existing is None:
        return
    gitops = config.gitops
    if existing.acknowledge_no_workload_identity and gitops is not None and gitops.auth == "workload-identity":
        yield Problem(
            "cluster.existing.acknowledge_no_workload_identity",
            "must be false with gitops.auth workload-identity: Flux's source-controller signs in through the cluster's"
            " OIDC issuer and workload identity",
            True,
        )
    if not existing.flux_extension:
        if config.kubernetes_config.mode != "gitops":
            yield Problem(
                "cluster.existing.flux_extension", "only applies with kubernetes_config.mode gitops (Flux delivers there)", False
            )
        elif gitops is not None and gitops.auth == "workload-identity":
            yield Problem(
                "cluster.existing.flux_extension",
                "must be true with gitops.auth workload-identity: the identity is a setting of the Flux extension, which"
                " this project then does not manage",
                False,
            )
    if config.kubernetes_auth.login == "admin" and not existing.acknowledge_admin_credentials_in_state:
        yield Problem(
            "kubernetes_auth.login",
            "admin reads the existing cluster's admin credentials into Terraform state: set"
            " cluster.existing.acknowledge_admin_credentials_in_state: true, or use a kubelogin mode",
            "admin",
        )


def _existing_unsupported_combinations(config: AppConfig) -> Iterator[Problem]:
    """What this project would have to change on the owners' side of an existing cluster."""
    if not _existing(config):
        return
    if config.images is not None:
        # The kubelet identity of a created cluster gets AcrPull here (constructs_lib/aks_cluster);
        # an existing cluster's kubelet identity is its owners' to grant.
        yield Problem(
            "images.registry",
            "is not supported with cluster.existing_id: this project grants no role to the existing cluster's kubelet"
            " identity; pull from the default sources, or let the cluster's owners attach the registry first",
            config.images.registry,
        )
    existing = config.cluster.existing
    if existing is not None and not existing.azureml_extension and not config.azureml.volcano_gang_scheduling:
        yield Problem(
            "azureml.volcano_gang_scheduling",
            "false updates the Azure ML extension's settings: not with cluster.existing.azureml_extension: false"
            " (the extension is its owners'; ask them to set the scheduler ConfigMap)",
            False,
        )


RULES = (
    _created_cluster_sections,
    _refused_settings,
    _existing_section_rules,
    _existing_subscription_rule,
    _existing_monitoring_rule,
    _existing_load_balancer_ip_rule,
    _existing_acknowledgement_rules,
    _existing_unsupported_combinations,
)
