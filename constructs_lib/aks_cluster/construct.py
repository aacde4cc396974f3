"""Secure AKS cluster: user-assigned control-plane identity with its roles granted first,
private API with Entra ID + Azure RBAC, Azure CNI overlay with network policy, a critical-only
autoscaled system pool and user pools for ML workloads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from constructs import Construct

from constructs_lib._lifecycle import lifecycle
from constructs_lib.role_propagation import DEFAULT_ROLE_PROPAGATION, RolePropagationWait, RolePropagationWaitProps
from toolchain import shims
from toolchain.azurerm.kubernetes_cluster import (
    KubernetesCluster,
    KubernetesClusterApiServerAccessProfile,
    KubernetesClusterAzureActiveDirectoryRoleBasedAccessControl,
    KubernetesClusterDefaultNodePool,
    KubernetesClusterDefaultNodePoolUpgradeSettings,
    KubernetesClusterIdentity,
    KubernetesClusterKeyVaultSecretsProvider,
    KubernetesClusterMaintenanceWindowAutoUpgrade,
    KubernetesClusterMaintenanceWindowNodeOs,
    KubernetesClusterMicrosoftDefender,
    KubernetesClusterNetworkProfile,
    KubernetesClusterOmsAgent,
)
from toolchain.azurerm.kubernetes_cluster_node_pool import (
    KubernetesClusterNodePool,
    KubernetesClusterNodePoolUpgradeSettings,
)
from toolchain.azurerm.private_dns_zone import PrivateDnsZone
from toolchain.azurerm.private_dns_zone_virtual_network_link import PrivateDnsZoneVirtualNetworkLink
from toolchain.azurerm.role_assignment import RoleAssignment
from toolchain.azurerm.user_assigned_identity import UserAssignedIdentity
from toolchain.cdk import ITerraformDependable

NETWORK_CONTRIBUTOR = "Network Contributor"
PRIVATE_DNS_ZONE_CONTRIBUTOR = "Private DNS Zone Contributor"
KEY_VAULT_SECRETS_USER = "Key Vault Secrets User"
ACR_PULL = "AcrPull"
# With only_critical_addons_enabled AKS taints the system pool with this.
CRITICAL_ADDONS_TAINT_KEY = "CriticalAddonsOnly"


@dataclass(frozen=True)
class MaintenanceWindow:
    day_of_week: str
    start_time: str
    duration_hours: int
    interval_weeks: int
    utc_offset: str


@dataclass(frozen=True)
class PoolSpec:
    """What every pool has, system or user: autoscaled, zonal, host-encrypted, and a temporary
    pool name so size and disk changes rotate the pool instead of failing the apply."""

    name: str
    temporary_name_for_rotation: str
    vm_size: str
    zones: tuple[str, ...]
    min_count: int
    max_count: int
    max_pods: int
    os_disk_type: str
    os_disk_size_gb: int
    max_surge: str


@dataclass(frozen=True)
class SystemPoolSpec(PoolSpec):
    """The default pool: critical add-ons only."""


# Node pool tag that turns on AKS-managed GPU nodes (preview: AKS installs the NVIDIA driver, device
# plugin and DCGM exporter). Learn aks-managed-gpu-nodes documents the CLI flag
# --enable-managed-gpu-experience; azurerm 4.55.0 exposes no field for it, and the published
# Terraform and CLI examples set this tag instead (README "GPU pools").
MANAGED_GPU_TAG = "EnableManagedGPUExperience"


@dataclass(frozen=True)
class NodePoolSpec(PoolSpec):
    labels: Mapping[str, str] = field(default_factory=dict)
    taints: tuple[str, ...] = ()
    gpu: bool = False
    # azurerm gpu_driver ("Install" or "None"); None leaves the attribute unset. It is ForceNew, so
    # an existing pool keeps it unset unless the config asks for a value.
    gpu_driver: str | None = None
    managed_gpu: bool = False  # AKS-managed GPU (preview), through MANAGED_GPU_TAG


@dataclass(frozen=True)
class PrivateApi:
    """Private API server. ``dns_zone_id`` names an existing (hub-owned) zone; when ``None`` the
    construct creates ``dns_zone_name`` and links it to ``link_vnet_ids``."""

    dns_zone_id: str | None
    dns_zone_name: str
    link_vnet_ids: Mapping[str, str] = field(default_factory=dict)  # link id suffix -> VNet id


@dataclass(frozen=True)
class AksClusterProps:
    location: str
    resource_group_name: str
    name: str
    dns_prefix: str
    node_resource_group: str
    identity_name: str
    kubernetes_version: str
    sku_tier: str
    subnet_id: str
    vnet_id: str
    route_table_id: str | None
    private_api: PrivateApi | None  # None: public API restricted to authorized_ip_ranges
    authorized_ip_ranges: tuple[str, ...]
    tenant_id: str
    admin_group_object_ids: tuple[str, ...]
    local_account_disabled: bool
    network_policy: str
    outbound_type: str
    service_cidr: str
    dns_service_ip: str
    pod_cidr: str
    automatic_upgrade_channel: str
    node_os_upgrade_channel: str
    upgrade_window: MaintenanceWindow
    node_os_window: MaintenanceWindow
    system_pool: SystemPoolSpec
    node_pools: tuple[NodePoolSpec, ...]
    log_analytics_workspace_id: str
    defender_enabled: bool
    image_cleaner_interval_hours: int
    secret_rotation_interval: str
    # `az aks command invoke`; bypasses the private API's network path for Azure role holders.
    run_command_enabled: bool = False
    # Key Vault secrets the secrets-provider add-on may read (the ingress certificate's secret,
    # `<vault id>/secrets/<name>`), keyed by a stable name that becomes part of the role assignment's
    # construct id. The identity is on every node: it gets no more than these secrets.
    secrets_provider_secrets: Mapping[str, str] = field(default_factory=dict)
    # Registries the kubelet identity pulls images from (AcrPull), keyed like the secrets above.
    kubelet_acr_pull_registries: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    protect: bool = True
    role_propagation_wait: str = DEFAULT_ROLE_PROPAGATION


class AksCluster(Construct):
    """Exposes ``identity``, ``role_assignments``, ``role_propagation`` (the wait after them),
    ``private_dns_zone`` (created zone or ``None``), ``private_dns_zone_links``, ``cluster``,
    ``node_pools`` (name -> pool), ``secrets_provider_role_assignments`` and
    ``kubelet_acr_pull_role_assignments``."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        props: AksClusterProps,
        network_ready: Sequence[ITerraformDependable] = (),
    ) -> None:
        """``network_ready``: network resources the cluster must wait for (subnet associations,
        peerings) that it does not reference directly."""
        super().__init__(scope, id_)
        tags = dict(props.tags)

        self.identity = UserAssignedIdentity(
            self,
            "control_plane_identity",
            name=props.identity_name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            tags=tags,
        )
        self.private_dns_zone: PrivateDnsZone | None = None
        self.private_dns_zone_links: list[PrivateDnsZoneVirtualNetworkLink] = []
        dns_zone_id = self._private_dns_zone(props) if props.private_api else None
        self.role_assignments = self._grant_control_plane_roles(props, dns_zone_id)
        # AKS checks these roles when it creates the cluster and does not retry.
        self.role_propagation = RolePropagationWait(
            self,
            "control_plane_roles_propagation",
            props=RolePropagationWaitProps(create_duration=props.role_propagation_wait),
            role_assignments=self.role_assignments,
        )

        self.cluster = KubernetesCluster(
            self,
            "cluster",
            name=props.name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            node_resource_group=props.node_resource_group,
            dns_prefix=props.dns_prefix,
            kubernetes_version=props.kubernetes_version,
            sku_tier=props.sku_tier,
            identity=KubernetesClusterIdentity(type="UserAssigned", identity_ids=[self.identity.id]),
            private_cluster_enabled=props.private_api is not None,
            private_cluster_public_fqdn_enabled=False,
            private_dns_zone_id=dns_zone_id,
            api_server_access_profile=(
                KubernetesClusterApiServerAccessProfile(authorized_ip_ranges=list(props.authorized_ip_ranges))
                if props.private_api is None
                else None
            ),
            azure_active_directory_role_based_access_control=KubernetesClusterAzureActiveDirectoryRoleBasedAccessControl(
                tenant_id=props.tenant_id,
                admin_group_object_ids=list(props.admin_group_object_ids),
                azure_rbac_enabled=True,
            ),
            # Kept enabled only because the Azure ML extension requires local accounts; access is
            # still Entra ID + Azure RBAC, and config validation refuses true (see README).
            local_account_disabled=props.local_account_disabled,
            role_based_access_control_enabled=True,
            network_profile=KubernetesClusterNetworkProfile(
                network_plugin="azure",
                network_plugin_mode="overlay",
                network_policy=props.network_policy,
                # Cilium network policy runs only on the Cilium data plane; choose at creation.
                network_data_plane="cilium" if props.network_policy == "cilium" else "azure",
                outbound_type=props.outbound_type,
                load_balancer_sku="standard",
                service_cidr=props.service_cidr,
                dns_service_ip=props.dns_service_ip,
                pod_cidr=props.pod_cidr,
            ),
            default_node_pool=self._system_pool(props),
            automatic_upgrade_channel=props.automatic_upgrade_channel,
            node_os_upgrade_channel=props.node_os_upgrade_channel,
            maintenance_window_auto_upgrade=KubernetesClusterMaintenanceWindowAutoUpgrade(**_window(props.upgrade_window)),
            maintenance_window_node_os=KubernetesClusterMaintenanceWindowNodeOs(**_window(props.node_os_window)),
            azure_policy_enabled=True,
            key_vault_secrets_provider=KubernetesClusterKeyVaultSecretsProvider(
                secret_rotation_enabled=True, secret_rotation_interval=props.secret_rotation_interval
            ),
            oidc_issuer_enabled=True,
            workload_identity_enabled=True,
            run_command_enabled=props.run_command_enabled,
            image_cleaner_enabled=True,
            image_cleaner_interval_hours=props.image_cleaner_interval_hours,
            **shims.kubernetes_cluster_arguments(),  # azurerm 5: node_provisioning_profile
            oms_agent=KubernetesClusterOmsAgent(
                log_analytics_workspace_id=props.log_analytics_workspace_id, msi_auth_for_monitoring_enabled=True
            ),
            microsoft_defender=(
                KubernetesClusterMicrosoftDefender(log_analytics_workspace_id=props.log_analytics_workspace_id)
                if props.defender_enabled
                else None
            ),
            tags=tags,
            # The control plane must hold its network and DNS roles before AKS creates the cluster,
            # and the nodes need their route, peering and DNS links to bootstrap.
            depends_on=[self.role_propagation.sleep, *self.private_dns_zone_links, *network_ready],
            # node_count: the autoscaler owns it. kubernetes_version and the pool's
            # orchestrator_version: the automatic upgrade channel owns them; planning them back
            # would be a permanent diff or, after a minor upgrade, a refused downgrade.
            lifecycle=lifecycle(
                protect=props.protect,
                ignore_changes=[
                    "default_node_pool[0].node_count",
                    "default_node_pool[0].orchestrator_version",
                    "kubernetes_version",
                ],
            ),
        )

        self.node_pools: dict[str, KubernetesClusterNodePool] = {
            spec.name: self._user_pool(props, spec) for spec in props.node_pools
        }
        secrets_identity = self.cluster.key_vault_secrets_provider.secret_identity.get(0)
        self.secrets_provider_role_assignments = [
            RoleAssignment(
                self,
                # The id predates the secret scope (it was the whole vault): kept, so the address is.
                f"secrets_provider_key_vault_reader_{key}",
                scope=secret_id,
                # Certificates are read through their secret object (private key + chain); an
                # RBAC-mode vault accepts a role assignment on one secret (README "TLS").
                role_definition_name=KEY_VAULT_SECRETS_USER,
                principal_id=secrets_identity.object_id,
                principal_type="ServicePrincipal",
            )
            for key, secret_id in props.secrets_provider_secrets.items()
        ]
        # What `az aks update --attach-acr` grants: the kubelet identity pulls with AcrPull.
        kubelet_identity = self.cluster.kubelet_identity
        self.kubelet_acr_pull_role_assignments = [
            RoleAssignment(
                self,
                f"kubelet_acr_pull_{key}",
                scope=registry_id,
                role_definition_name=ACR_PULL,
                principal_id=kubelet_identity.object_id,
                principal_type="ServicePrincipal",
            )
            for key, registry_id in props.kubelet_acr_pull_registries.items()
        ]

    def _private_dns_zone(self, props: AksClusterProps) -> str:
        private_api = props.private_api
        assert private_api is not None
        if private_api.dns_zone_id:
            return private_api.dns_zone_id
        self.private_dns_zone = PrivateDnsZone(
            self,
            "api_private_dns_zone",
            name=private_api.dns_zone_name,
            resource_group_name=props.resource_group_name,
            tags=dict(props.tags),
        )
        for suffix, vnet_id in private_api.link_vnet_ids.items():
            link = PrivateDnsZoneVirtualNetworkLink(
                self,
                f"api_private_dns_link_{suffix}",
                name=f"link-{suffix}",
                **shims.private_dns_zone_link_target(
                    zone_id=self.private_dns_zone.id,
                    zone_name=self.private_dns_zone.name,
                    resource_group_name=props.resource_group_name,
                ),
                virtual_network_id=vnet_id,
                registration_enabled=False,
                tags=dict(props.tags),
            )
            self.private_dns_zone_links.append(link)
        return self.private_dns_zone.id

    def _grant_control_plane_roles(self, props: AksClusterProps, dns_zone_id: str | None) -> list[RoleAssignment]:
        grants = {
            "control_plane_network_contributor_vnet": (props.vnet_id, NETWORK_CONTRIBUTOR),
        }
        if props.route_table_id:
            grants["control_plane_network_contributor_route_table"] = (props.route_table_id, NETWORK_CONTRIBUTOR)
        if dns_zone_id:
            grants["control_plane_private_dns_zone_contributor"] = (dns_zone_id, PRIVATE_DNS_ZONE_CONTRIBUTOR)
        return [
            RoleAssignment(
                self,
                construct_id,
                scope=scope,
                role_definition_name=role,
                principal_id=self.identity.principal_id,
                principal_type="ServicePrincipal",
                # New identities take a while to replicate in Entra ID.
                skip_service_principal_aad_check=True,
            )
            for construct_id, (scope, role) in grants.items()
        ]

    @staticmethod
    def _system_pool(props: AksClusterProps) -> KubernetesClusterDefaultNodePool:
        pool = props.system_pool
        return KubernetesClusterDefaultNodePool(
            **_pool_arguments(pool, props),
            only_critical_addons_enabled=True,
            upgrade_settings=KubernetesClusterDefaultNodePoolUpgradeSettings(max_surge=pool.max_surge),
        )

    def _user_pool(self, props: AksClusterProps, spec: NodePoolSpec) -> KubernetesClusterNodePool:
        arguments = _pool_arguments(spec, props)
        if spec.managed_gpu:
            arguments["tags"] = {**arguments["tags"], MANAGED_GPU_TAG: "true"}
        return KubernetesClusterNodePool(
            self,
            f"node_pool_{spec.name}",
            **arguments,
            kubernetes_cluster_id=self.cluster.id,
            mode="User",
            node_labels=dict(spec.labels) or None,
            node_taints=list(spec.taints) or None,
            gpu_driver=spec.gpu_driver,
            upgrade_settings=KubernetesClusterNodePoolUpgradeSettings(max_surge=spec.max_surge),
            lifecycle=lifecycle(protect=props.protect, ignore_changes=["node_count", "orchestrator_version"]),
        )


def _pool_arguments(pool: PoolSpec, props: AksClusterProps) -> dict:
    return dict(
        name=pool.name,
        temporary_name_for_rotation=pool.temporary_name_for_rotation,
        vm_size=pool.vm_size,
        zones=list(pool.zones),
        vnet_subnet_id=props.subnet_id,
        auto_scaling_enabled=True,
        min_count=pool.min_count,
        max_count=pool.max_count,
        max_pods=pool.max_pods,
        os_disk_type=pool.os_disk_type,
        os_disk_size_gb=pool.os_disk_size_gb,
        host_encryption_enabled=True,
        tags=dict(props.tags),
    )


def _window(window: MaintenanceWindow) -> dict:
    return dict(
        frequency="Weekly",
        interval=window.interval_weeks,
        day_of_week=window.day_of_week,
        start_time=window.start_time,
        duration=window.duration_hours,
        utc_offset=window.utc_offset,
    )
