"""The vCPU quota `make validate` reports: counted from the pools' VM sizes and counts."""

from __future__ import annotations

import subprocess
import sys

import pytest

from config.loader import load_config
from config.quota import series, vcpu_needs, vcpus
from tests.conftest import FIXTURE_CONFIGS, ROOT


@pytest.mark.parametrize(
    ("size", "count", "family"),
    [
        ("Standard_D4ds_v5", 4, "Dds_v5"),
        ("Standard_D8ds_v5", 8, "Dds_v5"),
        ("Standard_NC24ads_A100_v4", 24, "NCads_A100_v4"),
        ("Standard_E16-4ds_v5", 16, "Eds_v5"),
        ("Standard_M128ms", 128, "Mms"),
        ("Standard_F2s_v2", 2, "Fs_v2"),
    ],
)
def test_vcpus_and_series_from_the_size_name(size, count, family):
    assert (vcpus(size), series(size)) == (count, family)


def test_gpu_fixture_needs_counted_per_series():
    config = load_config(next(p for p in FIXTURE_CONFIGS if p.stem == "gpu-loadbalancer-router"))
    needs = {n.series: (n.at_creation, n.at_maximum) for n in vcpu_needs(config)}
    # system 3-5 x 4, mlcpu 3-6 x 8, batch 0-4 x 4 (Dds_v5); mlgpu 0-2 x 24 (NCads_A100_v4)
    assert needs == {"Dds_v5": (3 * 4 + 3 * 8, 5 * 4 + 6 * 8 + 4 * 4), "NCads_A100_v4": (0, 2 * 24)}


def test_make_validate_prints_the_quota():
    completed = subprocess.run(
        [sys.executable, "-m", "config.validate", "config/default.yaml"], cwd=ROOT, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr
    assert "vCPU quota needed in westeurope: 36 to create the cluster" in completed.stdout
