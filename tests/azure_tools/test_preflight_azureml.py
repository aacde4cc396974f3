"""Preflight: the Azure ML workspace, the egress check (skipped), the state storage."""

from __future__ import annotations

from tests.azure_tools import arm_responses as arm
from tests.azure_tools.preflight_world import (
    DEFAULT,
    LOCKDOWN,
    SPOKE,
    WORKSPACE,
    context_for,
    healthy,
    statuses,
)
from tools.preflight import checks_azureml
from tools.preflight.model import Status
from tools.preflight.runner import ALL_CHECKS, run_check

# ------------------------------------------------------------------ workspace, egress, state


def _ids(config) -> dict[str, str]:
    """The workspace properties the config names (workspaceId, storageAccount, containerRegistry)."""
    workspace = config.azureml.workspace
    return {
        "workspaceId": workspace.workspace_guid,
        "storageAccount": workspace.storage_account_id,
        "containerRegistry": workspace.container_registry_id,
    }


def test_workspace_in_another_subscription_is_refused_without_a_call():
    fake = healthy(WORKSPACE)
    context = context_for(WORKSPACE, fake)
    context.subscription_id = "12121212-1212-1212-1212-121212121212"
    findings = checks_azureml.check_workspace(context)
    assert statuses(findings) == [Status.BLOCKER] and "across subscriptions" in findings[0].message
    assert not fake.requests


def test_workspace_with_both_identities_as_in_the_spec_example():
    """Workspace/get.json (2025-12-01) has identity type "SystemAssigned,UserAssigned"."""
    uai = f"/subscriptions/{SPOKE}/resourceGroups/rg-ml/providers/Microsoft.ManagedIdentity/userAssignedIdentities/testuai"
    config = WORKSPACE.model_copy(
        update={
            "azureml": WORKSPACE.azureml.model_copy(
                update={"workspace": WORKSPACE.azureml.workspace.model_copy(update={"identity_id": uai})}
            )
        }
    )
    fake = healthy(config)
    ws = config.azureml.workspace.id
    identity = {
        "type": "SystemAssigned,UserAssigned",
        "principalId": "p",
        "tenantId": "t",
        "userAssignedIdentities": {uai: {"clientId": "c", "principalId": "p"}},
    }
    fake.add("GET", ws, arm.workspace(ws, identity, **_ids(config)))
    assert statuses(checks_azureml.check_workspace(context_for(config, fake))) == [Status.OK]
    fake.add("GET", ws, arm.workspace(ws, {"type": "SystemAssigned", "principalId": "p", "tenantId": "t"}, **_ids(config)))
    findings = checks_azureml.check_workspace(context_for(config, fake))
    assert statuses(findings) == [Status.BLOCKER] and "no user-assigned identity testuai" in findings[0].message


def test_workspace_identity_and_ids():
    fake = healthy(WORKSPACE)
    ws = WORKSPACE.azureml.workspace.id
    fake.add("GET", ws, arm.workspace(ws, {"type": "UserAssigned", "userAssignedIdentities": {"/x/y": {}}}, **_ids(WORKSPACE)))
    findings = checks_azureml.check_workspace(context_for(WORKSPACE, fake))
    assert statuses(findings) == [Status.BLOCKER] and "no system-assigned identity" in findings[0].message


def test_workspace_guid_mismatch():
    config = WORKSPACE.model_copy(
        update={
            "azureml": WORKSPACE.azureml.model_copy(
                update={
                    "workspace": WORKSPACE.azureml.workspace.model_copy(
                        update={"workspace_guid": "12345678-1234-1234-1234-123456789012"}
                    )
                }
            )
        }
    )
    fake = healthy(WORKSPACE)  # the real workspace has WORKSPACE's GUID, the config another one
    findings = checks_azureml.check_workspace(context_for(config, fake))
    real = WORKSPACE.azureml.workspace.workspace_guid
    assert statuses(findings) == [Status.BLOCKER] and f"set azureml.workspace.workspace_guid to {real}" in findings[0].action


def test_workspace_missing():
    fake = healthy(WORKSPACE)
    fake.add("GET", WORKSPACE.azureml.workspace.id, arm.arm_error("ResourceNotFound", "gone"), status=404)
    assert statuses(checks_azureml.check_workspace(context_for(WORKSPACE, fake))) == [Status.BLOCKER]


def test_egress_check_is_skipped_without_a_firewall_policy():
    fake = healthy(WORKSPACE)
    egress = next(c for c in ALL_CHECKS if c.name == "hub firewall egress rules")
    result = run_check(egress, context_for(WORKSPACE, fake))
    assert result.status == Status.SKIPPED and "no hub.firewall_policy_id" in result.findings[0].message


def _rule_collection_groups(fake, *groups: tuple[str, int]) -> None:
    """FirewallPolicyRuleCollectionGroups_List, shaped like azure-rest-api-specs network
    examples/FirewallPolicyRuleCollectionGroupList.json: {"value": [{name, id, properties.priority}]}."""
    policy = LOCKDOWN.hub.firewall_policy_id
    fake.add(
        "GET",
        f"{policy}/ruleCollectionGroups",
        {
            "value": [
                {
                    "name": name,
                    "id": f"{policy}/ruleCollectionGroups/{name}",
                    "type": "Microsoft.Network/FirewallPolicies/RuleCollectionGroups",
                    "properties": {"priority": priority, "provisioningState": "Succeeded", "ruleCollections": []},
                }
                for name, priority in groups
            ]
        },
    )


def test_egress_priority_taken_by_another_group_is_a_blocker():
    fake = healthy(LOCKDOWN)
    priority = LOCKDOWN.hub.egress_rule_collection_group_priority
    _rule_collection_groups(fake, ("DefaultNetworkRuleCollectionGroup", 200), ("hub-team-rules", priority))
    findings = checks_azureml.check_egress(context_for(LOCKDOWN, fake))
    assert statuses(findings) == [Status.BLOCKER] and "hub-team-rules" in findings[0].message


def test_egress_priority_free_or_already_ours_is_ok():
    fake = healthy(LOCKDOWN)
    priority = LOCKDOWN.hub.egress_rule_collection_group_priority
    _rule_collection_groups(fake, ("DefaultNetworkRuleCollectionGroup", 200))
    findings = checks_azureml.check_egress(context_for(LOCKDOWN, fake))
    assert statuses(findings) == [Status.OK] and f"priority {priority} is free" in findings[0].message
    ours = f"rcg-{LOCKDOWN.name}-aks-egress"
    _rule_collection_groups(fake, ("DefaultNetworkRuleCollectionGroup", 200), (ours, priority))
    findings = checks_azureml.check_egress(context_for(LOCKDOWN, fake))
    assert statuses(findings) == [Status.OK] and "the deploy updates it" in findings[0].message


def test_state_container_missing():
    fake = healthy(DEFAULT)
    fake.add("GET", r".*/containers/tfstate", arm.arm_error("ContainerNotFound", "gone"), status=404)
    findings = checks_azureml.check_state_storage(context_for(DEFAULT, fake))
    assert statuses(findings) == [Status.BLOCKER] and "container tfstate" in findings[0].message


def test_forbidden_read_is_a_blocker_naming_reader():
    fake = healthy(DEFAULT)
    fake.add("GET", r".*/storageAccounts/sthubtfstate", arm.arm_error("AuthorizationFailed", "no read"), status=403)
    result = run_check(next(c for c in ALL_CHECKS if c.name == "state storage"), context_for(DEFAULT, fake))
    assert result.status == Status.BLOCKER and "Reader" in result.findings[0].action
