"""The Azure ML integration (azureml.workspace): attach, roles before it, Trusted Access, the
compute's namespace, instance types and the NetworkPolicy around azureml-fe."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from constructs_lib.azureml_attach import AzureMLAttachProps, compute_body
from tests.conftest import ROOT, WORKSPACE_DETAILS
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


COMPUTE_ID = f"{WORKSPACE_ID}/computes/aks-prod"
# Literal values from the sources, never the constants the code imports (a wrong constant would
# pass against itself): the compute REST API (azure-rest-api-specs machinelearningservices
# stable/2025-12-01), the binding API azurerm 4.55.0 uses (containerservice 2025-07-01) and the
# Trusted Access role Azure ML needs (Learn, "Trusted Access"; AML-Kubernetes azureml-aks-ta-support.md).
COMPUTE_API = "2025-12-01"
TRUSTED_ACCESS_API = "2025-07-01"
ML_WORKLOAD = "Microsoft.MachineLearningServices/workspaces/mlworkload"


def attach_steps(result) -> tuple[str, dict, str, dict]:
    """(address, record that detaches on destroy, address, attach step)."""
    found = {r["//"]["metadata"]["path"].rsplit("/", 1)[1]: (n, r) for n, r in resources(result, "terraform_data").items()}
    assert set(found) == {"compute", "attach"}, found
    (record_name, record), (attach_name, attach) = found["compute"], found["attach"]
    return f"terraform_data.{record_name}", record, f"terraform_data.{attach_name}", attach


def test_attach_puts_the_whole_compute_body(workspace_synth):
    (location_source,) = workspace_synth.stacks[STACK]["data"]["azurerm_machine_learning_workspace"]
    location = f"data.azurerm_machine_learning_workspace.{location_source}.location"
    _, record, _, attach = attach_steps(workspace_synth)
    (step,) = [p["local-exec"] for p in attach["provisioner"]]
    assert "when" not in step  # runs at create
    # The whole body is the contract with Azure ML (KubernetesCompute.json of the 2025-12-01 spec).
    body = (
        f'${{jsonencode({{"location" = {location}, "properties" = {{"computeType" = "Kubernetes", "resourceId" ='
        f' "{CLUSTER_ID}", "computeLocation" = {location}, "description" = "AKS cluster attached by the'
        ' aks-azureml-spoke project", "properties" = {"namespace" = "azureml-workloads"}}})}'
    )
    assert step["environment"] == {
        "COMPUTE_ID": COMPUTE_ID,
        "API_VERSION": COMPUTE_API,
        "COMPUTE_BODY": body,
        "CLUSTER_ID": CLUSTER_ID,
        "NAMESPACE": "azureml-workloads",
        "IDENTITY_TYPE": "",
        "BINDING_ID": f"{CLUSTER_ID}/trustedAccessRoleBindings/aml-aks-prod",
        "BINDING_API_VERSION": TRUSTED_ACCESS_API,
        "FLUX_CONFIGURATION_ID": "",  # terraform mode: the objects exist before the attach
        "FLUX_API_VERSION": "2024-11-01",
        "POLL_SECONDS": "10",
        "MAX_CHECKS": "60",
    }
    assert record["triggers_replace"] == {"compute_id": COMPUTE_ID, "body": body}
    assert "azurerm_resource_group_template_deployment" not in workspace_synth.stacks[STACK]["resource"]


def test_the_attach_step_runs_again_with_the_compute_record(workspace_synth):
    record_address, _, _, attach = attach_steps(workspace_synth)
    assert attach["triggers_replace"] == f"${{{record_address}.id}}"
    assert attach["depends_on"] == [record_address]


COMPUTE_IDENTITY_FOR_PROPERTY = (
    f"{WORKSPACE_ID.split('/providers/')[0]}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-c"
)
ATTACH_FIELDS = {
    "workspace_id": st.sampled_from([WORKSPACE_ID, WORKSPACE_ID.replace("mlw-prod", "mlw-dev")]),
    "compute_name": st.sampled_from(["aks-prod", "aks-dev"]),
    "namespace": st.sampled_from(["azureml-workloads", "ml-jobs"]),
    "cluster_id": st.sampled_from([CLUSTER_ID, CLUSTER_ID.replace("aks-amlws", "aks-other")]),
    "description": st.sampled_from(["AKS cluster attached by the aks-azureml-spoke project", "other"]),
    "compute_identity_id": st.sampled_from([None, COMPUTE_IDENTITY_FOR_PROPERTY]),
}
BASE_PROPS = AzureMLAttachProps(
    workspace_id=WORKSPACE_ID,
    workspace_name="mlw-prod",
    workspace_resource_group="rg-ml",
    compute_name="aks-prod",
    namespace="azureml-workloads",
    cluster_id=CLUSTER_ID,
    user_assigned_identity=None,
    local_accounts_enabled=True,
)


def replacement_trigger(props: AzureMLAttachProps, location: str) -> dict:
    """What the compute record's triggers_replace holds (as synthesized above), for given props."""
    return {"compute_id": props.compute_id, "body": compute_body(props, location)}


@settings(max_examples=60, deadline=None)
@given(changes=st.fixed_dictionaries({}, optional=ATTACH_FIELDS), location=st.sampled_from(["westeurope", "northeurope"]))
def test_every_change_to_the_compute_replaces_it(changes, location):
    """Azure ML fails in-place updates of this compute, so every field that reaches Azure ML (the
    body, or the compute's id) must change the replacement trigger; nothing else may."""
    changed = AzureMLAttachProps(**{**BASE_PROPS.__dict__, **changes})
    differs = {k for k, v in changes.items() if getattr(BASE_PROPS, k) != v} | (
        {"location"} if location != "westeurope" else set()
    )
    same = replacement_trigger(changed, location) == replacement_trigger(BASE_PROPS, "westeurope")
    assert same == (not differs), differs
    # Every field of the PUT body is one of these (none is left out of the trigger).
    body = json.dumps(compute_body(changed, location))
    for field in ("namespace", "cluster_id", "description", "compute_identity_id"):
        assert getattr(changed, field) is None or getattr(changed, field) in body


def test_destroy_detaches_with_the_id_from_its_own_state(workspace_synth):
    _, record, _, _ = attach_steps(workspace_synth)
    # Built at synth time from the workspace id and the compute name, stored in this state.
    assert record["input"] == {"compute_id": COMPUTE_ID, "api_version": COMPUTE_API}
    (step,) = [p["local-exec"] for p in record["provisioner"]]
    assert step["when"] == "destroy"
    assert step["environment"] == {
        "COMPUTE_ID": "${self.input.compute_id}",
        "API_VERSION": "${self.input.api_version}",
        "POLL_SECONDS": "10",
        "MAX_CHECKS": "60",
    }
    assert "underlyingResourceAction=Detach" in step["command"]
    assert "underlyingResourceAction=Delete" not in step["command"]
    # Nothing of the attach step or of any deployment record in what the detach reads.
    assert "output_content" not in json.dumps(record) and "terraform_data" not in json.dumps(record["triggers_replace"])


def test_workspace_roles_exist_and_propagate_before_attach(workspace_synth):
    assignments = resources(workspace_synth, "azurerm_role_assignment")
    roles = {a["role_definition_name"]: a for a in assignments.values()}
    # Local accounts are disabled in this fixture: no admin credential to list, so no Cluster Admin Role;
    # no cluster-wide Kubernetes admin unless asked for (grant_rbac_cluster_admin).
    assert set(roles) == {"Reader", "Kubernetes Extension Contributor"}
    for role in roles.values():
        assert role["scope"] == CLUSTER_ID
        assert "data.azurerm_machine_learning_workspace." in role["principal_id"]
        assert role["principal_id"].endswith(".identity[0].principal_id}")
    (wait_name, wait), *others = resources(workspace_synth, "time_sleep").items()
    assert not others
    assert set(wait["depends_on"]) == {f"azurerm_role_assignment.{n}" for n in assignments}
    _, record, _, _ = attach_steps(workspace_synth)
    assert f"time_sleep.{wait_name}" in record["depends_on"]


def test_a_workspace_without_system_identity_fails_with_a_clear_message(workspace_synth):
    (workspace,) = workspace_synth.stacks[STACK]["data"]["azurerm_machine_learning_workspace"].values()
    (check,) = workspace["lifecycle"]["postcondition"]
    assert check["condition"] == '${try(self.identity[0].principal_id, "") != ""}'
    assert "azureml.workspace.identity_id" in check["error_message"]


def test_trusted_access_binding_before_attach(workspace_synth):
    (name, binding), *others = resources(workspace_synth, "azurerm_kubernetes_cluster_trusted_access_role_binding").items()
    assert not others
    assert binding["roles"] == [ML_WORKLOAD]
    assert binding["source_resource_id"] == WORKSPACE_ID and binding["kubernetes_cluster_id"] == CLUSTER_ID
    assert binding["name"] == "aml-aks-prod" and re.fullmatch(r"[A-Za-z0-9-]{1,24}", binding["name"])
    _, record, _, _ = attach_steps(workspace_synth)
    assert f"azurerm_kubernetes_cluster_trusted_access_role_binding.{name}" in record["depends_on"]


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
    depends = set(attach_steps(workspace_synth)[1]["depends_on"])
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
    raw["azureml"]["workspace"] = {"id": WORKSPACE_ID, "compute_name": "aks-prod", **WORKSPACE_DETAILS}
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
        raw["azureml"]["workspace"] = {"id": WORKSPACE_ID, "compute_name": "aks-prod", **WORKSPACE_DETAILS}
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
        raw["azureml"]["workspace"] = {"id": WORKSPACE_ID, "compute_name": "aks-prod", **WORKSPACE_DETAILS}
        raw["ingress"]["namespace"] = "edge-ingress"

    stacks = variant_of("default.yaml", synth_root, "policy-namespace", attach_with_other_namespace)
    (policy,) = stacks[STACK]["resource"]["kubernetes_network_policy_v1"].values()
    sources = [p["namespace_selector"]["match_labels"] for r in policy["spec"]["ingress"] for p in r["from"]]
    assert {"kubernetes.io/metadata.name": "edge-ingress"} in sources


def test_no_network_policy_for_an_internal_lb_router(synth_root):
    """Clients reach an internal-LB router directly, not through the ingress."""

    def lb_router(raw):
        raw["subscription_id"] = "44444444-4444-4444-4444-444444444444"
        raw["azureml"]["workspace"] = {"id": WORKSPACE_ID, "compute_name": "aks-prod", **WORKSPACE_DETAILS}
        raw["azureml"]["inference_router_service_type"] = "loadBalancer"
        raw["azureml"]["allow_insecure_connections"] = True  # plain HTTP must be chosen explicitly

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
        raw["azureml"]["workspace"] = {
            "id": WORKSPACE_ID,
            "compute_name": "aks-prod",
            **WORKSPACE_DETAILS,
            "identity_id": identity,
        }

    stacks = variant_of("default.yaml", synth_root, "uami-workspace", user_assigned)
    roles = {a["role_definition_name"]: a for a in stacks[STACK]["resource"]["azurerm_role_assignment"].values()}
    assert {"Contributor", "Azure Kubernetes Service Cluster Admin Role"} <= set(roles)  # local accounts on here
    assert all("data.azurerm_user_assigned_identity." in r["principal_id"] for r in roles.values())


def test_rbac_cluster_admin_only_on_request(synth_root):
    def opt_in(raw):
        raw["subscription_id"] = "44444444-4444-4444-4444-444444444444"
        raw["azureml"]["workspace"] = {
            "id": WORKSPACE_ID,
            "compute_name": "aks-prod",
            "grant_rbac_cluster_admin": True,
            **WORKSPACE_DETAILS,
        }

    stacks = variant_of("default.yaml", synth_root, "rbac-cluster-admin", opt_in)
    roles = {a["role_definition_name"]: a for a in stacks[STACK]["resource"]["azurerm_role_assignment"].values()}
    assert roles["Azure Kubernetes Service RBAC Cluster Admin"]["scope"].endswith("/managedClusters/aks-amlprod")


COMPUTE_IDENTITY = (
    "/subscriptions/44444444-4444-4444-4444-444444444444/resourceGroups/rg-ml"
    "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aml-compute"
)
STORAGE = (
    "/subscriptions/44444444-4444-4444-4444-444444444444/resourceGroups/rg-ml/providers/Microsoft.Storage/storageAccounts/stmlw"
)
REGISTRY = (
    "/subscriptions/44444444-4444-4444-4444-444444444444/resourceGroups/rg-ml"
    "/providers/Microsoft.ContainerRegistry/registries/crmlw"
)


def test_a_user_assigned_compute_identity_is_attached_and_granted_the_workspace_data(synth_root):
    def compute_identity(raw):
        raw["subscription_id"] = "44444444-4444-4444-4444-444444444444"
        raw["azureml"]["workspace"] = {
            "id": WORKSPACE_ID,
            "compute_name": "aks-prod",
            "compute_identity": COMPUTE_IDENTITY,
            "workspace_guid": WORKSPACE_DETAILS["workspace_guid"],
            "storage_account_id": STORAGE,
            "container_registry_id": REGISTRY,
        }

    stacks = variant_of("default.yaml", synth_root, "compute-identity", compute_identity)
    stack = stacks[STACK]
    (identity_name, identity), *rest = [
        (n, d) for n, d in stack["data"]["azurerm_user_assigned_identity"].items() if d["name"] == "id-aml-compute"
    ]
    assert not rest and identity["resource_group_name"] == "rg-ml"
    grants = {
        a["role_definition_name"]: a["scope"]
        for a in stack["resource"]["azurerm_role_assignment"].values()
        if a["principal_id"] == f"${{data.azurerm_user_assigned_identity.{identity_name}.principal_id}}"
    }
    assert grants == {"AcrPull": REGISTRY, "Storage Blob Data Contributor": STORAGE}
    (attach,) = [r for r in stack["resource"]["terraform_data"].values() if r["//"]["metadata"]["path"].endswith("/attach")]
    environment = attach["provisioner"][0]["local-exec"]["environment"]
    assert environment["IDENTITY_TYPE"] == "UserAssigned"
    assert (
        f'"identity" = {{"type" = "UserAssigned", "userAssignedIdentities" = {{"{COMPUTE_IDENTITY}" = {{}}}}}}'
        in (environment["COMPUTE_BODY"])
    )


def test_without_a_compute_identity_the_body_has_none():
    assert "identity" not in compute_body(BASE_PROPS, "westeurope")
    with_identity = AzureMLAttachProps(**{**BASE_PROPS.__dict__, "compute_identity_id": COMPUTE_IDENTITY})
    assert compute_body(with_identity, "westeurope")["identity"] == {
        "type": "UserAssigned",
        "userAssignedIdentities": {COMPUTE_IDENTITY: {}},
    }


def test_amlarc_taints_need_no_setting_and_others_warn(workspace_synth):
    """Learn supports only the ml.azure.com/amlarc* taints (tolerated by Azure ML's workloads);
    others keep the undocumented workLoadToleration settings, with a warning at synth."""
    import yaml

    from config.loader import load_config
    from stacks.construct_props import taint_warnings, workload_tolerations

    raw = yaml.safe_load(FIXTURE.read_text())
    gpu = next(p for p in raw["cluster"]["node_pools"] if p["name"] == "mlgpu")
    gpu["taints"] = ["ml.azure.com/amlarc-workload=true:NoSchedule", "nvidia.com/gpu=present:NoSchedule"]
    path = workspace_synth.outdir.parent / "amlarc-taints.yaml"
    path.write_text(yaml.safe_dump(raw))
    config = load_config(path)
    assert workload_tolerations(config) == {
        "workLoadToleration[0].key": "nvidia.com/gpu",
        "workLoadToleration[0].operator": "Equal",
        "workLoadToleration[0].value": "present",
        "workLoadToleration[0].effect": "NoSchedule",
    }
    (warning,) = taint_warnings(config)
    assert "mlgpu" in warning and "nvidia.com/gpu=present:NoSchedule" in warning and "workLoadToleration" in warning
    gpu["taints"] = ["ml.azure.com/amlarc-workload=true:NoSchedule"]
    path.write_text(yaml.safe_dump(raw))
    only_amlarc = load_config(path)
    assert workload_tolerations(only_amlarc) == {} and taint_warnings(only_amlarc) == []
