"""The hub VNet and the API server's private DNS zone."""

from __future__ import annotations

from ipaddress import ip_network

from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.privatedns import PrivateDnsManagementClient

from config.azure_ids import parse_resource_id
from tools.preflight.context import Context
from tools.preflight.model import Check, Finding, blocker, enum_text, ok, warning


def _no_hub(context: Context) -> str | None:
    return None if context.config.hub else "no hub in the config (standalone spoke)"


def check_hub_vnet(context: Context) -> list[Finding]:
    hub = context.config.hub
    assert hub is not None
    parsed = parse_resource_id(hub.vnet_id)
    client = context.client(NetworkManagementClient, parsed.subscription_id)
    try:
        vnet = client.virtual_networks.get(parsed.resource_group, parsed.name)
    except ResourceNotFoundError:
        return [blocker(f"hub VNet {parsed.name} not found in {parsed.resource_group}", "correct hub.vnet_id")]
    actual = [ip_network(p) for p in (vnet.address_space.address_prefixes if vnet.address_space else []) or []]
    configured = list(hub.address_space)
    findings = []
    missing = [str(c) for c in configured if not any(c.subnet_of(a) for a in actual if a.version == c.version)]
    if missing:
        findings.append(
            blocker(
                f"hub.address_space lists {', '.join(missing)}, which the hub VNet does not have ({', '.join(map(str, actual))})",
                "set hub.address_space to the hub VNet's address space",
            )
        )
    unlisted = [str(a) for a in actual if not any(a.subnet_of(c) for c in configured if a.version == c.version)]
    if unlisted:
        findings.append(
            warning(
                f"the hub VNet also has {', '.join(unlisted)}, not in hub.address_space: overlap checks and the NSG ignore it",
                "add it to hub.address_space",
            )
        )
    spoke = context.config.network.vnet_cidr
    overlapping = [str(a) for a in actual if a.version == spoke.version and a.overlaps(spoke)]
    if overlapping:
        findings.append(blocker(f"network.vnet_cidr {spoke} overlaps the hub's {', '.join(overlapping)}", "choose a free range"))
    firewall = hub.firewall_private_ip
    if not any(firewall in a for a in actual):
        findings.append(blocker(f"hub.firewall_private_ip {firewall} is outside the hub VNet", "use the firewall's private IP"))
    if not findings:
        findings.append(ok(f"hub VNet {parsed.name} has {', '.join(map(str, actual))}, as configured"))
    return findings


def _zone_skip(context: Context) -> str | None:
    api = context.config.cluster.api
    if not api.private:
        return "public API server: no private DNS zone"
    if api.private_dns_zone_id is None:
        return "the stack creates and links privatelink.<region>.azmk8s.io itself"
    return None


def check_api_dns_zone(context: Context) -> list[Finding]:
    zone_id = context.config.cluster.api.private_dns_zone_id
    assert zone_id is not None
    parsed = parse_resource_id(zone_id)
    client = context.client(PrivateDnsManagementClient, parsed.subscription_id)
    try:
        client.private_zones.get(parsed.resource_group, parsed.name)
    except ResourceNotFoundError:
        return [
            blocker(
                f"private DNS zone {parsed.name} not found in {parsed.resource_group}",
                "create it or correct cluster.api.private_dns_zone_id",
            )
        ]
    links = list(client.virtual_network_links.list(parsed.resource_group, parsed.name))
    linked = {(link.virtual_network.id or "").lower() for link in links if link.virtual_network}
    findings = [ok(f"zone {parsed.name} exists with {len(links)} VNet link(s)")]
    hub = context.config.hub
    if hub and hub.vnet_id.lower() not in linked:
        findings.append(
            warning(
                f"zone {parsed.name} is not linked to the hub VNet: the firewall's DNS proxy cannot resolve the private API",
                "link the zone to the hub VNet (Private DNS zone > Virtual network links)",
            )
        )
    for link in links:
        state = enum_text(link.virtual_network_link_state)
        if state and state != "Completed":
            findings.append(warning(f"link {link.name} is {state}", "wait for it to complete"))
    return findings


CHECKS = (
    Check("hub VNet", check_hub_vnet, skip_reason=_no_hub),
    Check("API private DNS zone", check_api_dns_zone, skip_reason=_zone_skip),
)
