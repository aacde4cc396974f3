"""The Azure ML integration (azureml.workspace): attach, roles before it, Trusted Access, the
compute's namespace, instance types and the NetworkPolicy around azureml-fe."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from constructs_lib.azureml_attach import ML_WORKLOAD_ROLE, AzureMLAttachProps, compute_template, deployment_name
from tests.conftest import ROOT
from tests.stacks.test_state_safety import variant_of

FIXTURE = ROOT / "tests" / "fixtures" / "configs" / "azureml-workspace.yaml"
STACK = "kubernetes-config"
CLUSTER_ID = (
    "/subscriptions/44444444-4444-4444-4444-444444444444/resourceGroups/rg-amlws-aks"
    "/providers/Microsoft.ContainerService/managedClusters/aks-amlws"
)
WORKSPACE_ID = (
    "/subscriptions/44444444-4444-4444-4444-444444444444/resourceGroups/rg-ml"
    "/providers/Microsoft.MachineLearningServices/workspaces/mlw-prod"
)


@pytest.fixture(scope="module")
def workspace_synth(synth):
    return synth(FIXTURE)


def resources(result, resource_type: str) -> dict[str, dict]:
    return result.resources(STACK, resource_type)


def test_attach_creates_kubernetes_compute_in_the_workspace(workspace_synth):
    attach = workspace_synth.only(STACK, "azurerm_resource_group_template_deployment")
    assert attach["resource_group_name"] == "rg-ml" and attach["deployment_mode"] == "Incremental"
    template = json.loads(attach["template_content"])
    (compute,) = template["resources"]
    assert compute["type"] == "Microsoft.MachineLearningServices/workspaces/computes"
    assert compute["name"] == "mlw-prod/aks-prod"
    assert compute["properties"]["computeType"] == "Kubernetes"
    assert compute["properties"]["properties"] == {"namespace": "azureml-workloads"}
    assert compute["properties"]["resourceId"] == "[parameters('clusterId')]"
    assert CLUSTER_ID in attach["parameters_content"]
    assert "data.azurerm_machine_learning_workspace." in attach["parameters_content"]  # location
    assert "computeId" in template["outputs"]
    assert re.fullmatch(r"attach-aks-prod-[0-9a-f]{8}", attach["name"])


def test_a_changed_compute_is_replaced_not_updated():
    """Azure ML fails in-place updates of this compute: the deployment name (ForceNew) follows the body."""
    base = AzureMLAttachProps(
        workspace_id=WORKSPACE_ID,
        workspace_name="mlw-prod",
        workspace_resource_group="rg-ml",
        compute_name="aks-prod",
        namespace="azureml-workloads",
        cluster_id=CLUSTER_ID,
        user_assigned_identity=None,
        local_accounts_enabled=True,
    )
    moved = AzureMLAttachProps(**{**base.__dict__, "namespace": "ml-jobs"})
    assert deployment_name(base, compute_template(base)) == deployment_name(base, compute_template(base))
    assert deployment_name(base, compute_template(base)) != deployment_name(moved, compute_template(moved))


def test_destroy_detaches_instead_of_deleting(workspace_synth):
    attach = workspace_synth.only(STACK, "azurerm_resource_group_template_deployment")
    provider = next(p for p in workspace_synth.stacks[STACK]["provider"]["azurerm"] if p.get("alias") == "azureml_attach")
    assert attach["provider"] == "azurerm.azureml_attach"
    # The deployment's own cleanup sends a DELETE without underlyingResourceAction: turned off.
    assert provider["features"][0]["template_deployment"] == [{"delete_nested_items_during_deletion": False}]
    ((kind, step),) = attach["provisioner"][0].items()
    assert kind == "local-exec" and step["when"] == "destroy"
    assert "underlyingResourceAction=Detach" in step["command"]
    assert "underlyingResourceAction=Delete" not in step["command"]
    assert step["environment"]["COMPUTE_ID"] == "${jsondecode(self.output_content).computeId.value}"


def test_workspace_roles_exist_and_propagate_before_attach(workspace_synth):
    assignments = resources(workspace_synth, "azurerm_role_assignment")
    roles = {a["role_definition_name"]: a for a in assignments.values()}
    # Local accounts are disabled in this fixture: no admin credential to list, so no Cluster Admin Role.
    assert set(roles) == {"Reader", "Kubernetes Extension Contributor", "Azure Kubernetes Service RBAC Cluster Admin"}
    for role in roles.values():
        assert role["scope"] == CLUSTER_ID
        assert "data.azurerm_machine_learning_workspace." in role["principal_id"]
        assert role["principal_id"].endswith(".identity[0].principal_id}")
    (wait_name, wait), *others = resources(workspace_synth, "time_sleep").items()
    assert not others
    assert set(wait["depends_on"]) == {f"azurerm_role_assignment.{n}" for n in assignments}
    attach = workspace_synth.only(STACK, "azurerm_resource_group_template_deployment")
    assert f"time_sleep.{wait_name}" in attach["depends_on"]


def test_a_workspace_without_system_identity_fails_with_a_clear_message(workspace_synth):
    (workspace,) = workspace_synth.stacks[STACK]["data"]["azurerm_machine_learning_workspace"].values()
    (check,) = workspace["lifecycle"]["postcondition"]
    assert check["condition"] == '${try(self.identity[0].principal_id, "") != ""}'
    assert "azureml.workspace.identity_id" in check["error_message"]


def test_trusted_access_binding_before_attach(workspace_synth):
    (name, binding), *others = resources(workspace_synth, "azurerm_kubernetes_cluster_trusted_access_role_binding").items()
    assert not others
    assert binding["roles"] == [ML_WORKLOAD_ROLE]
    assert binding["source_resource_id"] == WORKSPACE_ID and binding["kubernetes_cluster_id"] == CLUSTER_ID
    assert re.fullmatch(r"[A-Za-z0-9-]{1,24}", binding["name"])
    attach = workspace_synth.only(STACK, "azurerm_resource_group_template_deployment")
    assert f"azurerm_kubernetes_cluster_trusted_access_role_binding.{name}" in attach["depends_on"]


def test_namespace_and_instance_types_exist_before_attach(workspace_synth):
    namespaces = {n["metadata"]["name"]: k for k, n in resources(workspace_synth, "kubernetes_namespace_v1").items()}
    assert "azureml-workloads" in namespaces
    manifests = {k: m["manifest"] for k, m in resources(workspace_synth, "kubernetes_manifest").items()}
    instance_types = {m["metadata"]["name"]: (k, m) for k, m in manifests.items() if m["kind"] == "InstanceType"}
    assert set(instance_types) == {"defaultinstancetype", "gpu-a100"}
    _, gpu = instance_types["gpu-a100"]
    assert gpu["apiVersion"] == "amlarc.azureml.com/v1alpha1"
    assert gpu["spec"]["nodeSelector"] == {"kubernetes.azure.com/agentpool": "mlgpu"}
    assert gpu["spec"]["resources"] == {
        "requests": {"cpu": "16", "memory": "160Gi"},
        "limits": {"cpu": "20", "memory": "200Gi", "nvidia.com/gpu": 1},
    }
    assert "namespace" not in gpu["metadata"]  # cluster-scoped
    depends = set(workspace_synth.only(STACK, "azurerm_resource_group_template_deployment")["depends_on"])
    assert f"kubernetes_namespace_v1.{namespaces['azureml-workloads']}" in depends
    assert {f"kubernetes_manifest.{k}" for k, _ in instance_types.values()} <= depends


def test_instance_types_win_server_side_apply_conflicts(workspace_synth):
    """Azure ML writes defaultinstancetype itself at attach: without force_conflicts the next
    apply fails on the conflict. Only the instance types force; other manifests do not."""
    manifests = resources(workspace_synth, "kubernetes_manifest")
    instance_types = {k: m for k, m in manifests.items() if m["manifest"]["kind"] == "InstanceType"}
    assert len(instance_types) == 2
    for manifest in instance_types.values():
        assert manifest["field_manager"] == {"force_conflicts": True}
    others = [m for k, m in manifests.items() if k not in instance_types]
    assert others and all("field_manager" not in m for m in others)


@pytest.mark.parametrize("order", [("mlcpu", "mlbig"), ("mlbig", "mlcpu")])
def test_default_instance_type_goes_to_the_first_of_two_qualifying_pools(order):
    """Two untainted azureml pools both qualify: the first one listed gets defaultinstancetype
    (README "Configuration reference", azureml.instance_types), each gets its own type."""
    from config.loader import parse_config
    from stacks.construct_props import instance_type_specs

    raw = yaml.safe_load((ROOT / "config" / "default.yaml").read_text())
    raw["subscription_id"] = "44444444-4444-4444-4444-444444444444"
    raw["azureml"]["workspace"] = {"id": WORKSPACE_ID, "compute_name": "aks-prod"}
    pools = {
        "mlcpu": {"name": "mlcpu", "vm_size": "Standard_D8ds_v5", "min_count": 3, "max_count": 10},
        "mlbig": {"name": "mlbig", "vm_size": "Standard_D32ds_v5", "min_count": 1, "max_count": 4},
    }
    raw["cluster"]["node_pools"] = [pools[name] for name in order]
    specs = instance_type_specs(parse_config(raw))
    assert [(s.name, s.node_pool) for s in specs] == [
        ("defaultinstancetype", order[0]),
        (order[0], order[0]),
        (order[1], order[1]),
    ]
    assert {s.name: (s.requests, s.limits) for s in specs}["defaultinstancetype"] == (
        {"cpu": "100m", "memory": "2Gi"},
        {"cpu": "2", "memory": "2Gi"},
    )


def test_default_instance_types_per_untainted_azureml_pool(synth_root):
    def attach(raw):
        raw["subscription_id"] = "44444444-4444-4444-4444-444444444444"
        raw["azureml"]["workspace"] = {"id": WORKSPACE_ID, "compute_name": "aks-prod"}
        raw["cluster"]["node_pools"].append(
            {"name": "mlgpu", "vm_size": "Standard_NC24ads_A100_v4", "min_count": 0, "max_count": 2, "gpu": True,
             "taints": ["nvidia.com/gpu=present:NoSchedule"]}
        )  # fmt: skip

    stacks = variant_of("default.yaml", synth_root, "default-instance-types", attach)
    manifests = [m["manifest"] for m in stacks[STACK]["resource"]["kubernetes_manifest"].values()]
    selected = {m["metadata"]["name"]: m["spec"]["nodeSelector"] for m in manifests if m["kind"] == "InstanceType"}
    # The tainted GPU pool gets none by default: jobs land there only by asking for it.
    assert selected == {
        "defaultinstancetype": {"kubernetes.azure.com/agentpool": "mlcpu"},
        "mlcpu": {"kubernetes.azure.com/agentpool": "mlcpu"},
    }


def test_network_policy_admits_only_the_ingress_and_azureml_namespaces(workspace_synth):
    policy = workspace_synth.only(STACK, "kubernetes_network_policy_v1")
    assert policy["metadata"]["namespace"] == "azureml"
    spec = policy["spec"]
    assert spec["pod_selector"]["match_labels"] == {"azuremlappname": "azureml-fe"}
    assert spec["policy_types"] == ["Ingress"]
    sources = [peer["namespace_selector"]["match_labels"] for rule in spec["ingress"] for peer in rule["from"]]
    assert sources == [{"kubernetes.io/metadata.name": "nginx-ingress"}, {"kubernetes.io/metadata.name": "azureml"}]
    assert "egress" not in spec  # nothing else is restricted


def test_network_policy_follows_the_ingress_namespace(synth_root):
    def attach_with_other_namespace(raw):
        raw["subscription_id"] = "44444444-4444-4444-4444-444444444444"
        raw["azureml"]["workspace"] = {"id": WORKSPACE_ID, "compute_name": "aks-prod"}
        raw["ingress"]["namespace"] = "edge-ingress"

    stacks = variant_of("default.yaml", synth_root, "policy-namespace", attach_with_other_namespace)
    (policy,) = stacks[STACK]["resource"]["kubernetes_network_policy_v1"].values()
    sources = [p["namespace_selector"]["match_labels"] for r in policy["spec"]["ingress"] for p in r["from"]]
    assert {"kubernetes.io/metadata.name": "edge-ingress"} in sources


def test_no_network_policy_for_an_internal_lb_router(synth_root):
    """Clients reach an internal-LB router directly, not through the ingress."""

    def lb_router(raw):
        raw["subscription_id"] = "44444444-4444-4444-4444-444444444444"
        raw["azureml"]["workspace"] = {"id": WORKSPACE_ID, "compute_name": "aks-prod"}
        raw["azureml"]["inference_router_service_type"] = "loadBalancer"

    stacks = variant_of("default.yaml", synth_root, "lb-router-policy", lb_router)
    assert "kubernetes_network_policy_v1" not in stacks[STACK]["resource"]


def test_tainted_ml_pools_are_tolerated_by_workloads(workspace_synth):
    settings = workspace_synth.only("aks-cluster", "azurerm_kubernetes_cluster_extension")["configuration_settings"]
    assert {k: v for k, v in settings.items() if k.startswith("workLoadToleration")} == {
        "workLoadToleration[0].key": "nvidia.com/gpu",
        "workLoadToleration[0].operator": "Equal",
        "workLoadToleration[0].value": "present",
        "workLoadToleration[0].effect": "NoSchedule",
    }


def test_local_accounts_disabled_leaves_no_admin_credential(workspace_synth):
    cluster = workspace_synth.only("aks-cluster", "azurerm_kubernetes_cluster")
    assert cluster["local_account_disabled"] is True
    for stack in workspace_synth.stacks.values():
        assert "kube_admin_config" not in json.dumps(stack)


def test_user_assigned_workspace_identity_gets_contributor(synth_root):
    identity = (
        "/subscriptions/44444444-4444-4444-4444-444444444444/resourceGroups/rg-ml"
        "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-mlw"
    )

    def user_assigned(raw):
        raw["subscription_id"] = "44444444-4444-4444-4444-444444444444"
        raw["azureml"]["workspace"] = {"id": WORKSPACE_ID, "compute_name": "aks-prod", "identity_id": identity}

    stacks = variant_of("default.yaml", synth_root, "uami-workspace", user_assigned)
    roles = {a["role_definition_name"]: a for a in stacks[STACK]["resource"]["azurerm_role_assignment"].values()}
    assert {"Contributor", "Azure Kubernetes Service Cluster Admin Role"} <= set(roles)  # local accounts on here
    assert all("data.azurerm_user_assigned_identity." in r["principal_id"] for r in roles.values())
