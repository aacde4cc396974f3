"""`python -m stacks.gitops_manifests` (make gitops): refuses a bad config like `make synth` does,
writes the folders, and replaces only what it owns."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from stacks.gitops_manifests import main
from tests.conftest import ROOT
from tests.gitops.conftest import GITOPS_CONFIGS

GOOD = next(p for p in GITOPS_CONFIGS if p.stem == "gitops-workspace-https-token")


def run_renderer(config: Path, out: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "AKS_CONFIG"}
    return subprocess.run(
        [sys.executable, "-m", "stacks.gitops_manifests", "--config", str(config), "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bad_config_exits_2_with_every_problem_and_writes_nothing(tmp_path):
    raw = yaml.safe_load(GOOD.read_text())
    raw["gitops"]["repository_url"] = "git@github.com:contoso/aks-gitops.git"  # SSH URL, token auth
    raw["gitops"]["path"] = "clusters/../prod"
    config = tmp_path / "bad.yaml"
    config.write_text(yaml.safe_dump(raw))
    result = run_renderer(config, tmp_path / "out")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    header, *problems = result.stderr.strip().splitlines()
    assert header == f"{config}: 2 configuration problems"
    assert {p.split(": ", 1)[0] for p in problems} == {"gitops.path", "gitops.auth"}
    assert not (tmp_path / "out").exists()


def test_terraform_mode_config_is_refused(tmp_path):
    result = run_renderer(ROOT / "config" / "default.yaml", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[1] == (
        "kubernetes_config.mode: must be gitops to render GitOps manifests (terraform mode creates the objects"
        " itself) (got 'terraform')"
    )
    assert not (tmp_path / "out").exists()


def test_writes_the_folders_and_replaces_only_its_own(tmp_path, capsys):
    root = tmp_path / "clusters" / "amlgitops"
    stale = root / "azureml" / "instancetype-removed.yaml"
    stale.parent.mkdir(parents=True)
    stale.write_text("kind: InstanceType\n")
    unrelated = root / "README.md"
    unrelated.write_text("mine\n")
    assert main(["--config", str(GOOD), "--out", str(tmp_path)]) == 0
    assert "files in" in capsys.readouterr().out
    assert not stale.exists()
    assert unrelated.read_text() == "mine\n"
    assert sorted(p.name for p in root.iterdir()) == ["README.md", "azureml", "infrastructure", "ingress"]
    assert (root / "ingress" / "helmrelease-nginx-ingress.yaml").exists()
