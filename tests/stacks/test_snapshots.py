"""Snapshots of both synthesized stacks for every example config in config/, and for the fixtures
of GitOps mode (gitops-*), of the Azure ML workspace integration (azureml-*) and of bring your own
cluster (existing-cluster-*).

A diff here is a change to what Terraform would plan: review it, then `pytest --snapshot-update`.

One snapshot set for both toolchains: under `TOOLCHAIN=cdktn` the stacks are compared in the cdktf
form (``Synthesized.stacks``: the cdktn output mapped back through toolchain/differences.py, which
fails on any difference it does not list). Snapshots are only ever written by the default toolchain.
"""

from __future__ import annotations

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

import toolchain
from tests.conftest import EXAMPLE_CONFIGS, FIXTURE_CONFIGS, STACK_NAMES

SNAPSHOT_CONFIGS = EXAMPLE_CONFIGS + [
    p for p in FIXTURE_CONFIGS if p.stem.startswith(("gitops-", "azureml-", "existing-cluster-"))
]


@pytest.fixture
def snapshot_json(snapshot, request):
    if request.config.option.update_snapshots and toolchain.NAME != toolchain.DEFAULT:
        pytest.fail(f"snapshots are written by the default toolchain ({toolchain.DEFAULT}), not {toolchain.NAME}")
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize("stack", STACK_NAMES)
@pytest.mark.parametrize("config_path", SNAPSHOT_CONFIGS, ids=lambda p: p.stem)
def test_stack_matches_snapshot(synth, config_path, stack, snapshot_json):
    assert synth(config_path).stacks[stack] == snapshot_json


def test_example_configs_exist():
    assert {p.name for p in EXAMPLE_CONFIGS} >= {"default.yaml", "standalone.yaml"}
