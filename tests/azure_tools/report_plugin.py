"""Loaded into the tools suite's own pytest (``-p tests.azure_tools.report_plugin``) when the main
suite runs it (tests/test_azure_tools.py), so that one process both collects and runs it:

- ``--report-dir=DIR``: writes ``DIR/ids.json`` as soon as collection is done (the main suite's
  collection waits only for that), then ``DIR/results.json`` (node id -> outcome and message)
  when the run ends;
- the files of the repository this process opened (an audit hook on ``open``, which imports go
  through too) and the commands it started (``subprocess.Popen``), in ``results.json``: the main
  suite caches these results keyed by the content of its input folders, and checks that every
  file read and every command started lies within them (tests/test_azure_tools.py).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_ROOT_PREFIX = str(ROOT) + os.sep
_opened: set[str] = set()
_commands: list[list[str]] = []


def _audit(event: str, args: tuple) -> None:
    if event == "open":
        path, mode = args[0], args[1]
        if isinstance(mode, str) and any(flag in mode for flag in "wax+"):
            return  # what the run writes (its report, temporary files) is output, not input
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if isinstance(path, str):
            absolute = path if os.path.isabs(path) else os.path.join(os.getcwd(), path)
            if absolute.startswith(_ROOT_PREFIX):
                _opened.add(os.path.relpath(os.path.normpath(absolute), ROOT))
    elif event == "subprocess.Popen":
        executable, arguments = args[0], args[1]
        _commands.append([os.fsdecode(a) if isinstance(a, bytes) else str(a) for a in (arguments or [executable])])


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--report-dir", default=None, help="where ids.json and results.json are written")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--report-dir"):
        sys.addaudithook(_audit)
        config.pluginmanager.register(_Reporter(Path(config.getoption("--report-dir"))), "azure-tools-reporter")


class _Reporter:
    def __init__(self, directory: Path):
        self.directory = directory
        self.results: dict[str, list[str]] = {}

    @staticmethod
    def _write(path: Path, data) -> None:
        scratch = path.with_suffix(".tmp")
        scratch.write_text(json.dumps(data, indent=1))
        os.replace(scratch, path)  # readers never see half a file

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self._write(self.directory / "ids.json", [item.nodeid for item in session.items])

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            self.results.setdefault(report.nodeid, ["skipped", reason])
        elif report.failed:
            self.results[report.nodeid] = ["failed", f"({report.when}) {report.longreprtext}"]
        elif report.when == "call":
            self.results.setdefault(report.nodeid, ["passed", ""])

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus) -> None:
        report = {
            "exitstatus": int(exitstatus),
            "results": self.results,
            "opened": sorted(_opened),
            "commands": _commands,
        }
        self._write(self.directory / "results.json", report)
