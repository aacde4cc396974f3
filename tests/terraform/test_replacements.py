"""Real plans from an applied state: benign config edits update in place ("0 to destroy"),
destructive ones replace, and `protect` makes Terraform refuse the replacement.

The default config's aks-cluster stack is applied once against the stand-ins; each edited config
is synthesized and planned against that state. The stand-in marks as RequiresReplace what the
real providers force new (tools/terraform_standin/replacement.py names the sources)."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tools.terraform_standin import mirror, schema
from tools.terraform_standin.replacement import RULES

CONFIG = ROOT / "config" / "default.yaml"
STACK = "aks-cluster"


@pytest.fixture(scope="module")
def applied(synth, standin_mirror, tmp_path_factory):
    """A workspace holding the applied state of config/default.yaml's aks-cluster stack."""
    workspace_dir = tmp_path_factory.mktemp("replacements") / STACK
    workspace = mirror.Workspace.from_stack(synth(CONFIG).outdir / "stacks" / STACK, workspace_dir, standin_mirror)
    workspace.init()
    assert workspace.plan().ok
    workspace.apply_plan()
    return workspace


@pytest.fixture(scope="module")
def plan_edit(applied, tmp_path_factory) -> Callable[[Callable[[dict], None]], dict[str, Any]]:
    """plan_edit(edit) -> {"ok", "actions": {address: actions}, "replace": {address: paths},
    "errors": [summaries]} for the default config after ``edit(config dict)``."""
    from config.loader import load_config
    from stacks.app import build_app

    baseline = yaml.safe_load(CONFIG.read_text())

    def run(edit: Callable[[dict], None]) -> dict[str, Any]:
        edited = copy.deepcopy(baseline)
        edit(edited)
        scratch = tmp_path_factory.mktemp("edit")
        (scratch / "config.yaml").write_text(yaml.safe_dump(edited))
        build_app(load_config(scratch / "config.yaml"), config_file="config.yaml", outdir=str(scratch / "out")).synth()
        shutil.copy(scratch / "out" / "stacks" / STACK / "cdk.tf.json", applied.directory / "cdk.tf.json")
        plan = applied.plan()
        result = {"ok": plan.ok, "errors": plan.summaries("error"), "diagnostics": plan.diagnostics, "actions": {}, "replace": {}}
        if plan.ok:
            for change in applied.show_plan()["resource_changes"]:
                result["actions"][change["address"]] = change["change"]["actions"]
                if "replace_paths" in change["change"]:
                    result["replace"][change["address"]] = change["change"]["replace_paths"]
        return result

    return run


def _set(path: str, value: Any) -> Callable[[dict], None]:
    def edit(config: dict) -> None:
        *parents, leaf = path.split(".")
        target = config
        for key in parents:
            target = target[int(key)] if key.isdigit() else target.setdefault(key, {})
        target[leaf] = value

    edit.__name__ = f"{path}={value}"
    return edit


def _both(*edits: Callable[[dict], None]) -> Callable[[dict], None]:
    def edit(config: dict) -> None:
        for one in edits:
            one(config)

    edit.__name__ = " & ".join(e.__name__ for e in edits)
    return edit


# (edit, whether it changes anything: kubernetes_version is ignored after creation)
BENIGN = [
    (_both(_set("cluster.node_pools.0.min_count", 4), _set("cluster.node_pools.0.max_count", 12)), True),
    (_both(_set("cluster.system_pool.min_count", 4), _set("cluster.system_pool.max_count", 6)), True),
    (_set("cluster.node_pools.0.vm_size", "Standard_D16ds_v5"), True),
    (_set("tags", {"costcenter": "ml-platform"}), True),
    (_set("cluster.kubernetes_version", "1.34"), False),
]
DESTRUCTIVE = [
    _both(_set("network.service_cidr", "172.17.0.0/16"), _set("network.dns_service_ip", "172.17.0.10")),
    _set("cluster.system_pool.name", "sysnew"),
]


@pytest.mark.parametrize(("edit", "changes"), BENIGN, ids=[edit.__name__ for edit, _ in BENIGN])
def test_benign_edit_plans_nothing_to_destroy(plan_edit, edit, changes):
    result = plan_edit(edit)
    assert result["ok"], result["diagnostics"]
    destroyed = {address: actions for address, actions in result["actions"].items() if "delete" in actions}
    assert not destroyed, f"0 to destroy expected: {destroyed} (replace paths {result['replace']})"
    updated = sorted(address for address, actions in result["actions"].items() if actions == ["update"])
    # Not silently dropped either: counts and VM size update the pools, tags the tagged resources.
    assert bool(updated) == changes, updated


@pytest.mark.parametrize("edit", DESTRUCTIVE, ids=lambda e: e.__name__)
def test_destructive_edit_is_refused_while_protected(plan_edit, edit):
    result = plan_edit(edit)
    assert not result["ok"]
    assert "Instance cannot be destroyed" in result["errors"], result["errors"]


@pytest.mark.parametrize("edit", DESTRUCTIVE, ids=lambda e: e.__name__)
def test_destructive_edit_replaces_the_cluster_when_unprotected(plan_edit, edit):
    result = plan_edit(_both(edit, _set("protect", False)))
    assert result["ok"], result["diagnostics"]
    replaced = {a for a, actions in result["actions"].items() if "delete" in actions and "create" in actions}
    assert any(a.startswith("azurerm_kubernetes_cluster.") for a in replaced), result["actions"]


def test_every_rule_names_an_argument_of_the_vendored_schema():
    providers = schema.providers()
    missing = []
    for (provider, type_name), rules in RULES.items():
        entry = schema.entry(providers[provider].schema_file, schema.RESOURCE, type_name)
        if entry is None:
            missing.append(type_name)
            continue
        for rule in rules:
            block = entry["block"]
            for depth, name in enumerate(rule.path):
                if name in block.get("attributes", {}) and depth == len(rule.path) - 1:
                    break
                if name not in block.get("block_types", {}):
                    missing.append(f"{type_name}.{'.'.join(rule.path)}")
                    break
                block = block["block_types"][name]["block"]
    assert not missing, json.dumps(missing, indent=2)
