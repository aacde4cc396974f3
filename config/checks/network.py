"""Cross-field rules: Spoke network and hub: address ranges, overlaps, firewall and peering names."""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import IPv4Network

from config.checks.base import Problem, when_set
from config.model import AppConfig
from config.naming import PEERING_NAME_MAX, peering_names

AKS_RESERVED_SERVICE_RANGES = tuple(IPv4Network(r) for r in ("169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24"))


def _hub_ranges(config: AppConfig) -> dict[str, IPv4Network]:
    return {f"hub.address_space[{i}]": r for i, r in enumerate(config.hub.address_space)} if config.hub else {}


def _overlaps(path: str, value: IPv4Network, others: dict[str, IPv4Network]) -> Iterator[Problem]:
    for other_path, other in others.items():
        if value.overlaps(other):
            yield Problem(path, f"must not overlap {other_path} ({other})", value)


@when_set("network")
def _subnet_rules(config: AppConfig) -> Iterator[Problem]:
    net = config.network
    if not net.aks_subnet_cidr.subnet_of(net.vnet_cidr):
        yield Problem("network.aks_subnet_cidr", f"must lie inside network.vnet_cidr ({net.vnet_cidr})", net.aks_subnet_cidr)
    if net.aks_subnet_cidr.prefixlen > 27:
        yield Problem("network.aks_subnet_cidr", "must be /27 or larger to hold the node pools", net.aks_subnet_cidr)


@when_set("network")
def _vnet_hub_overlap(config: AppConfig) -> Iterator[Problem]:
    yield from _overlaps("network.vnet_cidr", config.network.vnet_cidr, _hub_ranges(config))


@when_set("network")
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


@when_set("network")
def _service_hub_overlap(config: AppConfig) -> Iterator[Problem]:
    yield from _overlaps("network.service_cidr", config.network.service_cidr, _hub_ranges(config))


@when_set("network")
def _pod_range_rules(config: AppConfig) -> Iterator[Problem]:
    net = config.network
    yield from _overlaps(
        "network.pod_cidr", net.pod_cidr, {"network.vnet_cidr": net.vnet_cidr, "network.service_cidr": net.service_cidr}
    )


@when_set("network")
def _pod_hub_overlap(config: AppConfig) -> Iterator[Problem]:
    yield from _overlaps("network.pod_cidr", config.network.pod_cidr, _hub_ranges(config))


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


RULES = (
    _subnet_rules,
    _vnet_hub_overlap,
    _service_range_rules,
    _service_hub_overlap,
    _pod_range_rules,
    _pod_hub_overlap,
    _firewall_ip_rule,
    _peering_name_rule,
)
