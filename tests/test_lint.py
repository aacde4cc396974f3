"""Style gate: ruff lint and formatting (config in ruff.toml)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

RUFF = [sys.executable, "-m", "ruff"]


def test_ruff_lint():
    result = subprocess.run([*RUFF, "check", "--output-format", "concise", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format():
    result = subprocess.run([*RUFF, "format", "--check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
