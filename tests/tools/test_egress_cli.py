"""`make egress` (python -m tools.egress): the same rules in four formats, bad configs refused."""

from __future__ import annotations

import csv
import io
import json
import shlex
import subprocess
import sys

import pytest

from config.egress import egress_rules
from config.loader import load_config
from tests.conftest import ROOT
from tools.egress.__main__ import main

LOCKDOWN = ROOT / "tests" / "fixtures" / "configs" / "gitops-gpu-workspace-lockdown.yaml"


def run(capsys, *args) -> str:
    assert main(["--config", str(LOCKDOWN), *args]) == 0
    return capsys.readouterr().out


@pytest.fixture(scope="module")
def rules():
    return egress_rules(load_config(LOCKDOWN))


def test_table_lists_every_rule_with_feature_and_source(capsys, rules):
    out = run(capsys)
    assert "from 10.90.0.0/22" in out
    for rule in rules:
        (row,) = [line for line in out.splitlines() if f" {rule.destination} " in line and f"{rule.protocol}:{rule.port}" in line]
        assert all(feature in row for feature in rule.features)
    assert "catalog/sources/aks-outbound-rules.md" in out


def test_json_and_csv_carry_the_same_rules(capsys, rules):
    document = json.loads(run(capsys, "--format", "json"))
    assert [(r["destination"], r["port"]) for r in document["rules"]] == [(r.destination, r.port) for r in rules]
    assert all(r["sources"] and r["sources"][0]["url"].startswith("https://") for r in document["rules"])
    rows = list(csv.DictReader(io.StringIO(run(capsys, "--format", "csv"))))
    assert [(r["destination"], int(r["port"])) for r in rows] == [(r.destination, r.port) for r in rules]
    assert {r["source_addresses"] for r in rows} == {"10.90.0.0/22"}


def test_az_commands_create_one_group_with_every_rule(capsys, rules):
    script = run(capsys, "--format", "az")
    commands = [shlex.split(line) for line in script.splitlines() if line.startswith("az ")]
    assert commands[0][:6] == ["az", "network", "firewall", "policy", "rule-collection-group", "create"]
    assert commands[0][commands[0].index("--priority") + 1] == "1200"
    targets = []
    for command in commands[1:]:
        flag = next(f for f in ("--target-fqdns", "--destination-fqdns", "--destination-addresses") if f in command)
        targets.append(command[command.index(flag) + 1])
        assert command[command.index("--source-addresses") + 1] == "$SOURCES"
    assert sorted(targets) == sorted(r.destination for r in rules)
    # Wildcards reach az quoted, never expanded by the shell; never a bare * or 0.0.0.0/0.
    assert "'*.data.mcr.microsoft.com'" in script
    assert all(t not in ("*", "0.0.0.0/0") for t in targets)
    assert "SOURCES=10.90.0.0/22" in script
    subprocess.run(["bash", "-n"], input=script, text=True, check=True)


def test_az_commands_name_the_configured_policy_or_ask_for_it(capsys):
    script = run(capsys, "--format", "az")
    assert "POLICY_RG=rg-hub-fw" in script and "POLICY_NAME=fwp-hub" in script and "--priority 1200" in script
    assert main(["--config", str(ROOT / "config" / "default.yaml"), "--format", "az"]) == 0
    script = capsys.readouterr().out
    assert "POLICY_RG=${POLICY_RG:?" in script and "--priority 500" in script


def test_bad_config_exits_2_and_prints_every_problem(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text(LOCKDOWN.read_text().replace("    workspace_guid: 3f2b9c1d-5e6a-4b7c-8d9e-0a1b2c3d4e5f\n", ""))
    result = subprocess.run(
        [sys.executable, "-m", "tools.egress", "--config", str(config)], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "azureml.workspace.workspace_guid: is required with hub and azureml.workspace" in result.stderr
