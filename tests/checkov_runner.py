"""Runs the pinned Checkov (its own virtualenv, .venv-checkov) and returns its JSON reports; shared
by the security gate (tests/test_checkov.py) and the secret scan (tests/secret_scan.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

CHECKOV = Path(__file__).resolve().parent.parent / ".venv-checkov" / "bin" / "checkov"


def run_checkov(directory: Path, framework: str, *options: str) -> list[dict[str, Any]]:
    """One report per framework/check type Checkov ran over ``directory`` (none when it found
    nothing to scan); ``framework`` may name several, space-separated (one Checkov start for all).
    Fails the test when Checkov is not installed."""
    if not CHECKOV.exists():
        pytest.fail("Checkov is not installed: run `make test` (it creates .venv-checkov)")
    completed = subprocess.run(
        [str(CHECKOV), "-d", str(directory), "--framework", *framework.split(), *options, "-o", "json", "--quiet", "--compact"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode in (0, 1), completed.stderr[-2000:]
    output = completed.stdout.strip()
    if not output or output == "[]":
        return []
    reports = json.loads(output)
    return reports if isinstance(reports, list) else [reports]
