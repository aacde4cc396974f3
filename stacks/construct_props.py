"""The one place that maps the typed configuration to construct props.

Constructs know nothing about YAML or AppConfig; stacks pass the attributes of constructs they
already built (ids, names) as keyword arguments here.
"""

from __future__ import annotations

from dataclasses import fields

from config.azure_ids import parse_resource_id
from config.model import AppConfig, MaintenanceWindowConfig, NodePoolConfig, SystemPoolConfig
from config.naming import Names
from constructs_lib.aks_cluster import AksClusterProps, MaintenanceWindow, NodePoolSpec, PoolSpec, PrivateApi, SystemPoolSpec
from constructs_lib.azureml_extension import AZUREML_NAMESPACE, AzureMLExtensionProps, RouterTls
from constructs_lib.azureml_ingress import AzureMLRouteProps
from constructs_lib.cluster_access import ClusterAccessProps
from constructs_lib.cluster_policy import ClusterPolicyProps
from constructs_lib.diagnostics import ClusterDiagnosticsProps, LogAnalyticsProps
from constructs_lib.nginx_ingress import KeyVaultTls, NginxIngressProps
from constructs_lib.spoke_network import HubLink, SpokeNetworkProps

INGRESS_TLS_SECRET = "aml-ingress-tls"


def tags(config: AppConfig) -> dict[str, str]:
    return {"deployment": config.name, **config.tags}


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
    if config.ingress.allowed_source_cidrs is not None:
        return config.ingress.allowed_source_cidrs
    return list(config.hub.address_space) if config.hub else []


def hub_subscription_id(config: AppConfig) -> str | None:
    return parse_resource_id(config.hub.vnet_id).subscription_id if config.hub else None


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
    )


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
    private_api = None
    if api.private:
        links = {"spoke": vnet_id}
        if config.hub:
            links["hub"] = config.hub.vnet_id
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
        secrets_provider_key_vaults=(
            {"ingress_tls": config.tls.key_vault_id} if config.tls.mode == "keyvault" and config.tls.key_vault_id else {}
        ),
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
    )


def cluster_policy_props(config: AppConfig, names: Names, *, cluster_id: str) -> ClusterPolicyProps:
    return ClusterPolicyProps(
        cluster_id=cluster_id,
        cluster_name=names.cluster,
        internal_load_balancers_effect=config.cluster.policy.internal_load_balancers,
        pod_security_baseline_effect=config.cluster.policy.pod_security_baseline,
    )


def allow_insecure_connections(config: AppConfig) -> bool:
    aml = config.azureml
    if aml.allow_insecure_connections is not None:
        return aml.allow_insecure_connections
    # No TLS material for the router: TLS (if any) terminates at the project's ingress.
    return aml.router_tls is None


def azureml_extension_props(config: AppConfig, names: Names, *, cluster_id: str) -> AzureMLExtensionProps:
    aml = config.azureml
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
        router_tls=RouterTls(cname=aml.router_tls.cname, secret_name=aml.router_tls.secret_name) if aml.router_tls else None,
        node_selector=(aml.node_label.key, aml.node_label.value),
        gpu=any(p.gpu for p in config.cluster.node_pools),
        install_prometheus_operator=aml.install_prometheus_operator,
        install_volcano=aml.install_volcano,
    )


def cluster_access_props(config: AppConfig, names: Names) -> ClusterAccessProps:
    return ClusterAccessProps(
        cluster_name=names.cluster,
        resource_group_name=names.resource_group,
        login_mode=config.kubernetes_auth.login,
        tenant_id=config.cluster.entra.tenant_id,
    )


def nginx_ingress_props(config: AppConfig, names: Names, *, secrets_provider_client_id: str) -> NginxIngressProps:
    ingress, tls = config.ingress, config.tls
    keyvault_tls = None
    if tls.mode == "keyvault":
        assert tls.key_vault_id and tls.certificate_name  # guaranteed by config/checks.py
        keyvault_tls = KeyVaultTls(
            vault_name=parse_resource_id(tls.key_vault_id).name,
            tenant_id=config.cluster.entra.tenant_id,
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
    )


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
