"""Attach the cluster to an Azure ML workspace as Kubernetes compute, with the workspace
identity's roles and a Trusted Access binding in place first. Azure Resource Manager only: it
needs no cluster credentials, so both delivery modes use it.

Why no typed resource: azurerm 4.55.0 has no resource for Kubernetes compute
(``azurerm_machine_learning_inference_cluster`` builds only the legacy AKS compute type; request
hashicorp/terraform-provider-azurerm#21457) and no prebuilt cdktf azapi provider exists.

Why not an ARM template deployment (what this project used before): azurerm creates a template
deployment only when no record of its name exists and, in 4.55.0, writes it to state only after
it succeeded, so a failed attach left a record that refused every retry; azurerm 5.x writes it
first and a failed create is tainted, and Terraform runs no destroy-time step for a tainted
object; ARM prunes deployment records beyond 700 per resource group, and a pruned record leaves
state on the next refresh, taking its destroy-time detach with it (sources in
tools/terraform_standin/fake_arm.py and the README, "Azure ML integration").

So the attach is two ``terraform_data`` objects (Terraform's built-in resource: state this
project owns, the same on every provider version):

- ``compute``: the compute's identity (id built at synth time from the workspace id and the
  compute name) and its body as ``triggers_replace``. It has no create step, so it is never
  tainted, and its destroy-time step detaches the compute (``underlyingResourceAction=Detach``)
  with the id from its own state. A changed body replaces it: detach, then attach, because Azure
  ML fails in-place updates of this compute (Microsoft's edge-ai module replaces it too).
- ``attach``: replaced with ``compute``; its create step (scripts.ATTACH_SCRIPT) waits for the
  Trusted Access binding, checks what exists, PUTs the compute and polls until it is Succeeded.
  It is safe to run again: a failed run taints only this object, and the next apply runs it again.
"""

from __future__ import annotations

from collections.abc import Sequence

from constructs import Construct

from constructs_lib._lifecycle import postcondition
from constructs_lib._terraform_data import TerraformData
from constructs_lib.azureml_attach.compute import (
    ACR_PULL,
    CLUSTER_ADMIN_ROLE,
    COMPUTE_API_VERSION,
    CONTRIBUTOR,
    EXTENSION_CONTRIBUTOR,
    FLUX_API_VERSION,
    MAX_CHECKS,
    ML_WORKLOAD_ROLE,
    POLL_SECONDS,
    RBAC_CLUSTER_ADMIN,
    READER,
    STORAGE_BLOB_DATA_CONTRIBUTOR,
    TRUSTED_ACCESS_API_VERSION,
    AzureMLAttachProps,
    compute_body,
    identity_type,
    name_and_resource_group,
)
from constructs_lib.azureml_attach.scripts import ATTACH_SCRIPT, DETACH_SCRIPT
from constructs_lib.role_propagation import RolePropagationWait, RolePropagationWaitProps
from toolchain.azurerm.data_azurerm_machine_learning_workspace import DataAzurermMachineLearningWorkspace
from toolchain.azurerm.data_azurerm_user_assigned_identity import DataAzurermUserAssignedIdentity
from toolchain.azurerm.kubernetes_cluster_trusted_access_role_binding import KubernetesClusterTrustedAccessRoleBinding
from toolchain.azurerm.role_assignment import RoleAssignment
from toolchain.cdk import Fn, ITerraformDependable, LocalExecProvisioner, TerraformResourceLifecycle


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


class AzureMLComputeAttach(Construct):
    """Exposes ``workspace`` (data source), ``principal_id``, ``role_assignments`` (role name ->
    assignment), ``role_propagation``, ``trusted_access``, ``compute`` (the record that detaches
    on destroy) and ``attachment`` (the attach step)."""

    def _compute_identity_roles(self, props: AzureMLAttachProps) -> dict[str, RoleAssignment]:
        """role name -> assignment of the compute's user-assigned identity (known at synth time)."""
        if not props.compute_identity_id:
            return {}
        if not (props.storage_account_id and props.container_registry_id):
            raise ValueError("a compute identity needs storage_account_id and container_registry_id")
        name, resource_group = name_and_resource_group(props.compute_identity_id)
        identity = DataAzurermUserAssignedIdentity(self, "compute_identity", name=name, resource_group_name=resource_group)
        grants = {ACR_PULL: props.container_registry_id, STORAGE_BLOB_DATA_CONTRIBUTOR: props.storage_account_id}
        return {
            role: RoleAssignment(
                self,
                f"compute_{role.lower().replace(' ', '_')}",
                scope=scope,
                role_definition_name=role,
                principal_id=identity.principal_id,
                principal_type="ServicePrincipal",
            )
            for role, scope in grants.items()
        }

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        props: AzureMLAttachProps,
        depends_on: Sequence[ITerraformDependable] = (),
    ) -> None:
        """``depends_on``: in-cluster objects that must exist first (the compute namespace, which
        Azure ML does not check, and the instance types). The attach and detach steps run
        ``az rest`` on the deploying machine (Azure CLI, signed in)."""
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

        roles = [READER, EXTENSION_CONTRIBUTOR]
        if props.rbac_cluster_admin:
            roles.append(RBAC_CLUSTER_ADMIN)
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
        self.compute_identity_roles = self._compute_identity_roles(props)
        # Azure ML checks the workspace's when it attaches; the compute's are used by its first job.
        self.role_propagation = RolePropagationWait(
            self,
            "workspace_roles_propagation",
            props=RolePropagationWaitProps(),
            role_assignments=[*self.role_assignments.values(), *self.compute_identity_roles.values()],
        )
        self.trusted_access = KubernetesClusterTrustedAccessRoleBinding(
            self,
            "trusted_access",
            name=props.trusted_access_name,
            kubernetes_cluster_id=props.cluster_id,
            source_resource_id=props.workspace_id,
            roles=[ML_WORKLOAD_ROLE],
        )

        body = Fn.jsonencode(compute_body(props, self.workspace.location))
        # Destroyed after the attach step and before what it depends on: the detach runs while
        # the roles and the binding still exist.
        self.compute = TerraformData(
            self,
            "compute",
            input={"compute_id": props.compute_id, "api_version": COMPUTE_API_VERSION},
            triggers_replace={"compute_id": props.compute_id, "body": body},
            depends_on=[self.role_propagation.sleep, self.trusted_access, *depends_on],
            provisioners=[
                LocalExecProvisioner(
                    type="local-exec",
                    when="destroy",
                    command=DETACH_SCRIPT,
                    environment={
                        # Only self may be read at destroy time, and the state's value is the one
                        # that was attached (a renamed compute's new id is in the configuration).
                        "COMPUTE_ID": "${self.input.compute_id}",
                        "API_VERSION": "${self.input.api_version}",
                        "POLL_SECONDS": str(POLL_SECONDS),
                        "MAX_CHECKS": str(MAX_CHECKS),
                    },
                )
            ],
        )
        self.attachment = TerraformData(
            self,
            "attach",
            triggers_replace=self.compute.id,
            depends_on=[self.compute],
            provisioners=[
                LocalExecProvisioner(
                    type="local-exec",
                    command=ATTACH_SCRIPT,
                    environment={
                        "COMPUTE_ID": props.compute_id,
                        "API_VERSION": COMPUTE_API_VERSION,
                        "COMPUTE_BODY": body,
                        "CLUSTER_ID": props.cluster_id,
                        "NAMESPACE": props.namespace,
                        "IDENTITY_TYPE": identity_type(props),
                        "BINDING_ID": props.trusted_access_id,
                        "BINDING_API_VERSION": TRUSTED_ACCESS_API_VERSION,
                        "FLUX_CONFIGURATION_ID": props.flux_configuration_id or "",
                        "FLUX_API_VERSION": FLUX_API_VERSION,
                        "POLL_SECONDS": str(POLL_SECONDS),
                        "MAX_CHECKS": str(MAX_CHECKS),
                    },
                )
            ],
        )
