"""Spoke network: resource group, VNet, AKS node subnet and NSG; with a hub, peering both ways,
hub DNS and a default route through the hub firewall."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from constructs import Construct

from constructs_lib._lifecycle import lifecycle
from toolchain.azurerm.network_security_group import NetworkSecurityGroup
from toolchain.azurerm.network_security_rule import NetworkSecurityRule
from toolchain.azurerm.resource_group import ResourceGroup
from toolchain.azurerm.route import Route
from toolchain.azurerm.route_table import RouteTable
from toolchain.azurerm.subnet import Subnet
from toolchain.azurerm.subnet_network_security_group_association import (
    SubnetNetworkSecurityGroupAssociation,
)
from toolchain.azurerm.subnet_route_table_association import SubnetRouteTableAssociation
from toolchain.azurerm.virtual_network import VirtualNetwork
from toolchain.azurerm.virtual_network_peering import VirtualNetworkPeering
from toolchain.cdk import TerraformProvider, TerraformResource

INGRESS_PORTS = ("80", "443")


@dataclass(frozen=True)
class HubLink:
    vnet_id: str
    vnet_name: str
    resource_group_name: str
    address_space: tuple[str, ...]
    firewall_private_ip: str
    spoke_to_hub_peering_name: str
    hub_to_spoke_peering_name: str


@dataclass(frozen=True)
class SpokeNetworkProps:
    location: str
    resource_group_name: str
    vnet_name: str
    vnet_cidr: str
    subnet_name: str
    subnet_cidr: str
    nsg_name: str
    route_table_name: str
    pod_cidr: str  # Azure CNI overlay pod range: pod traffic reaches nodes from these addresses
    # Clients allowed to reach the internal ingress on 80/443 (hub, on-premises ranges).
    ingress_source_cidrs: tuple[str, ...] = ()
    hub: HubLink | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    protect: bool = True


class SpokeNetwork(Construct):
    """Exposes ``resource_group``, ``vnet``, ``subnet``, ``nsg``, ``nsg_association`` and, with a
    hub, ``route_table``, ``route_table_association``, ``spoke_to_hub`` and ``hub_to_spoke`` (else
    ``None``). ``ready`` lists what must exist before nodes join the subnet."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        props: SpokeNetworkProps,
        hub_provider: TerraformProvider | None = None,
    ) -> None:
        super().__init__(scope, id_)
        hub = props.hub
        tags = dict(props.tags)

        self.resource_group = ResourceGroup(
            self, "resource_group", name=props.resource_group_name, location=props.location, tags=tags
        )
        self.vnet = VirtualNetwork(
            self,
            "vnet",
            name=props.vnet_name,
            location=props.location,
            resource_group_name=self.resource_group.name,
            address_space=[props.vnet_cidr],
            # Hub firewall DNS proxy: resolves the hub-linked private DNS zones (AKS API, Key Vault).
            dns_servers=[hub.firewall_private_ip] if hub else None,
            tags=tags,
            lifecycle=lifecycle(protect=props.protect),
        )
        # Standalone subnet resource (never inline subnets on the VNet: the two fight on every apply).
        self.subnet = Subnet(
            self,
            "aks_subnet",
            name=props.subnet_name,
            resource_group_name=self.resource_group.name,
            virtual_network_name=self.vnet.name,
            address_prefixes=[props.subnet_cidr],
            # Egress goes through the hub firewall or the cluster's load balancer, never Azure's
            # implicit default outbound address.
            default_outbound_access_enabled=False,
        )

        self.nsg = NetworkSecurityGroup(
            self, "nsg", name=props.nsg_name, location=props.location, resource_group_name=self.resource_group.name, tags=tags
        )
        self._inbound_rules(props)
        self.nsg_association = SubnetNetworkSecurityGroupAssociation(
            self, "nsg_association", subnet_id=self.subnet.id, network_security_group_id=self.nsg.id
        )

        self.route_table: RouteTable | None = None
        self.route_table_association: SubnetRouteTableAssociation | None = None
        self.spoke_to_hub: VirtualNetworkPeering | None = None
        self.hub_to_spoke: VirtualNetworkPeering | None = None
        if hub:
            self._route_through_firewall(props, hub)
            self._peer(props, hub, hub_provider)

    @property
    def ready(self) -> list[TerraformResource]:
        """Subnet associations and peerings. AKS validates the UDR route table at create time, and
        nodes resolve DNS through the hub firewall, so the cluster must wait for all of them."""
        optional = (self.route_table_association, self.spoke_to_hub, self.hub_to_spoke)
        return [self.nsg_association, *(r for r in optional if r is not None)]

    def _inbound_rules(self, props: SpokeNetworkProps) -> None:
        """Replace the default AllowVnetInBound (which admits every port from peered VNets, the
        on-premises ranges behind the hub and, with a UDR default route, 0.0.0.0/0) by what the
        cluster needs, plus 80/443 to the internal ingress from the configured sources."""
        rules = [
            # (construct id, rule name, priority, source prefixes, protocol, destination ports)
            ("allow_spoke_vnet", "allow-spoke-vnet-inbound", 200, [props.vnet_cidr], "*", None),
            ("allow_pods", "allow-overlay-pods-inbound", 210, [props.pod_cidr], "*", None),
            ("allow_azure_load_balancer", "allow-azure-load-balancer-inbound", 220, ["AzureLoadBalancer"], "*", None),
        ]
        if props.ingress_source_cidrs:
            rules.insert(
                0,
                (
                    "allow_ingress_clients",
                    "allow-clients-to-ingress-http-https",
                    100,
                    list(props.ingress_source_cidrs),
                    "Tcp",
                    INGRESS_PORTS,
                ),
            )
        for construct_id, name, priority, sources, protocol, ports in rules:
            NetworkSecurityRule(
                self,
                construct_id,
                name=name,
                priority=priority,
                direction="Inbound",
                access="Allow",
                protocol=protocol,
                source_port_range="*",
                source_address_prefix=sources[0] if len(sources) == 1 else None,
                source_address_prefixes=sources if len(sources) > 1 else None,
                destination_address_prefix=props.subnet_cidr if ports else "*",
                destination_port_range=None if ports else "*",
                destination_port_ranges=list(ports) if ports else None,
                resource_group_name=self.resource_group.name,
                network_security_group_name=self.nsg.name,
            )
        NetworkSecurityRule(
            self,
            "deny_other_virtual_network",
            name="deny-other-virtual-network-inbound",
            priority=4000,
            direction="Inbound",
            access="Deny",
            protocol="*",
            source_port_range="*",
            source_address_prefix="VirtualNetwork",
            destination_address_prefix="*",
            destination_port_range="*",
            resource_group_name=self.resource_group.name,
            network_security_group_name=self.nsg.name,
        )

    def _route_through_firewall(self, props: SpokeNetworkProps, hub: HubLink) -> None:
        self.route_table = RouteTable(
            self,
            "route_table",
            name=props.route_table_name,
            location=props.location,
            resource_group_name=self.resource_group.name,
            # Gateway-learned routes would let traffic bypass the firewall.
            bgp_route_propagation_enabled=False,
            tags=dict(props.tags),
        )
        Route(
            self,
            "default_route",
            name="default-via-hub-firewall",
            resource_group_name=self.resource_group.name,
            route_table_name=self.route_table.name,
            address_prefix="0.0.0.0/0",
            next_hop_type="VirtualAppliance",
            next_hop_in_ip_address=hub.firewall_private_ip,
        )
        self.route_table_association = SubnetRouteTableAssociation(
            self, "route_table_association", subnet_id=self.subnet.id, route_table_id=self.route_table.id
        )

    def _peer(self, props: SpokeNetworkProps, hub: HubLink, hub_provider: TerraformProvider | None) -> None:
        self.spoke_to_hub = VirtualNetworkPeering(
            self,
            "spoke_to_hub",
            name=hub.spoke_to_hub_peering_name,
            resource_group_name=self.resource_group.name,
            virtual_network_name=self.vnet.name,
            remote_virtual_network_id=hub.vnet_id,
            allow_virtual_network_access=True,
            allow_forwarded_traffic=True,
        )
        # Lives in the hub's resource group (and subscription, via the hub provider).
        self.hub_to_spoke = VirtualNetworkPeering(
            self,
            "hub_to_spoke",
            name=hub.hub_to_spoke_peering_name,
            resource_group_name=hub.resource_group_name,
            virtual_network_name=hub.vnet_name,
            remote_virtual_network_id=self.vnet.id,
            allow_virtual_network_access=True,
            allow_forwarded_traffic=True,
            provider=hub_provider,
        )
