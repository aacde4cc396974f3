"""Preflight: hub VNet, API private DNS zone, the deploying identity's permissions, the secrets
provider's access to the certificate."""

from __future__ import annotations

import dataclasses

from tests.azure_tools import arm_responses as arm
from tests.azure_tools.preflight_world import (
    DEFAULT,
    HUB,
    SECRETS_OBJECT_ID,
    STANDALONE,
    WORKSPACE,
    by_name,
    context_for,
    healthy,
    statuses,
)
from tools.preflight import checks_access, checks_network
from tools.preflight.model import Status
from tools.preflight.runner import run_checks


# ------------------------------------------------------------------ network
def _hub_vnet(fake, prefixes):
    fake.add("GET", HUB, arm.virtual_network(HUB, prefixes))


def test_hub_vnet_address_space_mismatch():
    fake = healthy(WORKSPACE)
    _hub_vnet(fake, ["10.1.0.0/16"])
    findings = checks_network.check_hub_vnet(context_for(WORKSPACE, fake))
    messages = " | ".join(f.message for f in findings)
    assert Status.BLOCKER in statuses(findings)
    assert "hub.address_space lists 10.0.0.0/16" in messages and "firewall_private_ip" in messages


def test_hub_vnet_extra_prefix_is_a_warning():
    fake = healthy(WORKSPACE)
    _hub_vnet(fake, ["10.0.0.0/16", "10.5.0.0/16"])
    assert statuses(checks_network.check_hub_vnet(context_for(WORKSPACE, fake))) == [Status.WARNING]


def test_hub_vnet_missing():
    fake = healthy(WORKSPACE)
    fake.add("GET", HUB, arm.arm_error("ResourceNotFound", "gone"), status=404)
    assert statuses(checks_network.check_hub_vnet(context_for(WORKSPACE, fake))) == [Status.BLOCKER]


def test_standalone_skips_hub_and_zone_checks():
    fake = healthy(STANDALONE)
    results = by_name(run_checks(context_for(STANDALONE, fake), checks_network.CHECKS))
    assert results["hub VNet"].status == Status.SKIPPED
    assert results["API private DNS zone"].status == Status.SKIPPED


def test_dns_zone_not_linked_to_hub():
    fake = healthy(WORKSPACE)
    zone = WORKSPACE.cluster.api.private_dns_zone_id
    fake.add(
        "GET",
        f"{zone}/virtualNetworkLinks",
        arm.vnet_links(zone, ["/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/virtualNetworks/other"]),
    )
    findings = checks_network.check_api_dns_zone(context_for(WORKSPACE, fake))
    assert statuses(findings) == [Status.OK, Status.WARNING] and "not linked to the hub VNet" in findings[1].message


def test_dns_zone_missing():
    fake = healthy(WORKSPACE)
    fake.add("GET", WORKSPACE.cluster.api.private_dns_zone_id, arm.arm_error("ResourceNotFound", "gone"), status=404)
    assert statuses(checks_network.check_api_dns_zone(context_for(WORKSPACE, fake))) == [Status.BLOCKER]


# ------------------------------------------------------------------ permissions
def test_permission_wildcards_and_exclusions():
    class P:
        def __init__(self, actions, not_actions=(), data=(), not_data=()):
            self.actions, self.not_actions, self.data_actions, self.not_data_actions = actions, not_actions, data, not_data

    contributor = [P(["*"], ["Microsoft.Authorization/*/Write", "Microsoft.Authorization/*/Delete"])]
    assert checks_access.allows(contributor, "Microsoft.ContainerService/managedClusters/write")
    assert not checks_access.allows(contributor, "Microsoft.Authorization/roleAssignments/write")
    assert checks_access.allows(
        [*contributor, P(["Microsoft.Authorization/roleAssignments/*"])], "Microsoft.Authorization/roleAssignments/write"
    )
    assert not checks_access.allows([P(["*"])], "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", data=True)


def test_contributor_without_role_assignment_rights_is_a_blocker():
    fake = healthy(WORKSPACE)
    contributor = arm.permissions(
        actions=("*",),
        not_actions=("Microsoft.Authorization/*/Write", "Microsoft.Authorization/*/Delete"),
        data_actions=("Microsoft.Storage/*",),
    )
    fake.add("GET", r"/subscriptions/.+/providers/Microsoft.Authorization/permissions", contributor)
    findings = checks_access.check_permissions(context_for(WORKSPACE, fake))
    blocked = [f for f in findings if f.status == Status.BLOCKER]
    assert blocked and all("Microsoft.Authorization/roleAssignments/write" in f.message for f in blocked)
    assert {f.message.split(":")[0] for f in blocked} >= {
        "spoke resource group rg-amlws-aks",
        "TLS Key Vault",
        "API private DNS zone",
    }


def test_plan_identity_lacking_write_rights_gets_warnings_for_the_apply_identity():
    """`make preflight ARGS="--identity plan"` in the pipelines' plan jobs (read-only identity)."""
    fake = healthy(WORKSPACE)
    reader = arm.permissions(actions=("*/read",))
    fake.add("GET", r"/subscriptions/.+/providers/Microsoft.Authorization/permissions", reader)
    as_deployer = checks_access.check_permissions(context_for(WORKSPACE, fake))
    assert Status.BLOCKER in statuses(as_deployer)
    as_planner = checks_access.check_permissions(dataclasses.replace(context_for(WORKSPACE, fake), plan_identity=True))
    assert Status.BLOCKER not in statuses(as_planner)
    downgraded = [f for f in as_planner if f.message.startswith("plan identity: ")]
    assert len(downgraded) == statuses(as_deployer).count(Status.BLOCKER)
    assert all(f.status == Status.WARNING and "the apply identity needs it" in f.action for f in downgraded)


def test_missing_spoke_resource_group_is_a_warning_not_ok():
    fake = healthy(WORKSPACE)
    fake.add("HEAD", r"/subscriptions/[^/]+/resourcegroups/rg-amlws-aks", None, status=404)
    findings = checks_access.check_permissions(context_for(WORKSPACE, fake))
    assert findings[0].status == Status.WARNING and "does not exist yet" in findings[0].message


def test_no_permission_is_ever_ok():
    fake = healthy(DEFAULT)
    findings = checks_access.check_permissions(context_for(DEFAULT, fake))
    assert findings and all(f.status == Status.WARNING for f in findings)
    assert all("deny assignments" in f.message for f in findings if "does not exist" not in f.message)


def test_state_blob_data_actions_are_required():
    fake = healthy(DEFAULT)
    fake.add(
        "GET",
        r"/subscriptions/.+/storageAccounts/sthubtfstate/providers/Microsoft.Authorization/permissions",
        arm.permissions(actions=("*",)),
    )
    findings = checks_access.check_permissions(context_for(DEFAULT, fake))
    state = [f for f in findings if f.message.startswith("state storage account")]
    assert statuses(state) == [Status.BLOCKER] and "blobs/write" in state[0].message


# ------------------------------------------------------------------ certificate access
def test_certificate_access_ok_when_role_assigned():
    fake = healthy(WORKSPACE)
    findings = checks_access.check_certificate_access(context_for(WORKSPACE, fake))
    assert statuses(findings) == [Status.OK] and SECRETS_OBJECT_ID in findings[0].message


def _secret() -> str:
    return f"{WORKSPACE.tls.key_vault_id}/secrets/{WORKSPACE.tls.certificate_name}"


def test_certificate_access_through_a_role_on_the_vault():
    """A role on the vault (a parent of the secret) reads the secret too."""
    fake = healthy(WORKSPACE)
    vault = WORKSPACE.tls.key_vault_id
    fake.add(
        "GET",
        f"{_secret()}/providers/Microsoft.Authorization/roleAssignments",
        arm.role_assignments(vault, SECRETS_OBJECT_ID, ["4633458b-17de-408a-b874-0445c86b69e6"]),
    )
    findings = checks_access.check_certificate_access(context_for(WORKSPACE, fake))
    assert statuses(findings) == [Status.OK] and f"on {vault}" in findings[0].message


def test_certificate_access_on_another_secret_does_not_count():
    fake = healthy(WORKSPACE)
    other = f"{WORKSPACE.tls.key_vault_id}/secrets/another-certificate"
    fake.add(
        "GET",
        f"{_secret()}/providers/Microsoft.Authorization/roleAssignments",
        arm.role_assignments(other, SECRETS_OBJECT_ID, ["4633458b-17de-408a-b874-0445c86b69e6"]),
    )
    assert statuses(checks_access.check_certificate_access(context_for(WORKSPACE, fake))) == [Status.BLOCKER]


def test_certificate_access_missing_role():
    fake = healthy(WORKSPACE)
    reader = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
    fake.add(
        "GET",
        f"{_secret()}/providers/Microsoft.Authorization/roleAssignments",
        arm.role_assignments(_secret(), SECRETS_OBJECT_ID, [reader]),
    )
    assert statuses(checks_access.check_certificate_access(context_for(WORKSPACE, fake))) == [Status.BLOCKER]


def test_certificate_access_with_condition_is_a_warning():
    fake = healthy(WORKSPACE)
    fake.add(
        "GET",
        f"{_secret()}/providers/Microsoft.Authorization/roleAssignments",
        arm.role_assignments(
            _secret(), SECRETS_OBJECT_ID, ["4633458b-17de-408a-b874-0445c86b69e6"], condition="@Resource[x] StringEquals 'y'"
        ),
    )
    assert statuses(checks_access.check_certificate_access(context_for(WORKSPACE, fake))) == [Status.WARNING]


def test_certificate_access_before_the_first_deploy_checks_the_deployer():
    fake = healthy(WORKSPACE, cluster_exists=False)
    findings = checks_access.check_certificate_access(context_for(WORKSPACE, fake))
    assert statuses(findings) == [Status.WARNING] and findings[0].message.startswith("cluster not deployed yet")


def test_dns_link_still_in_progress_is_a_warning():
    fake = healthy(WORKSPACE)
    zone = WORKSPACE.cluster.api.private_dns_zone_id
    fake.add("GET", f"{zone}/virtualNetworkLinks", arm.vnet_links(zone, [WORKSPACE.hub.vnet_id], state="InProgress"))
    findings = checks_network.check_api_dns_zone(context_for(WORKSPACE, fake))
    assert statuses(findings) == [Status.OK, Status.WARNING] and "InProgress" in findings[1].message
