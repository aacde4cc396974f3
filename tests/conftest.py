"""Shared fixtures: every example config is synthesized once per test session (the jsii import
is the expensive part), with the same code path as `npx cdktf synth` (App.synth into a directory).

Toolchain: the session runs on whichever toolchain the interpreter selects (``toolchain.NAME``;
`make test` uses .venv and cdktf, `TOOLCHAIN=cdktn make test` uses .venv-cdktn). Under cdktn,
``Synthesized.stacks`` holds the output mapped back to the cdktf form through the listed
differences (toolchain/differences.py, strict), so every property and snapshot test checks the
same documents under both; ``Synthesized.native`` and the files in ``outdir`` are what the
toolchain itself wrote. Tests that only make sense on cdktf use ``requires_cdktf_toolchain``."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

import toolchain
from toolchain.differences import as_cdktf

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIGS = sorted((ROOT / "config").glob("*.yaml"))
FIXTURE_CONFIGS = sorted((ROOT / "tests" / "fixtures" / "configs").glob("*.yaml"))
STACK_NAMES = ("aks-cluster", "kubernetes-config")
# What a workspace attached behind a hub must state (config/checks/egress.py): its id GUID, storage
# account and container registry.
_ML_GROUP = "/subscriptions/44444444-4444-4444-4444-444444444444/resourceGroups/rg-ml/providers"
WORKSPACE_DETAILS = {
    "workspace_guid": "66666666-6666-6666-6666-666666666666",
    "storage_account_id": f"{_ML_GROUP}/Microsoft.Storage/storageAccounts/stmlprod",
    "container_registry_id": f"{_ML_GROUP}/Microsoft.ContainerRegistry/registries/crmlprod",
}

# jsii and the CLI run on the toolchain's pinned Node 22 (npm package "node"): node_modules/.bin
# for cdktf, toolchains/cdktn/node_modules/.bin for cdktn.
TOOLCHAIN_ENV = toolchain.ENVIRONMENTS[toolchain.NAME]
os.environ["PATH"] = f"{TOOLCHAIN_ENV.node_bin}{os.pathsep}{os.environ['PATH']}"
os.environ.setdefault("CHECKPOINT_DISABLE", "1")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# For tests that only hold for the default toolchain's output (Terraform validate/plan against the
# azurerm 4.55 / kubernetes 2.38 / helm 3.1.1 schemas): `pytestmark = requires_cdktf_toolchain`.
requires_cdktf_toolchain = pytest.mark.skipif(
    toolchain.NAME != toolchain.CDKTF,
    reason=f"checks cdktf 0.21 output (azurerm 4.55 / kubernetes 2.38 schemas); running on {toolchain.NAME}",
)


@dataclass(frozen=True)
class Synthesized:
    config_path: Path
    outdir: Path
    stacks: dict[str, dict]  # in the cdktf form under either toolchain (see the module docstring)
    manifest: dict
    native: dict[str, dict]  # the stacks exactly as this toolchain wrote them

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
    native = {name: json.loads((outdir / "stacks" / name / "cdk.tf.json").read_text()) for name in STACK_NAMES}
    manifest = json.loads((outdir / "manifest.json").read_text())
    if toolchain.NAME == toolchain.CDKTF:
        return Synthesized(config_path, outdir, native, manifest, native)
    stacks = {name: as_cdktf("stack", doc)[0] for name, doc in native.items()}
    return Synthesized(config_path, outdir, stacks, as_cdktf("manifest", manifest)[0], native)


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
