"""The smoke test's Azure ML layer (MLClient) against the fake ARM: azure-ai-ml's own clients,
entities and REST models run; only the HTTP layer is fake and the credential a dummy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config.loader import load_config
from tests.azure_tools import aml_responses as aml
from tests.azure_tools.fakes import FakeArm, FakeCredential
from tools.smoke.backend import AzureMLBackend, SmokeFailure
from tools.smoke.plan import build_plan

ROOT = Path(__file__).resolve().parents[2]
PLAN = build_plan(load_config(ROOT / "tests/fixtures/configs/azureml-workspace.yaml"), run_id="abc123")
OURS = {"smoke-test": "aks-azureml", "deployment": "amlws", "smoke-run": "old111"}
OTHER_DEPLOYMENT = {"smoke-test": "aks-azureml", "deployment": "someone-else", "smoke-run": "x"}


def backend(fake: FakeArm, **kwargs) -> AzureMLBackend:
    fake.add("GET", aml.WS, aml.workspace())
    return AzureMLBackend(PLAN, FakeCredential(), transport=fake.transport(), retry_total=0, poll=0, **kwargs)


def test_the_plan_names_the_workspace_of_the_config():
    assert (PLAN.subscription_id, PLAN.resource_group, PLAN.workspace_name) == (
        "44444444-4444-4444-4444-444444444444",
        "rg-ml",
        "mlw-prod",
    )


def test_leftovers_are_only_this_deployments_tagged_objects():
    fake = FakeArm()
    fake.add(
        "GET",
        r".*/onlineEndpoints",
        {"value": [aml.online_endpoint("smk-amlws-old111", OURS), aml.online_endpoint("other", OTHER_DEPLOYMENT)]},
    )
    fake.add(
        "GET", r".*/jobs", {"value": [aml.command_job("oldjob", OURS, "Running"), aml.command_job("theirs", {}, "Completed")]}
    )
    fake.add("GET", r".*/models/smoke-amlws/versions", {"value": [aml.model_version("smoke-amlws", "2", OURS)]})
    found = backend(fake).leftovers(PLAN)
    assert (found.endpoints, found.jobs, found.models) == (["smk-amlws-old111"], ["oldjob"], [("smoke-amlws", "2")])
    assert all(method == "GET" for method, _ in fake.requests)


def test_endpoint_key():
    fake = FakeArm()
    fake.add("GET", rf".*/onlineEndpoints/{PLAN.endpoint_name}", aml.online_endpoint(PLAN.endpoint_name, PLAN.tags))
    fake.add("POST", rf".*/onlineEndpoints/{PLAN.endpoint_name}/listKeys", {"primaryKey": "pk-1", "secondaryKey": "sk-1"})
    assert backend(fake).endpoint_key(PLAN.endpoint_name) == "pk-1"


@pytest.mark.parametrize(
    ("status", "error"), [("Completed", None), ("Failed", "job job1 ended Failed"), ("Canceled", "ended Canceled")]
)
def test_wait_job(status, error):
    fake = FakeArm()
    fake.add("GET", r".*/jobs/job1", aml.command_job("job1", PLAN.tags, status))
    if error is None:
        backend(fake).wait_job("job1")
    else:
        with pytest.raises(SmokeFailure, match=error):
            backend(fake).wait_job("job1")


def test_wait_job_times_out():
    fake = FakeArm()
    fake.add("GET", r".*/jobs/job1", aml.command_job("job1", PLAN.tags, "Running"))
    with pytest.raises(SmokeFailure, match="still Running after 0s"):
        backend(fake, job_timeout=0).wait_job("job1")


def test_archive_model_and_finished_job():
    fake = FakeArm()
    fake.add("GET", r".*/models/smoke-amlws/versions/2", aml.model_version("smoke-amlws", "2", OURS))
    fake.add("PUT", r".*/models/smoke-amlws/versions/2", aml.model_version("smoke-amlws", "2", OURS))
    fake.add("GET", r".*/jobs/job1", aml.command_job("job1", OURS, "Completed"))
    fake.add("PUT", r".*/jobs/job1", aml.command_job("job1", OURS, "Completed"))
    client = backend(fake)
    client.archive_model("smoke-amlws", "2")
    client.archive_job("job1")
    puts = [
        json.loads(body) for (method, _url), (_headers, body) in zip(fake.requests, fake.bodies, strict=True) if method == "PUT"
    ]
    assert [p["properties"]["isArchived"] for p in puts] == [True, True]
    assert not any("/cancel" in url for _m, url in fake.requests)  # a finished job is not cancelled
