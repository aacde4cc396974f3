"""Bring your own cluster (cluster.existing_id), with Terraform in the loop:

- ownership: the plan and, after an apply, the destroy plan of both stacks touch only what this
  project adds to a cluster it does not own (extensions, policy and role assignments, the
  diagnostic setting, the Flux identity, the attach, in-cluster objects): never a cluster, pool,
  network or resource group, and no import;
- the baseline: every postcondition of the existing cluster's data sources fails the plan with
  its message when the cluster (the stand-in's observed values) does not meet it.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, STACK_NAMES
from tests.terraform.conftest import OBSERVED_DIR
from tools.terraform_standin import fake_az
from tools.terraform_standin.fake_arm import ENV, Store

FIXTURES = ROOT / "tests" / "fixtures" / "configs"
TERRAFORM_MODE = FIXTURES / "existing-cluster-terraform.yaml"
GITOPS_MODE = FIXTURES / "existing-cluster-gitops.yaml"

# What this project may create, change or destroy on an existing cluster. Everything else (the
# cluster, its pools, VNets, subnets, NSGs, route tables, DNS zones, resource groups, workspaces
# for logs) belongs to the cluster's owners.
ALLOWED_RESOURCE_TYPES = frozenset(
    {
        "azurerm_kubernetes_cluster_extension",  # Azure ML, Flux
        "azurerm_kubernetes_flux_configuration",
        "azurerm_resource_policy_assignment",
        "azurerm_monitor_diagnostic_setting",
        "azurerm_role_assignment",
        "azurerm_user_assigned_identity",  # Flux source-controller (workload identity)
        "azurerm_federated_identity_credential",
        "azurerm_kubernetes_cluster_trusted_access_role_binding",
        # The Azure ML attach: two steps of Terraform's built-in terraform_data that PUT/DELETE
        # only the workspace's compute (constructs_lib/azureml_attach); no template deployment.
        "terraform_data",
        "time_sleep",  # role propagation
        "helm_release",
        "kubernetes_namespace_v1",
        "kubernetes_manifest",
        "kubernetes_ingress_v1",
        "kubernetes_network_policy_v1",
    }
)


def _managed_changes(plan_json: dict[str, Any]) -> dict[str, list[str]]:
    return {c["address"]: c["change"]["actions"] for c in plan_json["resource_changes"] if c["mode"] == "managed"}


def _types(addresses) -> set[str]:
    return {address.split(".")[0] for address in addresses}


@pytest.mark.parametrize("config", [TERRAFORM_MODE, GITOPS_MODE], ids=lambda p: p.stem)
@pytest.mark.parametrize("stack", STACK_NAMES)
def test_plan_and_destroy_touch_only_what_the_project_adds(config: Path, stack: str, mutated_stack, synth, tmp_path):
    document = synth(config).stacks[stack]
    assert "import" not in document, "no import blocks: adopting what exists is the user's documented choice"
    workspace = mutated_stack(config, stack)
    # The Azure ML attach step runs `az rest`: against the stand-in's fake ARM store here.
    store = Store.create(tmp_path / "arm.json")
    workspace.env = {ENV: str(store), "PATH": f"{fake_az.install(tmp_path / 'bin')}{os.pathsep}{os.environ['PATH']}"}
    plan = workspace.plan()
    assert plan.ok, plan.diagnostics
    changes = _managed_changes(workspace.show_plan())
    assert changes, "the plan creates nothing: the fixture no longer exercises the stack"
    assert _types(changes) <= ALLOWED_RESOURCE_TYPES, sorted(_types(changes) - ALLOWED_RESOURCE_TYPES)
    assert {tuple(actions) for actions in changes.values()} == {("create",)}, changes
    assert not [c for c in workspace.show_plan()["resource_changes"] if c["change"].get("importing")]

    workspace.apply_plan()
    destroy = workspace.plan("-destroy")
    assert destroy.ok, destroy.diagnostics
    removed = _managed_changes(workspace.show_plan())
    assert set(removed) == set(changes), "the destroy plan removes exactly what the plan created"
    assert {tuple(actions) for actions in removed.values()} == {("delete",)}, removed
    assert _types(removed) <= ALLOWED_RESOURCE_TYPES


def _observed(config: Path) -> dict[str, Any]:
    return json.loads((OBSERVED_DIR / f"{config.stem}.json").read_text())


def _write(tmp_path: Path, values: dict[str, Any]) -> Path:
    path = tmp_path / "observed.json"
    path.write_text(json.dumps(values))
    return path


def _plan_errors(workspace) -> list[str]:
    plan = workspace.plan()
    assert not plan.ok, "the plan must fail"
    return [f"{d['summary']}: {d.get('detail', '')}" for d in plan.diagnostics if d["severity"] == "error"]


def _assert_reported(errors: list[str], expected: list[str]) -> None:
    text = "\n".join(errors)
    missing = [e for e in expected if e not in text]
    assert not missing, f"not reported: {missing}\n{text}"
    assert len(errors) == len(expected), text  # each check once, nothing else failing


def test_every_cluster_baseline_check_fails_the_plan(mutated_stack, tmp_path):
    """One cluster that meets none of the checks: Terraform reports every postcondition."""
    values = copy.deepcopy(_observed(TERRAFORM_MODE))
    cluster = values["azurerm"]["azurerm_kubernetes_cluster"]["aks-platform"]
    cluster |= {
        "location": "eastus",
        "node_resource_group": "MC_somewhere_else",
        "private_cluster_enabled": False,
        "api_server_authorized_ip_ranges": [],
        "azure_active_directory_role_based_access_control": [
            {"tenant_id": "99999999-9999-9999-9999-999999999999", "azure_rbac_enabled": False, "admin_group_object_ids": []}
        ],
        "network_profile": [{"network_plugin": "kubenet", "network_policy": "none"}],
        "oidc_issuer_enabled": False,
        "key_vault_secrets_provider": [],
        "azure_policy_enabled": False,
        "kube_admin_config": [
            {
                "host": "https://aks-platform",
                "username": "clusterAdmin",
                "password": "x",
                "client_certificate": "",
                "client_key": "",
                "cluster_ca_certificate": "",
            }
        ],
    }
    mlcpu = cluster["agent_pool_profile"][1]
    mlcpu |= {"os_type": "Windows", "vnet_subnet_id": mlcpu["vnet_subnet_id"].replace("snet-aks-nodes", "snet-other")}
    mlcpu["node_taints"] = ["dedicated=ml:NoSchedule"]  # no untainted Azure ML node left for the router
    values["azurerm"]["azurerm_subnet"]["snet-aks-nodes"]["address_prefixes"] = ["10.61.0.0/22"]
    workspace = mutated_stack(TERRAFORM_MODE, "aks-cluster", observed=_write(tmp_path, values))
    _assert_reported(
        _plan_errors(workspace),
        [
            "cluster aks-platform is not in westeurope",
            "has another node resource group than MC_rg-platform-aks_aks-platform_westeurope",
            "is not an Entra ID (AAD) cluster of tenant 22222222-2222-2222-2222-222222222222",
            "must be a Linux pool",
            "must have its nodes in cluster.existing.node_subnet (snet-aks-nodes)",
            "may list the admin credentials of cluster aks-platform",
            "has a public API server open to every address",
            "does not use Azure RBAC",
            "has no network policy engine",
            "has no OIDC issuer",
            "has no Key Vault secrets provider add-on",
            "has no Azure Policy add-on",
            "have fewer than 3 nodes",
            "subnet snet-aks-nodes does not have the address range 10.60.0.0/22",
        ],
    )


def test_missing_and_unlabelled_pools_fail_the_plan(mutated_stack, tmp_path):
    values = copy.deepcopy(_observed(GITOPS_MODE))
    cluster = values["azurerm"]["azurerm_kubernetes_cluster"]["aks-lz"]
    cluster["agent_pool_profile"] = [p for p in cluster["agent_pool_profile"] if p["name"] != "mlgpu"]
    cluster["agent_pool_profile"][1]["node_labels"] = {}
    workspace = mutated_stack(GITOPS_MODE, "aks-cluster", observed=_write(tmp_path, values))
    _assert_reported(
        _plan_errors(workspace),
        [
            "cluster aks-lz lacks a pool named in cluster.existing.azureml_node_pools (mlcpu, mlgpu)",
            "must carry the label workload=azureml",
        ],
    )


def test_second_stack_refuses_admin_credentials_and_names_the_missing_user_role(mutated_stack, tmp_path):
    """Terraform mode reads the cluster again for the API server address and CA: the same guard
    against admin credentials in state, and a clear message where the read swallowed a 403."""
    values = copy.deepcopy(_observed(TERRAFORM_MODE))
    cluster = values["azurerm"]["azurerm_kubernetes_cluster"]["aks-platform"]
    cluster["kube_admin_config"] = [
        {"host": "h", "username": "clusterAdmin", "password": "x", "client_certificate": "", "client_key": ""}
    ]
    cluster["kube_config"] = []
    workspace = mutated_stack(TERRAFORM_MODE, "kubernetes-config", observed=_write(tmp_path, values))
    errors = _plan_errors(workspace)
    text = "\n".join(errors)
    assert "may list the admin credentials of cluster aks-platform" in text, text
    assert "cannot list the user credentials of cluster aks-platform" in text, text
    assert "Azure Kubernetes Service Cluster User Role" in text, text
