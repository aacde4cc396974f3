"""Both stacks' outputs are the allowlist `make outputs` prints from (stacks/outputs.py), and
kubernetes-config's values agree with what the stacks create."""

from __future__ import annotations

import pytest

from config.loader import load_config
from stacks.outputs import OUTPUTS_BY_STACK, instance_type_names, kubernetes_config_output_values
from tests.conftest import EXAMPLE_CONFIGS, FIXTURE_CONFIGS, STACK_NAMES

ALL_CONFIGS = EXAMPLE_CONFIGS + FIXTURE_CONFIGS


@pytest.mark.parametrize("config_path", ALL_CONFIGS, ids=lambda p: p.stem)
def test_instance_type_names_are_the_created_ones(config_path):
    from stacks import construct_props  # props of jsii constructs

    config = load_config(config_path)
    created = [spec.name for spec in construct_props.instance_type_specs(config)] if config.azureml.workspace else []
    assert instance_type_names(config) == created


@pytest.mark.parametrize(
    "config_path", EXAMPLE_CONFIGS + [p for p in FIXTURE_CONFIGS if p.stem.startswith("azureml-")], ids=lambda p: p.stem
)
def test_synthesized_outputs_are_allowlisted_and_not_sensitive(synth, config_path):
    stacks = synth(config_path).stacks
    config = load_config(config_path)
    for stack in STACK_NAMES:
        declared = stacks[stack].get("output", {})
        assert set(declared) <= {spec.name for spec in OUTPUTS_BY_STACK[stack]}
        assert not any(output.get("sensitive") for output in declared.values())
    values = {name: output["value"] for name, output in stacks["kubernetes-config"]["output"].items()}
    assert values == kubernetes_config_output_values(config)
    # Every aks-cluster output, with the allowlist's description (the synthesized JSON sorts keys).
    declared = stacks["aks-cluster"]["output"]
    assert {n: o["description"] for n, o in declared.items()} == {s.name: s.description for s in OUTPUTS_BY_STACK["aks-cluster"]}
