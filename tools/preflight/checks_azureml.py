"""The Azure ML workspace, the hub Firewall Policy the egress rules go into, and the Terraform state storage."""

from __future__ import annotations

from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.storage import StorageManagementClient

from config.azure_ids import parse_resource_id
from config.egress import rule_collection_group_name
from tools.preflight.context import Context
from tools.preflight.model import Check, Finding, blocker, enum_text, ok

# A stable Microsoft.MachineLearningServices API version whose workspace GET carries identity,
# workspaceId, storageAccount and containerRegistry (azure-rest-api-specs
# specification/machinelearningservices/resource-manager/Microsoft.MachineLearningServices/stable/2025-12-01,
# examples/Workspace/get.json).
WORKSPACE_API_VERSION = "2025-12-01"


def _no_workspace(context: Context) -> str | None:
    return None if context.config.azureml.workspace else "no azureml.workspace (attach it yourself)"


def check_workspace(context: Context) -> list[Finding]:
    workspace = context.config.azureml.workspace
    assert workspace is not None
    parsed = parse_resource_id(workspace.id)
    if context.subscription_id and parsed.subscription_id.lower() != context.subscription_id.lower():
        return [
            blocker(
                f"workspace is in subscription {parsed.subscription_id}, the cluster in {context.subscription_id}: Azure ML"
                " does not attach across subscriptions",
                "use a workspace in the cluster's subscription",
            )
        ]
    client = context.client(ResourceManagementClient, parsed.subscription_id)
    try:
        resource = client.resources.get_by_id(workspace.id, api_version=WORKSPACE_API_VERSION)
    except ResourceNotFoundError:
        return [blocker(f"workspace {parsed.name} not found in {parsed.resource_group}", "correct azureml.workspace.id")]
    findings: list[Finding] = []
    identity = resource.identity
    kinds = enum_text(identity.type) if identity else ""
    if workspace.identity_id:
        assigned = {k.lower() for k in (identity.user_assigned_identities or {})} if identity else set()
        if workspace.identity_id.lower() not in assigned:
            findings.append(
                blocker(
                    f"workspace has no user-assigned identity {parse_resource_id(workspace.identity_id).name}",
                    "correct azureml.workspace.identity_id, or remove it to use the system-assigned identity",
                )
            )
    elif "SystemAssigned" not in kinds:
        findings.append(
            blocker(
                f"workspace has no system-assigned identity (identity type: {kinds or 'none'})",
                "set azureml.workspace.identity_id to its user-assigned identity",
            )
        )
    properties = resource.properties or {}
    expected = {
        "workspaceId": ("azureml.workspace.workspace_guid", workspace.workspace_guid),
        "storageAccount": ("azureml.workspace.storage_account_id", workspace.storage_account_id),
        "containerRegistry": ("azureml.workspace.container_registry_id", workspace.container_registry_id),
    }
    for key, (field, configured) in expected.items():
        actual = properties.get(key)
        if configured and (actual or "").lower() != configured.lower():
            findings.append(
                blocker(f"{field} is {configured}, the workspace says {actual or 'nothing'}", f"set {field} to {actual}")
            )
    if not findings:
        findings.append(ok(f"workspace {parsed.name} in the cluster's subscription, identity {kinds or 'none'}"))
    return findings


def _egress_skip(context: Context) -> str | None:
    hub = context.config.hub
    if hub is None or hub.firewall_policy_id is None:
        return "no hub.firewall_policy_id: the hub team allows what `make egress` lists"
    return None


def check_egress(context: Context) -> list[Finding]:
    """aks-cluster writes one rule collection group into the hub's Firewall Policy
    (constructs_lib/egress_rules): its priority must not be another group's, which Azure Firewall
    refuses or, worse, orders unpredictably against (README "What you need from the hub")."""
    hub = context.config.hub
    assert hub is not None and hub.firewall_policy_id is not None
    policy = parse_resource_id(hub.firewall_policy_id)
    ours = rule_collection_group_name(context.config.name)
    priority = hub.egress_rule_collection_group_priority
    client = context.client(NetworkManagementClient, policy.subscription_id)
    try:
        groups = list(client.firewall_policy_rule_collection_groups.list(policy.resource_group, policy.name))
    except ResourceNotFoundError:
        return [blocker(f"Firewall Policy {policy.name} not found", "check hub.firewall_policy_id")]
    clashes = [g.name for g in groups if g.priority == priority and (g.name or "").lower() != ours.lower()]
    if clashes:
        return [
            blocker(
                f"priority {priority} is already used by rule collection group {', '.join(clashes)} of {policy.name}",
                "set hub.egress_rule_collection_group_priority to a free priority (agree it with the hub team)",
            )
        ]
    if any((g.name or "").lower() == ours.lower() for g in groups):
        return [ok(f"{ours} exists in {policy.name} at priority {priority}: the deploy updates it")]
    return [ok(f"priority {priority} is free in {policy.name}: the deploy creates {ours}")]


def _local_state(context: Context) -> str | None:
    return None if context.config.state.backend == "azurerm" else "local state"


def check_state_storage(context: Context) -> list[Finding]:
    state = context.config.state
    assert state.backend == "azurerm"
    client = context.client(StorageManagementClient, state.subscription_id or context.subscription_id)
    try:
        account = client.storage_accounts.get_properties(state.resource_group_name, state.storage_account_name)
    except ResourceNotFoundError:
        return [
            blocker(
                f"state storage account {state.storage_account_name} not found in {state.resource_group_name}",
                "create it first (README 'State')",
            )
        ]
    try:
        client.blob_containers.get(state.resource_group_name, state.storage_account_name, state.container_name)
    except ResourceNotFoundError:
        return [blocker(f"container {state.container_name} not found in {state.storage_account_name}", "create the container")]
    keys = (
        "shared keys off" if account.allow_shared_key_access is False else "shared keys still allowed (the backend uses Entra ID)"
    )
    return [ok(f"{state.storage_account_name}/{state.container_name} exists; {keys}")]


CHECKS = (
    Check("Azure ML workspace", check_workspace, skip_reason=_no_workspace),
    Check("hub firewall egress rules", check_egress, skip_reason=_egress_skip),
    Check("state storage", check_state_storage, skip_reason=_local_state),
)
