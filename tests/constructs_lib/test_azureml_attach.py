"""The attach and detach steps, run for real: the detach against a stub `az` that plays Azure's
answers call by call, the attach against the fake Azure Resource Manager and fake `az` of the
stand-in (tools/terraform_standin/fake_arm.py, fake_az.py)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from constructs_lib.azureml_attach import ATTACH_SCRIPT, DETACH_SCRIPT
from tools.terraform_standin import fake_az
from tools.terraform_standin.fake_arm import ENV, Store

COMPUTE_ID = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/computes/c"
NOT_FOUND = 'Not Found({"error":{"code":"ResourceNotFound","message":"compute not found"}})'


def run_detach(tmp_path: Path, answers: list[tuple[int, str]]) -> tuple[subprocess.CompletedProcess, list[str]]:
    """``answers``: (exit status, stderr) of each `az` call in order; returns the run and the calls."""
    calls = tmp_path / "calls"
    script = ["#!/bin/sh", f'echo "$*" >> {calls}', f"n=$(wc -l < {calls})"]
    for i, (status, message) in enumerate(answers, start=1):
        script.append(f"if [ \"$n\" -eq {i} ]; then echo '{message}' >&2; exit {status}; fi")
    script.append("echo 'unexpected call' >&2; exit 99")
    az = tmp_path / "az"
    az.write_text("\n".join(script) + "\n")
    az.chmod(az.stat().st_mode | stat.S_IEXEC)
    env = {
        "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}",
        "COMPUTE_ID": COMPUTE_ID,
        "API_VERSION": "2025-12-01",
        "POLL_SECONDS": "0",
        "MAX_CHECKS": "60",
    }
    completed = subprocess.run(["/bin/sh", "-c", DETACH_SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    return completed, calls.read_text().splitlines() if calls.exists() else []


def test_detaches_then_waits_until_the_compute_is_gone(tmp_path):
    completed, calls = run_detach(tmp_path, [(0, ""), (0, ""), (0, ""), (1, NOT_FOUND)])
    assert completed.returncode == 0, completed.stderr
    assert "underlyingResourceAction=Detach" in calls[0] and calls[0].startswith("rest --method delete")
    assert all(c.startswith("rest --method get") for c in calls[1:]) and len(calls) == 4


def test_a_failed_detach_stops_the_destroy_with_its_own_message(tmp_path):
    completed, calls = run_detach(tmp_path, [(1, "Forbidden: AuthorizationFailed")])
    assert completed.returncode == 1 and len(calls) == 1
    assert "Detaching Azure ML compute" in completed.stderr and "AuthorizationFailed" in completed.stderr


@pytest.mark.parametrize("transient", ["Too Many Requests", "AADSTS700082: The refresh token has expired"])
def test_a_failed_check_is_retried_not_taken_for_detached(tmp_path, transient):
    completed, calls = run_detach(tmp_path, [(0, ""), (1, transient), (0, ""), (1, NOT_FOUND)])
    assert completed.returncode == 0, completed.stderr
    assert len(calls) == 4 and "retrying" in completed.stderr


def test_an_already_detached_compute_is_fine(tmp_path):
    """Run again after a manual `az ml compute detach`: the DELETE finds nothing."""
    completed, _ = run_detach(tmp_path, [(1, NOT_FOUND)])
    assert completed.returncode == 0, completed.stderr


def test_gives_up_after_sixty_checks(tmp_path):
    completed, calls = run_detach(tmp_path, [(0, "")] * 61)
    assert completed.returncode == 1 and len(calls) == 61
    assert "still attached" in completed.stderr


@pytest.mark.parametrize("script", [DETACH_SCRIPT, ATTACH_SCRIPT], ids=["detach", "attach"])
def test_no_terraform_interpolation_in_the_scripts(script):
    assert "${" not in script and "%{" not in script


# --- the attach step, against the fake ARM -------------------------------------------------------

CLUSTER_ID = "/subscriptions/0/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks"
WORKSPACE_ID = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w"
BINDING_ID = f"{CLUSTER_ID}/trustedAccessRoleBindings/aml-c"
BODY = {
    "location": "westeurope",
    "properties": {"computeType": "Kubernetes", "resourceId": CLUSTER_ID, "properties": {"namespace": "azureml-workloads"}},
}


@pytest.fixture
def arm(tmp_path):
    """(store path, run()) where run() executes the attach step once against the store."""
    store = Store.create(tmp_path / "arm.json")
    bin_dir = fake_az.install(tmp_path / "bin")
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        ENV: str(store),
        "COMPUTE_ID": COMPUTE_ID,
        "API_VERSION": "2025-12-01",
        "COMPUTE_BODY": json.dumps(BODY),
        "CLUSTER_ID": CLUSTER_ID,
        "NAMESPACE": "azureml-workloads",
        "IDENTITY_TYPE": "",
        "BINDING_ID": BINDING_ID,
        "BINDING_API_VERSION": "2025-07-01",
        "FLUX_CONFIGURATION_ID": "",
        "FLUX_API_VERSION": "2024-11-01",
        "POLL_SECONDS": "0",
        "MAX_CHECKS": "5",
    }

    def run(**overrides: str) -> subprocess.CompletedProcess:
        return subprocess.run(["/bin/sh", "-c", ATTACH_SCRIPT], env=env | overrides, capture_output=True, text=True, timeout=120)

    with Store.open(store) as opened:
        opened.create_binding(BINDING_ID, WORKSPACE_ID, ["Microsoft.MachineLearningServices/workspaces/mlworkload"])
    return store, run


def calls(store, method: str) -> list[dict]:
    return [c for c in Store.read(store)["calls"] if c["method"] == method and c["id"] == COMPUTE_ID]


def existing(store, body: dict) -> None:
    with Store.open(store) as opened:
        opened.put_compute(COMPUTE_ID, body)


def state(store) -> str | None:
    with Store.open(store) as opened:
        found = opened.compute(COMPUTE_ID)
    return found and found["properties"]["provisioningState"]


def test_attach_puts_the_body_and_waits_until_succeeded(arm):
    store, run = arm
    done = run()
    assert done.returncode == 0, done.stderr
    (put,) = calls(store, "PUT")
    assert put["query"] == {"api-version": "2025-12-01"}
    with Store.open(store) as opened:
        stored = opened.compute(COMPUTE_ID)
    assert stored["properties"]["resourceId"] == CLUSTER_ID and stored["location"] == "westeurope"
    assert len(calls(store, "GET")) >= 2  # absent, then polled past Creating


def test_attach_is_safe_to_run_again(arm):
    store, run = arm
    assert run().returncode == 0
    again = run()
    assert again.returncode == 0 and "attached to this cluster already" in again.stdout
    assert len(calls(store, "PUT")) == 1 and calls(store, "DELETE") == []


def test_attach_waits_for_the_binding_then_gives_up_with_its_state(arm):
    store, run = arm
    with Store.open(store) as opened:
        opened.config["binding_ready_after_reads"] = 10
        opened.create_binding(BINDING_ID, WORKSPACE_ID, ["r"])
    done = run()
    assert done.returncode == 1 and "not Succeeded after 5 checks (last: Updating)" in done.stderr
    assert calls(store, "PUT") == []  # nothing attached before the binding is ready


def test_a_failed_compute_of_this_cluster_is_detached_then_attached(arm):
    store, run = arm
    Store.inject(store, op="provision", match="/computes/c")
    existing(
        store, BODY | {"properties": BODY["properties"] | {"resourceId": CLUSTER_ID.upper()}}
    )  # ids compare case-insensitively
    done = run()
    assert done.returncode == 0, done.stderr
    assert [c["query"]["underlyingResourceAction"] for c in calls(store, "DELETE")] == ["Detach"]
    assert len(calls(store, "PUT")) == 1 and state(store) == "Succeeded"


@pytest.mark.parametrize("settled", ["Succeeded", "Failed"])
def test_a_compute_of_another_cluster_is_never_touched(arm, settled):
    store, run = arm
    if settled == "Failed":
        Store.inject(store, op="provision", match="/computes/c")
    other = CLUSTER_ID.replace("/aks", "/aks-other")
    existing(store, {"properties": {"computeType": "Kubernetes", "resourceId": other}})
    done = run()
    assert done.returncode == 1 and "left untouched" in done.stderr and other in done.stderr
    assert calls(store, "DELETE") == [] and state(store) == settled


def test_a_different_attached_compute_is_not_reattached_automatically(arm):
    """Azure ML cannot update it in place, and re-attaching breaks its endpoints: the user decides."""
    store, run = arm
    existing(store, BODY | {"properties": BODY["properties"] | {"properties": {"namespace": "other"}}})
    done = run()
    assert done.returncode == 1 and "cannot update it in place" in done.stderr
    assert calls(store, "DELETE") == [] and state(store) == "Succeeded"


def test_a_failed_attach_reports_azure_mls_errors(arm):
    store, run = arm
    Store.inject(store, op="provision", match="/computes/c")
    done = run()
    assert done.returncode == 1 and "is Failed" in done.stderr and "InjectedFault" in done.stderr
    assert "Apply again" in done.stderr


def test_a_refused_put_stops_with_its_message(arm):
    store, run = arm
    Store.inject(store, op="PUT", match="/computes/c", status=403, code="AuthorizationFailed", message="no write")
    done = run()
    assert done.returncode == 1 and "Attaching Azure ML compute" in done.stderr and "AuthorizationFailed" in done.stderr


def test_a_transient_read_error_is_not_taken_for_absent(arm):
    store, run = arm
    Store.inject(store, op="GET", match="/computes/c", status=429, code="TooManyRequests", message="slow down")
    done = run()
    assert done.returncode == 1 and "Reading Azure ML compute" in done.stderr
    assert calls(store, "PUT") == []


FLUX_ID = f"{CLUSTER_ID}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/cluster-config"


def test_gitops_mode_attaches_only_once_flux_applied_the_instance_types(arm):
    store, run = arm
    with Store.open(store) as opened:
        opened.config["flux_compliant_after_reads"] = 3
        opened.create_flux_configuration(FLUX_ID)
    done = run(FLUX_CONFIGURATION_ID=FLUX_ID)
    assert done.returncode == 0, done.stderr
    calls_ = Store.read(store)["calls"]
    flux_reads = [i for i, c in enumerate(calls_) if c["method"] == "GET" and c["id"] == FLUX_ID]
    (put,) = [i for i, c in enumerate(calls_) if c["method"] == "PUT" and c["id"] == COMPUTE_ID]
    assert len(flux_reads) == 3 and max(flux_reads) < put
    assert {calls_[i]["query"]["api-version"] for i in flux_reads} == {"2024-11-01"}


def test_gitops_mode_gives_up_when_flux_never_applies(arm):
    store, run = arm
    with Store.open(store) as opened:
        opened.config["flux_compliant_after_reads"] = 50
        opened.create_flux_configuration(FLUX_ID)
    done = run(FLUX_CONFIGURATION_ID=FLUX_ID)
    assert done.returncode == 1 and "Flux has not applied" in done.stderr and "complianceState: Pending" in done.stderr
    assert calls(store, "PUT") == []
