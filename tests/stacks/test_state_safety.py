"""State safety: resource addresses are part of users' state. A changed address makes Terraform
destroy and recreate the resource, so every address of every example config is checked in
(resource_addresses.json) and compared here.

After an intentional change, regenerate and review the diff:
    .venv/bin/python -m tests.stacks.test_state_safety
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLE_CONFIGS, ROOT, STACK_NAMES

ADDRESSES_FILE = Path(__file__).with_name("resource_addresses.json")
PROTECTED_TYPES = (
    "azurerm_kubernetes_cluster",
    "azurerm_kubernetes_cluster_node_pool",
    "azurerm_virtual_network",
    "azurerm_log_analytics_workspace",
)


def addresses(stacks: dict[str, dict]) -> dict[str, list[str]]:
    result = {}
    for name in STACK_NAMES:
        stack = stacks[name]
        found = [f"{t}.{n}" for t, items in stack.get("resource", {}).items() for n in items]
        found += [f"data.{t}.{n}" for t, items in stack.get("data", {}).items() for n in items]
        result[name] = sorted(found)
    return result


@pytest.mark.parametrize("config_path", EXAMPLE_CONFIGS, ids=lambda p: p.stem)
def test_addresses_unchanged(synth, config_path):
    expected = json.loads(ADDRESSES_FILE.read_text())
    assert config_path.name in expected, f"{config_path.name} has no checked-in addresses: regenerate (see module doc)"
    actual = addresses(synth(config_path).stacks)
    for stack in STACK_NAMES:
        removed = sorted(set(expected[config_path.name][stack]) - set(actual[stack]))
        added = sorted(set(actual[stack]) - set(expected[config_path.name][stack]))
        assert not removed and not added, (
            f"{config_path.name}/{stack}: addresses changed; Terraform would destroy {removed} and create {added}"
        )


def _variant(synth_root, name: str, edit) -> dict[str, dict]:
    return variant_of("default.yaml", synth_root, name, edit)


def variant_of(config_name: str, synth_root, name: str, edit) -> dict[str, dict]:
    """Both stacks of config/<config_name> after ``edit(raw)``, synthesized in-process."""
    from config.loader import parse_config
    from stacks.app import build_app

    raw = yaml.safe_load((ROOT / "config" / config_name).read_text())
    edit(raw)
    outdir = synth_root / f"benign-{name}"
    build_app(parse_config(copy.deepcopy(raw)), config_file="variant", outdir=str(outdir)).synth()
    return {s: json.loads((outdir / "stacks" / s / "cdk.tf.json").read_text()) for s in STACK_NAMES}


def _node_counts(raw):
    raw["cluster"]["system_pool"].update(min_count=4, max_count=8)
    raw["cluster"]["node_pools"][0].update(min_count=5, max_count=20)


def _user_pool_vm_size(raw):
    raw["cluster"]["node_pools"][0]["vm_size"] = "Standard_D16ds_v5"


def _tags(raw):
    raw["tags"] = {**raw["tags"], "cost-center": "ml-platform", "environment": "prod"}


@pytest.mark.parametrize("edit", [_node_counts, _user_pool_vm_size, _tags], ids=lambda f: f.__name__.strip("_"))
def test_benign_edits_keep_every_address(synth_root, default_synth, edit):
    edited = _variant(synth_root, edit.__name__, edit)
    assert addresses(edited) == addresses(default_synth.stacks)


def test_benign_edit_really_changed_something(synth_root, default_synth):
    edited = _variant(synth_root, "vm-size-check", _user_pool_vm_size)
    pool = next(iter(edited["aks-cluster"]["resource"]["azurerm_kubernetes_cluster_node_pool"].values()))
    assert pool["vm_size"] == "Standard_D16ds_v5"


def _protected(stacks: dict) -> dict[str, bool]:
    resources = stacks["aks-cluster"]["resource"]
    return {
        f"{t}.{n}": bool(r.get("lifecycle", {}).get("prevent_destroy"))
        for t in PROTECTED_TYPES
        for n, r in resources.get(t, {}).items()
    }


def test_protect_sets_prevent_destroy(default_synth, standalone_synth):
    protected = _protected(default_synth.stacks)
    assert {a.split(".")[0] for a in protected} >= {
        "azurerm_kubernetes_cluster",
        "azurerm_kubernetes_cluster_node_pool",
        "azurerm_virtual_network",
    }
    assert all(protected.values()), protected
    unprotected = _protected(standalone_synth.stacks)  # protect: false
    assert "azurerm_log_analytics_workspace" in {a.split(".")[0] for a in unprotected}
    assert not any(unprotected.values()), unprotected


def test_protect_covers_created_workspace(synth_root):
    def own_workspace(raw):
        raw["monitoring"] = {"retention_days": 90}

    stacks = _variant(synth_root, "own-workspace", own_workspace)
    protected = _protected(stacks)
    assert any(a.startswith("azurerm_log_analytics_workspace.") for a in protected)
    assert all(protected.values())


def regenerate() -> None:
    import os
    import tempfile

    from config.loader import load_config
    from stacks.app import build_app

    os.environ["PATH"] = f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}"
    result = {}
    with tempfile.TemporaryDirectory() as out:
        for config_path in EXAMPLE_CONFIGS:
            outdir = Path(out) / config_path.stem
            build_app(load_config(config_path), config_file=config_path.name, outdir=str(outdir)).synth()
            stacks = {s: json.loads((outdir / "stacks" / s / "cdk.tf.json").read_text()) for s in STACK_NAMES}
            result[config_path.name] = addresses(stacks)
    ADDRESSES_FILE.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    print(f"wrote {ADDRESSES_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    regenerate()
