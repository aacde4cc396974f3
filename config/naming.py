"""Azure and Kubernetes names derived from the configuration.

Names are part of Terraform state: changing a rule here renames (and so replaces) resources,
which is why the derivations are centralised and covered by the address/snapshot tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.azure_ids import parse_resource_id
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


def derive_names(config: AppConfig) -> Names:
    name = config.name
    vnet = f"vnet-{name}-aks"
    hub_vnet = parse_resource_id(config.hub.vnet_id).name if config.hub else None
    return Names(
        resource_group=f"rg-{name}-aks",
        node_resource_group=f"rg-{name}-aks-nodes",
        vnet=vnet,
        aks_subnet=AKS_SUBNET_NAME,
        nsg=f"nsg-{name}-aks-nodes",
        route_table=f"rt-{name}-aks",
        cluster=f"aks-{name}",
        dns_prefix=f"aks-{name}",
        control_plane_identity=f"id-{name}-aks-control-plane",
        log_analytics_workspace=f"log-{name}-aks",
        diagnostic_setting=f"diag-{name}-aks",
        # Azure Monitor's own naming for Container Insights rules.
        data_collection_rule=f"MSCI-{config.location}-aks-{name}",
        spoke_to_hub_peering=f"peer-{vnet}-to-{hub_vnet}" if hub_vnet else None,
        hub_to_spoke_peering=f"peer-{hub_vnet}-to-{vnet}" if hub_vnet else None,
    )


PEERING_NAME_MAX = 80
