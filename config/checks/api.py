"""Cross-field rules: API server: private (DNS zone, linked VNets) or public (authorized ranges)."""

from __future__ import annotations

from collections.abc import Iterator

from config.azure_ids import parse_resource_id
from config.checks.base import Problem
from config.model import AppConfig

# A public API server's authorized ranges: broader prefixes than this are refused as implausible
# (a runner or office egress range is far smaller; /0 would open the API to the internet).
AUTHORIZED_RANGE_MIN_PREFIX = 16


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
        # DNS names are case-insensitive (and so are Azure resource names).
        if zone.lower() != expected and not zone.lower().endswith("." + expected):
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


RULES = (
    _public_fqdn_rule,
    _private_api_rules,
    _private_dns_zone_name_rule,
    _public_api_rules,
    _public_api_in_hub_rule,
)
