"""Cross-field rules: Azure ML extension, workspace and instance types."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

from config.azure_ids import parse_resource_id
from config.checks.base import MISSING, RESERVED_NAMESPACE_PREFIX, RESERVED_NAMESPACES, Problem, is_valid, when_set
from config.cluster_mode import existing_cluster
from config.model import AppConfig
from config.naming import cluster_subscription_id
from config.quantities import memory_bytes, millicores

ROUTER_HA_MIN_NODES = 3


def _azureml_workload_rule(config: AppConfig) -> Iterator[Problem]:
    aml = config.azureml
    if not (aml.enable_training or aml.enable_inference):
        yield Problem(
            "azureml.enable_inference",
            "at least one of azureml.enable_training and azureml.enable_inference must be true",
            False,
        )


@when_set("cluster.node_pools")
def _router_ha_rule(config: AppConfig) -> Iterator[Problem]:
    aml = config.azureml
    if aml.enable_inference and aml.inference_router_ha:
        # Tainted pools do not count: the router replicas do not tolerate taints.
        capacity = sum(p.min_count for p in config.cluster.node_pools if p.azureml and not p.taints)
        if capacity < ROUTER_HA_MIN_NODES:
            yield Problem(
                "azureml.inference_router_ha",
                f"needs at least {ROUTER_HA_MIN_NODES} nodes for its replicas; untainted node pools with azureml: true "
                f"have min_count summing to {capacity} (raise min_count or set inference_router_ha: false)",
                True,
            )


def _router_tls_rules(config: AppConfig) -> Iterator[Problem]:
    aml = config.azureml
    if aml.router_tls is not None:
        if not aml.enable_inference:
            yield Problem("azureml.router_tls", "only applies with azureml.enable_inference: true", aml.router_tls.cname)
        elif aml.inference_router_service_type == "clusterIP":
            yield Problem(
                "azureml.router_tls",
                "must be absent with inference_router_service_type clusterIP: TLS terminates at the project's ingress (tls.mode)",
                aml.router_tls.cname,
            )
        if aml.allow_insecure_connections:
            yield Problem(
                "azureml.allow_insecure_connections",
                "must be false when azureml.router_tls gives the router its own certificate",
                True,
            )
    elif aml.allow_insecure_connections is False:
        yield Problem(
            "azureml.allow_insecure_connections",
            "false needs azureml.router_tls (cname, key_vault_id, certificate_name): without TLS material the"
            " extension only serves HTTP",
            False,
        )


def _plaintext_lb_router_rule(config: AppConfig) -> Iterator[Problem]:
    """An internal-LB router without TLS material serves plain HTTP to everything that reaches the
    load balancer: a relaxation, so it must be chosen explicitly, not derived."""
    aml = config.azureml
    if (
        aml.enable_inference
        and aml.inference_router_service_type == "loadBalancer"
        and aml.router_tls is None
        and aml.allow_insecure_connections is None
    ):
        yield Problem(
            "azureml.allow_insecure_connections",
            "must be set explicitly with inference_router_service_type loadBalancer and no router_tls: the router would"
            " serve plain HTTP on its internal load balancer (add router_tls, or set true to accept plain HTTP)",
            MISSING,
        )


def _compute_identity_rules(config: AppConfig) -> Iterator[Problem]:
    workspace = config.azureml.workspace
    if workspace is None or workspace.compute_identity is None:
        return
    path = "azureml.workspace.compute_identity"
    if workspace.compute_identity == "system":
        yield Problem(
            path,
            "system is not supported: a system-assigned compute identity exists only once Azure ML has attached the"
            " compute, so its roles could only be granted from the attach's answer; give a user-assigned identity id",
            "system",
        )
        return
    missing = [k for k in ("storage_account_id", "container_registry_id") if getattr(workspace, k) is None]
    if missing:
        yield Problem(
            path,
            f"needs azureml.workspace.{' and azureml.workspace.'.join(missing)}: the identity is granted AcrPull on the"
            " workspace's registry and Storage Blob Data Contributor on its storage account, which the workspace id"
            " does not reveal",
            workspace.compute_identity,
        )
    cluster_admin = [
        why
        for why, holds in (
            ("Azure Kubernetes Service Cluster Admin Role (local accounts enabled)", not config.cluster.local_account_disabled),
            ("Azure Kubernetes Service RBAC Cluster Admin (grant_rbac_cluster_admin)", workspace.grant_rbac_cluster_admin),
        )
        if holds
    ]
    same = workspace.identity_id is not None and workspace.identity_id.lower() == workspace.compute_identity.lower()
    if same and cluster_admin:
        yield Problem(
            path,
            f"must not be the workspace's own identity while it holds {' and '.join(cluster_admin)} on the cluster: every"
            " job and endpoint would run with cluster admin rights; use a separate user-assigned identity",
            workspace.compute_identity,
        )
    if config.subscription_id and parse_resource_id(workspace.compute_identity).subscription_id.lower() != (
        config.subscription_id.lower()
    ):
        yield Problem(path, f"must be in the cluster's subscription ({config.subscription_id}): the identity is read there",
                      parse_resource_id(workspace.compute_identity).subscription_id)  # fmt: skip


def _subscription_required_rule(config: AppConfig) -> Iterator[Problem]:
    """The second stack names the cluster by its resource id, built from subscription_id (reading
    the cluster instead would put its credentials in state)."""
    needed_by = [
        why
        for why, needed in (
            ("azureml.workspace (the attach)", config.azureml.workspace is not None),
            ("kubernetes_config.mode gitops (the Flux extension and configuration)", config.kubernetes_config.mode == "gitops"),
        )
        if needed
    ]
    if needed_by and config.subscription_id is None and config.cluster.existing_id is None:
        yield Problem(
            "subscription_id",
            f"is required with {' and '.join(needed_by)}: the second stack names the cluster by its resource id,"
            " built from it (reading the cluster would put its credentials in state)",
            MISSING,
        )


def _workspace_subscription_rule(config: AppConfig) -> Iterator[Problem]:
    workspace = config.azureml.workspace
    cluster_subscription = cluster_subscription_id(config)
    if workspace is None or cluster_subscription is None:
        return
    workspace_subscription = parse_resource_id(workspace.id).subscription_id
    if workspace_subscription.lower() != cluster_subscription.lower():
        yield Problem(
            "azureml.workspace.id",
            f"must be in the cluster's subscription ({cluster_subscription}): Azure ML does not attach"
            " clusters across subscriptions",
            workspace_subscription,
        )
    if workspace.identity_id:
        identity_subscription = parse_resource_id(workspace.identity_id).subscription_id
        if identity_subscription.lower() != cluster_subscription.lower():
            yield Problem(
                "azureml.workspace.identity_id",
                f"must be in the cluster's subscription ({cluster_subscription}): the identity is read there",
                identity_subscription,
            )


def _compute_namespace_rule(config: AppConfig) -> Iterator[Problem]:
    workspace = config.azureml.workspace
    if workspace is None:
        return
    namespace = workspace.namespace
    if namespace in RESERVED_NAMESPACES or namespace.startswith(RESERVED_NAMESPACE_PREFIX):
        yield Problem(
            "azureml.workspace.namespace",
            f"must not be a system namespace ({', '.join(RESERVED_NAMESPACES)} or kube-*)",
            namespace,
        )
    elif namespace == config.ingress.namespace:
        yield Problem("azureml.workspace.namespace", "must differ from ingress.namespace", namespace)


def _instance_types_need_workspace(config: AppConfig) -> Iterator[Problem]:
    if config.azureml.instance_types is not None and config.azureml.workspace is None:
        yield Problem(
            "azureml.instance_types", "only applies with azureml.workspace (the compute they belong to)", "instance_types"
        )


def _instance_type_rules(config: AppConfig) -> Iterator[Problem]:
    types = config.azureml.instance_types or []
    pools, pools_path = _azureml_pools(config)
    seen: set[str] = set()
    for i, instance_type in enumerate(types):
        path = f"azureml.instance_types[{i}]"
        if not is_valid(instance_type):
            continue
        if instance_type.name in seen:
            yield Problem(f"{path}.name", "must be unique", instance_type.name)
        seen.add(instance_type.name)
        yield from _instance_type_fits(path, instance_type, pools, pools_path)


def _azureml_pools(config: AppConfig) -> tuple[dict, str]:
    """The pools instance types may name: the created pools, or an existing cluster's Azure ML
    pools (whose VM size is not known here)."""
    existing = existing_cluster(config)
    if existing is not None:
        pools = {p.name: SimpleNamespace(name=p.name, azureml=True, gpu=p.gpu, vm_size=None) for p in existing.azureml_node_pools}
        return pools, "cluster.existing.azureml_node_pools"
    return {p.name: p for p in config.cluster.node_pools or []}, "cluster.node_pools"


def _instance_type_fits(path: str, instance_type, pools: dict, pools_path: str) -> Iterator[Problem]:
    pool = pools.get(instance_type.node_pool)
    if pool is None:
        yield Problem(
            f"{path}.node_pool", f"must name a pool in {pools_path} ({', '.join(sorted(pools))})", instance_type.node_pool
        )
    elif not pool.azureml:
        yield Problem(f"{path}.node_pool", "must name a pool with azureml: true (Azure ML schedules only there)", pool.name)
    requests, limits = instance_type.requests, instance_type.limits
    if millicores(requests.cpu) > millicores(limits.cpu):
        yield Problem(f"{path}.requests.cpu", f"must not exceed limits.cpu ({limits.cpu})", requests.cpu)
    if memory_bytes(requests.memory) > memory_bytes(limits.memory):
        yield Problem(f"{path}.requests.memory", f"must not exceed limits.memory ({limits.memory})", requests.memory)
    # Whether it fits one node of the pool (CPU, memory, GPUs): config/checks/capacity.py.


def _volcano_scheduling_rule(config: AppConfig) -> Iterator[Problem]:
    aml = config.azureml
    if aml.volcano_gang_scheduling:
        return
    if not aml.install_volcano:
        yield Problem(
            "azureml.volcano_gang_scheduling",
            "false configures the Volcano scheduler the extension installs: needs azureml.install_volcano: true",
            False,
        )
    elif config.kubernetes_config.mode == "gitops":
        yield Problem(
            "azureml.volcano_gang_scheduling",
            "false is automated in kubernetes_config.mode terraform only: in gitops mode the extension settings"
            " would have to wait for Flux to create the scheduler ConfigMap (README 'Autoscaler-friendly scheduling')",
            False,
        )


RULES = (
    _azureml_workload_rule,
    _volcano_scheduling_rule,
    _router_ha_rule,
    _router_tls_rules,
    _plaintext_lb_router_rule,
    _compute_identity_rules,
    _subscription_required_rule,
    _workspace_subscription_rule,
    _compute_namespace_rule,
    _instance_types_need_workspace,
    _instance_type_rules,
)
