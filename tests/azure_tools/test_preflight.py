"""The preflight run as a whole (concurrency, read-only, failures), identity and subscription, and
the command line; each check's decision is tested in test_preflight_*.py against response bodies
shaped like the REST specs' examples, parsed by the SDK's own models (only the HTTP layer is fake)."""

from __future__ import annotations

import json
import time

import pytest
from azure.core.exceptions import ClientAuthenticationError

from tests.azure_tools import arm_responses as arm
from tests.azure_tools.fakes import FakeCredential
from tests.azure_tools.preflight_world import (
    DEFAULT,
    ROOT,
    SPOKE,
    STANDALONE,
    WORKSPACE,
    by_name,
    context_for,
    healthy,
    statuses,
)
from tools.preflight import __main__ as preflight_main
from tools.preflight import checks_account
from tools.preflight.model import Check, Status
from tools.preflight.runner import ALL_CHECKS, exit_status, run_checks


# ------------------------------------------------------------------ whole run
@pytest.mark.parametrize("config", [WORKSPACE, DEFAULT, STANDALONE], ids=["workspace", "default", "standalone"])
def test_healthy_subscription_has_no_blocker(config):
    fake = healthy(config)
    results = run_checks(context_for(config, fake))
    assert not fake.unmatched
    assert [r.name for r in results] == [c.name for c in ALL_CHECKS]
    assert {r.name: r.status for r in results if r.status == Status.BLOCKER} == {}
    assert exit_status(results) == 0
    # Permissions are never "ok": deny assignments and conditions are invisible to that API.
    assert by_name(results)["permissions of the deploying identity"].status == Status.WARNING


def test_only_reads():
    fake = healthy(WORKSPACE)
    run_checks(context_for(WORKSPACE, fake))
    assert {method for method, _url in fake.requests} <= {"GET", "HEAD"}


def test_checks_run_concurrently():
    latency = 0.25
    fake = healthy(WORKSPACE, latency=latency)
    started = time.monotonic()
    run_checks(context_for(WORKSPACE, fake))
    elapsed = time.monotonic() - started
    serial = latency * len(fake.requests)
    assert fake.max_in_flight >= 4, "requests of different checks overlap"
    assert elapsed < serial / 2, f"{elapsed:.1f}s for {len(fake.requests)} requests of {latency}s each"


def test_one_thread_is_serial_for_comparison():
    latency = 0.05
    fake = healthy(WORKSPACE, latency=latency)
    run_checks(context_for(WORKSPACE, fake), workers=1)
    assert fake.max_in_flight == 1


def test_a_failing_check_does_not_stop_the_others():
    def broken(_context):
        raise RuntimeError("boom")

    fake = healthy(WORKSPACE)
    results = run_checks(context_for(WORKSPACE, fake), [Check("broken", broken), *ALL_CHECKS[:2]])
    assert results[0].status == Status.BLOCKER and "RuntimeError: boom" in results[0].findings[0].message
    assert results[1].status == Status.OK and results[2].status == Status.OK


# ------------------------------------------------------------------ identity and subscription
def test_identity_names_the_principal_and_warns_on_another_tenant():
    fake = healthy(WORKSPACE)
    credential = FakeCredential({"oid": "o1", "tid": "99999999-9999-9999-9999-999999999999", "appid": "app-1"})
    findings = checks_account.check_identity(context_for(WORKSPACE, fake, credential))
    assert statuses(findings) == [Status.OK, Status.WARNING]
    assert "app-1" in findings[0].message and "service principal" in findings[0].message
    assert credential.scopes == [("https://management.azure.com/.default",)]


def test_no_credential_is_a_blocker_with_sign_in_advice():
    fake = healthy(WORKSPACE)
    credential = FakeCredential(error=ClientAuthenticationError("DefaultAzureCredential failed to retrieve a token"))
    results = run_checks(context_for(WORKSPACE, fake, credential), checks_account.CHECKS)
    assert results[0].status == Status.BLOCKER and "az login" in results[0].findings[0].action
    # The clients' bearer policy fails the same way: a blocker, not a traceback.
    assert results[1].status == Status.BLOCKER and "not signed in" in results[1].findings[0].message


@pytest.mark.parametrize(
    ("state", "expected"), [("Enabled", Status.OK), ("PastDue", Status.WARNING), ("Disabled", Status.BLOCKER)]
)
def test_subscription_state(state, expected):
    fake = healthy(WORKSPACE)
    fake.add("GET", f"/subscriptions/{SPOKE}", arm.subscription(SPOKE, state))
    assert statuses(checks_account.check_subscription(context_for(WORKSPACE, fake))) == [expected]


def test_subscription_not_found():
    fake = healthy(WORKSPACE)
    fake.add("GET", f"/subscriptions/{SPOKE}", arm.arm_error("SubscriptionNotFound", "nope"), status=404)
    findings = checks_account.check_subscription(context_for(WORKSPACE, fake))
    assert statuses(findings) == [Status.BLOCKER] and "404" in findings[0].message


def test_no_subscription_anywhere(monkeypatch):
    fake = healthy(DEFAULT)
    context = context_for(DEFAULT, fake)
    context.subscription_id = None
    findings = checks_account.check_subscription(context)
    assert statuses(findings) == [Status.BLOCKER] and "ARM_SUBSCRIPTION_ID" in findings[0].action


def test_without_a_subscription_only_the_subscription_check_blocks():
    fake = healthy(DEFAULT)
    context = context_for(DEFAULT, fake)
    context.subscription_id = None
    results = by_name(run_checks(context))
    assert results["subscription"].status == Status.BLOCKER and results["identity"].status == Status.OK
    skipped = [name for name, r in results.items() if r.status == Status.SKIPPED]
    assert "vCPU quota" in skipped and "permissions of the deploying identity" in skipped
    assert [name for name, r in results.items() if r.status == Status.BLOCKER] == ["subscription"]


def test_subscription_flag_wins(capsys, monkeypatch):
    monkeypatch.setenv("ARM_SUBSCRIPTION_ID", "99999999-9999-9999-9999-999999999999")
    fake = healthy(DEFAULT)
    config = ROOT / "config/default.yaml"
    status = preflight_main.main(
        ["--config", str(config), "--json", "--subscription", SPOKE],
        credential=FakeCredential(),
        client_kwargs=fake.client_kwargs(),
    )
    assert status == 0, capsys.readouterr().out
    assert all("99999999" not in url for _m, url in fake.requests)


def test_unregistered_provider_is_a_warning_naming_it():
    fake = healthy(WORKSPACE)
    fake.add(
        "GET", f"/subscriptions/{SPOKE}/providers/Microsoft.KubernetesConfiguration", arm.provider(SPOKE, "x", "NotRegistered")
    )
    findings = checks_account.check_resource_providers(context_for(WORKSPACE, fake))
    assert statuses(findings) == [Status.WARNING]
    assert "Microsoft.KubernetesConfiguration (NotRegistered)" in findings[0].message


# ------------------------------------------------------------------ command line
def test_json_output_and_exit_status(capsys):
    fake = healthy(WORKSPACE)
    fake.add("GET", f"/subscriptions/{SPOKE}", arm.subscription(SPOKE, "Disabled"))
    config = ROOT / "tests/fixtures/configs/azureml-workspace.yaml"
    status = preflight_main.main(
        ["--config", str(config), "--json"], credential=FakeCredential(), client_kwargs=fake.client_kwargs()
    )
    document = json.loads(capsys.readouterr().out)
    assert status == 1
    subscription = next(r for r in document["results"] if r["check"] == "subscription")
    assert subscription["status"] == "blocker" and subscription["findings"][0]["action"]


def test_table_output(capsys):
    fake = healthy(WORKSPACE)
    config = ROOT / "tests/fixtures/configs/azureml-workspace.yaml"
    status = preflight_main.main(["--config", str(config)], credential=FakeCredential(), client_kwargs=fake.client_kwargs())
    out = capsys.readouterr().out
    assert status == 0
    assert "Preflight" in out and "vCPU quota" in out and "0 blocker(s)" in out


def test_help_needs_no_azure(capsys):
    with pytest.raises(SystemExit) as exit_info:
        preflight_main.main(["--help"])
    assert exit_info.value.code == 0 and "--json" in capsys.readouterr().out


def test_bad_config_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: X\n")
    assert preflight_main.main(["--config", str(bad)]) == 2
    assert "configuration problem" in capsys.readouterr().err
