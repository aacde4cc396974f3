"""cdktf 0.21 and CDK Terrain 0.24 synthesize the same Terraform for every shipped config.

For each config in config/ and tests/fixtures/configs/ (globbed, so new ones are covered) this
session's toolchain synthesizes in-process (the ``synth`` fixture) and the other toolchain's
virtualenv synthesizes all configs in one subprocess (``python -m toolchain.synth_configs``).
Then, per stack: the same resource, data source, output and provider addresses, and
``as_cdktf(cdktn) == cdktf`` exactly, i.e. every attribute value is equal except the differences
listed, with their reason and replace/no-replace verdict, in toolchain/differences.py.

Needs both environments: skipped with a reason when the other one is not installed, except in CI
(``CI`` set), where .ci/run installs it and its absence fails the suite.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import toolchain
from tests.conftest import EXAMPLE_CONFIGS, FIXTURE_CONFIGS, ROOT, STACK_NAMES
from toolchain.differences import DIFFERENCES, as_cdktf, missing_explicit_defaults
from toolchain.synth_configs import outdir_for

CONFIGS = [*EXAMPLE_CONFIGS, *FIXTURE_CONFIGS]
OTHER = toolchain.CDKTN if toolchain.NAME == toolchain.CDKTF else toolchain.CDKTF

pytestmark = [pytest.mark.slow, pytest.mark.spawns_jsii]


def config_id(path: Path) -> str:
    return str(path.relative_to(ROOT).with_suffix(""))


@pytest.fixture(scope="session")
def other_synth_root(other_toolchain_synth) -> Path:
    if other_toolchain_synth.root is None:
        if os.environ.get("CI"):
            pytest.fail(f"{other_toolchain_synth.problem}: CI must install it before `make test` (.ci/run: make setup-{OTHER})")
        pytest.skip(f"{other_toolchain_synth.problem}: `make setup-{OTHER}` to run the toolchain equivalence test")
    return other_toolchain_synth.root


def documents(synth, other_synth_root: Path, config_path: Path, kind: str, stack: str = "") -> dict[str, Any]:
    """{"cdktf": document, "cdktn": document}, each exactly as that toolchain wrote it."""
    here = synth(config_path)
    relative = Path("stacks", stack, "cdk.tf.json") if kind == "stack" else Path("manifest.json")
    own = (here.outdir / relative).read_text()
    other = (outdir_for(other_synth_root, config_path.resolve()) / relative).read_text()
    return {toolchain.NAME: json.loads(own), OTHER: json.loads(other)}


def addresses(doc: dict) -> set[str]:
    found = {f"{t}.{n}" for t, items in doc.get("resource", {}).items() for n in items}
    found |= {f"data.{t}.{n}" for t, items in doc.get("data", {}).items() for n in items}
    found |= {f"output.{n}" for n in doc.get("output", {})}
    found |= {f"provider.{p}.{c.get('alias', '')}" for p, configs in doc.get("provider", {}).items() for c in configs}
    return found


def describe(cdktf: Any, mapped: Any, path: str = "") -> list[str]:
    """Where two JSON values differ, one line per place."""
    if isinstance(cdktf, dict) and isinstance(mapped, dict):
        lines = []
        for key in sorted(cdktf.keys() | mapped.keys()):
            where = f"{path}.{key}" if path else key
            if key not in mapped:
                lines.append(f"{where}: only in cdktf: {json.dumps(cdktf[key])[:200]}")
            elif key not in cdktf:
                lines.append(f"{where}: only in cdktn: {json.dumps(mapped[key])[:200]}")
            else:
                lines += describe(cdktf[key], mapped[key], where)
        return lines
    if isinstance(cdktf, list) and isinstance(mapped, list) and len(cdktf) == len(mapped):
        return [line for i, (a, b) in enumerate(zip(cdktf, mapped, strict=True)) for line in describe(a, b, f"{path}[{i}]")]
    if cdktf != mapped:
        return [f"{path}: cdktf {json.dumps(cdktf)[:200]} != cdktn {json.dumps(mapped)[:200]}"]
    return []


@pytest.mark.parametrize("stack", STACK_NAMES)
@pytest.mark.parametrize("config_path", CONFIGS, ids=config_id)
def test_same_addresses_and_attribute_values(synth, other_synth_root, config_path, stack):
    docs = documents(synth, other_synth_root, config_path, "stack", stack)
    assert addresses(docs["cdktn"]) == addresses(docs["cdktf"])
    mapped, _ = as_cdktf("stack", docs["cdktn"])
    unexplained = describe(docs["cdktf"], mapped)
    assert not unexplained, "differences not listed in toolchain/differences.py:\n" + "\n".join(unexplained)


@pytest.mark.parametrize("config_path", CONFIGS, ids=config_id)
def test_same_manifest(synth, other_synth_root, config_path):
    docs = documents(synth, other_synth_root, config_path, "manifest")
    mapped, _ = as_cdktf("manifest", docs["cdktn"])
    assert not describe(docs["cdktf"], mapped)


@pytest.mark.parametrize("stack", STACK_NAMES)
@pytest.mark.parametrize("config_path", CONFIGS, ids=config_id)
def test_arguments_whose_default_differs_are_explicit(synth, other_synth_root, config_path, stack):
    """Identical JSON is identical behaviour only where no provider default changed between majors."""
    docs = documents(synth, other_synth_root, config_path, "stack", stack)
    assert missing_explicit_defaults(docs["cdktf"]) == []
    assert missing_explicit_defaults(docs["cdktn"]) == []


def test_every_listed_difference_still_occurs(synth, other_synth_root):
    """A listed difference that no shipped config produces any more is stale: remove it."""
    used: set[str] = set()
    for config_path in CONFIGS:
        used |= as_cdktf("manifest", documents(synth, other_synth_root, config_path, "manifest")["cdktn"])[1]
        for stack in STACK_NAMES:
            used |= as_cdktf("stack", documents(synth, other_synth_root, config_path, "stack", stack)["cdktn"])[1]
    assert {d.id for d in DIFFERENCES} - used == set()
