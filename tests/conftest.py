"""Shared fixtures: every example config is synthesized once per test session (the jsii import
is the expensive part), with the same code path as `npx cdktf synth` (App.synth into a directory)."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIGS = sorted((ROOT / "config").glob("*.yaml"))
FIXTURE_CONFIGS = sorted((ROOT / "tests" / "fixtures" / "configs").glob("*.yaml"))
STACK_NAMES = ("aks-cluster", "kubernetes-config")

# jsii and the cdktf CLI run on the project's pinned Node 22 (npm package "node").
os.environ["PATH"] = f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}"
os.environ.setdefault("CHECKPOINT_DISABLE", "1")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Synthesized:
    config_path: Path
    outdir: Path
    stacks: dict[str, dict]
    manifest: dict

    def resources(self, stack: str, resource_type: str) -> dict[str, dict]:
        return self.stacks[stack].get("resource", {}).get(resource_type, {})

    def only(self, stack: str, resource_type: str) -> dict:
        found = self.resources(stack, resource_type)
        assert len(found) == 1, f"expected one {resource_type} in {stack}, found {sorted(found)}"
        return next(iter(found.values()))


@cache
def _synth(config_path: Path, outroot: Path) -> Synthesized:
    from config.loader import load_config
    from stacks.app import build_app

    outdir = outroot / f"{config_path.parent.name}-{config_path.stem}"
    build_app(load_config(config_path), config_file=str(config_path.relative_to(ROOT)), outdir=str(outdir)).synth()
    stacks = {name: json.loads((outdir / "stacks" / name / "cdk.tf.json").read_text()) for name in STACK_NAMES}
    return Synthesized(config_path, outdir, stacks, json.loads((outdir / "manifest.json").read_text()))


@pytest.fixture(scope="session")
def synth_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("synth")


@pytest.fixture(scope="session")
def synth(synth_root):
    """synth(path) -> Synthesized, cached per session."""

    def run(config_path: Path) -> Synthesized:
        return _synth(Path(config_path).resolve(), synth_root)

    return run


@pytest.fixture(scope="session")
def default_synth(synth) -> Synthesized:
    return synth(ROOT / "config" / "default.yaml")


@pytest.fixture(scope="session")
def standalone_synth(synth) -> Synthesized:
    return synth(ROOT / "config" / "standalone.yaml")
