"""Checkov security gate over both stacks of every example config.

Any failed check not in checkov-skips.yaml fails the suite, and so does a skip that no config
needs any more (keeps the list short and current)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import defaultdict

import pytest
import yaml

from tests.conftest import EXAMPLE_CONFIGS, ROOT, STACK_NAMES

CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
SKIPS: dict[str, dict] = yaml.safe_load((ROOT / "checkov-skips.yaml").read_text())

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def checkov_failures(synth, tmp_path_factory) -> dict[str, set[str]]:
    """check id -> {"<config>/<stack>:<resource type>.<logical id>"} for every failed check."""
    if not CHECKOV.exists():
        pytest.fail("Checkov is not installed: run `make test` (it creates .venv-checkov)")
    scan_root = tmp_path_factory.mktemp("checkov")
    # Checkov names a terraform_json resource by logical id only; look its type up.
    resource_types: dict[tuple[str, str], str] = {}
    for config_path in EXAMPLE_CONFIGS:
        result = synth(config_path)
        for stack in STACK_NAMES:
            for resource_type, items in result.stacks[stack].get("resource", {}).items():
                resource_types.update({(f"{config_path.stem}/{stack}", name): resource_type for name in items})
            target = scan_root / config_path.stem / stack
            target.mkdir(parents=True)
            shutil.copy(result.outdir / "stacks" / stack / "cdk.tf.json", target / "cdk.tf.json")
    completed = subprocess.run(
        [str(CHECKOV), "-d", str(scan_root), "--framework", "terraform_json", "-o", "json", "--quiet", "--compact"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode in (0, 1), completed.stderr
    reports = json.loads(completed.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    assert reports and any(r.get("summary", {}).get("passed", 0) > 0 for r in reports), "Checkov scanned nothing"
    failures: dict[str, set[str]] = defaultdict(set)
    for report in reports:
        for check in report.get("results", {}).get("failed_checks", []):
            stack = check["file_path"].strip("/").removesuffix("/cdk.tf.json")
            logical_id = check["resource"].removeprefix("resource.")
            failures[check["check_id"]].add(f"{stack}:{resource_types[(stack, logical_id)]}.{logical_id}")
    return failures


def test_every_skip_names_resource_types_and_a_reason():
    assert SKIPS
    for check, entry in SKIPS.items():
        assert set(entry) == {"resource_types", "reason"}, check
        assert entry["resource_types"] and all(t.startswith("azurerm_") for t in entry["resource_types"]), check
        assert isinstance(entry["reason"], str) and entry["reason"].strip(), check


def _accepted(check: str, where: str) -> bool:
    resource_type = where.split(":", 1)[1].split(".", 1)[0]
    return check in SKIPS and resource_type in SKIPS[check]["resource_types"]


def test_no_unexpected_checkov_failures(checkov_failures):
    unexpected = {
        check: sorted(w for w in where if not _accepted(check, w))
        for check, where in checkov_failures.items()
        if any(not _accepted(check, w) for w in where)
    }
    assert not unexpected, "Checkov failures not accepted in checkov-skips.yaml:\n" + json.dumps(unexpected, indent=2)


def test_no_stale_skips(checkov_failures):
    stale = sorted(set(SKIPS) - set(checkov_failures))
    assert not stale, f"checkov-skips.yaml lists checks that no longer fail: {stale}"
