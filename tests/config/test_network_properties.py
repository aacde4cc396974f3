"""Property-based tests (hypothesis) of the network rules.

Plans are generated to be valid by construction (subnet carved out of the VNet, service and pod
ranges from disjoint blocks) and must be accepted; each generated defect (overlap, subnet
outside, DNS address outside or on a reserved offset) must be reported at the field that holds
it. The expectations come from how the plan was built, not from re-running the rules.
"""

from __future__ import annotations

import copy
from ipaddress import IPv4Address, IPv4Network

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from config.loader import ConfigError, parse_config
from tests.conftest import ROOT

BASE = yaml.safe_load((ROOT / "config" / "standalone.yaml").read_text())
NETWORK_PATHS = (
    "network.vnet_cidr",
    "network.aks_subnet_cidr",
    "network.service_cidr",
    "network.pod_cidr",
    "network.dns_service_ip",
)

# Three disjoint private blocks: the VNet comes from 10/8, services from 172.16/12 (minus the
# AKS-reserved 172.30-31), pods from 100.64/10 or 192.168/16.
VNET_BLOCK = IPv4Network("10.0.0.0/8")
SERVICE_BLOCK = IPv4Network("172.16.0.0/14")
POD_BLOCKS = (IPv4Network("100.64.0.0/10"), IPv4Network("192.168.0.0/16"))


def carve(block: IPv4Network, prefix: int, index: int) -> IPv4Network:
    """The index-th sub-network of that prefix inside block."""
    count = 2 ** (prefix - block.prefixlen)
    return IPv4Network((int(block.network_address) + (index % count) * 2 ** (32 - prefix), prefix))


@st.composite
def valid_plans(draw) -> dict:
    vnet = carve(VNET_BLOCK, draw(st.integers(12, 24)), draw(st.integers(0, 2**16)))
    subnet = carve(vnet, draw(st.integers(vnet.prefixlen, 27)), draw(st.integers(0, 2**15)))
    service = carve(SERVICE_BLOCK, draw(st.integers(14, 24)), draw(st.integers(0, 2**10)))
    pod_block = draw(st.sampled_from(POD_BLOCKS))
    pod = carve(pod_block, draw(st.integers(pod_block.prefixlen, 24)), draw(st.integers(0, 2**8)))
    dns = IPv4Address(int(service.network_address) + draw(st.integers(2, service.num_addresses - 2)))
    return {"vnet_cidr": vnet, "aks_subnet_cidr": subnet, "service_cidr": service, "dns_service_ip": dns, "pod_cidr": pod}


def network_problems(plan: dict) -> set[str]:
    raw = copy.deepcopy(BASE)
    raw["network"] = {k: str(v) for k, v in plan.items()}
    try:
        parse_config(raw)
    except ConfigError as error:
        return {p.path for p in error.problems if p.path in NETWORK_PATHS}
    return set()


@settings(max_examples=200, deadline=None)
@given(plan=valid_plans())
def test_valid_plans_are_accepted(plan):
    assert network_problems(plan) == set()


@settings(max_examples=100, deadline=None)
@given(plan=valid_plans(), data=st.data())
def test_pod_range_overlapping_the_vnet_is_reported(plan, data):
    vnet = plan["vnet_cidr"]
    plan["pod_cidr"] = carve(vnet, data.draw(st.integers(vnet.prefixlen, 28)), data.draw(st.integers(0, 2**10)))
    assert "network.pod_cidr" in network_problems(plan)


@settings(max_examples=100, deadline=None)
@given(plan=valid_plans(), data=st.data())
def test_service_range_overlapping_the_vnet_is_reported(plan, data):
    vnet = plan["vnet_cidr"]
    service = carve(vnet, data.draw(st.integers(max(vnet.prefixlen, 12), 28)), data.draw(st.integers(0, 2**10)))
    plan["service_cidr"] = service
    plan["dns_service_ip"] = service.network_address + 10
    assert "network.service_cidr" in network_problems(plan)


@settings(max_examples=100, deadline=None)
@given(plan=valid_plans(), data=st.data())
def test_subnet_outside_the_vnet_is_reported(plan, data):
    vnet = plan["vnet_cidr"]
    # A sibling of the VNet of the same size: never inside it.
    sibling = IPv4Network((int(vnet.network_address) ^ vnet.num_addresses, vnet.prefixlen))
    plan["aks_subnet_cidr"] = carve(sibling, data.draw(st.integers(vnet.prefixlen, 27)), data.draw(st.integers(0, 2**10)))
    assert "network.aks_subnet_cidr" in network_problems(plan)


@settings(max_examples=100, deadline=None)
@given(plan=valid_plans(), offset=st.sampled_from(["network", "first", "broadcast", "outside"]))
def test_dns_service_ip_on_reserved_or_outside_address_is_reported(plan, offset):
    service = plan["service_cidr"]
    plan["dns_service_ip"] = {
        "network": service.network_address,
        "first": service.network_address + 1,
        "broadcast": service.broadcast_address,
        "outside": service.broadcast_address + 1,
    }[offset]
    assert network_problems(plan) == {"network.dns_service_ip"}


@pytest.mark.parametrize("value", ["10.30.0.1/16", "10.30.0.0/33", "not-a-cidr"])
def test_malformed_networks_rejected(value):
    raw = copy.deepcopy(BASE)
    raw["network"]["vnet_cidr"] = value
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    assert [p.path for p in error.value.problems] == ["network.vnet_cidr"]
