"""What ExistingCluster reads and checks of a cluster this project does not own: its props and the
baseline postconditions of the cluster data source (no jsii: `make check` tests them; the
construct itself is in construct.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

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


def hcl_literal(value: object) -> str:
    """A literal in a Terraform expression (JSON strings and lists are valid HCL)."""
    return json.dumps(value)


def _for_each_pool(props: ExistingClusterProps, condition: str) -> str:
    """True when ``condition`` (over ``p``, one agent_pool_profile entry) holds for every Azure ML pool."""
    pools = hcl_literal(list(props.azureml_pools))
    return f"${{alltrue([for p in self.agent_pool_profile : {condition} if contains({pools}, p.name)])}}"


def cluster_checks(props: ExistingClusterProps) -> dict[str, str]:
    """condition -> error message, for the cluster data source."""
    name, relax = props.name, props.relaxations
    pools = hcl_literal(list(props.azureml_pools))
    checks = {
        f"${{self.location == {hcl_literal(props.location)}}}": (
            f"cluster {name} is not in {props.location}: set location to the cluster's region"
        ),
        f"${{lower(self.node_resource_group) == lower({hcl_literal(props.node_resource_group)})}}": (
            f"cluster {name} has another node resource group than {props.node_resource_group}: set"
            " cluster.existing.node_resource_group to it (az aks show --query nodeResourceGroup)"
        ),
        f'${{try(self.azure_active_directory_role_based_access_control[0].tenant_id, "") == {hcl_literal(props.tenant_id)}}}': (
            f"cluster {name} is not an Entra ID (AAD) cluster of tenant {props.tenant_id}: the baseline needs Entra ID"
            " integration, and cluster.existing.tenant_id must be the cluster's tenant"
        ),
        f"${{alltrue([for n in {pools} : contains(self.agent_pool_profile[*].name, n)])}}": (
            f"cluster {name} lacks a pool named in cluster.existing.azureml_node_pools ({', '.join(props.azureml_pools)})"
        ),
        _for_each_pool(props, 'p.os_type == "Linux"'): (
            "every pool in cluster.existing.azureml_node_pools must be a Linux pool (the Azure ML extension runs on Linux)"
        ),
        _for_each_pool(props, f"lower(p.vnet_subnet_id) == lower({hcl_literal(props.node_subnet.id)})"): (
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
        checks[_for_each_pool(props, f"try(p.node_labels[{hcl_literal(key)}], null) == {hcl_literal(value)}")] = (
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
