"""App-level wiring: stack names, dependency order, providers, state backends."""

from __future__ import annotations

import json
import re

import pytest

from config.loader import parse_config
from tests.conftest import EXAMPLE_CONFIGS, ROOT


def test_stack_names_and_dependency(default_synth):
    stacks = default_synth.manifest["stacks"]
    assert set(stacks) == {"aks-cluster", "kubernetes-config"}
    assert stacks["kubernetes-config"]["dependencies"] == ["aks-cluster"]
    assert stacks["aks-cluster"]["dependencies"] == []


@pytest.mark.parametrize("config_path", EXAMPLE_CONFIGS, ids=lambda p: p.stem)
def test_no_absolute_machine_paths(synth, config_path):
    result = synth(config_path)
    for name, stack in result.stacks.items():
        text = json.dumps(stack)
        assert str(ROOT) not in text, f"{name} embeds the checkout path"
        assert not re.search(r'"/(tmp|home|root|work)/', text), f"{name} embeds an absolute path"


def test_local_backend_is_relative_and_per_environment(synth_root, standalone_synth):
    local_default = _synth_variant(synth_root, "local-state", {"state": {"backend": "local"}})
    paths = {("default", name): stack["terraform"]["backend"]["local"]["path"] for name, stack in local_default.items()}
    for name, stack in standalone_synth.stacks.items():
        paths[("standalone", name)] = stack["terraform"]["backend"]["local"]["path"]
    assert not any(path.startswith("/") for path in paths.values())
    # From cdktf.out/<name>/stacks/<stack> (config/layout.py) to the same file the layout before
    # per-environment folders used (state/<name>/<stack>.tfstate at the project root).
    assert paths[("default", "aks-cluster")] == "../../../../state/amlprod/aks-cluster.tfstate"
    assert len(set(paths.values())) == 4, "each environment and stack needs its own state file"


def test_production_example_keeps_state_in_azure_storage(default_synth):
    """config/default.yaml is the production shape: its state holds the admin kubeconfig."""
    for stack in default_synth.stacks.values():
        backend = stack["terraform"]["backend"]
        assert set(backend) == {"azurerm"} and backend["azurerm"]["use_azuread_auth"] is True


def test_azurerm_provider_subscription(default_synth):
    for stack in default_synth.stacks.values():
        default_provider = [p for p in stack["provider"]["azurerm"] if "alias" not in p]
        assert len(default_provider) == 1
        # No subscription in config/default.yaml: left to ARM_SUBSCRIPTION_ID at deploy time.
        assert "subscription_id" not in default_provider[0]


def test_hub_provider_targets_hub_subscription(default_synth):
    providers = default_synth.stacks["aks-cluster"]["provider"]["azurerm"]
    hub = [p for p in providers if p.get("alias") == "hub"]
    assert hub and hub[0]["subscription_id"] == "11111111-1111-1111-1111-111111111111"
    hub_to_spoke = [
        r
        for r in default_synth.resources("aks-cluster", "azurerm_virtual_network_peering").values()
        if r["resource_group_name"] == "rg-hub-network"
    ]
    assert hub_to_spoke and hub_to_spoke[0]["provider"] == "azurerm.hub"


def _synth_variant(synth_root, name: str, overrides: dict) -> dict:
    import yaml

    from stacks.app import build_app

    raw = yaml.safe_load((ROOT / "config" / "default.yaml").read_text())
    raw.update(overrides)
    config = parse_config(raw)
    outdir = synth_root / f"variant-{name}"
    build_app(config, config_file="variant", outdir=str(outdir)).synth()
    return {
        stack: json.loads((outdir / "stacks" / stack / "cdk.tf.json").read_text())
        for stack in ("aks-cluster", "kubernetes-config")
    }


def test_azurerm_backend_uses_entra_auth_and_per_stack_keys(synth_root):
    stacks = _synth_variant(
        synth_root,
        "azurerm-backend",
        {
            "subscription_id": "44444444-4444-4444-4444-444444444444",
            "state": {
                "backend": "azurerm",
                "resource_group_name": "rg-tfstate",
                "storage_account_name": "sttfstateprod",
                "container_name": "tfstate",
            },
        },
    )
    keys = set()
    for stack in stacks.values():
        backend = stack["terraform"]["backend"]["azurerm"]
        assert backend["use_azuread_auth"] is True
        assert backend["storage_account_name"] == "sttfstateprod"
        assert "access_key" not in backend and "sas_token" not in backend
        keys.add(backend["key"])
        provider = next(p for p in stack["provider"]["azurerm"] if "alias" not in p)
        assert provider["subscription_id"] == "44444444-4444-4444-4444-444444444444"
    assert keys == {"amlprod/aks-cluster.tfstate", "amlprod/kubernetes-config.tfstate"}
