"""GPU pools and the ForceNew ``gpu_driver`` (azurerm 4.55.0 kubernetes_cluster_node_pool_resource.go;
rule in tools/terraform_standin/replacement.py): from the applied state of the A100 fixture, a
changed driver mode replaces the pool (refused under ``protect``), while scaling and the
driver-neutral edits plan in place. An existing GPU pool without ``gpu_driver`` therefore keeps it
unset: the configs' default writes no attribute (tests/stacks checks the synthesized JSON)."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tools.terraform_standin import mirror
from tools.terraform_standin.replacement import RULES

CONFIG = ROOT / "tests" / "fixtures" / "configs" / "gpu-a100-from-zero.yaml"
STACK = "aks-cluster"
GPU_POOL = "azurerm_kubernetes_cluster_node_pool.aks_node_pool_mla100_"


def test_gpu_driver_is_a_replacement_rule():
    paths = {rule.path for rule in RULES[("azurerm", "azurerm_kubernetes_cluster_node_pool")]}
    assert ("gpu_driver",) in paths


@pytest.fixture(scope="module")
def plan_gpu_edit(synth, standin_mirror, tmp_path_factory) -> Callable[[Callable[[dict], None]], dict[str, Any]]:
    from config.loader import load_config
    from stacks.app import build_app

    workspace_dir = tmp_path_factory.mktemp("gpu-replacements") / STACK
    applied = mirror.Workspace.from_stack(synth(CONFIG).outdir / "stacks" / STACK, workspace_dir, standin_mirror)
    applied.init()
    assert applied.plan().ok
    applied.apply_plan()
    baseline = yaml.safe_load(CONFIG.read_text())

    def run(edit: Callable[[dict], None]) -> dict[str, Any]:
        edited = copy.deepcopy(baseline)
        edit(edited)
        scratch = tmp_path_factory.mktemp("gpu-edit")
        (scratch / "config.yaml").write_text(yaml.safe_dump(edited))
        build_app(load_config(scratch / "config.yaml"), config_file="config.yaml", outdir=str(scratch / "out")).synth()
        shutil.copy(scratch / "out" / "stacks" / STACK / "cdk.tf.json", applied.directory / "cdk.tf.json")
        plan = applied.plan()
        actions = {}
        if plan.ok:
            actions = {c["address"]: c["change"]["actions"] for c in applied.show_plan()["resource_changes"]}
        return {"ok": plan.ok, "errors": plan.summaries("error"), "diagnostics": plan.diagnostics, "actions": actions}

    return run


def _gpu_pool(config: dict) -> dict:
    return next(p for p in config["cluster"]["node_pools"] if p["name"] == "mla100")


def _driver(value: str) -> Callable[[dict], None]:
    def edit(config: dict) -> None:
        _gpu_pool(config)["gpu_driver"] = value

    return edit


def _scale(config: dict) -> None:
    _gpu_pool(config)["max_count"] = 6


def _pool_actions(result: dict) -> list[str]:
    return next(actions for address, actions in result["actions"].items() if address.startswith(GPU_POOL))


def test_scaling_a_gpu_pool_updates_it_in_place(plan_gpu_edit):
    result = plan_gpu_edit(_scale)
    assert result["ok"], result["diagnostics"]
    assert _pool_actions(result) == ["update"]


def test_changing_the_driver_mode_is_refused_while_protected(plan_gpu_edit):
    result = plan_gpu_edit(_driver("none"))
    assert not result["ok"]
    assert "Instance cannot be destroyed" in result["errors"], result["errors"]


def test_changing_the_driver_mode_replaces_the_pool_when_unprotected(plan_gpu_edit):
    def edit(config: dict) -> None:
        _driver("none")(config)
        config["protect"] = False

    result = plan_gpu_edit(edit)
    assert result["ok"], result["diagnostics"]
    assert _pool_actions(result) == ["delete", "create"]
