"""GitOps-mode fixtures: the gitops-* example fixtures, their rendered manifests and their
terraform-mode twins (the same config with kubernetes_config.mode: terraform)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
import yaml

import toolchain
from tests.conftest import FIXTURE_CONFIGS
from toolchain.differences import as_cdktf

GITOPS_CONFIGS = [p for p in FIXTURE_CONFIGS if p.stem.startswith("gitops-")]


@cache
def rendered(config_path: Path):
    from config.loader import load_config
    from stacks.construct_props import gitops_manifests

    return gitops_manifests(load_config(config_path))


def terraform_twin_stacks(config_path: Path, outdir: Path) -> dict[str, dict]:
    """The same config in terraform mode, synthesized like `make synth` does (build_app(...).synth()),
    in the cdktf form the snapshots use: stack name -> document."""
    from config.loader import parse_config
    from stacks.app import build_app
    from tests.conftest import STACK_NAMES

    raw = yaml.safe_load(config_path.read_text())
    raw["kubernetes_config"] = {"mode": "terraform"}
    raw.pop("gitops")
    build_app(parse_config(raw, f"{config_path.name} (terraform mode)"), config_file=config_path.name, outdir=str(outdir)).synth()
    native = {name: json.loads((outdir / "stacks" / name / "cdk.tf.json").read_text()) for name in STACK_NAMES}
    if toolchain.NAME == toolchain.CDKTF:
        return native
    return {name: as_cdktf("stack", doc)[0] for name, doc in native.items()}


@pytest.fixture(scope="session")
def twin_directory(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("terraform-twins")
