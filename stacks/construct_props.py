"""The one place that maps the typed configuration to construct props.

Constructs know nothing about YAML or AppConfig; stacks pass the attributes of constructs they
already built (ids, names) as keyword arguments here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import TYPE_CHECKING

from catalog.ingress_charts import CHART_REPOSITORY_PATH
from config.azure_ids import parse_resource_id
from config.cluster_mode import existing_cluster, tenant_id
from config.egress import (
    APPLICATION_COLLECTION_PRIORITY,
    NETWORK_COLLECTION_PRIORITY,
    egress_rules,
    node_subnet_cidr,
    rule_collection_group_name,
    rule_collection_name,
)
from config.model import AppConfig, MaintenanceWindowConfig, NodePoolConfig, SystemPoolConfig
from config.naming import Names
from constructs_lib.aks_cluster import AksClusterProps, MaintenanceWindow, NodePoolSpec, PoolSpec, PrivateApi, SystemPoolSpec
from constructs_lib.azureml_attach import AzureMLAttachProps
from constructs_lib.azureml_extension import AZUREML_NAMESPACE, SMALL_CLUSTER_NODES, AzureMLExtensionProps, RouterCertificate
from constructs_lib.azureml_ingress import AzureMLRouteProps
from constructs_lib.azureml_workloads import AzureMLWorkloadsProps, RouterPolicy
from constructs_lib.cluster_access import ClusterAccessProps
from constructs_lib.cluster_policy import ClusterPolicyProps
from constructs_lib.diagnostics import ClusterDiagnosticsProps, LogAnalyticsProps
from constructs_lib.egress_rules import ApplicationRule, EgressRulesProps, NetworkRule
from constructs_lib.existing_cluster import BaselineRelaxations, ExistingClusterProps, NodeSubnet
from constructs_lib.gitops_delivery import (
    FluxSourceIdentityProps,
    GitOpsDeliveryProps,
    GitSource,
    IdentityRef,
    KustomizationSpec,
)
from constructs_lib.kubernetes_objects import InstanceTypeSpec
from constructs_lib.nginx_ingress import CHARTS, RETIRED_WARNING, KeyVaultTls, NginxIngressProps
from constructs_lib.spoke_network import HubLink, SpokeNetworkProps
from constructs_lib.volcano_scheduling import VolcanoSchedulingProps
from constructs_lib.volcano_scheduling import extension_settings as volcano_extension_settings
from stacks.outputs import DEFAULT_INSTANCE_TYPE, default_instance_type_pools

if TYPE_CHECKING:
    from constructs_lib.gitops_delivery.manifests import GitOpsManifests, ManifestFolder

INGRESS_TLS_SECRET = "aml-ingress-tls"


def tags(config: AppConfig) -> dict[str, str]:
    return {"deployment": config.name, **config.tags}


# --------------------------------------------------------------------------- bring your own cluster
# The label AKS puts on every node with its pool's name: selects pools this project does not own.
AGENT_POOL_LABEL = "kubernetes.azure.com/agentpool"
# The inference router's replicas with azureml.inference_router_ha (config/checks/azureml.py).
ROUTER_HA_MIN_NODES = 3


def azureml_node_selector(config: AppConfig) -> tuple[str, str]:
    """(label key, value) the extension's nodeSelector uses: the created pools' label, one existing
    pool by its agentpool label, or several existing pools by a label their owners set."""
    existing = existing_cluster(config)
    if existing is not None and len(existing.azureml_node_pools) == 1:
        return AGENT_POOL_LABEL, existing.azureml_node_pools[0].name
    return config.azureml.node_label.key, config.azureml.node_label.value


def existing_cluster_props(config: AppConfig, names: Names) -> ExistingClusterProps:
    existing = existing_cluster(config)
    assert existing is not None and config.cluster.existing_id
    vnet = parse_resource_id(existing.node_subnet.vnet_id)
    aml = config.azureml
    return ExistingClusterProps(
        cluster_id=config.cluster.existing_id,
        name=names.cluster,
        resource_group_name=names.resource_group,
        location=config.location,
        tenant_id=existing.tenant_id,
        node_resource_group=names.node_resource_group,
        node_subnet=NodeSubnet(
            vnet_id=existing.node_subnet.vnet_id,
            vnet_name=vnet.name,
            vnet_resource_group=vnet.resource_group,
            name=existing.node_subnet.name,
            cidr=str(existing.node_subnet.cidr),
        ),
        azureml_pools=tuple(p.name for p in existing.azureml_node_pools),
        shared_pool_label=azureml_node_selector(config) if len(existing.azureml_node_pools) > 1 else None,
        router_min_nodes=ROUTER_HA_MIN_NODES if aml.enable_inference and aml.inference_router_ha else 0,
        needs_key_vault_secrets_provider=config.tls.mode == "keyvault",
        needs_azure_policy=existing.policy,
        relaxations=BaselineRelaxations(
            admin_credentials_in_state=existing.acknowledge_admin_credentials_in_state,
            unrestricted_public_api=existing.acknowledge_unrestricted_public_api,
            no_azure_rbac=existing.acknowledge_no_azure_rbac,
            no_network_policy=existing.acknowledge_no_network_policy,
            no_workload_identity=existing.acknowledge_no_workload_identity,
        ),
        secrets_provider_secrets=secrets_provider_secrets(config),
    )


def secrets_provider_secrets(config: AppConfig) -> dict[str, str]:
    """The secrets the secrets-provider identity may read (Key Vault Secrets User on the secret of
    the ingress certificate, not on the vault: README "TLS"), keyed by a stable name."""
    tls = config.tls
    if tls.mode == "keyvault" and tls.key_vault_id and tls.certificate_name:
        return {"ingress_tls": f"{tls.key_vault_id}/secrets/{tls.certificate_name}"}
    return {}


def spoke_network_props(config: AppConfig, names: Names) -> SpokeNetworkProps:
    hub = None
    if config.hub:
        hub_vnet = parse_resource_id(config.hub.vnet_id)
        hub = HubLink(
            vnet_id=config.hub.vnet_id,
            vnet_name=hub_vnet.name,
            resource_group_name=hub_vnet.resource_group,
            address_space=tuple(str(r) for r in config.hub.address_space),
            firewall_private_ip=str(config.hub.firewall_private_ip),
            spoke_to_hub_peering_name=names.spoke_to_hub_peering or "",
            hub_to_spoke_peering_name=names.hub_to_spoke_peering or "",
        )
    assert config.network, "guaranteed by config/checks/ for a created cluster"
    return SpokeNetworkProps(
        location=config.location,
        resource_group_name=names.resource_group,
        vnet_name=names.vnet,
        vnet_cidr=str(config.network.vnet_cidr),
        subnet_name=names.aks_subnet,
        subnet_cidr=str(config.network.aks_subnet_cidr),
        nsg_name=names.nsg,
        route_table_name=names.route_table,
        pod_cidr=str(config.network.pod_cidr),
        ingress_source_cidrs=tuple(str(c) for c in ingress_source_cidrs(config)),
        hub=hub,
        tags=tags(config),
        protect=config.protect,
    )


def ingress_source_cidrs(config: AppConfig) -> list:
    """The hub's address space (its clients) plus the configured extra sources, each once."""
    hub = list(config.hub.address_space) if config.hub else []
    return list(dict.fromkeys([*hub, *config.ingress.allowed_source_cidrs]))


def hub_subscription_id(config: AppConfig) -> str | None:
    return parse_resource_id(config.hub.vnet_id).subscription_id if config.hub else None


def egress_rules_props(config: AppConfig) -> EgressRulesProps | None:
    """The hub firewall rules `make egress` lists, as a rule collection group in the hub's Firewall
    Policy; None without hub.firewall_policy_id (the hub team applies them, nothing is created)."""
    if config.hub is None or config.hub.firewall_policy_id is None:
        return None
    rules = egress_rules(config)
    return EgressRulesProps(
        group_name=rule_collection_group_name(config.name),
        firewall_policy_id=config.hub.firewall_policy_id,
        priority=config.hub.egress_rule_collection_group_priority,
        # Overlay pods leave SNATed to their node's address: the node subnet is every source.
        source_addresses=(node_subnet_cidr(config),),
        application_collection_name=rule_collection_name(config.name, "application"),
        application_collection_priority=APPLICATION_COLLECTION_PRIORITY,
        network_collection_name=rule_collection_name(config.name, "network"),
        network_collection_priority=NETWORK_COLLECTION_PRIORITY,
        application_rules=tuple(
            ApplicationRule(name=r.name, fqdn=r.destination, protocol=r.protocol, port=r.port)
            for r in rules
            if r.kind == "application"
        ),
        network_rules=tuple(
            NetworkRule(
                name=r.name,
                protocol=r.protocol,
                port=r.port,
                destination_fqdn=r.destination if r.destination_type == "fqdn" else None,
                destination_address=r.destination if r.destination_type == "service_tag" else None,
            )
            for r in rules
            if r.kind == "network"
        ),
    )


def log_analytics_props(config: AppConfig, names: Names, *, resource_group_name: str) -> LogAnalyticsProps:
    return LogAnalyticsProps(
        existing_workspace_id=config.monitoring.log_analytics_workspace_id,
        name=names.log_analytics_workspace,
        location=config.location,
        resource_group_name=resource_group_name,
        retention_days=config.monitoring.retention_days,
        tags=tags(config),
        protect=config.protect,
    )


def _window(window: MaintenanceWindowConfig) -> MaintenanceWindow:
    return MaintenanceWindow(**window.model_dump())


def _pool_fields(pool: SystemPoolConfig | NodePoolConfig) -> dict:
    """The fields every pool shares (constructs_lib.aks_cluster.PoolSpec)."""
    shared = {f.name: getattr(pool, f.name) for f in fields(PoolSpec)}
    return shared | {"zones": tuple(pool.zones), "temporary_name_for_rotation": pool.rotation_name}


def node_pool_spec(config: AppConfig, pool: NodePoolConfig) -> NodePoolSpec:
    labels = dict(pool.labels)
    if pool.azureml:
        labels[config.azureml.node_label.key] = config.azureml.node_label.value
    return NodePoolSpec(
        **_pool_fields(pool),
        labels=labels,
        taints=tuple(pool.taints),
        gpu=pool.gpu,
        gpu_driver=GPU_DRIVER_ATTRIBUTE.get(pool.gpu_driver) if pool.gpu else None,
        managed_gpu=pool.gpu and pool.gpu_driver == "aks-managed",
    )


# config gpu_driver -> azurerm node pool gpu_driver (ForceNew). Unset (the default) and aks-managed
# leave the attribute out: AKS then installs the driver, as it does for every GPU pool created
# without it (Learn use-nvidia-gpu, aks-managed-gpu-nodes).
GPU_DRIVER_ATTRIBUTE = {"install": "Install", "none": "None"}


def extension_installs_gpu_components(config: AppConfig) -> bool:
    """The Azure ML extension installs the NVIDIA device plugin and DCGM exporter only when GPU
    pools leave them to it: not with gpu_driver aks-managed (AKS installs both) nor none (the NVIDIA
    GPU Operator does; Learn how-to-troubleshoot-kubernetes-extension, "DCGM exporter"). The
    checks refuse a mix (config/checks/capacity.py)."""
    return any(p.gpu and p.gpu_driver in (None, "install") for p in config.cluster.node_pools or [])


def aks_cluster_props(
    config: AppConfig,
    names: Names,
    *,
    resource_group_name: str,
    subnet_id: str,
    vnet_id: str,
    route_table_id: str | None,
    log_analytics_workspace_id: str,
) -> AksClusterProps:
    cluster, api = config.cluster, config.cluster.api
    assert config.network and cluster.entra and cluster.node_pools, "guaranteed by config/checks/ for a created cluster"
    private_api = None
    if api.private:
        links = {"spoke": vnet_id}
        if config.hub:
            links["hub"] = config.hub.vnet_id
        for extra in api.dns_zone_linked_vnet_ids:
            links[f"vnet-{parse_resource_id(extra).name.lower()}"] = extra
        private_api = PrivateApi(
            dns_zone_id=api.private_dns_zone_id,
            dns_zone_name=f"privatelink.{config.location}.azmk8s.io",
            link_vnet_ids=links,
        )
    return AksClusterProps(
        location=config.location,
        resource_group_name=resource_group_name,
        name=names.cluster,
        dns_prefix=names.dns_prefix,
        node_resource_group=names.node_resource_group,
        identity_name=names.control_plane_identity,
        kubernetes_version=cluster.kubernetes_version,
        sku_tier=cluster.sku_tier,
        subnet_id=subnet_id,
        vnet_id=vnet_id,
        route_table_id=route_table_id,
        private_api=private_api,
        authorized_ip_ranges=tuple(str(r) for r in api.authorized_ip_ranges),
        tenant_id=cluster.entra.tenant_id,
        admin_group_object_ids=tuple(cluster.entra.admin_group_object_ids),
        local_account_disabled=cluster.local_account_disabled,
        network_policy=cluster.network_policy,
        # With a hub, all egress leaves through the hub firewall (route table on the subnet).
        outbound_type="userDefinedRouting" if config.hub else "loadBalancer",
        service_cidr=str(config.network.service_cidr),
        dns_service_ip=str(config.network.dns_service_ip),
        pod_cidr=str(config.network.pod_cidr),
        automatic_upgrade_channel=cluster.automatic_upgrade_channel,
        node_os_upgrade_channel=cluster.node_os_upgrade_channel,
        upgrade_window=_window(cluster.upgrade_window),
        node_os_window=_window(cluster.node_os_window),
        system_pool=SystemPoolSpec(**_pool_fields(cluster.system_pool)),
        node_pools=tuple(node_pool_spec(config, p) for p in cluster.node_pools),
        log_analytics_workspace_id=log_analytics_workspace_id,
        defender_enabled=cluster.defender_enabled,
        image_cleaner_interval_hours=cluster.image_cleaner_interval_hours,
        secret_rotation_interval=cluster.secret_rotation_interval,
        run_command_enabled=cluster.run_command_enabled,
        kubelet_acr_pull_registries={"images": config.images.registry} if config.images else {},
        secrets_provider_secrets=secrets_provider_secrets(config),
        tags=tags(config),
        protect=config.protect,
    )


def cluster_diagnostics_props(
    config: AppConfig, names: Names, *, cluster_id: str, workspace_id: str, resource_group_name: str
) -> ClusterDiagnosticsProps:
    return ClusterDiagnosticsProps(
        name=names.diagnostic_setting,
        target_resource_id=cluster_id,
        workspace_id=workspace_id,
        log_categories=tuple(config.monitoring.diagnostic_categories),
        data_collection_rule_name=names.data_collection_rule,
        data_collection_rule_location=config.monitoring.log_analytics_workspace_location or config.location,
        resource_group_name=resource_group_name,
        tags=tags(config),
        # An existing cluster's monitoring add-on (Container Insights) is its owners'.
        container_insights=existing_cluster(config) is None,
    )


def cluster_policy_props(config: AppConfig, names: Names, *, cluster_id: str) -> ClusterPolicyProps:
    return ClusterPolicyProps(
        cluster_id=cluster_id,
        cluster_name=names.cluster,
        internal_load_balancers_effect=config.cluster.policy.internal_load_balancers,
        pod_security_baseline_effect=config.cluster.policy.pod_security_baseline,
        # The extension's components need host access (on OpenShift they run with the privileged
        # SCC: AML-Kubernetes docs/deploy-on-ocp.md); the baseline would refuse them under deny.
        pod_security_excluded_namespaces=(AZUREML_NAMESPACE,),
    )


def allow_insecure_connections(config: AppConfig) -> bool:
    aml = config.azureml
    if aml.allow_insecure_connections is not None:
        return aml.allow_insecure_connections
    # No TLS material for the router: TLS (if any) terminates at the project's ingress.
    return aml.router_tls is None


def azureml_extension_props(config: AppConfig, names: Names, *, cluster_id: str) -> AzureMLExtensionProps:
    aml = config.azureml
    existing = existing_cluster(config)
    if existing is not None:
        gpu = any(p.gpu for p in existing.azureml_node_pools)
        # The pools' node counts are checked at plan time (ExistingCluster), not known here: the
        # CLI's small-cluster sizing (DevTest) is not derived for an existing cluster.
        node_count = SMALL_CLUSTER_NODES
    else:
        pools = config.cluster.node_pools or []
        gpu = extension_installs_gpu_components(config)
        node_count = sum(p.min_count for p in [config.cluster.system_pool, *pools])
    return AzureMLExtensionProps(
        name=aml.extension_name,
        cluster_id=cluster_id,
        cluster_name=names.cluster,
        location=config.location,
        enable_training=aml.enable_training,
        enable_inference=aml.enable_inference,
        inference_router_service_type=aml.inference_router_service_type,
        inference_router_ha=aml.inference_router_ha,
        allow_insecure_connections=allow_insecure_connections(config),
        router_certificate=(
            RouterCertificate(
                cname=aml.router_tls.cname,
                key_vault_id=aml.router_tls.key_vault_id,
                certificate_name=aml.router_tls.certificate_name,
            )
            if aml.router_tls
            else None
        ),
        node_selector=azureml_node_selector(config),
        gpu=gpu,
        install_prometheus_operator=aml.install_prometheus_operator,
        install_volcano=aml.install_volcano,
        cluster_node_count=node_count,
        extra_settings=workload_tolerations(config),
        settings_applied_elsewhere=tuple(volcano_extension_settings()) if autoscaler_friendly_volcano(config) else (),
    )


def autoscaler_friendly_volcano(config: AppConfig) -> bool:
    return config.azureml.install_volcano and not config.azureml.volcano_gang_scheduling


def volcano_scheduling_props(config: AppConfig, names: Names) -> VolcanoSchedulingProps | None:
    """The no-gang Volcano ConfigMap and the extension settings naming it (kubernetes-config,
    terraform mode), or None with the extension's default (gang) scheduler."""
    if not autoscaler_friendly_volcano(config):
        return None
    return VolcanoSchedulingProps(
        namespace=AZUREML_NAMESPACE,
        extension_name=config.azureml.extension_name,
        cluster_name=names.cluster,
        resource_group_name=names.resource_group,
    )


# Learn, reference-kubernetes ("We only support placing the amlarc-specific taints on your nodes"):
# Azure ML's workloads tolerate the ml.azure.com/amlarc* taints without any setting.
AMLARC_TAINT_PREFIX = "ml.azure.com/amlarc"


def _ml_pool_taints(config: AppConfig) -> dict[str, str]:
    """taint -> the first azureml pool that carries it, each taint once."""
    taints: dict[str, str] = {}
    for pool in config.cluster.node_pools or []:
        if pool.azureml:
            for taint in pool.taints:
                taints.setdefault(taint, pool.name)
    return taints


def _undocumented_taints(config: AppConfig) -> dict[str, str]:
    return {t: pool for t, pool in _ml_pool_taints(config).items() if not t.startswith(AMLARC_TAINT_PREFIX)}


def workload_tolerations(config: AppConfig) -> dict[str, str]:
    """Tolerations for Azure ML jobs and endpoints on azureml pools with other taints than the
    amlarc ones, as the extension's workLoadToleration[i].* settings: the form Microsoft's edge-ai
    AKS + Azure ML module (inference-cluster-integration) uses; no Microsoft documentation names
    the setting, hence the warning at synth (``taint_warnings``)."""
    settings: dict[str, str] = {}
    for i, taint in enumerate(_undocumented_taints(config)):
        key_value, effect = taint.rsplit(":", 1)
        key, value = key_value.split("=", 1)
        settings |= {
            f"workLoadToleration[{i}].key": key,
            f"workLoadToleration[{i}].operator": "Equal",
            f"workLoadToleration[{i}].value": value,
            f"workLoadToleration[{i}].effect": effect,
        }
    return settings


def taint_warnings(config: AppConfig) -> list[str]:
    """Printed at synth: taints on azureml pools that only an undocumented setting tolerates."""
    return [
        f"warning: node pool {pool} (azureml: true) has the taint {taint}; Azure ML jobs and endpoints tolerate it"
        " only through the extension setting workLoadToleration, which Microsoft's edge-ai module uses but no"
        f" Microsoft documentation describes (Learn supports only {AMLARC_TAINT_PREFIX}* taints): check on a"
        " deployed cluster that jobs are scheduled there"
        for taint, pool in _undocumented_taints(config).items()
    ]


def cluster_access_props(config: AppConfig, names: Names) -> ClusterAccessProps:
    existing = existing_cluster(config)
    return ClusterAccessProps(
        cluster_name=names.cluster,
        resource_group_name=names.resource_group,
        login_mode=config.kubernetes_auth.login,
        tenant_id=tenant_id(config),
        refuse_admin_credentials=existing is not None and not existing.acknowledge_admin_credentials_in_state,
        require_user_credentials=existing is not None,
    )


def nginx_ingress_props(config: AppConfig, names: Names, *, secrets_provider_client_id: str) -> NginxIngressProps:
    ingress, tls = config.ingress, config.tls
    keyvault_tls = None
    if tls.mode == "keyvault":
        assert tls.key_vault_id and tls.certificate_name  # guaranteed by config/checks/
        keyvault_tls = KeyVaultTls(
            vault_name=parse_resource_id(tls.key_vault_id).name,
            tenant_id=tenant_id(config),
            certificate_name=tls.certificate_name,
            secrets_provider_client_id=secrets_provider_client_id,
            secret_name=INGRESS_TLS_SECRET,
        )
    return NginxIngressProps(
        controller=ingress.controller,
        namespace=ingress.namespace,
        release_name=ingress.release_name,
        class_name=ingress.class_name,
        replicas=ingress.replicas,
        subnet_name=names.aks_subnet,
        load_balancer_ip=str(ingress.load_balancer_ip) if ingress.load_balancer_ip else None,
        tls=keyvault_tls,
        image_registry=registry_login_server(config),
        image_digest=config.images.ingress_controller_digest if config.images else None,
    )


def registry_login_server(config: AppConfig) -> str | None:
    """images.registry's login server (an ACR's is <name>.azurecr.io, lowercase)."""
    return f"{parse_resource_id(config.images.registry).name.lower()}.azurecr.io" if config.images else None


def routes_through_ingress(config: AppConfig) -> bool:
    aml = config.azureml
    return aml.enable_inference and aml.inference_router_service_type == "clusterIP"


def azureml_route_props(config: AppConfig) -> AzureMLRouteProps:
    return AzureMLRouteProps(
        controller=config.ingress.controller,
        class_name=config.ingress.class_name,
        namespace=AZUREML_NAMESPACE,
        path_prefix=config.ingress.path_prefix,
        host=config.ingress.host,
        tls=config.tls.mode == "keyvault",
    )


def cluster_id(config: AppConfig, names: Names) -> str:
    """The cluster's resource id, known before it exists: ARM-only constructs of the second
    stack need no cluster read (and so no credentials in state) to name it."""
    if config.cluster.existing_id is not None:
        return config.cluster.existing_id
    assert config.subscription_id, "guaranteed by config/checks/ with a workspace or in gitops mode"
    return (
        f"/subscriptions/{config.subscription_id}/resourceGroups/{names.resource_group}"
        f"/providers/Microsoft.ContainerService/managedClusters/{names.cluster}"
    )


# Azure ML's own default instance type (Learn, how-to-manage-kubernetes-instance-types).
DEFAULT_INSTANCE_REQUESTS = {"cpu": "100m", "memory": "2Gi"}
DEFAULT_INSTANCE_LIMITS = {"cpu": "2", "memory": "2Gi"}


def instance_type_specs(config: AppConfig) -> tuple[InstanceTypeSpec, ...]:
    configured = config.azureml.instance_types
    if configured is not None:
        return tuple(
            InstanceTypeSpec(
                name=t.name,
                node_pool=t.node_pool,
                requests={"cpu": t.requests.cpu, "memory": t.requests.memory},
                limits={
                    "cpu": t.limits.cpu,
                    "memory": t.limits.memory,
                    **({"nvidia.com/gpu": t.limits.gpu} if t.limits.gpu else {}),
                },
            )
            for t in configured
        )
    # One per untainted azureml pool, and the default one on the first of them: without it, a job
    # that names no instance type could land on any azureml pool (the GPU pool included).
    pools = default_instance_type_pools(config)
    names = [DEFAULT_INSTANCE_TYPE, *pools]
    targets = [pools[0], *pools]
    return tuple(
        InstanceTypeSpec(name=name, node_pool=pool, requests=DEFAULT_INSTANCE_REQUESTS, limits=DEFAULT_INSTANCE_LIMITS)
        for name, pool in zip(names, targets, strict=True)
    )


def azureml_workloads_props(config: AppConfig) -> AzureMLWorkloadsProps | None:
    workspace = config.azureml.workspace
    if workspace is None:
        return None
    return AzureMLWorkloadsProps(
        compute_namespace=workspace.namespace,
        instance_types=instance_type_specs(config),
        router_policy=(
            RouterPolicy(namespace=AZUREML_NAMESPACE, ingress_namespace=config.ingress.namespace)
            if routes_through_ingress(config)
            else None
        ),
    )


def azureml_attach_props(
    config: AppConfig, names: Names, *, flux_configuration_id: str | None = None
) -> AzureMLAttachProps | None:
    """``flux_configuration_id``: GitOps mode's Flux configuration, which the attach waits for."""
    workspace = config.azureml.workspace
    if workspace is None:
        return None
    parsed = parse_resource_id(workspace.id)
    identity = parse_resource_id(workspace.identity_id) if workspace.identity_id else None
    return AzureMLAttachProps(
        workspace_id=workspace.id,
        workspace_name=parsed.name,
        workspace_resource_group=parsed.resource_group,
        compute_name=workspace.compute_name,
        namespace=workspace.namespace,
        cluster_id=cluster_id(config, names),
        user_assigned_identity=(identity.name, identity.resource_group) if identity else None,
        local_accounts_enabled=not config.cluster.local_account_disabled,
        rbac_cluster_admin=workspace.grant_rbac_cluster_admin,
        # "system" never gets here (config/checks/azureml.py refuses it).
        compute_identity_id=workspace.compute_identity,
        storage_account_id=workspace.storage_account_id if workspace.compute_identity else None,
        container_registry_id=workspace.container_registry_id if workspace.compute_identity else None,
        flux_configuration_id=flux_configuration_id,
    )


# --------------------------------------------------------------------------- GitOps mode
# Flux substitution variable for the secrets-provider identity's client id (SecretProviderClass).
SECRETS_PROVIDER_CLIENT_ID = "SECRETS_PROVIDER_CLIENT_ID"


def gitops_mode(config: AppConfig) -> bool:
    return config.kubernetes_config.mode == "gitops"


def gitops_path(config: AppConfig) -> str:
    """Folder of this cluster's manifests in the GitOps repository."""
    assert config.gitops, "guaranteed by config/checks/ in gitops mode"
    return config.gitops.path or f"clusters/{config.name}"


def secrets_provider_identity(names: Names) -> IdentityRef:
    """The Key Vault secrets-provider add-on's identity, which AKS creates in the node resource
    group: its client id is only known after the cluster exists."""
    return IdentityRef(name=names.key_vault_secrets_provider_identity, resource_group_name=names.node_resource_group)


def flux_source_identity_props(
    config: AppConfig, names: Names, *, resource_group_name: str, oidc_issuer_url: str
) -> FluxSourceIdentityProps | None:
    if not gitops_mode(config) or config.gitops is None or config.gitops.auth != "workload-identity":
        return None
    return FluxSourceIdentityProps(
        name=names.flux_source_identity,
        resource_group_name=resource_group_name,
        location=config.location,
        oidc_issuer_url=oidc_issuer_url,
        tags=tags(config),
    )


def gitops_delivery_props(config: AppConfig, names: Names, *, folders: Sequence[ManifestFolder]) -> GitOpsDeliveryProps:
    """One Flux kustomization per rendered folder (constructs_lib/gitops_delivery/manifests.py), in its order."""
    gitops = config.gitops
    assert gitops, "guaranteed by config/checks/ in gitops mode"
    substitution_sources = {SECRETS_PROVIDER_CLIENT_ID: secrets_provider_identity(names)}
    kustomizations = tuple(
        KustomizationSpec(
            name=folder.name,
            path=f"{gitops_path(config)}/{folder.name}",
            depends_on=folder.depends_on,
            substitute_client_ids={variable: substitution_sources[variable] for variable in folder.substitutions},
            timeout_seconds=folder.timeout_seconds,
        )
        for folder in folders
    )
    return GitOpsDeliveryProps(
        cluster_id=cluster_id(config, names),
        source=GitSource(
            url=gitops.repository_url,
            branch=gitops.branch,
            sync_interval_seconds=gitops.sync_interval_seconds,
            auth=gitops.auth,
            https_user=gitops.https_user,
        ),
        kustomizations=kustomizations,
        source_identity=(
            IdentityRef(name=names.flux_source_identity, resource_group_name=names.resource_group)
            if gitops.auth == "workload-identity"
            else None
        ),
        install_extension=existing.flux_extension if (existing := existing_cluster(config)) else True,
    )


def gitops_manifests(config: AppConfig) -> GitOpsManifests:
    """GitOps mode's manifests, from the same props and builders terraform mode uses."""
    from config.naming import derive_names
    from constructs_lib.azureml_ingress import route_manifest
    from constructs_lib.azureml_workloads import workload_objects
    from constructs_lib.gitops_delivery import substitution
    from constructs_lib.gitops_delivery.manifests import ManifestSources, compose
    from constructs_lib.nginx_ingress import controller_objects

    ingress = nginx_ingress_props(
        config, derive_names(config), secrets_provider_client_id=substitution(SECRETS_PROVIDER_CLIENT_ID)
    )
    workloads = azureml_workloads_props(config)
    return compose(
        ManifestSources(
            root=gitops_path(config),
            ingress=ingress,
            controller=controller_objects(ingress),
            route=route_manifest(azureml_route_props(config)) if routes_through_ingress(config) else None,
            workloads=workload_objects(workloads) if workloads else None,
            client_id_variable=SECRETS_PROVIDER_CLIENT_ID,
            chart_repository=f"oci://{registry_login_server(config)}/{CHART_REPOSITORY_PATH}" if config.images else None,
        )
    )


def retired_controller_warning(config: AppConfig) -> str | None:
    """Printed at synth when the config opts into a retired ingress controller."""
    return RETIRED_WARNING if CHARTS[config.ingress.controller].retired else None
