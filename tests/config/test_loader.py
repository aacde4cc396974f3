"""Loader behaviour: every problem in one run, across validation phases, without crashing."""

from __future__ import annotations

import copy

import pytest
import yaml

from config.loader import ConfigError, parse_config
from config.model import AppConfig
from tests.conftest import ROOT

DEFAULT = yaml.safe_load((ROOT / "config" / "default.yaml").read_text())


def problems(raw: dict) -> list[str]:
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    return [p.path for p in error.value.problems]


def test_field_and_cross_field_problems_reported_together():
    raw = copy.deepcopy(DEFAULT)
    raw["cluster"]["node_pools"][0]["name"] = "MLcpu"  # field rule (cluster section)
    raw["network"]["aks_subnet_cidr"] = "10.21.0.0/22"  # cross-field rule (network section)
    raw["ingress"]["class_name"] = "nginx"  # cross-field rule on intact sections: reported
    # A cross-field rule in the section with the broken field still compares the valid names.
    raw["cluster"]["system_pool"]["temporary_name_for_rotation"] = "system"
    assert problems(raw) == [
        "cluster.node_pools[0].name",
        "network.aks_subnet_cidr",
        "cluster.system_pool.temporary_name_for_rotation",
        "ingress.class_name",
        "ingress.load_balancer_ip",  # 10.20.3.250 is outside the moved subnet
    ]


def test_fourteen_independent_mistakes_are_all_reported_in_one_run():
    """Each cross-field rule runs whenever the fields it reads are valid on their own: a bad name,
    hub id or pool VM size no longer hides the rules that do not read them."""
    raw = copy.deepcopy(DEFAULT)
    raw["name"] = "AMLprod"  # field
    raw["hub"]["vnet_id"] = "/subscriptions/x/vnet-hub"  # field
    raw["hub"]["firewall_private_ip"] = "10.1.0.4"  # cross: outside hub address space
    raw["network"]["aks_subnet_cidr"] = "10.21.0.0/22"  # cross: outside the VNet
    raw["network"]["pod_cidr"] = "10.0.0.0/16"  # cross: overlaps the hub
    raw["cluster"]["sku_tier"] = "standard"  # field
    raw["cluster"]["node_pools"][0].update(vm_size="D8ds_v5", min_count=2)  # field; cross: router HA
    raw["cluster"]["system_pool"]["vm_size"] = "Standard_B4ms"  # cross: burstable system pool, not catalogued
    raw["cluster"]["automatic_upgrade_channel"] = "node-image"  # cross with the next line
    raw["cluster"]["node_os_upgrade_channel"] = "SecurityPatch"
    raw["ingress"]["replicas"] = 1  # field
    raw["ingress"]["class_name"] = "azureml-nginx"  # cross: reserved class
    raw["tls"]["certificate_name"] = "bad name"  # field
    raw["monitoring"]["log_analytics_workspace_location"] = "mars"  # field
    raw["kubernetes_auth"] = {"login": "azurecli", "acknowledge_admin_over_public_api": True}  # cross
    assert problems(raw) == [
        # per-field problems, in file order
        "name",
        "hub.vnet_id",
        "cluster.sku_tier",
        "cluster.node_pools[0].vm_size",
        "monitoring.log_analytics_workspace_location",
        "ingress.replicas",
        "tls.certificate_name",
        # cross-field problems, in rule order
        "network.aks_subnet_cidr",
        "network.pod_cidr",
        "hub.firewall_private_ip",
        "cluster.system_pool.vm_size",
        "cluster.node_os_upgrade_channel",
        "cluster.system_pool.vm_size",  # not in catalog/vm_sizes.py (config/checks/capacity.py)
        "azureml.inference_router_ha",
        "ingress.class_name",
        "ingress.load_balancer_ip",  # 10.20.3.250 is outside the moved subnet
        "kubernetes_auth.acknowledge_admin_over_public_api",
    ]


def test_rules_reading_only_a_failed_field_are_skipped_not_crashed():
    raw = copy.deepcopy(DEFAULT)
    raw["hub"]["address_space"] = ["not-a-cidr"]
    raw["network"]["vnet_cidr"] = "10.0.0.0/16"  # would overlap the hub: cannot be judged now
    reported = problems(raw)
    assert reported[0] == "hub.address_space[0]"
    assert "network.vnet_cidr" not in reported


@pytest.mark.parametrize("section", sorted(AppConfig.model_fields))
@pytest.mark.parametrize("broken", ["missing", "wrong-type"])
def test_any_broken_section_still_yields_a_clean_report(section, broken):
    """Rules that read a broken section are skipped, never run on bad data (no crash)."""
    raw = copy.deepcopy(DEFAULT)
    raw["network"]["pod_cidr"] = "10.20.0.0/16"  # a cross-field problem elsewhere
    if broken == "missing":
        raw.pop(section, None)
    else:
        raw[section] = 12345
    reported = problems(raw)
    if section not in ("network", "hub"):  # the overlap rule reads both
        assert "network.pod_cidr" in reported
    required = AppConfig.model_fields[section].is_required()
    if broken == "wrong-type" or required:
        assert any(path == section or path.startswith(f"{section}.") or path.startswith(f"{section}[") for path in reported)
