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
    # Cross-field rule reading the broken cluster section: skipped, not run on half-parsed data.
    raw["cluster"]["system_pool"]["temporary_name_for_rotation"] = "system"
    assert problems(raw) == [
        "cluster.node_pools[0].name",
        "network.aks_subnet_cidr",
        "ingress.class_name",
        "ingress.load_balancer_ip",  # 10.20.3.250 is outside the moved subnet
    ]


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
