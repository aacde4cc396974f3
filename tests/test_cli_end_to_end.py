"""The real CLI path users run: `npx cdktf synth` on the default config (via `make synth`'s
command), in a scratch copy of the project so the checkout's cdktf.out is not touched."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_npx_cdktf_synth_default_config(tmp_path, default_synth):
    for item in ("cdktf.json", "main.py", "package.json"):
        shutil.copy(ROOT / item, tmp_path / item)
    for folder in ("config", "stacks", "constructs_lib"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for link in (".venv", "node_modules"):
        (tmp_path / link).symlink_to(ROOT / link)
    env = {k: v for k, v in os.environ.items() if k not in ("AKS_CONFIG", "CDKTF_OUTDIR")}
    env["PATH"] = f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{env['PATH']}"
    env["CHECKPOINT_DISABLE"] = "1"
    completed = subprocess.run(
        ["npx", "--no-install", "cdktf", "synth"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=400
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "end-of-life" not in completed.stdout + completed.stderr
    for stack in ("aks-cluster", "kubernetes-config"):
        written = json.loads((tmp_path / "cdktf.out" / "stacks" / stack / "cdk.tf.json").read_text())
        # Same document as the in-process synth that the snapshots cover.
        assert written == default_synth.stacks[stack]
