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
from config.egress import (
    APPLICATION_COLLECTION_PRIORITY,
    NETWORK_COLLECTION_PRIORITY,
    egress_rules,
    rule_collection_group_name,
    rule_collection_name,
)
from config.model import AppConfig, MaintenanceWindowConfig, NodePoolConfig, SystemPoolConfig
from config.naming import Names
from constructs_lib.aks_cluster import AksClusterProps, MaintenanceWindow, NodePoolSpec, PoolSpec, PrivateApi, SystemPoolSpec
from constructs_lib.azureml_attach import AzureMLAttachProps
from constructs_lib.azureml_extension import AZUREML_NAMESPACE, AzureMLExtensionProps, RouterCertificate
from constructs_lib.azureml_ingress import AzureMLRouteProps
from constructs_lib.azureml_workloads import AzureMLWorkloadsProps, RouterPolicy
from constructs_lib.cluster_access import ClusterAccessProps
from constructs_lib.cluster_policy import ClusterPolicyProps
from constructs_lib.diagnostics import ClusterDiagnosticsProps, LogAnalyticsProps
from constructs_lib.egress_rules import ApplicationRule, EgressRulesProps, NetworkRule
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

if TYPE_CHECKING:
    from constructs_lib.gitops_delivery.manifests import GitOpsManifests, ManifestFolder

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
        source_addresses=(str(config.network.aks_subnet_cidr),),
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
        secrets_provider_secrets=(
            {"ingress_tls": f"{config.tls.key_vault_id}/secrets/{config.tls.certificate_name}"}
            if config.tls.mode == "keyvault" and config.tls.key_vault_id and config.tls.certificate_name
            else {}
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
        node_selector=(aml.node_label.key, aml.node_label.value),
        gpu=any(p.gpu for p in config.cluster.node_pools),
        install_prometheus_operator=aml.install_prometheus_operator,
        install_volcano=aml.install_volcano,
        cluster_node_count=sum(p.min_count for p in [config.cluster.system_pool, *config.cluster.node_pools]),
        extra_settings=workload_tolerations(config),
    )


def workload_tolerations(config: AppConfig) -> dict[str, str]:
    """Tolerations for Azure ML jobs and endpoints on tainted azureml pools, as the extension's
    workLoadToleration[i].* settings (the form Microsoft's edge-ai AKS + Azure ML module uses;
    Learn documents only the ml.azure.com/amlarc* taints, which workloads tolerate already)."""
    taints = dict.fromkeys(t for p in config.cluster.node_pools if p.azureml for t in p.taints)
    settings: dict[str, str] = {}
    for i, taint in enumerate(taints):
        key_value, effect = taint.rsplit(":", 1)
        key, value = key_value.split("=", 1)
        settings |= {
            f"workLoadToleration[{i}].key": key,
            f"workLoadToleration[{i}].operator": "Equal",
            f"workLoadToleration[{i}].value": value,
            f"workLoadToleration[{i}].effect": effect,
        }
    return settings


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
        assert tls.key_vault_id and tls.certificate_name  # guaranteed by config/checks/
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
    assert config.subscription_id, "guaranteed by config/checks/ with a workspace or in gitops mode"
    return (
        f"/subscriptions/{config.subscription_id}/resourceGroups/{names.resource_group}"
        f"/providers/Microsoft.ContainerService/managedClusters/{names.cluster}"
    )


# Azure ML's own default instance type (Learn, how-to-manage-kubernetes-instance-types).
DEFAULT_INSTANCE_REQUESTS = {"cpu": "100m", "memory": "2Gi"}
DEFAULT_INSTANCE_LIMITS = {"cpu": "2", "memory": "2Gi"}
DEFAULT_INSTANCE_TYPE = "defaultinstancetype"


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
    pools = [p.name for p in config.cluster.node_pools if p.azureml and not p.taints]
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


def azureml_attach_props(config: AppConfig, names: Names) -> AzureMLAttachProps | None:
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
