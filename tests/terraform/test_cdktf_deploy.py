"""The user's own commands, end to end against the stand-ins: `cdktf deploy` of both stacks,
then `cdktf diff` of each reports no changes; then a second environment is planned in the same
checkout and the first one planned again, each in its own folder (config/layout.py).

Runs in a scratch copy of the project with a user's copy of config/default.yaml: local state, its
placeholder ids replaced (the example itself is refused: config/environment.py), kept outside
config/. Each config is synthesized in-process into its own folder, `cdktf.out/<name>/` (the CLI's
own synth, pointer manifest and banner are covered by tests/test_cli_end_to_end.py; this saves a
jsii load per CLI run), and the CLI runs with `--skip-synth --output cdktf.out/<name>`. Apply,
state, cross-stack wiring and the refresh of a second run are real Terraform; only the cloud is
stood in for."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.config.test_environment import real_config
from tests.conftest import STACK_NAMES, cli_env, node_version, scratch_project
from tests.harness import result_cache
from tests.harness.profile import phase
from tests.terraform.test_validate_and_plan import expected_instances

pytestmark = pytest.mark.slow

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
FIRST, SECOND = "amlblue", "amlgreen"
REINIT = ("Backend configuration changed", "-migrate-state", "-reconfigure", "Backend initialization required")


# What the whole run depends on besides the scratch project (the project's packages and the two
# configs, keyed by content before anything is synthesized): the npm and Python pins, the recipe
# below (and the helpers it imports), and the Node, Terraform and Python it runs on.
RUN_INPUTS = (
    Path("package-lock.json"),
    Path("requirements.txt"),
    Path("requirements-dev.txt"),
    Path("constraints.txt"),
    Path("tests/terraform/test_cdktf_deploy.py"),
    Path("tests/terraform/test_validate_and_plan.py"),
    Path("tests/config/test_environment.py"),
    Path("tests/conftest.py"),
    Path("tests/terraform/conftest.py"),
)


def _completed(done: subprocess.CompletedProcess) -> dict[str, Any]:
    return {"returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr}


@pytest.fixture(scope="module")
def deployed(standin_mirror, terraform, tmp_path_factory, request) -> Iterator[dict[str, Any]]:
    """Deploys, diffs each stack, plans the second environment and the first again; returns what
    each command printed and what the tests look at on disk. Kept across runs keyed by everything
    it depends on (result_cache), dropped again when a test of this module fails."""
    project = scratch_project(tmp_path_factory.mktemp("deploy"))
    (project / "envs").mkdir()
    for name in (FIRST, SECOND):
        (project / "envs" / f"{name}.yaml").write_text(yaml.safe_dump(real_config(name=name, state={"backend": "local"})))
    key = result_cache.content_key(RUN_INPUTS, [result_cache.tree_digest(project), node_version(), str(terraform), sys.version])
    with result_cache.kept_once_passed(request, "cdktf-deploy", key, lambda: run_commands(project, standin_mirror)) as result:
        yield result


def run_commands(project: Path, standin_mirror) -> dict[str, Any]:
    env = standin_mirror.env(cli_env())
    # cdktf would point TF_PLUGIN_CACHE_DIR at ~/.terraform.d
    env["CDKTF_DISABLE_PLUGIN_CACHE_ENV"] = "1"

    from config.loader import load_config
    from stacks.app import build_app

    (project / "cdktf.out").mkdir()  # cdktf's App creates only the last folder level
    for name in (FIRST, SECOND):
        config_file = f"envs/{name}.yaml"
        build_app(load_config(project / config_file), config_file=config_file, outdir=str(project / "cdktf.out" / name)).synth()

    def cdktf(*args: str, config: str = FIRST) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["npx", "--no-install", "cdktf", *args, "--skip-synth", "--output", f"cdktf.out/{config}"],
            cwd=project,
            env={**env, "AKS_CONFIG": f"envs/{config}.yaml"},
            capture_output=True,
            text=True,
            timeout=900,
        )

    result: dict[str, Any] = {}
    # --skip-provider-lock: `terraform providers lock` would ask the registry.
    with phase("cli", "cdktf deploy --skip-synth (both stacks, stand-in providers)"):
        result["deploy"] = _completed(cdktf("deploy", *STACK_NAMES, "--auto-approve", "--skip-provider-lock"))
    result["instances"] = {}
    for stack in STACK_NAMES:
        state_file = project / "state" / FIRST / f"{stack}.tfstate"
        state = json.loads(state_file.read_text()) if state_file.exists() else {"resources": []}
        document = json.loads((project / "cdktf.out" / FIRST / "stacks" / stack / "cdk.tf.json").read_text())
        managed = [r for r in state["resources"] if r["mode"] == "managed"]
        result["instances"][stack] = [sum(len(r["instances"]) for r in managed), expected_instances(document)]
    for stack in STACK_NAMES:
        with phase("cli", f"cdktf diff --skip-synth {stack}"):
            result[f"diff {stack}"] = _completed(cdktf("diff", stack))

    # The second environment through `make diff`'s wrapper, its output going to a log (a pipe).
    make_diff = [sys.executable, "-m", "tools.environment", "cdktf", "diff", "aks-cluster"]
    second = subprocess.run(
        [*make_diff, "--skip-synth", "--output", f"cdktf.out/{SECOND}", "--skip-provider-lock"],
        cwd=project,
        env={**env, "AKS_CONFIG": f"envs/{SECOND}.yaml"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    result["second"] = _completed(second)
    # ... and the first again, from its own folder, untouched by the second.
    result["again"] = _completed(cdktf("diff", "aks-cluster"))
    folders = {name: project / "cdktf.out" / name / "stacks" / "aks-cluster" for name in (FIRST, SECOND)}
    result["initialised"] = {
        name: (folder / ".terraform").is_dir() and (folder / ".terraform" / "terraform.tfstate").is_file()
        for name, folder in folders.items()
    }
    files = {name: {p.resolve() for p in folder.rglob("*") if p.is_file()} for name, folder in folders.items()}
    result["shared_files"] = sorted(str(p) for p in files[FIRST] & files[SECOND])
    result["second_state_files"] = sorted(str(p) for p in (project / "state").glob(f"{SECOND}/*.tfstate"))
    return result


def plain(completed: dict[str, Any]) -> str:
    return ANSI.sub("", completed["stdout"] + completed["stderr"])


def test_deploy_applies_both_stacks_in_dependency_order(deployed):
    deploy = deployed["deploy"]
    log = plain(deploy)
    assert deploy["returncode"] == 0, log[-5000:]
    applied = [m.start() for m in re.finditer(r"Apply complete! Resources: \d+ added", log)]
    assert len(applied) == 2, log[-3000:]
    # kubernetes-config's resources (kubernetes_*, helm_*) only start once aks-cluster is applied.
    # (With CI=1 the CLI prints each address followed by its construct path in parentheses.)
    second_stack_started = re.search(r"(?<!\w)(kubernetes|helm)_\w+\.\w+( \([^)]*\))?: Creating\.\.\.", log)
    assert second_stack_started and applied[0] < second_stack_started.start(), log[-5000:]
    for stack in STACK_NAMES:
        in_state, declared = deployed["instances"][stack]
        assert in_state == declared, stack


@pytest.mark.parametrize("stack", STACK_NAMES)
def test_diff_after_deploy_shows_no_changes(deployed, stack):
    assert deployed["deploy"]["returncode"] == 0, "deploy failed (see test_deploy_applies_both_stacks_in_dependency_order)"
    diff = deployed[f"diff {stack}"]
    log = plain(diff)
    assert diff["returncode"] == 0, log[-5000:]
    assert "No changes. Your infrastructure matches the configuration." in log, log[-3000:]


def test_two_environments_plan_in_turn_without_meeting(deployed):
    """Before per-environment folders, the second diff failed: both configs' Terraform ran in
    cdktf.out/stacks/aks-cluster, whose backend (another state file) had "changed"."""
    assert deployed["deploy"]["returncode"] == 0, "deploy failed (see test_deploy_applies_both_stacks_in_dependency_order)"
    second = deployed["second"]
    log = second["stdout"] + second["stderr"]
    assert second["returncode"] == 0, log[-5000:]
    assert not any(marker in log for marker in REINIT), log[-3000:]
    assert re.search(r"Plan: \d+ to add, 0 to change, 0 to destroy", log), log[-3000:]
    assert "\x1b" not in log, "a log carries no terminal control sequences"
    # Before, a log got a redrawn spinner frame per tick (hundreds); with CI=1 at most the last.
    spinner_lines = [line for line in log.splitlines() if any("\u2800" <= ch <= "\u28ff" for ch in line)]
    assert len(spinner_lines) <= 2, spinner_lines
    # --skip-synth: main.py does not run, so the wrapper prints the banner (once).
    assert log.count(f"deployment    {SECOND} (westeurope)") == 1, log[:3000]

    again = deployed["again"]
    log = plain(again)
    assert again["returncode"] == 0, log[-5000:]
    assert not any(marker in log for marker in REINIT), log[-3000:]
    assert "No changes. Your infrastructure matches the configuration." in log, log[-3000:]

    assert deployed["initialised"] == {FIRST: True, SECOND: True}
    assert not deployed["shared_files"], "the two environments share a file"
    # A diff records nothing for the second environment (Terraform may leave an empty state folder).
    assert not deployed["second_state_files"], "a diff writes no state"
