"""What decides a deployment's egress list, read from its config (catalog/egress.py holds the list)."""

from __future__ import annotations

from urllib.parse import urlsplit

from catalog.egress import EgressContext, Rule, resolve
from config.azure_ids import parse_resource_id
from config.cluster_mode import existing_cluster, node_pools
from config.model import AppConfig

# One rule collection group per deployment in the hub's Firewall Policy, with a network and an
# application rule collection (network first: Azure Firewall evaluates them first anyway). The same
# names for `make egress FORMAT=az` and for the group aks-cluster creates (hub.firewall_policy_id).
NETWORK_COLLECTION_PRIORITY = 100
APPLICATION_COLLECTION_PRIORITY = 200


def rule_collection_group_name(deployment: str) -> str:
    return f"rcg-{deployment}-aks-egress"


def rule_collection_name(deployment: str, kind: str) -> str:
    return f"aks-{deployment}-{'app' if kind == 'application' else 'net'}"


def git_host_and_port(url: str) -> tuple[str, int]:
    """The host and port Flux's source-controller connects to for ``gitops.repository_url``."""
    if url.startswith(("https://", "ssh://")):
        parts = urlsplit(url)
        default = 443 if parts.scheme == "https" else 22
        return (parts.hostname or "").lower(), parts.port or default
    return url.split("@", 1)[1].split(":", 1)[0].lower(), 22  # scp-like git@host:org/repo


def key_vault_names(config: AppConfig) -> tuple[str, ...]:
    ids = []
    if config.tls.mode == "keyvault" and config.tls.key_vault_id:
        ids.append(config.tls.key_vault_id)
    if config.azureml.router_tls is not None:
        ids.append(config.azureml.router_tls.key_vault_id)
    # Key Vault names are globally unique and DNS names are case-insensitive.
    return tuple(dict.fromkeys(parse_resource_id(i).name.lower() for i in ids))


def node_subnet_cidr(config: AppConfig) -> str:
    """The egress rules' source: the node subnet, created here or the existing cluster's."""
    existing = existing_cluster(config)
    if existing is not None:
        return str(existing.node_subnet.cidr)
    assert config.network, "guaranteed by config/checks/ for a created cluster"
    return str(config.network.aks_subnet_cidr)


def egress_context(config: AppConfig) -> EgressContext:
    workspace = config.azureml.workspace
    git_host, git_port = git_host_and_port(config.gitops.repository_url) if config.gitops else (None, None)
    complete_workspace = (
        workspace is not None
        and workspace.workspace_guid is not None
        and workspace.storage_account_id is not None
        and workspace.container_registry_id is not None
    )
    return EgressContext(
        region=config.location,
        private_api=config.cluster.api.private,
        gpu_pools=any(pool.gpu for pool in node_pools(config)),
        gitops=config.kubernetes_config.mode == "gitops",
        defender=config.cluster.defender_enabled,
        training=config.azureml.enable_training,
        os_package_updates=config.cluster.node_os_upgrade_channel == "Unmanaged",
        ingress_controller=config.ingress.controller,
        key_vault_names=key_vault_names(config),
        git_host=git_host,
        git_port=git_port,
        workspace_region=(workspace.location or config.location) if complete_workspace else None,
        workspace_guid=workspace.workspace_guid.lower() if complete_workspace else None,
        storage_account=parse_resource_id(workspace.storage_account_id).name.lower() if complete_workspace else None,
        registry=parse_resource_id(workspace.container_registry_id).name.lower() if complete_workspace else None,
        private_endpoints=frozenset(config.network.private_endpoints if config.network else ()),
        image_registry=parse_resource_id(config.images.registry).name.lower() if config.images else None,
    )


def egress_rules(config: AppConfig) -> list[Rule]:
    return resolve(egress_context(config))
