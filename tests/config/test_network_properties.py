"""Property-based tests (hypothesis) of the network rules: for generated address plans the
validator agrees with a direct computation using ipaddress."""

from __future__ import annotations

import copy
from ipaddress import IPv4Address, IPv4Network

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.checks import AKS_RESERVED_SERVICE_RANGES
from config.loader import ConfigError, parse_config
from tests.conftest import ROOT

BASE = yaml.safe_load((ROOT / "config" / "standalone.yaml").read_text())
NETWORK_PATHS = (
    "network.aks_subnet_cidr",
    "network.vnet_cidr",
    "network.service_cidr",
    "network.pod_cidr",
    "network.dns_service_ip",
)


@st.composite
def networks(draw, min_prefix=8, max_prefix=28):
    prefix = draw(st.integers(min_prefix, max_prefix))
    address = draw(st.integers(0, 2**32 - 1))
    return IPv4Network((address >> (32 - prefix) << (32 - prefix), prefix))


def problems_for(network: dict) -> set[str]:
    raw = copy.deepcopy(BASE)
    raw["network"] = {k: str(v) for k, v in network.items()}
    try:
        parse_config(raw)
    except ConfigError as error:
        return {p.path for p in error.problems if p.path in NETWORK_PATHS}
    return set()


def expected_problems(vnet, subnet, service, dns, pod) -> set[str]:
    expected = set()
    if not subnet.subnet_of(vnet) or subnet.prefixlen > 27:
        expected.add("network.aks_subnet_cidr")
    if service.overlaps(vnet) or service.prefixlen < 12 or any(service.overlaps(r) for r in AKS_RESERVED_SERVICE_RANGES):
        expected.add("network.service_cidr")
    if pod.overlaps(vnet) or pod.overlaps(service):
        expected.add("network.pod_cidr")
    offset = int(dns) - int(service.network_address)
    if dns not in service or offset < 2 or dns == service.broadcast_address:
        expected.add("network.dns_service_ip")
    return expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    vnet=networks(8, 24), subnet=networks(16, 29), service=networks(10, 24), pod=networks(8, 24), dns_offset=st.integers(0, 300)
)
def test_validator_agrees_with_ipaddress(vnet, subnet, service, pod, dns_offset):
    dns = IPv4Address((int(service.network_address) + dns_offset) % 2**32)
    network = {"vnet_cidr": vnet, "aks_subnet_cidr": subnet, "service_cidr": service, "dns_service_ip": dns, "pod_cidr": pod}
    assert problems_for(network) == expected_problems(vnet, subnet, service, dns, pod)


@settings(max_examples=100, deadline=None)
@given(subnet_prefix=st.integers(16, 27), index=st.integers(0, 2**11 - 1))
def test_any_subnet_inside_vnet_is_accepted(subnet_prefix, index):
    vnet = IPv4Network("10.30.0.0/16")
    subnets = list(vnet.subnets(new_prefix=subnet_prefix)) if subnet_prefix <= 24 else None
    subnet = (
        subnets[index % len(subnets)]
        if subnets
        else IPv4Network((int(vnet.network_address) + (index << (32 - subnet_prefix)) % 2**16, subnet_prefix))
    )
    assert "network.aks_subnet_cidr" not in problems_for(
        {
            "vnet_cidr": vnet,
            "aks_subnet_cidr": subnet,
            "service_cidr": "172.16.0.0/16",
            "dns_service_ip": "172.16.0.10",
            "pod_cidr": "192.168.0.0/16",
        }
    )


@pytest.mark.parametrize("host_bits", ["10.30.0.1/16", "10.30.0.0/33", "not-a-cidr"])
def test_malformed_networks_rejected(host_bits):
    raw = copy.deepcopy(BASE)
    raw["network"]["vnet_cidr"] = host_bits
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    assert [p.path for p in error.value.problems] == ["network.vnet_cidr"]
