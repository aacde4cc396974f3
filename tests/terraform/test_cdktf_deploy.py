"""The user's own commands, end to end against the stand-ins: `cdktf deploy` of both stacks,
then `cdktf diff` of each reports no changes.

Runs in a scratch copy of the project (the CLI re-synthesizes) with config/default.yaml switched
to local state, so apply, state, cross-stack wiring and the refresh of a second run are real
Terraform; only the cloud is stood in for."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import ROOT, STACK_NAMES
from tests.terraform.test_validate_and_plan import expected_instances

pytestmark = pytest.mark.slow

PROJECT_FILES = ("cdktf.json", "main.py", "package.json")
PROJECT_DIRS = ("catalog", "config", "stacks", "constructs_lib", "toolchain")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(scope="module")
def deployed(standin_mirror, tmp_path_factory):
    project = tmp_path_factory.mktemp("deploy")
    for item in PROJECT_FILES:
        shutil.copy(ROOT / item, project / item)
    for folder in PROJECT_DIRS:
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for link in (".venv", "node_modules"):
        (project / link).symlink_to(ROOT / link)
    config = yaml.safe_load((ROOT / "config" / "default.yaml").read_text())
    config["state"] = {"backend": "local"}
    (project / "config" / "deploy-test.yaml").write_text(yaml.safe_dump(config))
    env = standin_mirror.env()
    env.update(
        PATH=f"{ROOT / 'node_modules' / '.bin'}:{env['PATH']}",
        AKS_CONFIG="config/deploy-test.yaml",
        CDKTF_DISABLE_PLUGIN_CACHE_ENV="1",  # cdktf would point TF_PLUGIN_CACHE_DIR at ~/.terraform.d
    )
    env.pop("CDKTF_OUTDIR", None)

    def cdktf(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["npx", "--no-install", "cdktf", *args], cwd=project, env=env, capture_output=True, text=True, timeout=900
        )

    # --skip-provider-lock: `terraform providers lock` would ask the registry.
    deploy = cdktf("deploy", *STACK_NAMES, "--auto-approve", "--skip-provider-lock")
    return project, config["name"], deploy, cdktf


def test_deploy_applies_both_stacks_in_dependency_order(deployed):
    project, name, deploy, _ = deployed
    log = ANSI.sub("", deploy.stdout + deploy.stderr)
    assert deploy.returncode == 0, log[-5000:]
    applied = [m.start() for m in re.finditer(r"Apply complete! Resources: \d+ added", log)]
    assert len(applied) == 2, log[-3000:]
    # kubernetes-config's resources (kubernetes_*, helm_*) only start once aks-cluster is applied.
    second_stack_started = re.search(r"(?<!\w)(kubernetes|helm)_\w+\.\w+: Creating\.\.\.", log)
    assert second_stack_started and applied[0] < second_stack_started.start(), log[-5000:]
    for stack in STACK_NAMES:
        state = json.loads((project / "state" / name / f"{stack}.tfstate").read_text())
        document = json.loads((project / "cdktf.out" / "stacks" / stack / "cdk.tf.json").read_text())
        managed = [r for r in state["resources"] if r["mode"] == "managed"]
        assert sum(len(r["instances"]) for r in managed) == expected_instances(document), stack


@pytest.mark.parametrize("stack", STACK_NAMES)
def test_diff_after_deploy_shows_no_changes(deployed, stack):
    _, _, deploy, cdktf = deployed
    assert deploy.returncode == 0, "deploy failed (see test_deploy_applies_both_stacks_in_dependency_order)"
    diff = cdktf("diff", "--skip-synth", stack)
    log = ANSI.sub("", diff.stdout + diff.stderr)
    assert diff.returncode == 0, log[-5000:]
    assert "No changes. Your infrastructure matches the configuration." in log, log[-3000:]
