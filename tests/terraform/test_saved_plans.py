"""`make plan` -> `make apply` -> `make drift` -> `make destroy` end to end, with the real
`terraform` CLI against the stand-in providers (tools/terraform_standin): saved plans, their
records and summaries, phases, the refusal of stale plans, drift exit codes, destroy order and
the `protect` refusal. This proves the plumbing (files, hashes, exit codes, Terraform's saved-plan
mechanics), not Azure: the stand-ins make up every computed value.

The Makefile targets run as a user runs them (`make plan AKS_CONFIG=...`), pointed at a scratch
copy of the synthesized deployment with ARGS=--root; Terraform finds the stand-ins through
TF_CLI_CONFIG_FILE, which the tool passes through untouched."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.config.test_environment import REAL_IDS
from tests.conftest import ROOT
from tests.harness import result_cache
from tests.terraform.test_validate_and_plan import expected_instances
from tools.plans import CHANGES, OK, REFUSED

pytestmark = pytest.mark.slow

EXAMPLE = ROOT / "config" / "standalone.yaml"  # local state, protect: false
PROTECTED_CONFIG = ROOT / "config" / "default.yaml"  # protect: true


@pytest.fixture(scope="module")
def users_config(tmp_path_factory) -> Path:
    """A user's copy of the standalone example with its placeholder ids replaced (an example is
    never applied: config/environment.py). The tools read only its name, state and `protect`
    from it; the plans are those of the example's synth, whose ids are only different GUIDs."""
    text = EXAMPLE.read_text()
    for placeholder, real in REAL_IDS.items():
        text = text.replace(placeholder, real)
    copy = tmp_path_factory.mktemp("envs") / "dev.yaml"
    copy.write_text(text)
    return copy


def copy_deployment(source: Path, root: Path) -> Path:
    """A scratch cdktf.out/<name> from a session synth (never the shared one: Terraform writes
    .terraform, state and plans beside it)."""
    shutil.copytree(source, root, ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "plans"))
    return root


class Runner:
    """Runs the commands two ways: ``make(target, ...)`` as a user types them, and
    ``module(command, ...)`` as the pipelines call them (make turns every failing exit status
    into 2; the pipelines need the tool's own: 2 drift, 3 refused)."""

    def __init__(self, mirror, config: Path, root: Path):
        self.env = mirror.env()
        self.config, self.root = config, root

    def _run(self, command: list[str]) -> subprocess.CompletedProcess:
        done = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600)
        done.log = done.stdout + done.stderr  # type: ignore[attr-defined]
        return done

    def make(self, target: str, *args: str, **variables: str) -> subprocess.CompletedProcess:
        # -o .stamps/python: the suite already runs in the set-up virtualenv; never re-install it here.
        command = ["make", "-s", "--no-print-directory", "-o", ".stamps/python", target]
        command += [f"AKS_CONFIG={self.config}", f"ARGS=--root {self.root} {' '.join(args)}"]
        return self._run(command + [f"{name}={value}" for name, value in variables.items()])

    def module(self, command: str, *args: str) -> subprocess.CompletedProcess:
        return self._run(
            [sys.executable, "-m", "tools.plans", command, "--config", str(self.config), "--root", str(self.root), *args]
        )


def state_file(root: Path, stack: str) -> Path:
    """Where the stack's local backend keeps its state (resolved from the synthesized backend)."""
    document = json.loads((root / "stacks" / stack / "cdk.tf.json").read_text())
    return (root / "stacks" / stack / document["terraform"]["backend"]["local"]["path"]).resolve()


def managed_instances(path: Path) -> int:
    if not path.exists():
        return 0
    state = json.loads(path.read_text())
    return sum(len(r["instances"]) for r in state["resources"] if r["mode"] == "managed")


def strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return {s for v in value.values() for s in strings(v)}
    if isinstance(value, list):
        return {s for v in value for s in strings(v)}
    return set()


def edit_json(path: Path, edit) -> bytes:
    """Apply ``edit(document)`` to a JSON file; return the original bytes to restore."""
    original = path.read_bytes()
    document = json.loads(original)
    edit(document)
    path.write_text(json.dumps(document, indent=2))
    return original


def deployment_name(path: Path) -> str:
    from config.loader import load_config

    return load_config(path).name


def first_resource_group(document: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    name, body = next(iter(document["resource"]["azurerm_resource_group"].items()))
    return f"azurerm_resource_group.{name}", body


# What the sequence's results depend on besides the synthesized deployment and the user's config
# (both keyed by content): the code `make` and `python -m tools.plans` run (tools/plans imports
# config, catalog and toolchain; tools/ holds the stand-in), the Makefile, this recipe, the pins,
# and the terraform, make and Python it runs on.
SCENARIO_INPUTS = (
    Path("tools"),
    Path("config"),
    Path("catalog"),
    Path("toolchain"),
    Path("Makefile"),
    Path("tests/terraform/test_saved_plans.py"),
    Path("tests/terraform/conftest.py"),
    Path("tests/config/test_environment.py"),
    Path("requirements.txt"),
    Path("requirements-dev.txt"),
    Path("constraints.txt"),
)


def _scenario_key(deployment: Path, users_config: Path, terraform_version) -> str:
    make = subprocess.run(["make", "--version"], capture_output=True, text=True, check=False).stdout.split("\n")[0]
    extra = [result_cache.tree_digest(deployment), users_config.read_text(), str(terraform_version), make, sys.version]
    return result_cache.content_key(SCENARIO_INPUTS, extra)


def _stored(value: Any) -> Any:
    if isinstance(value, subprocess.CompletedProcess):
        return {"completed": [value.returncode, value.stdout, value.stderr]}
    return value


def _restored(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"completed"}:
        returncode, stdout, stderr = value["completed"]
        done = subprocess.CompletedProcess([], returncode, stdout, stderr)
        done.log = stdout + stderr  # type: ignore[attr-defined]
        return done
    return value


@pytest.fixture(scope="module")
def scenario(synth, standin_mirror, terraform, tmp_path_factory, users_config, request) -> Iterator[dict[str, Any]]:
    """The whole sequence's results by name; kept across runs keyed by everything it depends on
    (result_cache), stored only when every test of this module passed."""
    result = synth(EXAMPLE)
    key = _scenario_key(result.outdir, users_config, terraform)
    with result_cache.kept_once_passed(
        request,
        "saved-plans",
        key,
        lambda: run_scenario(result, standin_mirror, tmp_path_factory, users_config),
        encode=lambda steps: {name: _stored(value) for name, value in steps.items() if name not in ("root", "documents")},
        decode=lambda stored: {name: _restored(value) for name, value in stored.items()} | {"documents": result.stacks},
    ) as steps:
        yield steps


def run_scenario(result, standin_mirror, tmp_path_factory, users_config) -> dict[str, Any]:
    """Runs the whole sequence once; each step's result (and what the files held) by name."""
    root = copy_deployment(result.outdir, tmp_path_factory.mktemp("saved-plans") / "cdktf.out" / deployment_name(EXAMPLE))
    run = Runner(standin_mirror, users_config, root)
    cluster_json = root / "stacks" / "aks-cluster" / "cdk.tf.json"
    cluster_lock = root / "stacks" / "aks-cluster" / ".terraform.lock.hcl"
    plans = root / "plans"
    steps: dict[str, Any] = {"root": root, "documents": result.stacks}

    steps["plan"] = run.make("plan")
    steps["plan_files"] = sorted(p.name for p in plans.iterdir())
    steps["record"] = json.loads((plans / "aks-cluster.record.json").read_text())
    steps["summary"] = (plans / "aks-cluster.summary.md").read_text()
    # What the plan holds (values included), to show the summary holds none of it.
    shown = subprocess.run(
        ["terraform", "show", "-json", str(plans / "aks-cluster.tfplan")],
        cwd=cluster_json.parent,
        env=standin_mirror.env(),
        capture_output=True,
        text=True,
        check=True,
    )
    steps["plan_json"] = json.loads(shown.stdout)

    def retag(document):
        first_resource_group(document)[1].setdefault("tags", {})["edited"] = "after-the-plan"

    original = edit_json(cluster_json, retag)
    steps["apply_stale_json"] = run.make("apply", PHASE="1")
    cluster_json.write_bytes(original)
    steps["state_after_refusals"] = managed_instances(state_file(root, "aks-cluster"))

    original_lock = cluster_lock.read_bytes()
    cluster_lock.write_bytes(original_lock + b"\n# a provider upgrade would change this file\n")
    steps["apply_stale_lock"] = run.module("apply", "--phase", "1")
    cluster_lock.write_bytes(original_lock)
    steps["state_after_refusals"] += managed_instances(state_file(root, "aks-cluster"))

    steps["apply_1"] = run.make("apply")
    steps["record_after_apply"] = json.loads((plans / "aks-cluster.record.json").read_text())
    steps["plan_file_after_apply"] = (plans / "aks-cluster.tfplan").exists()
    steps["apply_1_again"] = run.module("apply", "--phase", "1")
    steps["plan_2"] = run.module("plan", "--phase", "2")
    steps["apply_2"] = run.module("apply", "--phase", "2")
    steps["instances"] = {s: managed_instances(state_file(root, s)) for s in ("aks-cluster", "kubernetes-config")}
    steps["drift_clean"] = run.module("drift")
    steps["plan_unchanged"] = run.module("plan", "--no-lock", "--detailed-exitcode")

    def rename(document):
        first_resource_group(document)[1]["name"] += "-renamed"

    original = edit_json(cluster_json, rename)
    steps["drift_address"] = first_resource_group(json.loads(original))[0]
    summary_file = root.parent / "job-summary.md"
    steps["drift_changed"] = run.module("drift", "--phase", "1", "--summary-file", str(summary_file))
    steps["drift_summary_file"] = summary_file.read_text()
    steps["plan_changed"] = run.module("plan", "--phase", "1", "--no-lock", "--detailed-exitcode")
    cluster_json.write_bytes(original)

    steps["destroy"] = run.module("destroy", "--auto-approve")
    steps["instances_after_destroy"] = {s: managed_instances(state_file(root, s)) for s in ("aks-cluster", "kubernetes-config")}
    return steps


def test_plan_saves_phase_1_and_defers_phase_2(scenario):
    plan = scenario["plan"]
    assert plan.returncode == OK, plan.log[-4000:]
    assert "aks-cluster.tfplan" in scenario["plan_files"]
    assert "aks-cluster.record.json" in scenario["plan_files"]
    # Phase 2 reads what phase 1 creates: not planned while phase 1 has changes.
    assert "kubernetes-config.tfplan" not in scenario["plan_files"]
    assert "kubernetes-config: not planned" in plan.log
    record = scenario["record"]
    assert record["changes"] is True
    assert set(record["inputs"]) == {"cdk.tf.json", ".terraform.lock.hcl"}
    expected = expected_instances(scenario["documents"]["aks-cluster"])
    assert f"{expected} to add, 0 to change, 0 to destroy" in scenario["summary"]


def test_summary_lists_addresses_and_actions_but_no_values(scenario):
    summary = scenario["summary"]
    changes = scenario["plan_json"]["resource_changes"]
    created = [c["address"] for c in changes if c["change"]["actions"] == ["create"]]
    assert created and all(f"| create | `{address}` |" in summary for address in created)
    addresses = " ".join(c["address"] for c in changes)
    values = {s for s in strings(scenario["plan_json"]["planned_values"]) if len(s) >= 5 and s not in addresses}
    assert values, "the plan should hold string values to look for"
    leaked = sorted(v for v in values if v in summary)
    assert not leaked, f"values from the plan in its summary: {leaked[:5]}"


def test_apply_refuses_a_plan_whose_synthesized_json_changed(scenario):
    refused = scenario["apply_stale_json"]  # through make: any failure is make's exit status 2
    assert refused.returncode != OK, refused.log[-3000:]
    assert "Refused: nothing was applied." in refused.log
    assert "aks-cluster: cdk.tf.json changed since the plan" in refused.log
    assert scenario["state_after_refusals"] == 0


def test_apply_refuses_a_plan_whose_lock_file_changed(scenario):
    refused = scenario["apply_stale_lock"]
    assert refused.returncode == REFUSED, refused.log[-3000:]
    assert "aks-cluster: .terraform.lock.hcl changed since the plan" in refused.log


def test_apply_applies_exactly_the_saved_plans_phase_by_phase(scenario):
    assert scenario["apply_1"].returncode == OK, scenario["apply_1"].log[-4000:]
    assert "Next: `make plan PHASE=2`" in scenario["apply_1"].log
    assert scenario["record_after_apply"]["applied_at"]
    assert not scenario["plan_file_after_apply"], "an applied plan (it holds secrets) is deleted"
    again = scenario["apply_1_again"]
    assert again.returncode == REFUSED and "its saved plan was applied at" in again.log, again.log[-3000:]
    assert scenario["plan_2"].returncode == OK, scenario["plan_2"].log[-4000:]
    assert scenario["apply_2"].returncode == OK, scenario["apply_2"].log[-4000:]
    for stack, count in scenario["instances"].items():
        assert count == expected_instances(scenario["documents"][stack]), stack


def test_drift_check_exits_2_and_names_the_attribute_forcing_a_replacement(scenario):
    clean = scenario["drift_clean"]
    assert clean.returncode == OK, clean.log[-4000:]
    assert "No drift" in clean.log
    drifted = scenario["drift_changed"]
    assert drifted.returncode == CHANGES, drifted.log[-4000:]
    row = f"| replace | `{scenario['drift_address']}` | forced by `name` |"
    assert row in drifted.log
    assert row in scenario["drift_summary_file"] and "DRIFT: aks-cluster" in scenario["drift_summary_file"]


def test_plan_detailed_exitcode_tells_pipelines_whether_to_apply(scenario):
    unchanged, changed = scenario["plan_unchanged"], scenario["plan_changed"]
    assert unchanged.returncode == OK, unchanged.log[-3000:]
    assert "aks-cluster (phase 1): no changes" in unchanged.log
    assert "kubernetes-config (phase 2): no changes" in unchanged.log
    assert changed.returncode == CHANGES, changed.log[-3000:]


def test_destroy_runs_in_reverse_order(scenario):
    destroy = scenario["destroy"]
    assert destroy.returncode == OK, destroy.log[-4000:]
    assert destroy.log.index("Destroy kubernetes-config") < destroy.log.index("Destroy aks-cluster")
    assert scenario["instances_after_destroy"] == {"aks-cluster": 0, "kubernetes-config": 0}


def test_destroy_explains_protect_and_runs_nothing(synth, standin_mirror, tmp_path):
    result = synth(PROTECTED_CONFIG)
    root = copy_deployment(result.outdir, tmp_path / "cdktf.out" / deployment_name(PROTECTED_CONFIG))
    refused = Runner(standin_mirror, PROTECTED_CONFIG, root).module("destroy", "--auto-approve")
    assert refused.returncode == REFUSED, refused.log[-3000:]
    assert f"set `protect: false` in {PROTECTED_CONFIG}" in refused.log
    assert re.search(r"aks-cluster: azurerm_kubernetes_cluster\.\w+", refused.log), refused.log
    assert "kubernetes-config, then aks-cluster" in refused.log
    assert not any(root.rglob(".terraform")), "Terraform must not have run"


def test_apply_of_an_example_is_refused_before_terraform_runs(synth, standin_mirror, tmp_path):
    root = copy_deployment(synth(EXAMPLE).outdir, tmp_path / "cdktf.out" / deployment_name(EXAMPLE))
    refused = Runner(standin_mirror, EXAMPLE, root).module("apply")
    assert refused.returncode == REFUSED, refused.log[-3000:]
    assert "Refusing to deploy: config/standalone.yaml is an example shipped with the project" in refused.log.replace(
        str(ROOT) + "/", ""
    )
    assert not any(root.rglob(".terraform")), "Terraform must not have run"
