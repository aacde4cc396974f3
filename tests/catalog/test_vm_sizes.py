"""The VM size catalogue: every size the project's configs and README name is in it, each entry
is internally consistent and names its source."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
import yaml

from catalog.vm_sizes import VM_SIZES, lookup
from tests.conftest import FIXTURE_CONFIGS, ROOT

SIZE = re.compile(r"Standard_[A-Za-z0-9_]+")


def _sizes_in_configs() -> set[str]:
    sizes = set()
    for path in [*sorted((ROOT / "config").glob("*.yaml")), *FIXTURE_CONFIGS]:
        raw = yaml.safe_load(path.read_text())
        cluster = raw.get("cluster", {})
        sizes.add(cluster.get("system_pool", {}).get("vm_size", "Standard_D4ds_v5"))
        sizes.update(p["vm_size"] for p in cluster.get("node_pools", []))
    return sizes


def test_every_size_in_configs_and_readme_is_catalogued():
    readme = set(SIZE.findall((ROOT / "README.md").read_text()))
    missing = sorted(s for s in _sizes_in_configs() | readme if lookup(s) is None)
    assert not missing


@pytest.mark.parametrize(
    "series_prefix",
    [
        "Standard_D",
        "Standard_E",
        "Standard_F",
        "Standard_NC24ads_A100",
        "Standard_NC40ads_H100",
        "Standard_NC4as_T4",
        "Standard_NV6ads_A10",
        "Standard_ND96isr_H100",
    ],
)
def test_the_families_ml_users_pick_are_covered(series_prefix):
    assert any(name.startswith(series_prefix) for name in VM_SIZES)


def test_entries_are_consistent():
    for name, size in VM_SIZES.items():
        assert name == size.name and SIZE.fullmatch(name)
        assert size.vcpus > 0 and size.memory_gib > 0
        assert "Learn size page" in size.source and "known_skus.yaml" in size.source
        assert " " not in size.quota_family or size.quota_family == "Standard NCASv3_T4 Family"
        assert size.quota_family.lower().endswith("family")
        if size.gpu:
            assert size.gpu.driver == ("GRID" if size.gpu.fractional or name.startswith("Standard_NV") else "CUDA")


def test_fractional_gpus_are_flagged():
    nv6 = VM_SIZES["Standard_NV6ads_A10_v5"]
    assert nv6.gpu and nv6.gpu.fractional and nv6.gpu.count == Fraction(1, 6) and nv6.gpu.driver == "GRID"
    assert nv6.gpus == 1  # one vGPU device
    assert not VM_SIZES["Standard_NC24ads_A100_v4"].gpu.fractional


def test_ephemeral_os_disk_placement():
    assert VM_SIZES["Standard_D2ds_v5"].ephemeral_os_disk_max_gib == 75
    assert VM_SIZES["Standard_NC24ads_A100_v4"].ephemeral_os_disk_max_gib == 894  # NVMe (SKU dump)
    assert VM_SIZES["Standard_E8ds_v6"].ephemeral_os_disk_max_gib == 0  # Learn: not supported


def test_lookup_is_case_insensitive_and_rejects_misspellings():
    assert lookup("standard_d8ds_v5") is VM_SIZES["Standard_D8ds_v5"]
    assert lookup("Standard_NC24ads_A100v4") is None
