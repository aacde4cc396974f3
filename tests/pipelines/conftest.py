"""The pipeline definitions' tools: check-jsonschema and zizmor from their own pinned virtualenv
(.venv-pipelines, `make test` installs it: requirements-pipelines.txt). Both run offline: the
schemas ship inside check-jsonschema, and zizmor --offline makes no GitHub API call."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

VENV_BIN = ROOT / ".venv-pipelines" / "bin"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONS = sorted((ROOT / ".github" / "actions").glob("*/action.yml"))
AZURE_PIPELINES = sorted((ROOT / "pipelines" / "azure-devops").glob("*.yml"))


def _tool(name: str) -> Path:
    path = VENV_BIN / name
    if not path.exists():
        message = f"{path} is missing: `make test` installs it (target .stamps/pipelines)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def check_jsonschema() -> Path:
    return _tool("check-jsonschema")


@pytest.fixture(scope="session")
def zizmor() -> Path:
    return _tool("zizmor")


def run(command: list[str | Path]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN")}
    return subprocess.run([str(c) for c in command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
