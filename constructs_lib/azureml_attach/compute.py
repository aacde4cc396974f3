"""The attach's contract with Azure ML and the roles it grants: API versions, role names, the props
of AzureMLComputeAttach and the compute's PUT body (no jsii: `make check` tests them; the
construct that wires them into Terraform is in construct.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Compute REST API (azure-rest-api-specs, machinelearningservices stable/2025-12-01: createOrUpdate
# KubernetesCompute.json; delete.json with underlyingResourceAction).
COMPUTE_API_VERSION = "2025-12-01"
# The API version azurerm 4.55.0 itself uses for the binding (go-azure-sdk containerservice/
# 2025-07-01/trustedaccess, imported by kubernetes_cluster_trusted_access_role_binding_resource.go).
TRUSTED_ACCESS_API_VERSION = "2025-07-01"
# What azurerm 4.55.0 uses for the Flux configuration (go-azure-sdk kubernetesconfiguration/
# 2024-11-01/fluxconfiguration, kubernetes_flux_configuration_resource.go); its resource exposes
# no compliance state, the REST API does (properties.complianceState).
FLUX_API_VERSION = "2024-11-01"
POLL_SECONDS = 10
MAX_CHECKS = 60  # x POLL_SECONDS: attach, detach and the binding each get up to 10 minutes
ML_WORKLOAD_ROLE = "Microsoft.MachineLearningServices/workspaces/mlworkload"
# Built-in roles the workspace identity holds on the cluster (Learn, how-to-attach-kubernetes-to-
# workspace, and why each is here).
READER = "Reader"
EXTENSION_CONTRIBUTOR = "Kubernetes Extension Contributor"  # reads and drives the Azure ML extension
# listClusterAdminCredential: Learn's attach requirement; exists only while local accounts do.
CLUSTER_ADMIN_ROLE = "Azure Kubernetes Service Cluster Admin Role"
# Kubernetes data-plane admin rights on an Entra ID + Azure RBAC cluster: what Microsoft's edge-ai
# attach module grants, not in Learn's list. Cluster-wide admin for an identity jobs act through:
# only on request (props.rbac_cluster_admin), until a live attach shows it is needed.
RBAC_CLUSTER_ADMIN = "Azure Kubernetes Service RBAC Cluster Admin"
# Learn: with Trusted Access, a workspace with a user-assigned identity also needs Contributor.
CONTRIBUTOR = "Contributor"
# The compute's user-assigned identity: Azure ML uses the compute's default identity "to set up
# the user's storage mounts, container registry, and datastores" (Learn, how-to-identity-based-
# service-authentication, "Kubernetes Cluster Compute"): pull images from the workspace's
# registry, read inputs and write outputs in its default storage.
ACR_PULL = "AcrPull"
STORAGE_BLOB_DATA_CONTRIBUTOR = "Storage Blob Data Contributor"


@dataclass(frozen=True)
class AzureMLAttachProps:
    workspace_id: str
    workspace_name: str
    workspace_resource_group: str
    compute_name: str
    namespace: str  # Kubernetes namespace of the compute's jobs and endpoints
    cluster_id: str
    # The workspace's user-assigned identity (name, resource group), or None: system-assigned.
    user_assigned_identity: tuple[str, str] | None
    local_accounts_enabled: bool
    description: str = "AKS cluster attached by the aks-azureml-spoke project"
    rbac_cluster_admin: bool = False  # grant RBAC_CLUSTER_ADMIN too (explicit opt-in)
    # The compute's user-assigned identity and what it is granted (all three or none).
    compute_identity_id: str | None = None
    storage_account_id: str | None = None
    container_registry_id: str | None = None
    # GitOps mode: the Flux configuration to wait for (Compliant) before attaching; None: none.
    flux_configuration_id: str | None = None

    @property
    def trusted_access_name(self) -> str:
        # 1-24 characters of letters, digits and '-' (AKS API); compute names are at most 16.
        return f"aml-{self.compute_name}"

    @property
    def compute_id(self) -> str:
        """Known at synth time: the detach never depends on what Azure returned."""
        return f"{self.workspace_id}/computes/{self.compute_name}"

    @property
    def trusted_access_id(self) -> str:
        return f"{self.cluster_id}/trustedAccessRoleBindings/{self.trusted_access_name}"


def name_and_resource_group(resource_id: str) -> tuple[str, str]:
    parts = resource_id.split("/")
    return parts[-1], parts[parts.index("resourceGroups") + 1]


def compute_body(props: AzureMLAttachProps, location: str) -> dict[str, Any]:
    """The PUT body of the Kubernetes compute (the contract with Azure ML: KubernetesCompute.json
    of the 2025-12-01 spec; ``identity`` as in the ARM ManagedServiceIdentity shape, which
    ``az ml compute attach --identity-type UserAssigned`` sends). ``location``: the workspace's region.
    Without a compute identity the body is the one earlier versions deployed."""
    identity = {}
    if props.compute_identity_id:
        identity = {"identity": {"type": "UserAssigned", "userAssignedIdentities": {props.compute_identity_id: {}}}}
    return identity | {
        "location": location,
        "properties": {
            "computeType": "Kubernetes",
            "resourceId": props.cluster_id,
            "computeLocation": location,
            "description": props.description,
            "properties": {"namespace": props.namespace},
        },
    }


def identity_type(props: AzureMLAttachProps) -> str:
    """The compute's identity type as Azure ML reports it (empty: none)."""
    return "UserAssigned" if props.compute_identity_id else ""
