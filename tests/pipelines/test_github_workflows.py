"""GitHub Actions: every workflow and composite action is valid against its published schema
(SchemaStore's, vendored in check-jsonschema), zizmor finds nothing, every action is pinned to the
commit recorded in .github/action-pins.yaml, and the security shape of docs/pipelines.md holds:
no workflow-wide permissions, id-token only on jobs that sign in to Azure, no plan for forks,
separate plan and apply identities, approvals through environments, short-lived plan artifacts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tests.pipelines.conftest import ACTIONS, WORKFLOWS, run

PINS = yaml.safe_load((ROOT / ".github" / "action-pins.yaml").read_text())
SHA = re.compile(r"^[0-9a-f]{40}$")


def load(path: Path) -> dict[str, Any]:
    # PyYAML reads the key `on` as True (YAML 1.1); map it back.
    document = yaml.safe_load(path.read_text())
    if True in document:
        document["on"] = document.pop(True)
    return document


def workflow_id(path: Path) -> str:
    return path.name


def test_there_are_workflows_and_actions():
    assert {p.name for p in WORKFLOWS} >= {"pull-request.yml", "deploy.yml", "drift.yml"}
    assert ACTIONS


def test_workflows_and_actions_match_the_published_schemas(check_jsonschema):
    for schema, paths in (("vendor.github-workflows", WORKFLOWS), ("vendor.github-actions", ACTIONS)):
        done = run([check_jsonschema, "--builtin-schema", schema, *paths])
        assert done.returncode == 0, done.stdout + done.stderr


def test_schema_check_rejects_a_broken_workflow(check_jsonschema, tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    step:\n      - run: make test\n")
    done = run([check_jsonschema, "--builtin-schema", "vendor.github-workflows", broken])
    assert done.returncode != 0


def test_zizmor_finds_nothing(zizmor):
    done = run([zizmor, "--offline", "--no-progress", "--format", "plain", ".github"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout + done.stderr


def test_zizmor_would_catch_an_unpinned_action(zizmor, tmp_path):
    """The audit is live: the same tool flags a workflow that breaks the rules kept here."""
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: pull_request\n"
        "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v7\n"
        '      - run: echo "${{ github.event.pull_request.title }}"\n'
    )
    done = run([zizmor, "--offline", "--no-progress", "--format", "plain", tmp_path / ".github"])
    assert done.returncode != 0
    for audit in ("unpinned-uses", "template-injection", "artipacked", "excessive-permissions"):
        assert audit in done.stdout, (audit, done.stdout)


def uses_lines(path: Path) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^\s*(?:-\s+)?uses:\s*(.+)$", path.read_text(), re.MULTILINE)]


@pytest.mark.parametrize("path", [*WORKFLOWS, *ACTIONS], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_action_is_pinned_to_the_recorded_commit(path):
    for line in uses_lines(path):
        if line.startswith("$/"):
            continue  # this repository, at the same commit
        match = re.fullmatch(r"([\w.-]+/[\w.-]+)@(\S+)\s+#\s+(\S+)", line)
        assert match, f"{path.name}: `uses: {line}` must be owner/repo@<commit> # <tag>"
        action, ref, tag = match.groups()
        assert action in PINS, f"{path.name}: {action} is not in .github/action-pins.yaml"
        assert SHA.match(ref), f"{path.name}: {action}@{ref} is not a commit"
        assert (ref, tag) == (PINS[action]["commit"], PINS[action]["tag"]), f"{path.name}: {line}"


def test_pins_are_commits_with_tags():
    for action, pin in PINS.items():
        assert SHA.match(pin["commit"]) and re.fullmatch(r"v\d+\.\d+\.\d+", pin["tag"]), action


def jobs(path: Path) -> dict[str, dict[str, Any]]:
    return load(path)["jobs"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=workflow_id)
def test_no_workflow_wide_permissions_and_id_token_only_where_azure_is_used(path):
    document = load(path)
    assert document.get("permissions") == {}, f"{path.name}: set `permissions: {{}}` and grant per job"
    for name, job in document["jobs"].items():
        permissions = job.get("permissions", {})
        assert permissions, f"{path.name}:{name} declares its permissions"
        assert set(permissions.values()) <= {"read", "write"}
        writes = {k for k, v in permissions.items() if v == "write"}
        assert writes <= {"id-token"}, f"{path.name}:{name} writes {writes}"
        signs_in = ("uses" in job and "terraform-" in job["uses"]) or any(
            "azure/login" in step.get("uses", "") for step in job.get("steps", [])
        )
        assert ("id-token" in writes) == bool(signs_in), f"{path.name}:{name}: id-token: write exactly where Azure is used"


def test_pull_request_plans_skip_forks_and_use_the_plan_identity():
    workflow = jobs(ROOT / ".github" / "workflows" / "pull-request.yml")
    plans = {name: job for name, job in workflow.items() if "plan" in name}
    assert set(plans) == {"plan-phase-1", "plan-phase-2"}
    for name, job in plans.items():
        assert job["if"] == "github.event.pull_request.head.repo.full_name == github.repository", name
        assert job["uses"].endswith("terraform-plan.yml")
    on = load(ROOT / ".github" / "workflows" / "pull-request.yml")["on"]
    assert "pull_request_target" not in on  # fork code never runs with this repository's token or identity


def test_plan_and_apply_use_separate_identities_and_apply_needs_an_environment():
    plan = jobs(ROOT / ".github" / "workflows" / "terraform-plan.yml")["plan"]
    apply = jobs(ROOT / ".github" / "workflows" / "terraform-apply.yml")["apply"]
    assert "AZURE_PLAN_CLIENT_ID" in plan["env"]["ARM_CLIENT_ID"]
    assert "AZURE_APPLY_CLIENT_ID" in apply["env"]["ARM_CLIENT_ID"]
    assert "environment" not in plan
    assert apply["environment"] == "${{ inputs.environment }}"
    login = {s["uses"].split("@")[0]: s for s in plan["steps"] if "uses" in s}["azure/login"]
    assert set(login["with"]) == {"client-id", "tenant-id", "subscription-id"}  # OIDC: no `creds`, no secret
    deploy = jobs(ROOT / ".github" / "workflows" / "deploy.yml")
    assert deploy["apply-phase-1"]["with"]["environment"] == "aks-cluster"
    assert deploy["apply-phase-2"]["with"]["environment"] == "kubernetes-config"
    assert deploy["plan-phase-2"]["needs"] == ["plan-phase-1", "apply-phase-1"]
    assert "--no-lock" in str(plan["steps"])  # the read-only identity cannot take the state lease


def test_saved_plans_are_short_lived_artifacts():
    plan = jobs(ROOT / ".github" / "workflows" / "terraform-plan.yml")["plan"]
    uploads = [s for s in plan["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert len(uploads) == 1
    assert uploads[0]["with"]["retention-days"] == 1
    assert "inputs.keep-plan" in uploads[0]["if"]  # only main's plans, for the apply job; never a PR's


def test_drift_is_scheduled_and_fails_on_changes():
    drift = load(ROOT / ".github" / "workflows" / "drift.yml")
    assert drift["on"]["schedule"]
    assert all(job["with"]["drift"] is True for job in drift["jobs"].values())
    steps = jobs(ROOT / ".github" / "workflows" / "terraform-plan.yml")["plan"]["steps"]
    script = next(s["run"] for s in steps if s.get("id") == "plan")
    assert "tools.plans drift" in script and "exit 2" in script and "::error" in script


def test_checkout_never_persists_credentials():
    for path in WORKFLOWS:
        for job in load(path)["jobs"].values():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, path.name
