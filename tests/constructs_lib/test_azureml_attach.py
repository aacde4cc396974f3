"""The destroy-time detach step, run for real against a stub `az` that plays Azure's answers."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from constructs_lib.azureml_attach import DETACH_SCRIPT

COMPUTE_ID = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/computes/c"
NOT_FOUND = 'Not Found({"error":{"code":"ResourceNotFound","message":"compute not found"}})'


def run_detach(tmp_path: Path, answers: list[tuple[int, str]]) -> tuple[subprocess.CompletedProcess, list[str]]:
    """``answers``: (exit status, stderr) of each `az` call in order; returns the run and the calls."""
    calls = tmp_path / "calls"
    script = ["#!/bin/sh", f'echo "$*" >> {calls}', f"n=$(wc -l < {calls})"]
    for i, (status, message) in enumerate(answers, start=1):
        script.append(f"if [ \"$n\" -eq {i} ]; then echo '{message}' >&2; exit {status}; fi")
    script.append("echo 'unexpected call' >&2; exit 99")
    az = tmp_path / "az"
    az.write_text("\n".join(script) + "\n")
    az.chmod(az.stat().st_mode | stat.S_IEXEC)
    env = {
        "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}",
        "COMPUTE_ID": COMPUTE_ID,
        "API_VERSION": "2025-12-01",
        "POLL_SECONDS": "0",
    }
    completed = subprocess.run(["/bin/sh", "-c", DETACH_SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    return completed, calls.read_text().splitlines() if calls.exists() else []


def test_detaches_then_waits_until_the_compute_is_gone(tmp_path):
    completed, calls = run_detach(tmp_path, [(0, ""), (0, ""), (0, ""), (1, NOT_FOUND)])
    assert completed.returncode == 0, completed.stderr
    assert "underlyingResourceAction=Detach" in calls[0] and calls[0].startswith("rest --method delete")
    assert all(c.startswith("rest --method get") for c in calls[1:]) and len(calls) == 4


def test_a_failed_detach_stops_the_destroy_with_its_own_message(tmp_path):
    completed, calls = run_detach(tmp_path, [(1, "Forbidden: AuthorizationFailed")])
    assert completed.returncode == 1 and len(calls) == 1
    assert "Detaching Azure ML compute" in completed.stderr and "AuthorizationFailed" in completed.stderr


@pytest.mark.parametrize("transient", ["Too Many Requests", "AADSTS700082: The refresh token has expired"])
def test_a_failed_check_is_retried_not_taken_for_detached(tmp_path, transient):
    completed, calls = run_detach(tmp_path, [(0, ""), (1, transient), (0, ""), (1, NOT_FOUND)])
    assert completed.returncode == 0, completed.stderr
    assert len(calls) == 4 and "retrying" in completed.stderr


def test_an_already_detached_compute_is_fine(tmp_path):
    """Run again after a manual `az ml compute detach`: the DELETE finds nothing."""
    completed, _ = run_detach(tmp_path, [(1, NOT_FOUND)])
    assert completed.returncode == 0, completed.stderr


def test_gives_up_after_sixty_checks(tmp_path):
    completed, calls = run_detach(tmp_path, [(0, "")] * 61)
    assert completed.returncode == 1 and len(calls) == 61
    assert "still attached" in completed.stderr


def test_no_terraform_interpolation_in_the_script():
    assert "${" not in DETACH_SCRIPT and "%{" not in DETACH_SCRIPT
