"""The Terraform outputs of both stacks: names, descriptions, and the values of `kubernetes-config`.

This module imports no provider binding, so that `make outputs` and `make smoke` (which run in
.venv-azure, without cdktf) share the one list of output names with the stacks that declare them.
That list is also the allowlist `make outputs` prints from: an output that is not named here is
never shown, and none of these is sensitive (ids, names, addresses, URLs; no key, token or
credential).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from config.cluster_mode import existing_cluster
from config.model import AppConfig


@dataclass(frozen=True)
class OutputSpec:
    name: str
    description: str


AKS_CLUSTER_OUTPUTS = (
    OutputSpec("cluster_name", "AKS cluster name"),
    OutputSpec("cluster_id", "AKS cluster resource id"),
    OutputSpec("resource_group_name", "Spoke resource group"),
    OutputSpec("node_resource_group", "AKS-managed node resource group"),
    OutputSpec("aks_subnet_name", "Subnet of the nodes and the internal load balancers"),
    OutputSpec("vnet_id", "Spoke VNet id"),
    OutputSpec("oidc_issuer_url", "OIDC issuer for workload identity federation"),
    OutputSpec("key_vault_secrets_provider_client_id", "Client id of the secrets-provider identity"),
    OutputSpec("key_vault_secrets_provider_object_id", "Object id of the secrets-provider identity"),
)

KUBERNETES_CONFIG_OUTPUTS = (
    OutputSpec("ingress_host", "Host name of the /aml/ route (ingress.host)"),
    OutputSpec("ingress_private_ip", "Private IP of the ingress's internal load balancer (ingress.load_balancer_ip)"),
    OutputSpec("scoring_base_url", "Base URL of Azure ML scoring through the ingress: <base>api/v1/endpoint/<name>/score"),
    OutputSpec("inference_router_service_type", "clusterIP (behind the ingress) or loadBalancer (internal LB router)"),
    OutputSpec("compute_name", "Azure ML compute name of the attached cluster"),
    OutputSpec("compute_id", "Azure ML compute resource id"),
    OutputSpec("compute_namespace", "Kubernetes namespace of the compute's jobs and endpoints"),
    OutputSpec("instance_type_names", "Azure ML instance types on the cluster"),
)

OUTPUTS_BY_STACK: Mapping[str, tuple[OutputSpec, ...]] = {
    "aks-cluster": AKS_CLUSTER_OUTPUTS,
    "kubernetes-config": KUBERNETES_CONFIG_OUTPUTS,
}

# Azure ML's own default instance type (Learn, how-to-manage-kubernetes-instance-types): the
# name stacks/construct_props.py gives the default one.
DEFAULT_INSTANCE_TYPE = "defaultinstancetype"


def scoring_base_url(config: AppConfig) -> str | None:
    """`https://<host>/aml/` where the router sits behind this project's ingress, else None.

    The host is `ingress.host` (the certificate's name), or the fixed load-balancer IP when there
    is no host (only possible with `tls.mode: none`, hence plain HTTP).
    """
    aml, ingress = config.azureml, config.ingress
    if not (aml.enable_inference and aml.inference_router_service_type == "clusterIP"):
        return None
    address = ingress.host or (str(ingress.load_balancer_ip) if ingress.load_balancer_ip else None)
    if address is None:
        return None
    scheme = "https" if config.tls.mode == "keyvault" else "http"
    return f"{scheme}://{address}{ingress.path_prefix}"


def instance_type_names(config: AppConfig) -> list[str]:
    """The names of the InstanceType resources (the same rule as construct_props.instance_type_specs)."""
    if config.azureml.workspace is None:
        return []
    if config.azureml.instance_types is not None:
        return [t.name for t in config.azureml.instance_types]
    return [DEFAULT_INSTANCE_TYPE, *default_instance_type_pools(config)]


def default_instance_type_pools(config: AppConfig) -> list[str]:
    """The pools that get an instance type of their own when none are configured: every untainted
    azureml pool (the default instance type goes on the first), or an existing cluster's Azure ML
    pools (their taints are not known here). Shared with construct_props.instance_type_specs."""
    existing = existing_cluster(config)
    if existing is not None:
        return [p.name for p in existing.azureml_node_pools]
    return [p.name for p in config.cluster.node_pools or [] if p.azureml and not p.taints]


def compute_id(config: AppConfig) -> str | None:
    workspace = config.azureml.workspace
    return f"{workspace.id}/computes/{workspace.compute_name}" if workspace else None


def kubernetes_config_output_values(config: AppConfig) -> dict[str, object]:
    """The values of `kubernetes-config`'s outputs, all known from the config at synth.

    Only outputs with a value are declared (Terraform drops null root outputs from state anyway):
    an ingress without a fixed IP gets its address from Azure at apply time, so
    `ingress_private_ip` exists only with `ingress.load_balancer_ip`.
    """
    workspace = config.azureml.workspace
    values: dict[str, object | None] = {
        "ingress_host": config.ingress.host,
        "ingress_private_ip": str(config.ingress.load_balancer_ip) if config.ingress.load_balancer_ip else None,
        "scoring_base_url": scoring_base_url(config),
        "inference_router_service_type": (
            config.azureml.inference_router_service_type if config.azureml.enable_inference else None
        ),
        "compute_name": workspace.compute_name if workspace else None,
        "compute_id": compute_id(config),
        "compute_namespace": workspace.namespace if workspace else None,
        "instance_type_names": instance_type_names(config) or None,
    }
    known = {spec.name for spec in KUBERNETES_CONFIG_OUTPUTS}
    assert set(values) == known, "every output of kubernetes-config is listed in KUBERNETES_CONFIG_OUTPUTS"
    return {name: value for name, value in values.items() if value is not None}
