"""The tests of tools/ (preflight, smoke, outputs), run in .venv-azure and reported here one by one.

Those tools need the Azure SDKs, which live in their own virtualenv (.venv-azure, `make test`
creates it), so their tests cannot run in this interpreter. One .venv-azure pytest process both
collects and runs that suite (tests/azure_tools/report_plugin.py): it is started when this module
is imported, the collection here waits only for its list of test ids, and the suite runs in the
background while the rest of this suite does; each of its tests is then one test here, so the
closing line counts every one of them and a failure shows the original message. Under
pytest-xdist the first worker starts it and the other joins the same run.

Its result is kept across runs keyed by the content of ``INPUTS`` and the virtualenv's pins
(tests/harness/result_cache.py): an unchanged tools suite is not run again. Whenever it does run,
``test_tools_suite_reads_only_its_declared_inputs`` checks that every repository file it opened
and every command it started lies within those inputs. Run it directly with:

    .venv-azure/bin/python -m pytest -c tests/azure_tools/pytest.ini --rootdir . --confcutdir tests/azure_tools tests/azure_tools
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.harness import result_cache

ROOT = Path(__file__).resolve().parent.parent
AZURE_VENV = ROOT / ".venv-azure"
AZURE_PYTHON = AZURE_VENV / "bin" / "python"
PYTEST = [
    "-m",
    "pytest",
    "-c",
    "tests/azure_tools/pytest.ini",
    "--rootdir",
    ".",
    "--confcutdir",
    "tests/azure_tools",
    "-p",
    "tests.azure_tools.report_plugin",
    "-q",
    "tests/azure_tools",
]
MISSING = f"{AZURE_PYTHON.relative_to(ROOT)} is missing: `make test` creates it (or `make .stamps/azure`)"
# Everything the tools suite reads from the repository (checked on every real run, see above),
# and the pins that decide what is installed in .venv-azure.
INPUTS = tuple(
    Path(p)
    for p in (
        "catalog",
        "config",
        "stacks",
        "tools",
        "tests/__init__.py",
        "tests/test_azure_tools.py",  # how the suite is run (PYTEST)
        "tests/azure_tools",
        "tests/fixtures/configs",
        "requirements-azure.txt",
        "constraints-azure.txt",
    )
)
KIND = "azure-tools"
WAIT_SECONDS = 600


def _key() -> str:
    version = subprocess.run([str(AZURE_PYTHON), "-VV"], capture_output=True, text=True, check=False).stdout.strip()
    return result_cache.content_key(INPUTS, extra=[version, str(AZURE_PYTHON)])


def _run_id() -> str:
    """One run of this suite: the xdist workers of one run share the controller's id."""
    return os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ToolsRun:
    """The tools suite's result for this key: from the cache, or from the one process this run
    started (or joined)."""

    def __init__(self, key: str):
        self.key = key
        self.cached = result_cache.load(KIND, key, "results.json")
        self.cached_ids = result_cache.load(KIND, key, "ids.json")
        self.directory = result_cache.CACHE_ROOT / f".running-{KIND}-{key}-{_run_id()}"
        if self.cached is None or self.cached_ids is None:
            self.cached = self.cached_ids = None
            self._start_or_join()

    def _start_or_join(self) -> None:
        result_cache.CACHE_ROOT.mkdir(parents=True, exist_ok=True)
        with open(result_cache.CACHE_ROOT / f".{KIND}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if (self.directory / "pid").exists():
                return  # another worker of this run started it
            for old in result_cache.CACHE_ROOT.glob(f".running-{KIND}-*"):  # earlier runs' folders
                pid_file = old / "pid"
                if not pid_file.exists() or not _alive(int(pid_file.read_text() or 0)):
                    shutil.rmtree(old, ignore_errors=True)
            self.directory.mkdir(parents=True, exist_ok=True)
            log = open(self.directory / "log.txt", "w")  # noqa: SIM115 (the child keeps writing it)
            process = subprocess.Popen(
                [str(AZURE_PYTHON), *PYTEST, f"--report-dir={self.directory}"],
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # not killed with a worker that finishes first
            )
            (self.directory / "pid").write_text(str(process.pid))

    def _wait_for(self, name: str):
        path = self.directory / name
        pid = int((self.directory / "pid").read_text())
        deadline = time.monotonic() + WAIT_SECONDS
        while not path.exists():
            if not _alive(pid) and not path.exists():
                time.sleep(0.2)  # the file may have been renamed into place as it exited
                if not path.exists():
                    log = (self.directory / "log.txt").read_text()[-4000:]
                    raise RuntimeError(f"the tools suite ended without writing {name}:\n{log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the tools suite wrote no {name} in {WAIT_SECONDS} s")
            time.sleep(0.05)
        return json.loads(path.read_text())

    def ids(self) -> list[str]:
        return self.cached_ids if self.cached_ids is not None else self._wait_for("ids.json")

    def report(self) -> dict:
        if self.cached is not None:
            return self.cached
        report = self._wait_for("results.json")
        report["from_cache"] = False
        problems = undeclared_reads(report)
        outcomes = {outcome for outcome, _ in report["results"].values()}
        if report["exitstatus"] == 0 and outcomes <= {"passed", "skipped"} and not problems:
            result_cache.store(KIND, self.key, {"ids.json": self.ids(), "results.json": {**report, "from_cache": True}})
        return report


def _source_of(relative: str) -> str:
    """``pkg/__pycache__/mod.cpython-311.pyc`` -> ``pkg/mod.py`` (imports read the compiled file)."""
    path = Path(relative)
    if path.parent.name == "__pycache__" and path.suffix == ".pyc":
        return str(path.parent.parent / (path.name.split(".")[0] + ".py"))
    return relative


def undeclared_reads(report: dict) -> list[str]:
    """Repository files the run opened, and commands from the repository it started, that are not
    within ``INPUTS`` (.venv-azure is covered by its pins)."""
    declared = [str(p) for p in INPUTS]
    problems = []
    for opened in report["opened"]:
        source = _source_of(opened)
        if source.startswith(".venv-azure/"):
            continue
        if not any(source == d or source.startswith(d + "/") for d in declared):
            problems.append(f"read {source}")
    for command in report["commands"]:
        program = Path(command[0])
        if program.is_absolute() and program.is_relative_to(ROOT) and program != AZURE_PYTHON:
            problems.append(f"started {' '.join(command)}")
    return problems


def _collect() -> tuple[ToolsRun | None, list[str]]:
    if not AZURE_PYTHON.exists():
        return None, []
    run = ToolsRun(_key())
    try:
        ids = run.ids()
    except RuntimeError as error:
        # A collection error must fail the suite, not shrink it: one test that shows it.
        return run, [f"<collection failed>\n{error}"]
    return run, ids or ["<collection failed>\nthe tools suite collected no tests"]


RUN, TEST_IDS = _collect()


@pytest.fixture(scope="session")
def tools_report() -> dict:
    assert RUN is not None
    return RUN.report()


@pytest.mark.parametrize("test_id", TEST_IDS or [MISSING], ids=lambda t: t.split("\n")[0].removeprefix("tests/azure_tools/"))
def test_tools_suite(test_id, tools_report):
    if test_id == MISSING:
        if os.environ.get("CI"):
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    if test_id.startswith("<collection failed>"):
        pytest.fail(test_id)
    outcome, message = tools_report["results"].get(test_id, ("missing", "no result in the tools suite's report"))
    if outcome == "skipped":
        pytest.skip(message)
    if outcome != "passed":
        pytest.fail(f"{test_id} {outcome} in .venv-azure:\n{message}", pytrace=False)


@pytest.mark.skipif(RUN is None, reason=MISSING)
def test_tools_suite_reads_only_its_declared_inputs(tools_report):
    """What keys the cached result must cover everything the tools suite reads (a cached result
    was checked by this test when it ran)."""
    assert tools_report["opened"], "the audit hook recorded nothing: the report plugin did not run"
    assert not undeclared_reads(tools_report), (
        "the tools suite read outside tests/test_azure_tools.py INPUTS (add them, or its cached result could go stale)"
    )


def test_undeclared_reads_are_found():
    """The check above can fail: a read outside the inputs, and a repository program, are named."""
    report = {
        "opened": ["config/__pycache__/model.cpython-311.pyc", "constructs_lib/__pycache__/x.cpython-311.pyc", "README.md"],
        "commands": [[str(AZURE_PYTHON), "-c", "pass"], ["uname", "-p"], [str(ROOT / "node_modules/.bin/cdktf"), "synth"]],
    }
    assert undeclared_reads(report) == [
        "read constructs_lib/x.py",
        "read README.md",
        f"started {ROOT / 'node_modules/.bin/cdktf'} synth",
    ]
