"""The stand-in's fake Azure Resource Manager (tools/terraform_standin/fake_arm.py) with real
Terraform: azurerm's template deployment behaves per provider version as its source says, and
that is why the attach no longer uses one (each case below is a way the earlier design, a
template deployment with a destroy-time detach, broke; test_attach_lifecycle.py runs the same
situations on today's attach).

The configuration is the earlier design in miniature, written here: one template deployment of a
Kubernetes compute on a provider that keeps deployed resources on destroy, whose destroy-time
step detaches the compute named in the deployment's output.
"""

from __future__ import annotations

import json
import os

import pytest

from constructs_lib.azureml_attach import DETACH_SCRIPT
from tools.terraform_standin import fake_az, mirror
from tools.terraform_standin.fake_arm import ENV, Store

pytestmark = pytest.mark.slow

SUBSCRIPTION = "44444444-4444-4444-4444-444444444444"
CLUSTER_ID = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks"
WORKSPACE_ID = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw"
COMPUTE_ID = f"{WORKSPACE_ID}/computes/aks-prod"
DEPLOYMENT = "attach-aks-prod-0123abcd"
TEMPLATE = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {"location": {"type": "string"}, "clusterId": {"type": "string"}},
    "resources": [
        {
            "type": "Microsoft.MachineLearningServices/workspaces/computes",
            "apiVersion": "2025-12-01",
            "name": "mlw/aks-prod",
            "location": "[parameters('location')]",
            "properties": {
                "computeType": "Kubernetes",
                "resourceId": "[parameters('clusterId')]",
                "computeLocation": "[parameters('location')]",
                "properties": {"namespace": "azureml-workloads"},
            },
        }
    ],
    "outputs": {
        "computeId": {
            "type": "string",
            "value": "[resourceId('Microsoft.MachineLearningServices/workspaces/computes', 'mlw', 'aks-prod')]",
        }
    },
}


def template_deployment_stack(delete_nested: bool = False) -> dict:
    return {
        "terraform": {"required_providers": {"azurerm": {"source": "hashicorp/azurerm", "version": "4.55.0"}}},
        "provider": {
            "azurerm": [
                {
                    "features": [{"template_deployment": [{"delete_nested_items_during_deletion": delete_nested}]}],
                    "subscription_id": SUBSCRIPTION,
                    "resource_provider_registrations": "none",
                }
            ]
        },
        "resource": {
            "azurerm_resource_group_template_deployment": {
                "attach": {
                    "name": DEPLOYMENT,
                    "resource_group_name": "rg-ml",
                    "deployment_mode": "Incremental",
                    "template_content": json.dumps(TEMPLATE),
                    "parameters_content": json.dumps({"location": {"value": "westeurope"}, "clusterId": {"value": CLUSTER_ID}}),
                    "provisioner": [
                        {
                            "local-exec": {
                                "when": "destroy",
                                "command": DETACH_SCRIPT,
                                "environment": {
                                    "COMPUTE_ID": "${jsondecode(self.output_content).computeId.value}",
                                    "API_VERSION": "2025-12-01",
                                    "POLL_SECONDS": "0",
                                    "MAX_CHECKS": "5",
                                },
                            }
                        }
                    ],
                }
            }
        },
    }


@pytest.fixture
def deployed(standin_mirror, tmp_path):
    """deployed(azurerm_version, delete_nested=False) -> (workspace, store path)."""

    def build(azurerm_version: str, delete_nested: bool = False):
        store = Store.create(tmp_path / "arm.json", azurerm_version=azurerm_version)
        bin_dir = fake_az.install(tmp_path / "bin")
        (tmp_path / "stack").mkdir()
        (tmp_path / "stack" / "main.tf.json").write_text(json.dumps(template_deployment_stack(delete_nested)))
        workspace = mirror.Workspace(tmp_path / "stack", standin_mirror)
        workspace.env = {ENV: str(store), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
        workspace.init()
        return workspace, store

    return build


def apply(workspace: mirror.Workspace, *extra: str) -> mirror.Step:
    return workspace.run("apply", "-auto-approve", "-input=false", "-no-color", *extra, check=False)


def destroy(workspace: mirror.Workspace) -> mirror.Step:
    return workspace.run("destroy", "-auto-approve", "-input=false", "-no-color", check=False)


def state_instances(workspace: mirror.Workspace) -> list[dict]:
    path = workspace.directory / "terraform.tfstate"
    if not path.exists():
        return []
    return [i for r in json.loads(path.read_text())["resources"] for i in r["instances"]]


def compute(store) -> dict | None:
    with Store.open(store) as opened:
        return opened.compute(COMPUTE_ID)


def detach_calls(store) -> list[dict]:
    return [c for c in Store.read(store)["calls"] if c["method"] == "DELETE" and c["id"] == COMPUTE_ID]


def test_a_successful_deployment_attaches_and_destroy_detaches(deployed):
    workspace, store = deployed("4.55.0")
    assert apply(workspace).returncode == 0
    assert compute(store)["properties"]["resourceId"] == CLUSTER_ID
    (instance,) = state_instances(workspace)
    assert json.loads(instance["attributes"]["output_content"]) == {"computeId": {"type": "string", "value": COMPUTE_ID}}
    assert destroy(workspace).returncode == 0
    assert compute(store) is None and len(detach_calls(store)) == 1
    assert not Store.read(store)["deployments"]


def test_azurerm_4_55_a_failed_deployment_blocks_the_next_apply(deployed):
    workspace, store = deployed("4.55.0")
    Store.inject(store, op="provision", match="/computes/aks-prod")
    assert apply(workspace).returncode != 0
    assert state_instances(workspace) == []  # written to state only after success
    (record,) = Store.read(store)["deployments"].values()
    assert record["provisioningState"] == "Failed"
    again = apply(workspace)
    assert again.returncode != 0
    assert "already exists - to be managed via Terraform" in again.stdout + again.stderr


def test_azurerm_5_a_failed_deployment_is_tainted_and_destroy_skips_the_detach(deployed):
    workspace, store = deployed("5.10.0")
    Store.inject(store, op="provision", match="/computes/aks-prod")
    assert apply(workspace).returncode != 0
    (instance,) = state_instances(workspace)
    assert instance["status"] == "tainted"  # saved before waiting
    assert destroy(workspace).returncode == 0
    assert compute(store)["properties"]["provisioningState"] == "Failed"  # still in the workspace
    assert detach_calls(store) == []  # no destroy-time step for a tainted object


def test_a_pruned_deployment_record_leaves_state_and_takes_the_detach_with_it(deployed):
    workspace, store = deployed("4.55.0")
    assert apply(workspace).returncode == 0
    Store.prune_deployment(store, DEPLOYMENT)  # ARM's history limit (700 per resource group)
    assert apply(workspace, "-refresh-only").returncode == 0
    assert state_instances(workspace) == []
    assert destroy(workspace).returncode == 0
    assert compute(store)["properties"]["provisioningState"] == "Succeeded" and detach_calls(store) == []


def test_the_deployments_own_cleanup_cannot_delete_a_compute(deployed):
    """delete_nested_items_during_deletion (default true) sends a DELETE without
    underlyingResourceAction, which the compute API refuses: why the attach turned it off."""
    workspace, _ = deployed("4.55.0", delete_nested=True)
    assert apply(workspace).returncode == 0
    failed = destroy(workspace)
    assert failed.returncode != 0 and "underlyingResourceAction" in failed.stdout + failed.stderr
