"""Snapshots of both synthesized stacks for every example config in config/.

A diff here is a change to what Terraform would plan: review it, then `pytest --snapshot-update`.
"""

from __future__ import annotations

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from tests.conftest import EXAMPLE_CONFIGS, STACK_NAMES


@pytest.fixture
def snapshot_json(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize("stack", STACK_NAMES)
@pytest.mark.parametrize("config_path", EXAMPLE_CONFIGS, ids=lambda p: p.stem)
def test_stack_matches_snapshot(synth, config_path, stack, snapshot_json):
    assert synth(config_path).stacks[stack] == snapshot_json


def test_example_configs_exist():
    assert {p.name for p in EXAMPLE_CONFIGS} >= {"default.yaml", "standalone.yaml"}
