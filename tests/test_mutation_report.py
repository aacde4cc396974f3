"""`make mutation`: its configuration names files that exist, it stays out of `make test`, and
its report (tools/mutation_report.py) counts and lists mutants the way docs/mutation.md reads."""

from __future__ import annotations

import configparser
import re
import subprocess
from collections import Counter

from tests.conftest import ROOT
from tools.mutation_report import function_of, kill_rate, module_of, parse_results, render

CONFIG = configparser.ConfigParser()
CONFIG.read(ROOT / "setup.cfg")


def _listed(key: str) -> list[str]:
    return [line for line in CONFIG.get("mutmut", key).splitlines() if line.strip()]


def test_every_mutated_module_and_selected_test_exists():
    for pattern in _listed("only_mutate"):
        assert list(ROOT.glob(pattern)), pattern
    for test_file in _listed("pytest_add_cli_args_test_selection"):
        assert (ROOT / test_file).is_file(), test_file
    for path in _listed("source_paths") + _listed("also_copy"):
        assert (ROOT / path).exists(), path


def test_mutation_is_not_part_of_make_test():
    dry = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "mutmut" not in dry
    mutation = subprocess.run(["make", "-n", "mutation"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert re.search(r"nice -n 10 \.venv-mutation/bin/mutmut run --max-children 2", mutation), mutation
    assert "tools.mutation_report --out docs/mutation-report.md" in mutation


def test_mutmut_is_pinned_exactly():
    requirements = (ROOT / "requirements-mutation.txt").read_text()
    assert re.search(r"^mutmut==\d+\.\d+\.\d+$", requirements, re.MULTILINE)
    constraints = (ROOT / "constraints-mutation.txt").read_text()
    pinned = re.search(r"^mutmut==(\S+)$", requirements, re.MULTILINE)[1]
    assert f"mutmut=={pinned}" in constraints


RESULTS = """\
    config.checks.api.x__public_api_rules__mutmut_1: killed
    config.checks.api.x__public_api_rules__mutmut_2: survived
    config.checks.network.x__subnet_rules__mutmut_1: timeout
    config.checks.network.x__subnet_rules__mutmut_2: no tests
    config.lenient.InvalidValue.xǁInvalidValueǁ__repr____mutmut_1: killed
    config.loader.x_load_config__mutmut_1: not checked
"""


def test_results_are_parsed_and_grouped_by_module_and_function():
    results = parse_results(RESULTS)
    assert len(results) == 6 and results["config.checks.api.x__public_api_rules__mutmut_2"] == "survived"
    assert module_of("config.checks.api.x__public_api_rules__mutmut_2") == "config.checks.api"
    assert function_of("config.checks.api.x__public_api_rules__mutmut_2") == "_public_api_rules"
    assert module_of("config.lenient.InvalidValue.xǁInvalidValueǁ__repr____mutmut_1") == "config.lenient"
    assert function_of("config.lenient.InvalidValue.xǁInvalidValueǁ__repr____mutmut_1") == "InvalidValue.__repr__"


def test_kill_rate_counts_timeouts_as_caught_and_untested_mutants_as_not():
    assert kill_rate(Counter({"killed": 2, "timeout": 1, "survived": 1})) == 75.0
    assert kill_rate(Counter({"killed": 1, "no tests": 1})) == 50.0
    assert kill_rate(Counter()) == 0.0


def test_report_lists_every_mutant_not_killed_with_its_diff():
    results = parse_results(RESULTS)
    diffs = {
        "config.checks.api.x__public_api_rules__mutmut_2": "-    if cidr.prefixlen < 16:\n+    if cidr.prefixlen <= 16:",
        "config.checks.network.x__subnet_rules__mutmut_2": "-a\n+b",
    }
    report = render(results, diffs)
    assert "**5 mutants, 3 killed: kill rate 60.0%** (survived 1, no tests 1, timeout 1, other 0)" in report
    assert "| `config.checks.api` | 2 | 1 | 1 | 0 | 50.0% |" in report
    assert "| `config.checks.network` | 2 | 1 | 0 | 1 | 50.0% |" in report
    assert report.count("### `") == 2
    assert "Not checked in this run (outside its ARGS): 1 mutants" in report and "config.loader" not in report
    assert "+    if cidr.prefixlen <= 16:" in report
    assert "x__public_api_rules__mutmut_1" not in report  # killed: not listed
