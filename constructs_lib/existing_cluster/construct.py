"""An AKS cluster this project does not own (bring your own cluster): read, checked, never changed.

``ExistingCluster`` exposes what the rest of the stack needs from a cluster (id, name, resource
group, OIDC issuer, node resource group, node subnet, the Key Vault secrets-provider identity),
the same things ``AksCluster`` exposes for a created one, from two data sources:

- ``azurerm_kubernetes_cluster``: the only azurerm 4.55 data source that shows the cluster's
  settings. Its read (internal/services/containers/kubernetes_cluster_data_source.go, v4.55.0)
  calls ``ListClusterUserCredentials`` and, on an Entra ID cluster with local accounts enabled,
  ``ListClusterAdminCredentials``, and ignores a 403 from either (an empty ``kube_config`` /
  ``kube_admin_config``). The user credentials of an Entra ID cluster hold no secret (host, CA,
  and a kubelogin exec stanza), the admin credentials do: a postcondition fails the plan, before
  anything is stored, when they were returned, unless acknowledged. Give the deploying identity
  "Azure Kubernetes Service Cluster User Role" and no role that may list admin credentials.
- ``azurerm_subnet``: the node subnet's address range (no credentials involved).

Postconditions check the baseline the data source can see (private or IP-restricted API, Entra
ID with Azure RBAC, a network policy engine, OIDC issuer, the Key Vault secrets provider and Azure
Policy add-ons where they are used, the Azure ML pools: Linux, in the node subnet, enough
untainted nodes for the router, a shared label when there are several), each relaxable only by
an explicit ``acknowledge_*`` key. The only resources this construct creates are the Key Vault
role assignments of the secrets-provider identity (``secrets_provider_role_assignments``), as
``AksCluster`` does.
"""

from __future__ import annotations

from constructs import Construct

from constructs_lib._lifecycle import postconditions
from constructs_lib.existing_cluster.checks import (
    KEY_VAULT_SECRETS_USER,
    ExistingClusterProps,
    cluster_checks,
    hcl_literal,
)
from toolchain.azurerm.data_azurerm_kubernetes_cluster import DataAzurermKubernetesCluster
from toolchain.azurerm.data_azurerm_subnet import DataAzurermSubnet
from toolchain.azurerm.role_assignment import RoleAssignment


class ExistingCluster(Construct):
    """Exposes ``cluster`` (the data source), ``subnet`` (the node subnet's data source), ``id``,
    ``name``, ``resource_group_name``, ``node_resource_group``, ``oidc_issuer_url``,
    ``node_subnet_name``, ``secrets_provider_identity`` (or ``None`` when the add-on is not needed)
    and ``secrets_provider_role_assignments``."""

    def __init__(self, scope: Construct, id_: str, *, props: ExistingClusterProps) -> None:
        super().__init__(scope, id_)
        self.cluster = DataAzurermKubernetesCluster(
            self,
            "cluster",
            name=props.name,
            resource_group_name=props.resource_group_name,
            lifecycle=postconditions(cluster_checks(props)),
        )
        subnet = props.node_subnet
        self.subnet = DataAzurermSubnet(
            self,
            "node_subnet",
            name=subnet.name,
            virtual_network_name=subnet.vnet_name,
            resource_group_name=subnet.vnet_resource_group,
            lifecycle=postconditions(
                {
                    f"${{contains(self.address_prefixes, {hcl_literal(subnet.cidr)})}}": (
                        f"subnet {subnet.name} does not have the address range {subnet.cidr}: set"
                        " cluster.existing.node_subnet.cidr to its range"
                    )
                }
            ),
        )
        self.id = props.cluster_id
        self.name = props.name
        self.resource_group_name = props.resource_group_name
        self.node_resource_group = self.cluster.node_resource_group
        self.oidc_issuer_url = self.cluster.oidc_issuer_url
        self.node_subnet_name = subnet.name
        self.secrets_provider_identity = (
            self.cluster.key_vault_secrets_provider.get(0).secret_identity.get(0)
            if props.needs_key_vault_secrets_provider
            else None
        )
        self.secrets_provider_role_assignments: list[RoleAssignment] = []
        if self.secrets_provider_identity is not None:
            self.secrets_provider_role_assignments = [
                RoleAssignment(
                    self,
                    f"secrets_provider_key_vault_reader_{key}",
                    scope=secret_id,
                    # Certificates are read through their secret object (private key + chain).
                    role_definition_name=KEY_VAULT_SECRETS_USER,
                    principal_id=self.secrets_provider_identity.object_id,
                    principal_type="ServicePrincipal",
                )
                for key, secret_id in props.secrets_provider_secrets.items()
            ]
