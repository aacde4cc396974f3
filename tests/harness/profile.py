"""The suite's own profile: wall and CPU time of each expensive phase and of each test.

``pytest --suite-profile=PATH`` writes PATH (JSON): the phases timed with ``phase(...)`` in the
shared fixtures (jsii load, synth of each config on each toolchain, Terraform init/validate/plan of
each stack, Checkov, the CLI end-to-end runs) and every test's wall and CPU time (setup, call and
teardown together). Under pytest-xdist each worker writes its part next to PATH and the
controller merges them. ``make bench`` reads the file (benchmarks/suite_profile.py).

CPU time is this process's own plus that of the child processes it waited for (``terraform``,
the CLIs, Checkov); the stand-in provider processes forked by the zygote are not children of the
test process, so their CPU is missing from the per-phase CPU column (it is in the whole-suite CPU
that ``make bench`` measures from outside).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

_EVENTS: list[dict] = []
_TESTS: list[dict] = []


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@contextmanager
def phase(kind: str, name: str) -> Iterator[None]:
    """Times one expensive step: ``kind`` groups steps in the report ("jsii load", "synth",
    "terraform", "checkov", "cli", ...), ``name`` says which one."""
    wall, cpu = time.perf_counter(), _cpu()
    start = time.time()
    try:
        yield
    finally:
        _EVENTS.append(
            {
                "kind": kind,
                "name": name,
                "worker": worker_id(),
                "start": start,
                "wall": time.perf_counter() - wall,
                "cpu": _cpu() - cpu,
            }
        )


def record(kind: str, name: str, wall: float, cpu: float = 0.0) -> None:
    """An event measured elsewhere (e.g. the test during which a worker first loaded jsii)."""
    _EVENTS.append({"kind": kind, "name": name, "worker": worker_id(), "start": time.time(), "wall": wall, "cpu": cpu})


def addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--suite-profile",
        metavar="PATH",
        default=None,
        help="write the suite profile (phases and per-test wall/CPU time, JSON) to PATH",
    )


class SuiteProfile:
    """The plugin (registered by tests/conftest.py)."""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_collection(self, session: pytest.Session):
        with phase("collection", "collect (import) the test modules"):
            yield
        if "jsii" in sys.modules and _EVENTS:
            _EVENTS[-1]["name"] += ": jsii loaded by a test module's imports"

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem):
        wall, cpu = time.perf_counter(), _cpu()
        yield
        _record_test(item, time.perf_counter() - wall, _cpu() - cpu)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        _write(session)


def _record_test(item: pytest.Item, wall: float, cpu: float) -> None:
    _TESTS.append(
        {
            "nodeid": item.nodeid.split("@", 1)[0],
            "file": item.nodeid.split("::", 1)[0],
            "worker": worker_id(),
            "markers": sorted({m.name for m in item.iter_markers()} & {"jsii", "terraform", "slow"}),
            "wall": wall,
            "cpu": cpu,
        }
    )


def _parts_dir(path: Path) -> Path:
    return path.with_name(path.name + ".parts")


def _write(session: pytest.Session) -> None:
    target = session.config.getoption("--suite-profile")
    if not target:
        return
    path = Path(target).resolve()
    part = {"events": _EVENTS, "tests": _TESTS}
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller merges
        _parts_dir(path).mkdir(parents=True, exist_ok=True)
        (_parts_dir(path) / f"{worker_id()}.json").write_text(json.dumps(part))
        return
    parts = [part]
    if _parts_dir(path).is_dir():
        for file in sorted(_parts_dir(path).glob("*.json")):
            parts.append(json.loads(file.read_text()))
            file.unlink()
        _parts_dir(path).rmdir()
    merged = {
        "workers": int(getattr(session.config.option, "numprocesses", 0) or 0),
        "exitstatus": int(session.exitstatus),
        "events": [e for p in parts for e in p["events"]],
        "tests": [t for p in parts for t in p["tests"]],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(merged, indent=1))
