"""Attach the cluster to an Azure ML workspace as Kubernetes compute, with the workspace
identity's roles and a Trusted Access binding in place first. Azure Resource Manager only: it
needs no cluster credentials, so both delivery modes use it.

Why a template deployment: azurerm 4.55.0 has no resource for Kubernetes compute
(``azurerm_machine_learning_inference_cluster`` builds only the legacy AKS compute type; request
hashicorp/terraform-provider-azurerm#21457) and no prebuilt cdktf azapi provider exists, while
``azurerm_resource_group_template_deployment`` is typed and puts the ARM resource
``Microsoft.MachineLearningServices/workspaces/computes`` (computeType Kubernetes) in the
workspace's resource group.

Change: Azure ML fails in-place updates of this compute (Microsoft's edge-ai module replaces it
for that reason), so the deployment's name carries a hash of the body: any change is a new name,
which Terraform can only replace (detach, then attach).

Destroy: the compute DELETE API requires ``underlyingResourceAction=Detach|Delete``, which a
template deployment's own cleanup does not send (it issues a plain DELETE; what Azure ML does then
is undocumented). So the deployment runs on a provider that leaves deployed resources alone on
destroy (``delete_nested_items_during_deletion = false``), and a destroy-time step detaches the
compute explicitly with ``az rest`` (Azure CLI on the deploying machine, signed in) and waits
until it is gone. If that step fails, the destroy stops with its message, and nothing is left
half-detached.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from constructs import Construct

from constructs_lib._lifecycle import postcondition
from constructs_lib.role_propagation import RolePropagationWait, RolePropagationWaitProps
from toolchain.azurerm.data_azurerm_machine_learning_workspace import DataAzurermMachineLearningWorkspace
from toolchain.azurerm.data_azurerm_user_assigned_identity import DataAzurermUserAssignedIdentity
from toolchain.azurerm.kubernetes_cluster_trusted_access_role_binding import KubernetesClusterTrustedAccessRoleBinding
from toolchain.azurerm.resource_group_template_deployment import ResourceGroupTemplateDeployment
from toolchain.azurerm.role_assignment import RoleAssignment
from toolchain.cdk import (
    Fn,
    ITerraformDependable,
    LocalExecProvisioner,
    TerraformProvider,
    TerraformResourceLifecycle,
)

COMPUTE_API_VERSION = "2025-12-01"
DETACH_POLL_SECONDS = 10  # x 60 checks: detaching may take up to 10 minutes
ML_WORKLOAD_ROLE = "Microsoft.MachineLearningServices/workspaces/mlworkload"
# Built-in roles the workspace identity holds on the cluster (Learn, how-to-attach-kubernetes-to-
# workspace, and why each is here).
READER = "Reader"
EXTENSION_CONTRIBUTOR = "Kubernetes Extension Contributor"  # reads and drives the Azure ML extension
# listClusterAdminCredential: Learn's attach requirement; exists only while local accounts do.
CLUSTER_ADMIN_ROLE = "Azure Kubernetes Service Cluster Admin Role"
# Kubernetes data-plane rights on an Entra ID + Azure RBAC cluster (what Microsoft's edge-ai
# attach module grants): the admin credential above gives none through Azure RBAC.
RBAC_CLUSTER_ADMIN = "Azure Kubernetes Service RBAC Cluster Admin"
# Learn: with Trusted Access, a workspace with a user-assigned identity also needs Contributor.
CONTRIBUTOR = "Contributor"

# Run at destroy (POSIX sh, Azure CLI signed in). Only "not found" means detached: any other
# failure of the DELETE stops the destroy with its own message, and failed polls are retried, so a
# throttled or expired-token GET never passes for a detached compute. No "${" in it: Terraform
# would read that as its own interpolation.
DETACH_SCRIPT = """\
set -u
not_found() { case "$1" in *NotFound*|*"Not Found"*) return 0 ;; esac; return 1; }
url="$COMPUTE_ID?api-version=$API_VERSION"
if ! out=$(az rest --method delete --url "$url&underlyingResourceAction=Detach" 2>&1); then
  not_found "$out" && exit 0
  echo "Detaching Azure ML compute $COMPUTE_ID failed: $out" >&2
  exit 1
fi
attempt=0
while [ "$attempt" -lt 60 ]; do
  if ! out=$(az rest --method get --url "$url" --output none 2>&1); then
    not_found "$out" && exit 0
    echo "Checking Azure ML compute $COMPUTE_ID failed, retrying: $out" >&2
  fi
  attempt=$((attempt + 1))
  sleep "$POLL_SECONDS"
done
echo "Azure ML compute $COMPUTE_ID is still attached after 60 checks" >&2
exit 1
"""


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

    @property
    def trusted_access_name(self) -> str:
        # 1-24 characters of letters, digits and '-' (AKS API); compute names are at most 16.
        return f"aml-{self.compute_name}"


def _system_identity_present() -> TerraformResourceLifecycle:
    """Without a system-assigned identity the principal id is empty and the role assignments fail
    with an opaque error: say what to set instead."""
    return postcondition(
        condition='${try(self.identity[0].principal_id, "") != ""}',
        error_message=(
            "The Azure ML workspace has no system-assigned identity: set azureml.workspace.identity_id to"
            " its user-assigned identity."
        ),
    )


def compute_template(props: AzureMLAttachProps) -> dict:
    """The ARM template: one Kubernetes compute, and its id as an output for the detach step."""
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"location": {"type": "string"}, "clusterId": {"type": "string"}},
        "resources": [
            {
                "type": "Microsoft.MachineLearningServices/workspaces/computes",
                "apiVersion": COMPUTE_API_VERSION,
                "name": f"{props.workspace_name}/{props.compute_name}",
                "location": "[parameters('location')]",
                "properties": {
                    "computeType": "Kubernetes",
                    "resourceId": "[parameters('clusterId')]",
                    "computeLocation": "[parameters('location')]",
                    "description": props.description,
                    "properties": {"namespace": props.namespace},
                },
            }
        ],
        "outputs": {
            "computeId": {
                "type": "string",
                "value": (
                    "[resourceId('Microsoft.MachineLearningServices/workspaces/computes',"
                    f" '{props.workspace_name}', '{props.compute_name}')]"
                ),
            }
        },
    }


def deployment_name(props: AzureMLAttachProps, template: dict) -> str:
    """Changes with the compute's body, so that a change replaces the compute (see module doc)."""
    body = json.dumps({"template": template, "cluster": props.cluster_id}, sort_keys=True)
    return f"attach-{props.compute_name}-{hashlib.sha256(body.encode()).hexdigest()[:8]}"


class AzureMLComputeAttach(Construct):
    """Exposes ``workspace`` (data source), ``principal_id``, ``role_assignments`` (role name ->
    assignment), ``role_propagation``, ``trusted_access``, ``template`` and ``attachment``."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        props: AzureMLAttachProps,
        attach_provider: TerraformProvider,
        depends_on: Sequence[ITerraformDependable] = (),
    ) -> None:
        """``attach_provider``: azurerm in the workspace's subscription with
        ``features.template_deployment.delete_nested_items_during_deletion = false``.
        ``depends_on``: in-cluster objects that must exist first (the compute namespace, which
        Azure ML does not check, and the instance types)."""
        super().__init__(scope, id_)
        self.workspace = DataAzurermMachineLearningWorkspace(
            self,
            "workspace",
            name=props.workspace_name,
            resource_group_name=props.workspace_resource_group,
            lifecycle=None if props.user_assigned_identity else _system_identity_present(),
        )
        if props.user_assigned_identity:
            name, resource_group = props.user_assigned_identity
            identity = DataAzurermUserAssignedIdentity(self, "workspace_identity", name=name, resource_group_name=resource_group)
            self.principal_id = identity.principal_id
        else:
            self.principal_id = self.workspace.identity.get(0).principal_id

        roles = [READER, EXTENSION_CONTRIBUTOR, RBAC_CLUSTER_ADMIN]
        if props.local_accounts_enabled:
            roles.append(CLUSTER_ADMIN_ROLE)
        if props.user_assigned_identity:
            roles.append(CONTRIBUTOR)
        self.role_assignments = {
            role: RoleAssignment(
                self,
                f"workspace_{role.lower().replace(' ', '_')}",
                scope=props.cluster_id,
                role_definition_name=role,
                principal_id=self.principal_id,
                principal_type="ServicePrincipal",
            )
            for role in roles
        }
        # Azure ML checks these when it attaches.
        self.role_propagation = RolePropagationWait(
            self,
            "workspace_roles_propagation",
            props=RolePropagationWaitProps(),
            role_assignments=list(self.role_assignments.values()),
        )
        self.trusted_access = KubernetesClusterTrustedAccessRoleBinding(
            self,
            "trusted_access",
            name=props.trusted_access_name,
            kubernetes_cluster_id=props.cluster_id,
            source_resource_id=props.workspace_id,
            roles=[ML_WORKLOAD_ROLE],
        )

        self.template = compute_template(props)
        self.attachment = ResourceGroupTemplateDeployment(
            self,
            "compute",
            name=deployment_name(props, self.template),
            resource_group_name=props.workspace_resource_group,
            deployment_mode="Incremental",
            template_content=json.dumps(self.template, sort_keys=True),
            parameters_content=Fn.jsonencode(
                {"location": {"value": self.workspace.location}, "clusterId": {"value": props.cluster_id}}
            ),
            provider=attach_provider,
            depends_on=[self.role_propagation.sleep, self.trusted_access, *depends_on],
            provisioners=[
                LocalExecProvisioner(
                    type="local-exec",
                    when="destroy",
                    command=DETACH_SCRIPT,
                    environment={
                        # Only self may be read at destroy time: the id comes from the template's output.
                        "COMPUTE_ID": "${jsondecode(self.output_content).computeId.value}",
                        "API_VERSION": COMPUTE_API_VERSION,
                        "POLL_SECONDS": str(DETACH_POLL_SECONDS),
                    },
                )
            ],
        )
