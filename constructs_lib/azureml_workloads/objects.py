"""What the Azure ML integration puts into the cluster, as plain objects: the compute's
namespace, the instance types and the NetworkPolicy around the inference router. Shared by
terraform mode (AzureMLWorkloads) and GitOps mode (the manifests Flux applies)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constructs_lib.kubernetes_objects import InstanceTypeSpec, instance_type, namespace, router_network_policy

ROUTER_POLICY_NAME = "azureml-fe-ingress-only"
NAMESPACE_LABELS = {"app.kubernetes.io/part-of": "aks-azureml-compute"}


@dataclass(frozen=True)
class RouterPolicy:
    """azureml-fe (in ``namespace``) accepts traffic only from the ingress controller's namespace
    and from its own namespace."""

    namespace: str
    ingress_namespace: str


@dataclass(frozen=True)
class AzureMLWorkloadsProps:
    compute_namespace: str  # where Azure ML runs this compute's jobs and endpoints
    instance_types: tuple[InstanceTypeSpec, ...]
    router_policy: RouterPolicy | None  # None: the router is not behind the project's ingress


@dataclass(frozen=True)
class WorkloadObjects:
    namespace: dict[str, Any]
    instance_types: dict[str, dict[str, Any]]  # name -> InstanceType
    router_network_policy: dict[str, Any] | None


def workload_objects(props: AzureMLWorkloadsProps) -> WorkloadObjects:
    names = [t.name for t in props.instance_types]
    if len(set(names)) != len(names):
        raise ValueError(f"instance type names must be unique: {names}")
    policy = None
    if props.router_policy:
        policy = router_network_policy(
            name=ROUTER_POLICY_NAME,
            namespace=props.router_policy.namespace,
            ingress_namespace=props.router_policy.ingress_namespace,
        )
    return WorkloadObjects(
        namespace=namespace(props.compute_namespace, NAMESPACE_LABELS),
        instance_types={t.name: instance_type(t) for t in props.instance_types},
        router_network_policy=policy,
    )
