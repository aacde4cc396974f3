"""Preflight: the Azure ML workspace, the egress check (skipped), the state storage."""

from __future__ import annotations

from tests.azure_tools import arm_responses as arm
from tests.azure_tools.preflight_world import (
    DEFAULT,
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
    fake.add("GET", ws, arm.workspace(ws, identity, workspaceId="1"))
    assert statuses(checks_azureml.check_workspace(context_for(config, fake))) == [Status.OK]
    fake.add("GET", ws, arm.workspace(ws, {"type": "SystemAssigned", "principalId": "p", "tenantId": "t"}, workspaceId="1"))
    findings = checks_azureml.check_workspace(context_for(config, fake))
    assert statuses(findings) == [Status.BLOCKER] and "no user-assigned identity testuai" in findings[0].message


def test_workspace_identity_and_ids():
    fake = healthy(WORKSPACE)
    ws = WORKSPACE.azureml.workspace.id
    fake.add("GET", ws, arm.workspace(ws, {"type": "UserAssigned", "userAssignedIdentities": {"/x/y": {}}}, workspaceId="1"))
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
    fake = healthy(config)
    findings = checks_azureml.check_workspace(context_for(config, fake))
    assert statuses(findings) == [Status.BLOCKER] and "set azureml.workspace.workspace_guid to 88888888" in findings[0].action


def test_workspace_missing():
    fake = healthy(WORKSPACE)
    fake.add("GET", WORKSPACE.azureml.workspace.id, arm.arm_error("ResourceNotFound", "gone"), status=404)
    assert statuses(checks_azureml.check_workspace(context_for(WORKSPACE, fake))) == [Status.BLOCKER]


def test_egress_check_is_skipped_until_the_catalogue_exists():
    fake = healthy(WORKSPACE)
    egress = next(c for c in ALL_CHECKS if c.name == "hub firewall egress rules")
    result = run_check(egress, context_for(WORKSPACE, fake))
    assert result.status == Status.SKIPPED and "catalog.egress" in result.findings[0].message


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
