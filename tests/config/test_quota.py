"""The vCPU quota `make validate` reports: per quota family from the catalogue, never from the name."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from config.loader import load_config, parse_config
from config.quota import describe, series, vcpu_needs, vcpus
from tests.conftest import FIXTURE_CONFIGS, ROOT


@pytest.mark.parametrize(
    ("size", "count", "family"),
    [
        ("Standard_D4ds_v5", 4, "standardDDSv5Family"),
        ("Standard_D8ds_v5", 8, "standardDDSv5Family"),
        ("Standard_NC24ads_A100_v4", 24, "StandardNCADSA100v4Family"),
        ("Standard_NC16as_T4_v3", 16, "Standard NCASv3_T4 Family"),
        ("Standard_F2s_v2", 2, "standardFSv2Family"),
        # Misspelled or uncatalogued: no family of its own, not counted.
        ("Standard_NC24ads_A100v4", None, None),
        ("Standard_M128ms", None, None),
    ],
)
def test_vcpus_and_family_from_the_catalogue(size, count, family):
    assert (vcpus(size), series(size)) == (count, family)


def test_uncatalogued_size_is_listed_not_counted():
    raw = yaml.safe_load((ROOT / "config" / "default.yaml").read_text())
    raw["cluster"]["node_pools"][0] |= {"vm_size": "Standard_M128ms", "acknowledge_uncatalogued_vm_size": True}
    config = parse_config(raw)
    assert {n.series for n in vcpu_needs(config)} == {"standardDDSv5Family"}
    assert "not counted (not in catalog/vm_sizes.py): Standard_M128ms" in describe(config)


def test_gpu_fixture_needs_counted_per_series():
    config = load_config(next(p for p in FIXTURE_CONFIGS if p.stem == "gpu-loadbalancer-router"))
    needs = {n.series: (n.at_creation, n.at_maximum) for n in vcpu_needs(config)}
    # system 3-5 x 4, mlcpu 3-6 x 8, batch 0-4 x 4 (Ddsv5); mlgpu 0-2 x 24 (NC A100 v4)
    assert needs == {
        "standardDDSv5Family": (3 * 4 + 3 * 8, 5 * 4 + 6 * 8 + 4 * 4),
        "StandardNCADSA100v4Family": (0, 2 * 24),
    }


def test_make_validate_prints_the_quota():
    completed = subprocess.run(
        [sys.executable, "-m", "config.validate", "config/default.yaml"], cwd=ROOT, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr
    assert "vCPU quota needed in westeurope: 36 to create the cluster" in completed.stdout
    # The per-pool table: size, allocatable, the largest instance type, the quota it needs.
    mlcpu = next(line for line in completed.stdout.splitlines() if line.startswith("mlcpu "))
    assert mlcpu.split() == [
        "mlcpu",
        "Standard_D8ds_v5",
        "8",
        "/",
        "32Gi",
        "/",
        "-",
        "7810m",
        "CPU,",
        "29.6Gi",
        "memory",
        "requests",
        "cpu",
        "7810m,",
        "memory",
        "30318Mi",
        "standardDDSv5Family",
        "24-80",
    ]
