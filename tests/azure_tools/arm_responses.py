"""Response bodies for the fake ARM, shaped like the examples of azure-rest-api-specs for each
operation (field names, nesting and types as there; our own values). Provenance, by operation
(paths in github.com/Azure/azure-rest-api-specs, specification/...):

- Subscriptions_Get: resources/resource-manager/Microsoft.Resources/stable/2022-12-01/examples/GetSubscription.json
- Providers_Get: resources/resource-manager/Microsoft.Resources/stable/2024-03-01/examples/GetProvider.json
- Usage_List: compute/resource-manager/Microsoft.Compute/ComputeRP/stable/.../examples/computeRPCommonExamples/Usage_List_*.json
- ResourceSkus_List: compute/resource-manager/Microsoft.Compute/Skus/stable/2021-07-01/examples/skus/
  ListAvailableResourceSkusForARegion.json
- ManagedClusters_ListKubernetesVersions: containerservice/.../stable/2025-*/examples/KubernetesVersions_List.json
- ManagedClusters_Get: containerservice/.../examples/ManagedClustersGet.json (addonProfiles.*.identity)
- VirtualNetworks_Get: network/resource-manager/Microsoft.Network/stable/.../examples/VirtualNetworkGet.json
- PrivateZones_Get, VirtualNetworkLinks_List: privatedns/.../stable/2024-06-01/examples/PrivateZoneGet.json,
  VirtualNetworkLinkList.json
- Permissions_ListForResource(Group): authorization/.../stable/2015-07-01/examples/GetResourcePermissions.json,
  GetPermissions.json (2022-04-01 adds dataActions / notDataActions)
- RoleAssignments_ListForScope: authorization/.../stable/2022-04-01/examples/RoleAssignments_ListForScope.json
- Workspaces_Get (generic resource GET): machinelearningservices/.../stable/2025-12-01/examples/Workspace/get.json
- StorageAccounts_GetProperties, BlobContainers_Get: storage/.../examples/StorageAccountGetProperties.json, BlobContainersGet.json
"""

from __future__ import annotations

from tests.azure_tools.fakes import arm_error  # noqa: F401 (the ARM error body, used with the responses)


def subscription(subscription_id: str, state: str = "Enabled") -> dict:
    return {
        "id": f"/subscriptions/{subscription_id}",
        "subscriptionId": subscription_id,
        "displayName": "Spoke subscription",
        "state": state,
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
        "authorizationSource": "RoleBased",
    }


def provider(subscription_id: str, namespace: str, state: str = "Registered") -> dict:
    return {
        "id": f"/subscriptions/{subscription_id}/providers/{namespace}",
        "namespace": namespace,
        "registrationState": state,
        "resourceTypes": [{"resourceType": "operations", "locations": [], "apiVersions": ["2024-01-01"]}],
    }


def usage(rows: dict[str, tuple[int, int]]) -> dict:
    """rows: usage name -> (currentValue, limit)."""
    return {
        "value": [
            {"unit": "Count", "currentValue": current, "limit": limit, "name": {"value": name, "localizedValue": f"{name} vCPUs"}}
            for name, (current, limit) in rows.items()
        ]
    }


def vm_sku(name: str, family: str, vcpus: int, location: str, zones=("1", "2", "3"), restrictions=()) -> dict:
    return {
        "resourceType": "virtualMachines",
        "name": name,
        "tier": "Standard",
        "size": name.removeprefix("Standard_"),
        "family": family,
        "locations": [location],
        "locationInfo": [{"location": location, "zones": list(zones), "zoneDetails": []}],
        "capabilities": [{"name": "vCPUs", "value": str(vcpus)}, {"name": "MemoryGB", "value": str(vcpus * 4)}],
        "restrictions": list(restrictions),
    }


def zone_restriction(location: str, zones: list[str]) -> dict:
    return {
        "type": "Zone",
        "values": [location],
        "restrictionInfo": {"locations": [location], "zones": zones},
        "reasonCode": "NotAvailableForSubscription",
    }


def location_restriction(location: str) -> dict:
    return {
        "type": "Location",
        "values": [location],
        "restrictionInfo": {"locations": [location]},
        "reasonCode": "NotAvailableForSubscription",
    }


def skus(*entries: dict) -> dict:
    return {"value": list(entries)}


def kubernetes_versions(versions: dict[str, list[str]], preview: tuple[str, ...] = ()) -> dict:
    return {
        "values": [
            {
                "version": minor,
                "capabilities": {"supportPlan": ["KubernetesOfficial"]},
                "isPreview": minor in preview,
                "patchVersions": {patch: {"upgrades": []} for patch in patches},
            }
            for minor, patches in versions.items()
        ]
    }


def virtual_network(vnet_id: str, prefixes: list[str]) -> dict:
    return {
        "id": vnet_id,
        "name": vnet_id.rsplit("/", 1)[-1],
        "type": "Microsoft.Network/virtualNetworks",
        "location": "westeurope",
        "properties": {"addressSpace": {"addressPrefixes": prefixes}, "subnets": [], "provisioningState": "Succeeded"},
    }


def private_zone(zone_id: str) -> dict:
    return {
        "id": zone_id,
        "name": zone_id.rsplit("/", 1)[-1],
        "type": "Microsoft.Network/privateDnsZones",
        "location": "global",
        "properties": {"maxNumberOfRecordSets": 5000, "numberOfRecordSets": 1, "provisioningState": "Succeeded"},
    }


def vnet_links(zone_id: str, vnet_ids: list[str], state: str = "Completed") -> dict:
    return {
        "value": [
            {
                "id": f"{zone_id}/virtualNetworkLinks/link{index}",
                "name": f"link{index}",
                "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
                "location": "global",
                "properties": {
                    "virtualNetwork": {"id": vnet_id},
                    "registrationEnabled": False,
                    "virtualNetworkLinkState": state,
                    "provisioningState": "Succeeded",
                },
            }
            for index, vnet_id in enumerate(vnet_ids)
        ]
    }


def permissions(actions=("*",), not_actions=(), data_actions=(), not_data_actions=()) -> dict:
    return {
        "value": [
            {
                "actions": list(actions),
                "notActions": list(not_actions),
                "dataActions": list(data_actions),
                "notDataActions": list(not_data_actions),
            }
        ]
    }


def managed_cluster(cluster_id: str, secrets_identity_object_id: str | None) -> dict:
    addons = {}
    if secrets_identity_object_id:
        addons["azureKeyvaultSecretsProvider"] = {
            "enabled": True,
            "config": {"enableSecretRotation": "true", "rotationPollInterval": "2m"},
            "identity": {
                "resourceId": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/kv",
                "clientId": "55555555-5555-5555-5555-555555555555",
                "objectId": secrets_identity_object_id,
            },
        }
    return {
        "id": cluster_id,
        "name": cluster_id.rsplit("/", 1)[-1],
        "type": "Microsoft.ContainerService/ManagedClusters",
        "location": "westeurope",
        "properties": {"provisioningState": "Succeeded", "kubernetesVersion": "1.35", "addonProfiles": addons},
    }


def role_assignments(scope: str, principal_id: str, role_ids: list[str], condition: str | None = None) -> dict:
    return {
        "value": [
            {
                "id": f"{scope}/providers/Microsoft.Authorization/roleAssignments/b0f43c54-e787-4862-89b1-a653fa9cf74{index}",
                "type": "Microsoft.Authorization/roleAssignments",
                "name": f"b0f43c54-e787-4862-89b1-a653fa9cf74{index}",
                "properties": {
                    "roleDefinitionId": f"/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/{role}",
                    "principalId": principal_id,
                    "principalType": "ServicePrincipal",
                    "scope": scope,
                    **({"condition": condition, "conditionVersion": "2.0"} if condition else {}),
                },
            }
            for index, role in enumerate(role_ids)
        ]
    }


def workspace(workspace_id: str, identity: dict, **properties) -> dict:
    return {
        "id": workspace_id,
        "name": workspace_id.rsplit("/", 1)[-1],
        "type": "Microsoft.MachineLearningServices/workspaces",
        "location": "westeurope",
        "identity": identity,
        "sku": {"name": "Basic", "tier": "Basic"},
        "properties": {"friendlyName": "ws", "provisioningState": "Succeeded", **properties},
    }


def storage_account(account_id: str, allow_shared_key_access: bool = False) -> dict:
    return {
        "id": account_id,
        "name": account_id.rsplit("/", 1)[-1],
        "type": "Microsoft.Storage/storageAccounts",
        "location": "westeurope",
        "kind": "StorageV2",
        "sku": {"name": "Standard_GRS", "tier": "Standard"},
        "properties": {"provisioningState": "Succeeded", "allowSharedKeyAccess": allow_shared_key_access},
    }


def blob_container(container_id: str) -> dict:
    return {
        "id": container_id,
        "name": container_id.rsplit("/", 1)[-1],
        "type": "Microsoft.Storage/storageAccounts/blobServices/containers",
        "properties": {"publicAccess": "None", "leaseStatus": "Unlocked"},
    }
