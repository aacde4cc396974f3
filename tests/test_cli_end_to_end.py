"""The real CLI path users run, on the default config, with `make synth`'s command for the session's
toolchain: `npx cdktf synth` (cdktf.json runs `.venv/bin/python main.py`), or under
`TOOLCHAIN=cdktn` `cdktn synth --app ".venv-cdktn/bin/python main.py"` (it reads the same
cdktf.json). Runs in a scratch copy of the project so the checkout's cdktf.out is not touched."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

import toolchain
from tests.conftest import ROOT, TOOLCHAIN_ENV
from tests.harness.profile import phase

pytestmark = [pytest.mark.slow, pytest.mark.spawns_jsii]

COMMANDS = {
    toolchain.CDKTF: ["npx", "--no-install", "cdktf", "synth"],
    toolchain.CDKTN: [
        str(toolchain.ENVIRONMENTS[toolchain.CDKTN].node_bin / "cdktn"),
        "synth",
        "--app",
        f"{toolchain.ENVIRONMENTS[toolchain.CDKTN].venv}/bin/python main.py",
    ],
}


def test_cli_synth_default_config(tmp_path, default_synth):
    for item in ("cdktf.json", "main.py", "package.json"):
        shutil.copy(ROOT / item, tmp_path / item)
    # Every Python package of the app (config, stacks, constructs_lib, toolchain, ...).
    for folder in sorted(p for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name != "tests"):
        shutil.copytree(folder, tmp_path / folder.name, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / TOOLCHAIN_ENV.venv).symlink_to(ROOT / TOOLCHAIN_ENV.venv)
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    env = {k: v for k, v in os.environ.items() if k not in ("AKS_CONFIG", "CDKTF_OUTDIR")}
    env["PATH"] = f"{TOOLCHAIN_ENV.node_bin}{os.pathsep}{env['PATH']}"
    env["CHECKPOINT_DISABLE"] = "1"
    env["TOOLCHAIN"] = toolchain.NAME
    with phase("cli", f"{' '.join(COMMANDS[toolchain.NAME][:4])}: config/default.yaml"):
        completed = subprocess.run(COMMANDS[toolchain.NAME], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=400)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "end-of-life" not in completed.stdout + completed.stderr
    for stack in ("aks-cluster", "kubernetes-config"):
        written = json.loads((tmp_path / "cdktf.out" / "stacks" / stack / "cdk.tf.json").read_text())
        # Same document as the in-process synth that the snapshots cover.
        assert written == default_synth.native[stack]
