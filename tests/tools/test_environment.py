"""tools/environment.py (make diff|deploy|synth): banner, refusal, plain logs. The CLI itself is
replaced by a recorder: what runs, with which environment, or that nothing runs."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from tests.config.test_environment import real_config
from tests.conftest import ROOT
from tools import environment


@pytest.fixture
def calls(monkeypatch):
    recorded = []

    def fake_call(command, env):
        recorded.append((command, env))
        return 0

    monkeypatch.setattr(subprocess, "call", fake_call)
    monkeypatch.setattr(environment.sys.stdout, "isatty", lambda: False)
    return recorded


@pytest.fixture
def users_config(tmp_path):
    path = tmp_path / "prod.yaml"
    path.write_text(yaml.safe_dump(real_config()))
    return str(path)


def test_deploy_without_a_named_config_is_refused_and_runs_nothing(calls, capsys):
    assert environment.main(["cdktf", "deploy", "aks-cluster"], environ={"PATH": "/bin"}) == environment.EXIT_REFUSED
    out, err = capsys.readouterr()
    assert calls == []
    assert "deploy        refused" in out
    assert err.startswith("Refusing to deploy: no config was named (AKS_CONFIG is unset)")


def test_deploy_of_a_named_example_is_refused(calls, capsys):
    env = {"AKS_CONFIG": str(ROOT / "config" / "standalone.yaml")}
    assert environment.main(["cdktf", "deploy"], environ=env) == environment.EXIT_REFUSED
    assert calls == []
    assert "is an example shipped with the project" in capsys.readouterr().err


def test_deploy_of_a_users_config_runs_the_cli_with_plain_output(calls, users_config, capsys):
    env = {"AKS_CONFIG": users_config, "TOOLCHAIN": "cdktf", "PATH": "/bin"}
    assert environment.main(["cdktf", "deploy", "aks-cluster", "--auto-approve"], environ=env) == 0
    [(command, run_env)] = calls
    assert command == ["cdktf", "deploy", "aks-cluster", "--auto-approve", "--no-color"]
    assert run_env["CI"] == "1" and run_env["FORCE_COLOR"] == "0" and run_env["AKS_CONFIG"] == users_config
    # The CLI synthesizes, so main.py prints the banner: not twice.
    assert "deployment" not in capsys.readouterr().out


def test_synth_and_diff_of_the_example_are_allowed(calls):
    assert environment.main(["cdktf", "synth"], environ={}) == 0
    assert environment.main(["cdktf", "diff", "aks-cluster"], environ={}) == 0
    assert [c[0][:2] for c in calls] == [["cdktf", "synth"], ["cdktf", "diff"]]
    assert calls[0][0] == ["cdktf", "synth"], "synth takes no --no-color"


def test_commands_that_do_not_synthesize_print_the_banner(calls, users_config, capsys):
    env = {"AKS_CONFIG": users_config}
    assert environment.main(["cdktf", "diff", "--skip-synth", "aks-cluster"], environ=env) == 0
    assert "deployment    amlprod (westeurope)" in capsys.readouterr().out


def test_cdktn_toolchain_runs_cdktn(calls, users_config):
    env = {"AKS_CONFIG": users_config, "TOOLCHAIN": "cdktn"}
    environment.main(["cdktf", "diff", "aks-cluster", "--app", "x"], environ=env)
    assert calls[0][0][0] == "cdktn"


def test_terminal_output_is_left_as_it_is(calls, users_config, monkeypatch):
    monkeypatch.setattr(environment.sys.stdout, "isatty", lambda: True)
    env = {"AKS_CONFIG": users_config}
    environment.main(["cdktf", "deploy"], environ=env)
    [(command, run_env)] = calls
    assert command == ["cdktf", "deploy"] and "CI" not in run_env


def test_bad_config_stops_before_the_cli(calls, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: 1\n")
    assert environment.main(["cdktf", "synth"], environ={"AKS_CONFIG": str(bad)}) == environment.EXIT_BAD_CONFIG
    assert calls == []
    assert "configuration problem" in capsys.readouterr().err


def test_banner_command(capsys, users_config):
    assert environment.main(["banner"], environ={"AKS_CONFIG": users_config}) == 0
    assert f"config        {users_config}" in capsys.readouterr().out
