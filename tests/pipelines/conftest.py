"""The pipeline definitions' tools: check-jsonschema and zizmor from their own pinned virtualenv
(.venv-pipelines, `make test` installs it: requirements-pipelines.txt). Both run offline: the
schemas ship inside check-jsonschema, and zizmor --offline makes no GitHub API call."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.harness import result_cache

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


# What the tools' verdicts depend on besides the files named on their command line: their pins and
# zizmor's configuration files (read from the working directory and .github/).
PIPELINE_TOOL_INPUTS = (
    Path("requirements-pipelines.txt"),
    Path("constraints-pipelines.txt"),
    Path("zizmor.yml"),
    Path(".github/zizmor.yml"),
)


def run(command: list[str | Path]) -> subprocess.CompletedProcess:
    """Run a pipeline tool offline. On the project's own files its result is a function of the
    command, those files and the inputs above, so a completed run is kept across runs under that
    key (result_cache); runs on scratch files (the tests that break a copy) always run."""
    words = [str(c) for c in command]
    named = [ROOT / w for w in words[1:] if (ROOT / w).exists()]  # the tools run in ROOT

    def completed() -> dict[str, object]:
        env = {k: v for k, v in os.environ.items() if k not in ("GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN")}
        done = subprocess.run(words, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        return {"returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr}

    if all(p.resolve().is_relative_to(ROOT) for p in named):
        key = result_cache.content_key((*PIPELINE_TOOL_INPUTS, *(p.resolve().relative_to(ROOT) for p in named)), extra=words[1:])
        # A failing verdict always runs again.
        result = result_cache.load_or_run("pipeline-tool", key, completed, keep=lambda result: result["returncode"] == 0)
    else:
        result = completed()
    return subprocess.CompletedProcess(words, **result)
