"""Azure DevOps: the pipeline and its templates are valid against the published Azure Pipelines
schema (vendored in check-jsonschema), and have the shape of docs/pipelines.md: pull-request plans
skip forks and use the plan service connection, applies are deployment jobs on approval
environments with the apply connection, the schedule runs the drift check, and Terraform signs
in through workload identity federation (no secret)."""

from __future__ import annotations

from typing import Any

import yaml

from tests.conftest import ROOT
from tests.pipelines.conftest import AZURE_PIPELINES, run

FOLDER = ROOT / "pipelines" / "azure-devops"


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((FOLDER / name).read_text())


# The published schema has a pattern with identity escapes (`\:`, `\/`) that ECMA-262's unicode
# mode rejects; check-jsonschema's `nonunicode` regex variant is its documented way to read it.
def test_pipeline_and_templates_match_the_published_schema(check_jsonschema):
    assert {p.name for p in AZURE_PIPELINES} == {"azure-pipelines.yml", "phase.yml", "toolchain.yml"}
    command = [check_jsonschema, "--regex-variant", "nonunicode", "--builtin-schema", "vendor.azure-pipelines"]
    done = run([*command, *AZURE_PIPELINES])
    assert done.returncode == 0, done.stdout + done.stderr


def test_schema_check_rejects_a_broken_pipeline(check_jsonschema, tmp_path):
    broken = tmp_path / "azure-pipelines.yml"
    broken.write_text("stages:\n  - stage: a\n    jobs:\n      - job: b\n        steps:\n          - scrip: make test\n")
    done = run([check_jsonschema, "--regex-variant", "nonunicode", "--builtin-schema", "vendor.azure-pipelines", broken])
    assert done.returncode != 0


def phase_steps(pipeline: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(stage, parameters) of every use of phase.yml."""
    found = []
    for stage in pipeline["stages"]:
        for job in stage["jobs"]:
            steps = job.get("steps") or job.get("strategy", {}).get("runOnce", {}).get("deploy", {}).get("steps", [])
            found += [(stage["stage"], s["parameters"] | {"job": job}) for s in steps if s.get("template") == "phase.yml"]
    return found


def test_each_command_uses_its_own_service_connection():
    for stage, parameters in phase_steps(load("azure-pipelines.yml")):
        expected = "aks-azureml-apply" if parameters["command"] == "apply" else "aks-azureml-plan"
        assert parameters["serviceConnection"] == expected, (stage, parameters["command"])
        if parameters["command"] == "apply":
            assert "deployment" in parameters["job"] and parameters["job"]["environment"] in ("aks-cluster", "kubernetes-config")


def test_pull_request_plans_skip_forks_and_drift_runs_on_the_schedule():
    stages = {s["stage"]: s for s in load("azure-pipelines.yml")["stages"]}
    assert "System.PullRequest.IsFork" in stages["plan_pull_request"]["condition"]
    assert "'Schedule'" in stages["drift"]["condition"]
    assert load("azure-pipelines.yml")["schedules"][0]["branches"]["include"] == ["main"]
    assert [p["command"] for _, p in phase_steps({"stages": [stages["drift"]]})] == ["drift", "drift"]


def test_terraform_signs_in_with_the_service_connection_token():
    step = next(s for s in load("phase.yml")["steps"] if s.get("task") == "AzureCLI@2")
    env = step["env"]
    assert env["SYSTEM_ACCESSTOKEN"] == "$(System.AccessToken)"
    assert env["SYSTEM_OIDCREQUESTURI"] == "$(System.OidcRequestUri)"
    assert "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID" in env
    assert "ARM_USE_OIDC=true" in step["inputs"]["inlineScript"]
    assert not any("SECRET" in name for name in env)
    assert "task.logissue type=error" in step["inputs"]["inlineScript"]  # drift fails loudly
