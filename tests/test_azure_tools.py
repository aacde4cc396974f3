"""The tests of tools/ (preflight, smoke, outputs), run in .venv-azure and reported here one by one.

Those tools need the Azure SDKs, which live in their own virtualenv (.venv-azure, `make test`
creates it), so their tests cannot run in this interpreter. This module asks .venv-azure's pytest
for the test ids (`--collect-only`), then runs that suite once (JUnit XML) and turns each of its
test cases into one test here: `make test`'s closing line counts every one of them, and a
failure shows the original message. Run them directly with:

    .venv-azure/bin/python -m pytest -c tests/azure_tools/pytest.ini --rootdir . --confcutdir tests/azure_tools tests/azure_tools
"""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ElementTree
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AZURE_PYTHON = ROOT / ".venv-azure" / "bin" / "python"
PYTEST = [
    "-m",
    "pytest",
    "-c",
    "tests/azure_tools/pytest.ini",
    "--rootdir",
    ".",
    "--confcutdir",
    "tests/azure_tools",
    "tests/azure_tools",
]
MISSING = f"{AZURE_PYTHON.relative_to(ROOT)} is missing: `make test` creates it (or `make .stamps/azure`)"


def _collect() -> list[str]:
    if not AZURE_PYTHON.exists():
        return []
    completed = subprocess.run(
        [str(AZURE_PYTHON), *PYTEST, "--collect-only", "-q"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    ids = [line.strip() for line in completed.stdout.splitlines() if line.startswith("tests/azure_tools/") and "::" in line]
    if completed.returncode != 0 or not ids:
        # A collection error must fail the suite, not shrink it: one test that shows it.
        return [f"<collection failed>\n{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"]
    return ids


TEST_IDS = _collect()


@cache
def _results(tmp_dir: str) -> dict[str, tuple[str, str]]:
    """node id -> (outcome, message) of one run of the whole tools suite."""
    junit = Path(tmp_dir) / "tools-junit.xml"
    completed = subprocess.run(
        [str(AZURE_PYTHON), *PYTEST, "-q", f"--junitxml={junit}"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if not junit.exists():
        pytest.fail(f"the tools suite did not run:\n{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}")
    results = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        module, name = case.get("classname", ""), case.get("name", "")
        node = f"{module.replace('.', '/')}.py::{name}"
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error"):
                outcome, message = "failed", f"{child.get('message', '')}\n{child.text or ''}"
            elif child.tag == "skipped":
                outcome, message = "skipped", child.get("message", "")
        results[node] = (outcome, message)
    return results


@pytest.fixture(scope="session")
def tools_results(tmp_path_factory) -> dict[str, tuple[str, str]]:
    return _results(str(tmp_path_factory.mktemp("tools")))


@pytest.mark.parametrize("test_id", TEST_IDS or [MISSING], ids=lambda t: t.split("\n")[0].removeprefix("tests/azure_tools/"))
def test_tools_suite(test_id, tools_results):
    if test_id == MISSING:
        if os.environ.get("CI"):
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    if test_id.startswith("<collection failed>"):
        pytest.fail(test_id)
    outcome, message = tools_results.get(test_id, ("missing", "no result in the JUnit report"))
    if outcome == "skipped":
        pytest.skip(message)
    if outcome != "passed":
        pytest.fail(f"{test_id} {outcome} in .venv-azure:\n{message}", pytrace=False)
