"""The deploying identity's permissions, and the secrets-provider identity's access to the certificate.

The permissions API (Microsoft.Authorization/permissions) returns what the caller's role
assignments allow at a scope. It does not show deny assignments, nor whether a role assignment
carries a condition that refuses this deploy's writes (e.g. delegated role-assignment conditions
limiting which roles may be assigned). So a scope whose actions all look allowed is reported as
a warning that says so, never as ok (Learn, "Azure deny assignments"; "Delegate Azure role
assignment management to others with conditions").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.containerservice import ContainerServiceClient
from azure.mgmt.resource.resources import ResourceManagementClient

from config.azure_ids import parse_resource_id
from tools.preflight.context import Context
from tools.preflight.model import Check, Finding, Status, blocker, ok, warning

NOT_VISIBLE = "deny assignments and role-assignment conditions are not visible to this check"
# Built-in role definition ids (Learn, "Azure built-in roles").
KEY_VAULT_READ_ROLES = {
    "4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
    "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
}
ROLE_ASSIGNMENT_WRITE = "Microsoft.Authorization/roleAssignments/write"


@dataclass(frozen=True)
class Requirement:
    label: str  # what this scope is, for people
    resource_id: str | None  # a resource, or None for a resource group
    resource_group: tuple[str, str] | None  # (subscription, resource group) when resource_id is None
    actions: tuple[str, ...] = ()
    data_actions: tuple[str, ...] = ()
    why: str = ""


@lru_cache(maxsize=512)
def _pattern(action: str) -> re.Pattern:
    return re.compile(re.escape(action).replace(r"\*", ".*"), re.IGNORECASE)


def allows(permissions, action: str, *, data: bool = False) -> bool:
    """Whether a list of Permission entries (one per role assignment) grants ``action``."""
    for permission in permissions:
        granted = (permission.data_actions if data else permission.actions) or []
        excluded = (permission.not_data_actions if data else permission.not_actions) or []
        if any(_pattern(g).fullmatch(action) for g in granted) and not any(_pattern(n).fullmatch(action) for n in excluded):
            return True
    return False


def requirements(context: Context) -> list[Requirement]:
    config, names = context.config, context.names
    subscription = context.subscription_id
    found = [
        Requirement(
            f"spoke resource group {names.resource_group}",
            None,
            (subscription or "", names.resource_group),
            actions=(
                "Microsoft.ContainerService/managedClusters/write",
                "Microsoft.Network/virtualNetworks/write",
                "Microsoft.ManagedIdentity/userAssignedIdentities/write",
                ROLE_ASSIGNMENT_WRITE,
            ),
            why="the cluster, network, identities and their role assignments",
        )
    ]
    if config.hub:
        found.append(
            Requirement(
                "hub VNet",
                config.hub.vnet_id,
                None,
                actions=(
                    "Microsoft.Network/virtualNetworks/virtualNetworkPeerings/write",
                    "Microsoft.Network/virtualNetworks/peer/action",
                ),
                why="the hub-to-spoke peering",
            )
        )
    if config.cluster.api.private_dns_zone_id:
        found.append(
            Requirement(
                "API private DNS zone",
                config.cluster.api.private_dns_zone_id,
                None,
                actions=(ROLE_ASSIGNMENT_WRITE,),
                why="Private DNS Zone Contributor for the control-plane identity",
            )
        )
    if config.tls.mode == "keyvault" and config.tls.key_vault_id:
        found.append(
            Requirement(
                "TLS Key Vault",
                config.tls.key_vault_id,
                None,
                actions=(ROLE_ASSIGNMENT_WRITE,),
                why="Key Vault Secrets User for the secrets-provider identity",
            )
        )
    if config.azureml.router_tls:
        found.append(
            Requirement(
                "router TLS Key Vault",
                config.azureml.router_tls.key_vault_id,
                None,
                actions=("Microsoft.KeyVault/vaults/read",),
                data_actions=(
                    "Microsoft.KeyVault/vaults/certificates/read",
                    "Microsoft.KeyVault/vaults/secrets/getSecret/action",
                ),
                why="reading the router certificate at plan time (Reader + Key Vault Certificate User)",
            )
        )
    if config.monitoring.log_analytics_workspace_id:
        found.append(
            Requirement(
                "Log Analytics workspace",
                config.monitoring.log_analytics_workspace_id,
                None,
                actions=(
                    "Microsoft.OperationalInsights/workspaces/sharedKeys/action",
                    "Microsoft.OperationalInsights/workspaces/read",
                ),
                why="diagnostic setting and monitoring add-on (Log Analytics Contributor)",
            )
        )
    if config.azureml.workspace:
        workspace = parse_resource_id(config.azureml.workspace.id)
        found.append(
            Requirement(
                f"workspace resource group {workspace.resource_group}",
                None,
                (workspace.subscription_id, workspace.resource_group),
                actions=("Microsoft.Resources/deployments/write", "Microsoft.MachineLearningServices/workspaces/computes/write"),
                why="the attach deployment",
            )
        )
    state = config.state
    if state.backend == "azurerm":
        account_id = (
            f"/subscriptions/{state.subscription_id or subscription}/resourceGroups/{state.resource_group_name}"
            f"/providers/Microsoft.Storage/storageAccounts/{state.storage_account_name}"
        )
        found.append(
            Requirement(
                "state storage account",
                account_id,
                None,
                data_actions=(
                    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
                    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
                ),
                why="Terraform state with Entra ID auth (Storage Blob Data Contributor)",
            )
        )
    return found


def _permissions(context: Context, requirement: Requirement):
    if requirement.resource_id:
        parsed = parse_resource_id(requirement.resource_id)
        namespace, resource_type = parsed.provider_type.split("/", 1)
        client = context.client(AuthorizationManagementClient, parsed.subscription_id)
        return list(client.permissions.list_for_resource(parsed.resource_group, namespace, "", resource_type, parsed.name))
    subscription, group = requirement.resource_group or ("", "")
    client = context.client(AuthorizationManagementClient, subscription)
    return list(client.permissions.list_for_resource_group(group))


def check_requirement(context: Context, requirement: Requirement) -> Finding:
    if requirement.resource_group and not requirement.resource_id:
        subscription, group = requirement.resource_group
        exists = context.client(ResourceManagementClient, subscription).resource_groups.check_existence(group)
        if not exists:
            return warning(
                f"{requirement.label}: does not exist yet, so the rights for {requirement.why} can only be read at"
                " subscription scope, which this API does not offer",
                "make sure the identity is Owner, or Contributor + User Access Administrator, on the subscription",
            )
    try:
        permissions = _permissions(context, requirement)
    except ResourceNotFoundError:
        return blocker(f"{requirement.label}: {requirement.resource_id} not found", "correct the id in the config")
    missing = [a for a in requirement.actions if not allows(permissions, a)]
    missing += [a for a in requirement.data_actions if not allows(permissions, a, data=True)]
    if missing:
        return blocker(
            f"{requirement.label}: the signed-in identity lacks {', '.join(missing)} ({requirement.why})",
            "grant the roles README 'Permissions of the deploying identity' lists",
        )
    return warning(
        f"{requirement.label}: role assignments allow {requirement.why}; {NOT_VISIBLE}",
        "if the deploy fails with AuthorizationFailed or RequestDisallowedByPolicy, look for deny assignments or conditions here",
    )


def check_permissions(context: Context) -> list[Finding]:
    findings = [check_requirement(context, r) for r in requirements(context)]
    if not context.plan_identity:
        return findings
    # The plan identity reads only; the apply identity (its own preflight) needs these.
    return [
        warning(f"plan identity: {f.message}", "expected for a read-only plan identity: the apply identity needs it")
        if f.status == Status.BLOCKER
        else f
        for f in findings
    ]


def _certificate_skip(context: Context) -> str | None:
    return None if context.config.tls.mode == "keyvault" else "tls.mode: none (no ingress certificate)"


def check_certificate_access(context: Context) -> list[Finding]:
    vault_id = context.config.tls.key_vault_id
    assert vault_id is not None
    names = context.names
    try:
        cluster = context.client(ContainerServiceClient).managed_clusters.get(names.resource_group, names.cluster)
    except ResourceNotFoundError:
        cluster = None
    if cluster is None:
        # Before the first deploy: the identity does not exist yet; the first stack grants it.
        requirement = Requirement(
            "TLS Key Vault", vault_id, None, actions=(ROLE_ASSIGNMENT_WRITE,), why="granting Key Vault Secrets User"
        )
        finding = check_requirement(context, requirement)
        prefix = "cluster not deployed yet: the first stack grants its secrets-provider identity Key Vault Secrets User; "
        return [type(finding)(finding.status, prefix + finding.message, finding.action)]
    addon = (cluster.addon_profiles or {}).get("azureKeyvaultSecretsProvider")
    identity = addon.identity if addon else None
    if identity is None or not identity.object_id:
        return [
            blocker(
                "the cluster has no Key Vault secrets-provider identity", "deploy aks-cluster again (the add-on is always on)"
            )
        ]
    parsed = parse_resource_id(vault_id)
    client = context.client(AuthorizationManagementClient, parsed.subscription_id)
    # The first stack grants the role on the certificate's secret, not the vault (README "TLS"):
    # an assignment there, on the vault or above it reads the secret.
    secret_id = f"{vault_id}/secrets/{context.config.tls.certificate_name}"
    assignments = list(client.role_assignments.list_for_scope(secret_id, filter=f"principalId eq '{identity.object_id}'"))
    findings = []
    for assignment in assignments:
        role_id = (assignment.role_definition_id or "").rsplit("/", 1)[-1].lower()
        if role_id not in KEY_VAULT_READ_ROLES or not secret_id.lower().startswith((assignment.scope or "~").lower()):
            continue
        if assignment.condition:
            findings.append(
                warning(
                    f"{KEY_VAULT_READ_ROLES[role_id]} for the secrets-provider identity has a condition: {assignment.condition}",
                    "make sure the condition admits the certificate's secret",
                )
            )
        else:
            findings.append(
                ok(f"secrets-provider identity {identity.object_id} has {KEY_VAULT_READ_ROLES[role_id]} on {assignment.scope}")
            )
    if not findings:
        return [
            blocker(
                f"secrets-provider identity {identity.object_id} has no role that reads the certificate's secret {secret_id}",
                "deploy aks-cluster again (it grants Key Vault Secrets User), or grant it by hand",
            )
        ]
    if all(f.status == Status.OK for f in findings):
        return findings[:1]
    return findings


CHECKS = (
    Check("permissions of the deploying identity", check_permissions),
    Check("certificate access of the secrets provider", check_certificate_access, skip_reason=_certificate_skip),
)
