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

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from constructs import Construct

from constructs_lib._lifecycle import postconditions
from toolchain.azurerm.data_azurerm_kubernetes_cluster import DataAzurermKubernetesCluster
from toolchain.azurerm.data_azurerm_subnet import DataAzurermSubnet
from toolchain.azurerm.role_assignment import RoleAssignment

KEY_VAULT_SECRETS_USER = "Key Vault Secrets User"
CLUSTER_USER_ROLE = "Azure Kubernetes Service Cluster User Role"


@dataclass(frozen=True)
class NodeSubnet:
    """The existing node subnet (the ingress's internal load balancer takes its address there)."""

    vnet_id: str
    vnet_name: str
    vnet_resource_group: str
    name: str
    cidr: str

    @property
    def id(self) -> str:
        return f"{self.vnet_id}/subnets/{self.name}"


@dataclass(frozen=True)
class BaselineRelaxations:
    """Each one an explicit config acknowledgement (cluster.existing.acknowledge_*)."""

    admin_credentials_in_state: bool = False
    unrestricted_public_api: bool = False
    no_azure_rbac: bool = False
    no_network_policy: bool = False
    no_workload_identity: bool = False


@dataclass(frozen=True)
class ExistingClusterProps:
    cluster_id: str
    name: str
    resource_group_name: str
    location: str
    tenant_id: str
    node_resource_group: str
    node_subnet: NodeSubnet
    azureml_pools: tuple[str, ...]
    # Several Azure ML pools: the label (key, value) they must all carry, set by their owners
    # (the extension's node selector takes one label); None with one pool.
    shared_pool_label: tuple[str, str] | None = None
    # Untainted Azure ML nodes the inference router's replicas need (0: no requirement).
    router_min_nodes: int = 0
    needs_key_vault_secrets_provider: bool = False
    needs_azure_policy: bool = False
    relaxations: BaselineRelaxations = BaselineRelaxations()
    # Secrets the secrets-provider add-on may read (ingress TLS), keyed by a stable name, as
    # AksClusterProps.secrets_provider_secrets: the role is scoped to the secret, not the vault.
    secrets_provider_secrets: Mapping[str, str] = field(default_factory=dict)


def _hcl(value: object) -> str:
    """A literal in a Terraform expression (JSON strings and lists are valid HCL)."""
    return json.dumps(value)


def _for_each_pool(props: ExistingClusterProps, condition: str) -> str:
    """True when ``condition`` (over ``p``, one agent_pool_profile entry) holds for every Azure ML pool."""
    pools = _hcl(list(props.azureml_pools))
    return f"${{alltrue([for p in self.agent_pool_profile : {condition} if contains({pools}, p.name)])}}"


def cluster_checks(props: ExistingClusterProps) -> dict[str, str]:
    """condition -> error message, for the cluster data source."""
    name, relax = props.name, props.relaxations
    pools = _hcl(list(props.azureml_pools))
    checks = {
        f"${{self.location == {_hcl(props.location)}}}": (
            f"cluster {name} is not in {props.location}: set location to the cluster's region"
        ),
        f"${{lower(self.node_resource_group) == lower({_hcl(props.node_resource_group)})}}": (
            f"cluster {name} has another node resource group than {props.node_resource_group}: set"
            " cluster.existing.node_resource_group to it (az aks show --query nodeResourceGroup)"
        ),
        f'${{try(self.azure_active_directory_role_based_access_control[0].tenant_id, "") == {_hcl(props.tenant_id)}}}': (
            f"cluster {name} is not an Entra ID (AAD) cluster of tenant {props.tenant_id}: the baseline needs Entra ID"
            " integration, and cluster.existing.tenant_id must be the cluster's tenant"
        ),
        f"${{alltrue([for n in {pools} : contains(self.agent_pool_profile[*].name, n)])}}": (
            f"cluster {name} lacks a pool named in cluster.existing.azureml_node_pools ({', '.join(props.azureml_pools)})"
        ),
        _for_each_pool(props, 'p.os_type == "Linux"'): (
            "every pool in cluster.existing.azureml_node_pools must be a Linux pool (the Azure ML extension runs on Linux)"
        ),
        _for_each_pool(props, f"lower(p.vnet_subnet_id) == lower({_hcl(props.node_subnet.id)})"): (
            "every pool in cluster.existing.azureml_node_pools must have its nodes in cluster.existing.node_subnet"
            f" ({props.node_subnet.name}): the ingress's internal load balancer takes its address there"
        ),
    }
    if not relax.admin_credentials_in_state:
        checks["${length(self.kube_admin_config) == 0}"] = (
            f"the deploying identity may list the admin credentials of cluster {name} (local accounts are enabled), and"
            " the data source would store them in Terraform state: deploy with an identity that holds"
            f" '{CLUSTER_USER_ROLE}' and no role that may list admin credentials (Owner, Contributor, Azure Kubernetes"
            " Service Cluster Admin Role), or disable local accounts, or set"
            " cluster.existing.acknowledge_admin_credentials_in_state: true"
        )
    if not relax.unrestricted_public_api:
        checks["${self.private_cluster_enabled || try(length(self.api_server_authorized_ip_ranges), 0) > 0}"] = (
            f"cluster {name} has a public API server open to every address: the baseline needs a private API or"
            " authorized IP ranges (or set cluster.existing.acknowledge_unrestricted_public_api: true)"
        )
    if not relax.no_azure_rbac:
        checks["${try(self.azure_active_directory_role_based_access_control[0].azure_rbac_enabled, false)}"] = (
            f"cluster {name} does not use Azure RBAC for Kubernetes authorization: the baseline needs it (or set"
            " cluster.existing.acknowledge_no_azure_rbac: true)"
        )
    if not relax.no_network_policy:
        checks['${!contains(["", "none"], try(lower(self.network_profile[0].network_policy), ""))}'] = (
            f"cluster {name} has no network policy engine: the NetworkPolicy around the Azure ML router would not be"
            " enforced (or set cluster.existing.acknowledge_no_network_policy: true)"
        )
    if not relax.no_workload_identity:
        checks["${self.oidc_issuer_enabled}"] = (
            f"cluster {name} has no OIDC issuer: the baseline needs it for workload identity (az aks update"
            " --enable-oidc-issuer --enable-workload-identity; or set cluster.existing.acknowledge_no_workload_identity: true)"
        )
    if props.needs_key_vault_secrets_provider:
        checks["${length(self.key_vault_secrets_provider) > 0}"] = (
            f"cluster {name} has no Key Vault secrets provider add-on, which ingress TLS from Key Vault needs"
            " (az aks enable-addons --addons azure-keyvault-secrets-provider; or tls.mode: none)"
        )
    if props.needs_azure_policy:
        checks["${self.azure_policy_enabled}"] = (
            f"cluster {name} has no Azure Policy add-on, which enforces the policy assignments"
            " (az aks enable-addons --addons azure-policy; or cluster.existing.policy: false)"
        )
    if props.shared_pool_label:
        key, value = props.shared_pool_label
        checks[_for_each_pool(props, f"try(p.node_labels[{_hcl(key)}], null) == {_hcl(value)}")] = (
            f"every pool in cluster.existing.azureml_node_pools must carry the label {key}={value} (azureml.node_label):"
            " the extension selects several pools by one label, which their owners set"
        )
    if props.router_min_nodes:
        untainted_nodes = (
            "[for p in self.agent_pool_profile : (p.auto_scaling_enabled ? p.min_count : p.count)"
            f" if contains({pools}, p.name) && try(length(p.node_taints), 0) == 0]"
        )
        checks[f"${{sum(concat([0], {untainted_nodes})) >= {props.router_min_nodes}}}"] = (
            f"the untainted pools of cluster.existing.azureml_node_pools have fewer than {props.router_min_nodes} nodes"
            " (min_count, or count without autoscaling), which the inference router's replicas need"
            " (or set azureml.inference_router_ha: false)"
        )
    return checks


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
                    f"${{contains(self.address_prefixes, {_hcl(subnet.cidr)})}}": (
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
