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

import pytest
import yaml

from tests.config.test_environment import real_config
from tests.conftest import STACK_NAMES, cli_env, scratch_project
from tests.harness.profile import phase
from tests.terraform.test_validate_and_plan import expected_instances

pytestmark = pytest.mark.slow

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
FIRST, SECOND = "amlblue", "amlgreen"
REINIT = ("Backend configuration changed", "-migrate-state", "-reconfigure", "Backend initialization required")


@pytest.fixture(scope="module")
def deployed(standin_mirror, tmp_path_factory):
    project = scratch_project(tmp_path_factory.mktemp("deploy"))
    (project / "envs").mkdir()
    for name in (FIRST, SECOND):
        (project / "envs" / f"{name}.yaml").write_text(yaml.safe_dump(real_config(name=name, state={"backend": "local"})))
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

    # --skip-provider-lock: `terraform providers lock` would ask the registry.
    with phase("cli", "cdktf deploy --skip-synth (both stacks, stand-in providers)"):
        deploy = cdktf("deploy", *STACK_NAMES, "--auto-approve", "--skip-provider-lock")
    return project, deploy, cdktf, env


def plain(completed: subprocess.CompletedProcess) -> str:
    return ANSI.sub("", completed.stdout + completed.stderr)


def test_deploy_applies_both_stacks_in_dependency_order(deployed):
    project, deploy, _, _ = deployed
    log = plain(deploy)
    assert deploy.returncode == 0, log[-5000:]
    applied = [m.start() for m in re.finditer(r"Apply complete! Resources: \d+ added", log)]
    assert len(applied) == 2, log[-3000:]
    # kubernetes-config's resources (kubernetes_*, helm_*) only start once aks-cluster is applied.
    # (With CI=1 the CLI prints each address followed by its construct path in parentheses.)
    second_stack_started = re.search(r"(?<!\w)(kubernetes|helm)_\w+\.\w+( \([^)]*\))?: Creating\.\.\.", log)
    assert second_stack_started and applied[0] < second_stack_started.start(), log[-5000:]
    for stack in STACK_NAMES:
        state = json.loads((project / "state" / FIRST / f"{stack}.tfstate").read_text())
        document = json.loads((project / "cdktf.out" / FIRST / "stacks" / stack / "cdk.tf.json").read_text())
        managed = [r for r in state["resources"] if r["mode"] == "managed"]
        assert sum(len(r["instances"]) for r in managed) == expected_instances(document), stack


@pytest.mark.parametrize("stack", STACK_NAMES)
def test_diff_after_deploy_shows_no_changes(deployed, stack):
    _, deploy, cdktf, _ = deployed
    assert deploy.returncode == 0, "deploy failed (see test_deploy_applies_both_stacks_in_dependency_order)"
    with phase("cli", f"cdktf diff --skip-synth {stack}"):
        diff = cdktf("diff", stack)
    log = plain(diff)
    assert diff.returncode == 0, log[-5000:]
    assert "No changes. Your infrastructure matches the configuration." in log, log[-3000:]


def test_two_environments_plan_in_turn_without_meeting(deployed):
    """Before per-environment folders, the second diff failed: both configs' Terraform ran in
    cdktf.out/stacks/aks-cluster, whose backend (another state file) had "changed"."""
    project, deploy, cdktf, env = deployed
    assert deploy.returncode == 0, "deploy failed (see test_deploy_applies_both_stacks_in_dependency_order)"
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
    log = second.stdout + second.stderr
    assert second.returncode == 0, log[-5000:]
    assert not any(marker in log for marker in REINIT), log[-3000:]
    assert re.search(r"Plan: \d+ to add, 0 to change, 0 to destroy", log), log[-3000:]
    assert "\x1b" not in log, "a log carries no terminal control sequences"
    # Before, a log got a redrawn spinner frame per tick (hundreds); with CI=1 at most the last.
    spinner_lines = [line for line in log.splitlines() if any("\u2800" <= ch <= "\u28ff" for ch in line)]
    assert len(spinner_lines) <= 2, spinner_lines
    # --skip-synth: main.py does not run, so the wrapper prints the banner (once).
    assert log.count(f"deployment    {SECOND} (westeurope)") == 1, log[:3000]

    # ... and the first again, from its own folder, untouched by the second.
    again = cdktf("diff", "aks-cluster")
    log = plain(again)
    assert again.returncode == 0, log[-5000:]
    assert not any(marker in log for marker in REINIT), log[-3000:]
    assert "No changes. Your infrastructure matches the configuration." in log, log[-3000:]

    folders = {name: project / "cdktf.out" / name / "stacks" / "aks-cluster" for name in (FIRST, SECOND)}
    for folder in folders.values():
        assert (folder / ".terraform").is_dir() and (folder / ".terraform" / "terraform.tfstate").is_file()
    files = {name: {p.resolve() for p in folder.rglob("*") if p.is_file()} for name, folder in folders.items()}
    assert not files[FIRST] & files[SECOND], "the two environments share a file"
    # A diff records nothing for the second environment (Terraform may leave an empty state folder).
    assert not any((project / "state").glob(f"{SECOND}/*.tfstate")), "a diff writes no state"
