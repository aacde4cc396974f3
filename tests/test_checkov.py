"""Checkov security gate over both stacks of every example and fixture config (the one Checkov
run of the suite, fixture ``checkov_scan`` in tests/conftest.py).

Any failed check not in checkov-skips.yaml fails the suite, and so does a skip that no config
needs any more (keeps the list short and current)."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
import yaml

from tests.conftest import EXAMPLE_CONFIGS, FIXTURE_CONFIGS, ROOT, STACK_NAMES

SKIPS: dict[str, dict] = yaml.safe_load((ROOT / "checkov-skips.yaml").read_text())

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def checkov_failures(synth, checkov_scan) -> dict[str, set[str]]:
    """check id -> {"<config>/<stack>:<resource type>.<logical id>"} for every failed check."""
    # Checkov names a terraform_json resource by logical id only; look its type up.
    resource_types: dict[tuple[str, str], str] = {}
    for config_path in EXAMPLE_CONFIGS + FIXTURE_CONFIGS:
        result = synth(config_path)
        for stack in STACK_NAMES:
            for resource_type, items in result.stacks[stack].get("resource", {}).items():
                resource_types.update({(f"{config_path.stem}/{stack}", name): resource_type for name in items})
    reports = [r for r in checkov_scan["reports"] if r.get("check_type") == "terraform_json"]
    assert reports and any(r.get("summary", {}).get("passed", 0) > 0 for r in reports), "Checkov scanned nothing"
    failures: dict[str, set[str]] = defaultdict(set)
    for report in reports:
        for check in report.get("results", {}).get("failed_checks", []):
            # "/<config>/stacks/<stack>/cdk.tf.json" -> "<config>/<stack>"
            config, _, stack_name = check["file_path"].strip("/").removesuffix("/cdk.tf.json").split("/")
            stack = f"{config}/{stack_name}"
            logical_id = check["resource"].removeprefix("resource.")
            failures[check["check_id"]].add(f"{stack}:{resource_types[(stack, logical_id)]}.{logical_id}")
    return failures


CONFIG_STEMS = {p.stem for p in EXAMPLE_CONFIGS + FIXTURE_CONFIGS}


def test_every_skip_names_resource_types_and_a_reason():
    assert SKIPS
    for check, entry in SKIPS.items():
        assert set(entry) in ({"resource_types", "reason"}, {"resource_types", "reason", "configs"}), check
        assert entry["resource_types"] and all(t.startswith("azurerm_") for t in entry["resource_types"]), check
        assert isinstance(entry["reason"], str) and entry["reason"].strip(), check
        assert set(entry.get("configs", CONFIG_STEMS)) <= CONFIG_STEMS, check


def _accepted(check: str, where: str) -> bool:
    """``where`` is "<config>/<stack>:<resource type>.<logical id>". A skip with ``configs`` is an
    explicit relaxation of those configs only."""
    config = where.split("/", 1)[0]
    resource_type = where.split(":", 1)[1].split(".", 1)[0]
    entry = SKIPS.get(check)
    return entry is not None and resource_type in entry["resource_types"] and config in entry.get("configs", CONFIG_STEMS)


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
    for check, entry in SKIPS.items():
        failing_configs = {where.split("/", 1)[0] for where in checkov_failures.get(check, ())}
        unneeded = sorted(set(entry.get("configs", ())) - failing_configs)
        assert not unneeded, f"{check}: accepted for configs that pass it: {unneeded}"


def test_local_accounts_check_passes_where_they_are_disabled(checkov_failures):
    """With azureml.workspace, Trusted Access lets local accounts be disabled (an explicit opt-in):
    the admin credential is gone and CKV_AZURE_141 passes for that config."""
    failing_configs = {where.split("/", 1)[0] for where in checkov_failures.get("CKV_AZURE_141", ())}
    assert "azureml-workspace" not in failing_configs
    assert "default" in failing_configs
