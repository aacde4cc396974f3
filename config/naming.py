"""Azure and Kubernetes names derived from the configuration.

Names are part of Terraform state: changing a rule here renames (and so replaces) resources,
which is why the derivations are centralised and covered by the address/snapshot tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.azure_ids import parse_resource_id
from config.cluster_mode import existing_cluster
from config.model import AppConfig

AKS_SUBNET_NAME = "snet-aks-nodes"


@dataclass(frozen=True)
class Names:
    resource_group: str
    node_resource_group: str
    vnet: str
    aks_subnet: str
    nsg: str
    route_table: str
    cluster: str
    dns_prefix: str
    control_plane_identity: str
    log_analytics_workspace: str
    diagnostic_setting: str
    data_collection_rule: str
    spoke_to_hub_peering: str | None
    hub_to_spoke_peering: str | None
    # AKS names the Key Vault secrets-provider add-on's identity itself, in the node resource group.
    key_vault_secrets_provider_identity: str
    # GitOps mode, auth workload-identity: the identity Flux's source-controller signs in as.
    flux_source_identity: str


def spoke_vnet_name(name: str) -> str:
    return f"vnet-{name}-aks"


def peering_names(name: str, hub_vnet_id: str) -> tuple[str, str]:
    """(spoke-to-hub, hub-to-spoke) peering names."""
    vnet, hub_vnet = spoke_vnet_name(name), parse_resource_id(hub_vnet_id).name
    return f"peer-{vnet}-to-{hub_vnet}", f"peer-{hub_vnet}-to-{vnet}"


def cluster_subscription_id(config: AppConfig) -> str | None:
    """The subscription of the cluster: ``subscription_id``, or that of ``cluster.existing_id``
    (None: the provider's ARM_SUBSCRIPTION_ID)."""
    if config.subscription_id is None and config.cluster.existing_id is not None:
        return parse_resource_id(config.cluster.existing_id).subscription_id
    return config.subscription_id


def existing_node_resource_group(existing_id: str, location: str, configured: str | None) -> str:
    """AKS's default node resource group, MC_<group>_<cluster>_<location>, unless configured."""
    parsed = parse_resource_id(existing_id)
    return configured or f"MC_{parsed.resource_group}_{parsed.name}_{location}"


def derive_names(config: AppConfig) -> Names:
    name = config.name
    vnet = spoke_vnet_name(name)
    cluster = f"aks-{name}"
    resource_group, node_resource_group, aks_subnet = f"rg-{name}-aks", f"rg-{name}-aks-nodes", AKS_SUBNET_NAME
    existing = existing_cluster(config)
    if existing is not None:
        # Bring your own cluster: its names are given, not derived (cluster.existing_id).
        parsed = parse_resource_id(config.cluster.existing_id)
        cluster, resource_group, aks_subnet = parsed.name, parsed.resource_group, existing.node_subnet.name
        node_resource_group = existing_node_resource_group(
            config.cluster.existing_id, config.location, existing.node_resource_group
        )
    spoke_to_hub, hub_to_spoke = peering_names(name, config.hub.vnet_id) if config.hub else (None, None)
    return Names(
        resource_group=resource_group,
        node_resource_group=node_resource_group,
        vnet=vnet,
        aks_subnet=aks_subnet,
        nsg=f"nsg-{name}-aks-nodes",
        route_table=f"rt-{name}-aks",
        cluster=cluster,
        dns_prefix=f"aks-{name}",
        control_plane_identity=f"id-{name}-aks-control-plane",
        log_analytics_workspace=f"log-{name}-aks",
        diagnostic_setting=f"diag-{name}-aks",
        # Azure Monitor's own naming for Container Insights rules.
        data_collection_rule=f"MSCI-{config.location}-aks-{name}",
        spoke_to_hub_peering=spoke_to_hub,
        hub_to_spoke_peering=hub_to_spoke,
        key_vault_secrets_provider_identity=f"azurekeyvaultsecretsprovider-{cluster}",
        flux_source_identity=f"id-{name}-flux-source",
    )


PEERING_NAME_MAX = 80
