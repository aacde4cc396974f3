"""Azure resource ids as a validated type.

An id names its resource type in the annotation, e.g. ``AzureResourceId["Microsoft.Network/virtualNetworks"]``
accepts only a VNet id. Validation happens at config load, so a wrong id is reported at synth
instead of at apply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator

GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
GUID_RE = re.compile(rf"^{GUID}$")

# Azure compares ids case-insensitively, segment names included: the CLI and some ARM APIs return
# ".../resourcegroups/...", others ".../resourceGroups/..." for the same resource.
_ID_RE = re.compile(
    rf"^/(?i:subscriptions)/(?P<subscription>{GUID})"
    r"/(?i:resourceGroups)/(?P<resource_group>[-\w._()]{1,90})"
    r"/(?i:providers)/(?P<namespace>[A-Za-z][\w.]*)/(?P<type>[A-Za-z]\w*)/(?P<name>[^/]+)$"
)


@dataclass(frozen=True)
class ParsedResourceId:
    subscription_id: str
    resource_group: str
    provider_type: str  # "Microsoft.Network/virtualNetworks"
    name: str


def parse_resource_id(value: str) -> ParsedResourceId:
    match = _ID_RE.match(value)
    if not match:
        raise ValueError(
            "must be an Azure resource id of the form /subscriptions/<guid>/resourceGroups/<group>"
            "/providers/<Namespace>/<type>/<name>"
        )
    if match["resource_group"].endswith("."):
        raise ValueError("resource group name in the id must not end with '.'")
    return ParsedResourceId(
        subscription_id=match["subscription"],
        resource_group=match["resource_group"],
        provider_type=f"{match['namespace']}/{match['type']}",
        name=match["name"],
    )


def _resource_id_of(expected_type: str):
    def check(value: str) -> str:
        parsed = parse_resource_id(value)
        # Azure treats provider namespaces and types case-insensitively.
        if parsed.provider_type.lower() != expected_type.lower():
            raise ValueError(f"must be the id of a {expected_type} resource, not {parsed.provider_type}")
        return value

    return check


class _ResourceIdFactory:
    def __getitem__(self, expected_type: str):
        return Annotated[str, AfterValidator(_resource_id_of(expected_type))]


AzureResourceId = _ResourceIdFactory()

VNET_TYPE = "Microsoft.Network/virtualNetworks"
WORKSPACE_TYPE = "Microsoft.OperationalInsights/workspaces"
PRIVATE_DNS_ZONE_TYPE = "Microsoft.Network/privateDnsZones"
KEY_VAULT_TYPE = "Microsoft.KeyVault/vaults"
ML_WORKSPACE_TYPE = "Microsoft.MachineLearningServices/workspaces"
USER_ASSIGNED_IDENTITY_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities"
STORAGE_ACCOUNT_TYPE = "Microsoft.Storage/storageAccounts"
CONTAINER_REGISTRY_TYPE = "Microsoft.ContainerRegistry/registries"
MANAGED_CLUSTER_TYPE = "Microsoft.ContainerService/managedClusters"
FIREWALL_POLICY_TYPE = "Microsoft.Network/firewallPolicies"

VNetId = AzureResourceId[VNET_TYPE]
WorkspaceId = AzureResourceId[WORKSPACE_TYPE]
PrivateDnsZoneId = AzureResourceId[PRIVATE_DNS_ZONE_TYPE]
KeyVaultId = AzureResourceId[KEY_VAULT_TYPE]
MachineLearningWorkspaceId = AzureResourceId[ML_WORKSPACE_TYPE]
UserAssignedIdentityId = AzureResourceId[USER_ASSIGNED_IDENTITY_TYPE]
StorageAccountId = AzureResourceId[STORAGE_ACCOUNT_TYPE]
ContainerRegistryId = AzureResourceId[CONTAINER_REGISTRY_TYPE]
ManagedClusterId = AzureResourceId[MANAGED_CLUSTER_TYPE]
FirewallPolicyId = AzureResourceId[FIREWALL_POLICY_TYPE]
