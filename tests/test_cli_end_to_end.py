"""The real CLI path users run, on the default config with no AKS_CONFIG set, with `make synth`'s
command for the session's toolchain (tests/conftest.py ``CLI_SYNTH``), in a scratch copy of the
project so the checkout's cdktf.out is not touched."""

from __future__ import annotations

import json

import pytest

from config.layout import STACK_NAMES

# The fixture starts a CLI synth, a jsii process of its own (tests/conftest.py groups those).
pytestmark = [pytest.mark.slow, pytest.mark.spawns_jsii]

EXAMPLE_NAME = "amlprod"  # config/default.yaml


def without_guard(document: dict) -> dict:
    """The document minus what only a CLI synth of the example adds (stacks/common.py)."""
    stripped = json.loads(json.dumps(document))
    del stripped["output"]["example_config_guard"]
    del stripped["locals"]["deployable"]
    if not stripped["locals"]:
        del stripped["locals"]
    if not stripped["output"]:
        del stripped["output"]
    metadata = stripped["//"]
    assert metadata["metadata"].pop("overrides") == {"output": ["precondition"]}
    [outputs] = metadata["outputs"].values()
    del outputs["example_config_guard"]
    if not outputs:
        metadata["outputs"] = {}  # how cdktf writes a stack without outputs
    return stripped


def test_cli_synth_writes_the_deployments_own_folder(cli_default_synth, default_synth):
    completed = cli_default_synth.completed
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "end-of-life" not in completed.stdout + completed.stderr
    out = cli_default_synth.project / "cdktf.out"
    assert not (out / "stacks").exists(), "stacks belong in cdktf.out/<name>/, not in the shared cdktf.out/stacks"
    for stack in STACK_NAMES:
        written = json.loads((out / EXAMPLE_NAME / "stacks" / stack / "cdk.tf.json").read_text())
        # Same document as the in-process synth that the snapshots cover, plus the example's guard.
        assert without_guard(written) == default_synth.native[stack]


def test_cli_manifest_points_at_the_deployments_folder(cli_default_synth):
    manifest = json.loads((cli_default_synth.project / "cdktf.out" / "manifest.json").read_text())
    for stack in STACK_NAMES:
        entry = manifest["stacks"][stack]
        assert entry["workingDirectory"] == f"{EXAMPLE_NAME}/stacks/{stack}"
        assert entry["synthesizedStackPath"] == f"{EXAMPLE_NAME}/stacks/{stack}/cdk.tf.json"
    # The deployment's own manifest (for --output cdktf.out/<name>) keeps cdktf's relative paths.
    own = json.loads((cli_default_synth.project / "cdktf.out" / EXAMPLE_NAME / "manifest.json").read_text())
    assert own["stacks"]["aks-cluster"]["workingDirectory"] == "stacks/aks-cluster"


def test_cli_synth_prints_the_banner_once(cli_default_synth):
    log = cli_default_synth.completed.stdout
    assert log.count("deployment    amlprod (westeurope)") == 1, log
    for line in (
        "config        config/default.yaml (no AKS_CONFIG set: the example)",
        "subscription  from ARM_SUBSCRIPTION_ID at deploy time",
        "state         aks-cluster: amlprod/aks-cluster.tfstate",
        "state         kubernetes-config: amlprod/kubernetes-config.tfstate",
        "output        cdktf.out/amlprod",
        "deploy        refused: no config was named",
    ):
        assert line in log, log
    assert "\x1b[" not in log, "a log must carry no terminal control sequences"


def test_example_synthesized_by_the_cli_refuses_every_plan(cli_default_synth):
    """The guard is in both stacks; tests/terraform/test_environments.py plans it."""
    for stack in STACK_NAMES:
        document = json.loads(
            (cli_default_synth.project / "cdktf.out" / EXAMPLE_NAME / "stacks" / stack / "cdk.tf.json").read_text()
        )
        guard = document["output"]["example_config_guard"]["precondition"]
        assert guard == [{"condition": "${local.deployable}", "error_message": guard[0]["error_message"]}]
        assert document["locals"]["deployable"] is False
        assert guard[0]["error_message"].startswith("Refusing to deploy: no config was named (AKS_CONFIG is unset)")
