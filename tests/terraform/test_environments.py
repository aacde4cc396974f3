"""Per-environment output folders (config/layout.py), with real Terraform and the stand-ins.

- A deployment applied from the layout before per-environment folders (`cdktf.out/stacks/<stack>`,
  state at `../../../state/<name>/<stack>.tfstate`) plans "no changes" from its new folder
  (`cdktf.out/<name>/stacks/<stack>`, `../../../../state/...`): the same state file is found.
- The example config synthesized by the CLI (no AKS_CONFIG) cannot be planned: its guard output's
  precondition fails with the refusal message (config/environment.py).

Two environments planned in turn through the CLI: tests/terraform/test_cdktf_deploy.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config.layout import LEGACY_STACK_DIR_TO_PROJECT_ROOT, STACK_DIR_TO_PROJECT_ROOT
from config.loader import load_config
from tests.conftest import ROOT
from tools.terraform_standin import mirror

STANDALONE = ROOT / "config" / "standalone.yaml"
STACK = "aks-cluster"


def workspace_at(directory: Path, source: Path, standin_mirror, backend_path: str | None = None) -> mirror.Workspace:
    """The synthesized stack copied to ``directory``, keeping its own (local) backend, with the
    state path rewritten to ``backend_path`` if given."""
    directory.mkdir(parents=True)
    document = json.loads((source / "cdk.tf.json").read_text())
    if backend_path is not None:
        document["terraform"]["backend"]["local"]["path"] = backend_path
    (directory / "cdk.tf.json").write_text(json.dumps(document, indent=2))
    return mirror.Workspace(directory, standin_mirror, mirror.dummy_variables(document))


def change_summary(plan: mirror.Plan) -> dict:
    messages = [json.loads(line) for line in plan.step.stdout.splitlines() if line.startswith("{")]
    [summary] = [m["changes"] for m in messages if m.get("type") == "change_summary"]
    return summary


def test_state_applied_from_the_old_layout_plans_no_changes_from_the_new(synth, standin_mirror, tmp_path):
    name = load_config(STANDALONE).name
    synthesized = synth(STANDALONE).outdir / "stacks" / STACK
    new_path = json.loads((synthesized / "cdk.tf.json").read_text())["terraform"]["backend"]["local"]["path"]
    assert new_path == f"{STACK_DIR_TO_PROJECT_ROOT}/state/{name}/{STACK}.tfstate"

    project = tmp_path / "project"
    legacy = workspace_at(
        project / "cdktf.out" / "stacks" / STACK,
        synthesized,
        standin_mirror,
        backend_path=f"{LEGACY_STACK_DIR_TO_PROJECT_ROOT}/state/{name}/{STACK}.tfstate",
    )
    legacy.init()
    assert legacy.plan().ok
    legacy.apply_plan()
    state_file = project / "state" / name / f"{STACK}.tfstate"
    applied = json.loads(state_file.read_text())
    assert applied["resources"], "the old layout's apply wrote its state at the project root"

    current = workspace_at(project / "cdktf.out" / name / "stacks" / STACK, synthesized, standin_mirror)
    current.init()
    plan = current.plan()
    assert plan.ok, plan.diagnostics
    assert change_summary(plan) == {"add": 0, "change": 0, "import": 0, "remove": 0, "operation": "plan"}
    assert json.loads(state_file.read_text())["serial"] == applied["serial"]


@pytest.mark.spawns_jsii  # shares the CLI synth with tests/test_cli_end_to_end.py (one worker)
def test_example_synthesized_by_the_cli_refuses_to_plan(cli_default_synth, standin_mirror, tmp_path):
    assert cli_default_synth.completed.returncode == 0, cli_default_synth.completed.stderr
    source = cli_default_synth.project / "cdktf.out" / "amlprod" / "stacks" / STACK
    workspace = mirror.Workspace.from_stack(source, tmp_path / STACK, standin_mirror)
    workspace.init()
    plan = workspace.plan()
    assert not plan.ok
    [diagnostic] = [d for d in plan.diagnostics if d["severity"] == "error"]
    assert diagnostic["summary"] == "Module output value precondition failed"
    assert diagnostic["detail"].startswith("Refusing to deploy: no config was named (AKS_CONFIG is unset)")
    assert "Copy config/default.yaml" in diagnostic["detail"]


def test_the_guard_is_not_in_a_users_synth(default_synth):
    """Tests and users' configs synthesize without it (build_app without deploy_refusal)."""
    for document in default_synth.stacks.values():
        assert "example_config_guard" not in document.get("output", {})
        assert "deployable" not in document.get("locals", {})
