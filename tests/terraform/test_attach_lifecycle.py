"""The Azure ML attach's lifecycle with real Terraform against a fake Azure Resource Manager
(tools/terraform_standin/fake_arm.py) and a fake Azure CLI (fake_az.py, first on PATH, with a
no-op ``sleep`` so polls cost nothing): a failed attach applied again, the wait for the Trusted
Access binding, destroy after success and after a failure, adoption of a compute an earlier
version attached, and refusal to touch another cluster's compute.

Each case runs on the synthesized kubernetes-config stack of both toolchains. The stand-in
serves the azurerm 4.55.0 schemas, so cdktn's stack is mapped back through the differences
listed in toolchain/differences.py (what test_toolchain_equivalence proves the only ones) and the
store is told to behave as azurerm 5.10 where that matters (template deployments, which this
design no longer uses; the attach itself is Terraform's built-in ``terraform_data``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import toolchain
from tests.conftest import ROOT
from toolchain.differences import PROVIDER_VERSIONS, as_cdktf
from toolchain.synth_configs import outdir_for
from tools.terraform_standin import fake_az, mirror
from tools.terraform_standin.fake_arm import ENV, Store

pytestmark = pytest.mark.slow

CONFIG = ROOT / "tests" / "fixtures" / "configs" / "gitops-workspace-https-token.yaml"
STACK = "kubernetes-config"
SUBSCRIPTION = "44444444-4444-4444-4444-444444444444"
RESOURCE_GROUP = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-amlgitops-aks"
CLUSTER_ID = f"{RESOURCE_GROUP}/providers/Microsoft.ContainerService/managedClusters/aks-amlgitops"
WORKSPACE_ID = (
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw-gitops"
)
COMPUTE_ID = f"{WORKSPACE_ID}/computes/aks-gitops"
BINDING_ID = f"{CLUSTER_ID}/trustedAccessRoleBindings/aml-aks-gitops"
TOOLCHAINS = (toolchain.CDKTF, toolchain.CDKTN)
AZURERM_VERSION = dict(zip(TOOLCHAINS, PROVIDER_VERSIONS["azurerm"], strict=True))


@pytest.fixture(scope="module")
def stack_dirs(synth, other_toolchain_synth) -> dict[str, Path]:
    """The kubernetes-config stack as each toolchain synthesizes it."""
    dirs = {toolchain.CDKTF: synth(CONFIG).outdir / "stacks" / STACK}
    if other_toolchain_synth.root is not None:
        dirs[toolchain.CDKTN] = outdir_for(other_toolchain_synth.root, CONFIG) / "stacks" / STACK
    return dirs


class Deployment:
    """One workspace of the stack, its fake ARM store and fake CLI."""

    def __init__(self, stack_dir: Path, name: str, standin_mirror, tmp_path: Path):
        def to_cdktf_form(document: dict) -> None:
            mapped, _ = as_cdktf("stack", document)
            document.clear()
            document.update(mapped)

        self.store = Store.create(tmp_path / "arm.json", azurerm_version=AZURERM_VERSION[name])
        bin_dir = fake_az.install(tmp_path / "bin")
        self.workspace = mirror.Workspace.from_stack(stack_dir, tmp_path / STACK, standin_mirror, to_cdktf_form)
        self.workspace.env = {ENV: str(self.store), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
        self.workspace.init()

    def apply(self) -> mirror.Step:
        return self.workspace.run("apply", "-auto-approve", "-input=false", "-no-color", "-lock=false", check=False)

    def destroy(self) -> mirror.Step:
        return self.workspace.run("destroy", "-auto-approve", "-input=false", "-no-color", "-lock=false", check=False)

    def plan_changes(self) -> int:
        step = self.workspace.run("plan", "-detailed-exitcode", "-input=false", "-no-color", "-lock=false", check=False)
        assert step.returncode in (0, 2), step.stdout + step.stderr
        return step.returncode

    def tainted(self) -> set[str]:
        state = json.loads((self.workspace.directory / "terraform.tfstate").read_text())
        return {
            f"{r['type']}.{r['name']}"
            for r in state["resources"]
            for instance in r["instances"]
            if instance.get("status") == "tainted"
        }

    def compute(self) -> dict | None:
        with Store.open(self.store) as store:
            return store.compute(COMPUTE_ID)

    def calls(self, method: str, resource_id: str = COMPUTE_ID) -> list[dict]:
        data = Store.read(self.store)
        return [c for c in data["calls"] if c["method"] == method and c["id"].lower() == resource_id.lower()]


@pytest.fixture(params=TOOLCHAINS)
def deployment(request, stack_dirs, standin_mirror, tmp_path) -> Deployment:
    name = request.param
    if name not in stack_dirs:
        problem = f"the {name} environment is not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{problem}: CI must install it (make setup-{name})")
        pytest.skip(f"{problem}: `make setup-{name}` to run the attach lifecycle on its output")
    return Deployment(stack_dirs[name], name, standin_mirror, tmp_path)


def log(step: mirror.Step) -> str:
    return step.stdout + step.stderr


def test_a_failed_attach_succeeds_when_applied_again(deployment):
    Store.inject(deployment.store, op="provision", match="/computes/aks-gitops")
    first = deployment.apply()
    assert first.returncode != 0, log(first)
    assert "is Failed" in log(first) and "Apply again" in log(first)
    assert deployment.compute()["properties"]["provisioningState"] == "Failed"
    (tainted,) = deployment.tainted()
    assert tainted.startswith("terraform_data.azureml_attach_") and "compute" not in tainted  # the record is intact

    second = deployment.apply()
    assert second.returncode == 0, log(second)
    compute = deployment.compute()
    assert compute["properties"]["provisioningState"] == "Succeeded"
    assert compute["properties"]["resourceId"] == CLUSTER_ID
    # The failed compute (this cluster's) was detached, then attached again.
    detaches = deployment.calls("DELETE")
    assert [c["query"] for c in detaches] == [{"api-version": "2025-12-01", "underlyingResourceAction": "Detach"}]
    assert len(deployment.calls("PUT")) == 2
    assert not deployment.tainted()
    assert deployment.plan_changes() == 0  # converged


def test_attach_waits_until_the_trusted_access_binding_succeeded(deployment):
    with Store.open(deployment.store) as store:
        store.config["binding_ready_after_reads"] = 3
    applied = deployment.apply()
    assert applied.returncode == 0, log(applied)
    assert deployment.compute()["properties"]["provisioningState"] == "Succeeded"
    calls = Store.read(deployment.store)["calls"]
    binding_reads = [i for i, c in enumerate(calls) if c["method"] == "GET" and c["id"] == BINDING_ID]
    (put,) = [i for i, c in enumerate(calls) if c["method"] == "PUT" and c["id"] == COMPUTE_ID]
    assert len(binding_reads) == 3 and max(binding_reads) < put
    assert {c["query"]["api-version"] for i, c in enumerate(calls) if i in binding_reads} == {"2025-07-01"}


def test_gitops_attach_waits_until_flux_applied_the_objects(deployment):
    with Store.open(deployment.store) as store:
        store.config["flux_compliant_after_reads"] = 2
    applied = deployment.apply()
    assert applied.returncode == 0, log(applied)
    calls = Store.read(deployment.store)["calls"]
    flux = [i for i, c in enumerate(calls) if c["method"] == "GET" and "/fluxConfigurations/" in c["id"]]
    (put,) = [i for i, c in enumerate(calls) if c["method"] == "PUT" and c["id"] == COMPUTE_ID]
    assert len(flux) == 2 and max(flux) < put


def test_destroy_detaches_an_attached_compute(deployment):
    assert deployment.apply().returncode == 0
    # ARM pruning its deployment history (beyond 700 records) cannot take the detach with it:
    # the attach keeps no deployment record.
    assert not Store.read(deployment.store)["deployments"]
    destroyed = deployment.destroy()
    assert destroyed.returncode == 0, log(destroyed)
    assert deployment.compute() is None
    assert [c["query"] for c in deployment.calls("DELETE")] == [
        {"api-version": "2025-12-01", "underlyingResourceAction": "Detach"}
    ]


def test_destroy_after_a_failed_attach_still_detaches(deployment):
    """The failed step is tainted (Terraform runs no destroy-time step for it), but the detach
    lives on the compute record, which nothing taints."""
    Store.inject(deployment.store, op="provision", match="/computes/aks-gitops")
    assert deployment.apply().returncode != 0
    assert deployment.tainted()
    destroyed = deployment.destroy()
    assert destroyed.returncode == 0, log(destroyed)
    assert deployment.compute() is None
    assert len(deployment.calls("DELETE")) == 1


def test_a_compute_attached_by_the_template_deployment_is_adopted(deployment):
    """Upgrading from the template deployment: the compute exists, attached to this cluster with
    the same namespace; the attach step takes it as it is (no PUT, no detach)."""
    with Store.open(deployment.store) as store:
        properties = {"computeType": "Kubernetes", "resourceId": CLUSTER_ID, "properties": {"namespace": "azureml-workloads"}}
        store.put_compute(COMPUTE_ID, {"location": "westeurope", "properties": properties})
    applied = deployment.apply()
    assert applied.returncode == 0, log(applied)
    assert "attached to this cluster already" in log(applied)
    assert deployment.calls("PUT") == [] and deployment.calls("DELETE") == []


def test_another_clusters_compute_is_left_alone(deployment):
    other = CLUSTER_ID.replace("aks-amlgitops", "aks-other")
    with Store.open(deployment.store) as store:
        store.put_compute(COMPUTE_ID, {"properties": {"computeType": "Kubernetes", "resourceId": other}})
    applied = deployment.apply()
    assert applied.returncode != 0
    assert "left untouched" in log(applied) and other in log(applied)
    assert deployment.compute()["properties"]["resourceId"] == other
    assert deployment.calls("DELETE") == []


def test_upgrading_from_the_template_deployment_neither_detaches_nor_reattaches(stack_dirs, standin_mirror, tmp_path):
    """State written by the earlier design (README "Changing a deployment safely"): its template
    deployment on the azureml_attach provider goes, the compute stays attached and is adopted."""
    from tests.terraform.test_fake_arm import TEMPLATE, template_deployment_stack

    template = json.loads(
        json.dumps(TEMPLATE)
        .replace("mlw/aks-prod", "mlw-gitops/aks-gitops")
        .replace("'mlw', 'aks-prod'", "'mlw-gitops', 'aks-gitops'")
    )
    old = template_deployment_stack()["resource"]["azurerm_resource_group_template_deployment"]["attach"]
    old |= {
        "template_content": json.dumps(template),
        "parameters_content": json.dumps({"location": {"value": "westeurope"}, "clusterId": {"value": CLUSTER_ID}}),
        "provider": "azurerm.azureml_attach",
    }
    deployment = Deployment(stack_dirs[toolchain.CDKTF], toolchain.CDKTF, standin_mirror, tmp_path)
    current = (deployment.workspace.directory / "cdk.tf.json").read_text()
    document = json.loads(current)
    document["resource"].pop("terraform_data")
    document["resource"]["azurerm_resource_group_template_deployment"] = {"azureml_attach_compute_0": old}
    (deployment.workspace.directory / "cdk.tf.json").write_text(json.dumps(document))
    before = deployment.apply()
    assert before.returncode == 0, log(before)
    assert deployment.compute()["properties"]["provisioningState"] == "Succeeded"

    (deployment.workspace.directory / "cdk.tf.json").write_text(current)
    upgraded = deployment.apply()
    assert upgraded.returncode == 0, log(upgraded)
    assert "attached to this cluster already" in log(upgraded)
    assert deployment.calls("DELETE") == [] and len(deployment.calls("PUT")) == 1  # the old deployment's only
    assert not Store.read(deployment.store)["deployments"]  # the record is gone, the compute is not
    assert deployment.compute()["properties"]["resourceId"] == CLUSTER_ID
