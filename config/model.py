"""Typed configuration: one YAML file per environment parses into :class:`AppConfig`.

Every model is frozen and rejects unknown keys, so a typo is an error rather than a silently
ignored setting. Per-field rules live here; rules that relate several fields live in
``config/checks/`` so that all of them can be reported together.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Network
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from config.azure_ids import (
    GUID,
    ContainerRegistryId,
    FirewallPolicyId,
    KeyVaultId,
    MachineLearningWorkspaceId,
    ManagedClusterId,
    PrivateDnsZoneId,
    StorageAccountId,
    UserAssignedIdentityId,
    VNetId,
    WorkspaceId,
)
from config.regions import AZURE_REGIONS, region_problem


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _pattern(regex: str, expected: str, max_length: int | None = None):
    """A string type whose error names what is expected in words, not as a regex."""
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not compiled.fullmatch(value) or (max_length is not None and len(value) > max_length):
            raise ValueError(f"must be {expected}")
        return value

    return Annotated[str, AfterValidator(check)]


Guid = _pattern(GUID, "a GUID such as 00000000-0000-0000-0000-000000000000")
# A deployment name drives every derived Azure name (see config/naming.py); this shape keeps
# all of them valid.
DeploymentName = _pattern(
    r"[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,18}[a-z0-9]",
    "3-20 lowercase letters, digits and single hyphens, starting with a letter and ending with a letter or digit",
)
_DNS1123 = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
# What the Kubernetes API server demands of namespaces and most object names.
Dns1123Label = _pattern(_DNS1123, "a DNS-1123 label: at most 63 lowercase letters, digits and '-', alphanumeric at both ends", 63)
HelmReleaseName = _pattern(
    _DNS1123, "a Helm release name: at most 53 lowercase letters, digits and '-', alphanumeric at both ends", 53
)
# Linux node pool names (and temporary_name_for_rotation) in AKS.
NodePoolName = _pattern(r"[a-z][a-z0-9]{0,11}", "1-12 lowercase letters and digits, starting with a letter (AKS Linux pool name)")
VmSize = _pattern(r"Standard_[A-Za-z0-9_]+", "an Azure VM size such as Standard_D4ds_v5")
HostName = _pattern(
    r"(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+",
    "a fully qualified lowercase DNS name such as aml.example.internal",
)
KubernetesVersion = _pattern(r"1\.\d{2}(\.\d{1,2})?", "a Kubernetes version such as 1.33 or 1.33.2 (quote it in YAML)")
LabelKey = _pattern(
    r"([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?",
    "a Kubernetes label key such as workload or example.com/workload",
)
LabelValue = _pattern(
    r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?", "a Kubernetes label value: at most 63 letters, digits, '-', '_', '.'"
)
Taint = _pattern(
    r"[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?=[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?:(NoSchedule|PreferNoSchedule|NoExecute)",
    "a taint key=value:Effect with Effect NoSchedule, PreferNoSchedule or NoExecute",
)
MaxSurge = _pattern(r"([1-9]\d?|100)%|[1-9]\d*", "a node count such as 1 or a percentage such as 33%")
Duration = _pattern(r"\d+[smh]", "a duration such as 2m, 30s or 1h")
ClockTime = _pattern(r"([01]\d|2[0-3]):[0-5]\d", "a 24-hour time HH:MM")
UtcOffset = _pattern(r"[+-](0\d|1[0-4]):[0-5]\d", "a UTC offset such as +00:00 or -05:00")
UrlPrefix = _pattern(r"/([a-z0-9][-a-z0-9_]*/)+", "a URL path prefix with leading and trailing '/', such as /aml/")
CertificateName = _pattern(r"[0-9A-Za-z-]{1,127}", "a Key Vault object name: 1-127 letters, digits and '-'")
Zone = Literal["1", "2", "3"]
# Every published rule for workspaces/computes names at once (ARM naming rules: 2-16; Azure ML:
# start with a letter; azurerm's compute validators: end with a letter or digit).
ComputeName = _pattern(
    r"[A-Za-z][A-Za-z0-9-]{1,14}[A-Za-z0-9]",
    "3-16 letters, digits and '-', starting with a letter and ending with a letter or digit (Azure ML compute name)",
)
CpuQuantity = Annotated[
    _pattern(r"\d+(\.\d+)?m?", "a CPU quantity such as 1, 0.5 or 500m"),
    # YAML reads `cpu: 2` as a number; Kubernetes quantities are strings.
    BeforeValidator(lambda v: str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v),
]
MemoryQuantity = _pattern(r"\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?", "a memory quantity such as 4Gi or 512Mi")
TagKey = _pattern(r"[^<>%&\\?/]{1,512}", "an Azure tag name: 1-512 characters, none of < > % & \\ ? /")
TagValue = Annotated[str, StringConstraints(max_length=256)]
# Azure subnet names: 1-80 characters, letters, digits, '_', '.', '-', ending in a letter, digit or '_'.
SubnetName = _pattern(
    r"[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?", "an Azure subnet name: 1-80 letters, digits, '_', '.', '-'"
)
StorageAccountName = _pattern(r"[a-z0-9]{3,24}", "3-24 lowercase letters and digits (storage account name)")
StorageContainerName = _pattern(
    r"[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]", "3-63 lowercase letters, digits and single hyphens (blob container name)"
)
ResourceGroupName = _pattern(
    r"[-\w._()]{0,89}[-\w_()]", "1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.' (resource group name)"
)
RelativeDirectory = _pattern(
    r"(?!/)(?!.*(^|/)\.\.(/|$))[\w.-]+(/[\w.-]+)*", "a relative directory inside the project, without '..'"
)
PrivateEndpointService = Literal["workspace", "storage", "container_registry", "key_vault"]
DayOfWeek = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

DIAGNOSTIC_CATEGORIES = Literal[
    "kube-apiserver",
    "kube-audit",
    "kube-audit-admin",
    "kube-controller-manager",
    "kube-scheduler",
    "cluster-autoscaler",
    "cloud-controller-manager",
    "guard",
    "csi-azuredisk-controller",
    "csi-azurefile-controller",
    "csi-snapshot-controller",
]
DEFAULT_DIAGNOSTIC_CATEGORIES = (
    "kube-apiserver",
    "kube-audit-admin",
    "kube-controller-manager",
    "kube-scheduler",
    "cluster-autoscaler",
    "guard",
    "cloud-controller-manager",
)


def _region(value: str) -> str:
    if value not in AZURE_REGIONS:
        raise ValueError(region_problem(value))
    return value


# --------------------------------------------------------------------------- state
class LocalState(Model):
    backend: Literal["local"] = "local"
    # Relative to the project root; state files are <directory>/<name>/<stack>.tfstate.
    directory: RelativeDirectory = "state"


class AzurermState(Model):
    backend: Literal["azurerm"]
    resource_group_name: ResourceGroupName
    storage_account_name: StorageAccountName
    container_name: StorageContainerName
    subscription_id: Guid | None = None
    tenant_id: Guid | None = None


StateConfig = Annotated[LocalState | AzurermState, Field(discriminator="backend")]


# --------------------------------------------------------------------------- hub
class HubConfig(Model):
    vnet_id: VNetId
    address_space: list[IPv4Network] = Field(min_length=1)
    firewall_private_ip: IPv4Address
    # The hub firewall's Firewall Policy, when the deploying identity may write it: aks-cluster then
    # creates the egress rule collection group there (README "What you need from the hub").
    firewall_policy_id: FirewallPolicyId | None = None
    # Priority of that rule collection group in the policy (100-65000, lower first); unique per policy.
    egress_rule_collection_group_priority: int = Field(default=500, ge=100, le=65000)


# --------------------------------------------------------------------------- network
class NetworkConfig(Model):
    vnet_cidr: IPv4Network
    aks_subnet_cidr: IPv4Network
    service_cidr: IPv4Network = IPv4Network("172.16.0.0/16")
    dns_service_ip: IPv4Address = IPv4Address("172.16.0.10")
    pod_cidr: IPv4Network = IPv4Network("192.168.0.0/16")
    # Services the spoke reaches through private endpoints (their privatelink zones resolve through
    # the hub's DNS): their public endpoints leave the egress list (README "What you need from the hub").
    private_endpoints: list[PrivateEndpointService] = Field(default_factory=list)

    @field_validator("private_endpoints")
    @classmethod
    def _unique_services(cls, value: list[str]) -> list[str]:
        duplicates = sorted({s for s in value if value.count(s) > 1})
        if duplicates:
            raise ValueError(f"services must be unique; repeated: {', '.join(duplicates)}")
        return value


# --------------------------------------------------------------------------- cluster
class ApiServerConfig(Model):
    private: bool = True
    # Hub-owned privatelink.<location>.azmk8s.io zone; when absent a zone is created in the
    # spoke and linked to the spoke (and hub) VNets.
    private_dns_zone_id: PrivateDnsZoneId | None = None
    public_fqdn_enabled: bool = False
    # Only for a public API server (private: false); must then be non-empty.
    authorized_ip_ranges: list[IPv4Network] = Field(default_factory=list)
    # More VNets linked to a zone this project creates (besides spoke and hub), so that hosts in
    # them resolve the private API: e.g. the VNet of the runner that deploys kubernetes-config.
    dns_zone_linked_vnet_ids: list[VNetId] = Field(default_factory=list)


class EntraConfig(Model):
    tenant_id: Guid
    admin_group_object_ids: list[Guid] = Field(min_length=1)


class MaintenanceWindowConfig(Model):
    day_of_week: DayOfWeek = "Sunday"
    start_time: ClockTime = "02:00"
    duration_hours: int = Field(default=4, ge=4, le=24)
    interval_weeks: int = Field(default=1, ge=1, le=4)
    utc_offset: UtcOffset = "+00:00"


class SystemPoolConfig(Model):
    name: NodePoolName = "system"
    temporary_name_for_rotation: NodePoolName = "systemtmp"

    @property
    def rotation_name(self) -> str:
        return self.temporary_name_for_rotation

    vm_size: VmSize = "Standard_D4ds_v5"
    zones: list[Zone] = Field(default_factory=lambda: ["1", "2", "3"])
    min_count: int = Field(default=3, ge=1, le=1000)
    max_count: int = Field(default=5, ge=1, le=1000)
    max_pods: int = Field(default=110, ge=10, le=250)
    os_disk_type: Literal["Ephemeral", "Managed"] = "Ephemeral"
    os_disk_size_gb: int = Field(default=128, ge=30, le=2048)
    max_surge: MaxSurge = "33%"
    # A vm_size that catalog/vm_sizes.py lacks is refused unless this is true: its vCPUs, memory,
    # disks and quota family are then unknown, so those checks are skipped (README "Capacity").
    acknowledge_uncatalogued_vm_size: bool = False


class NodePoolConfig(Model):
    name: NodePoolName
    vm_size: VmSize
    zones: list[Zone] = Field(default_factory=lambda: ["1", "2", "3"])
    min_count: int = Field(ge=0, le=1000)
    max_count: int = Field(ge=1, le=1000)
    max_pods: int = Field(default=110, ge=10, le=250)
    os_disk_type: Literal["Ephemeral", "Managed"] = "Ephemeral"
    os_disk_size_gb: int = Field(default=128, ge=30, le=2048)
    labels: dict[LabelKey, LabelValue] = Field(default_factory=dict)
    taints: list[Taint] = Field(default_factory=list)
    # Runs Azure ML workloads: gets the azureml.node_label so the extension's nodeSelector
    # schedules onto it.
    azureml: bool = True
    # GPU pool: must match the VM size (catalog/vm_sizes.py). Who installs the NVIDIA driver, device
    # plugin and DCGM exporter is gpu_driver's choice (README "GPU pools").
    gpu: bool = False
    # null (default): AKS installs the driver, the Azure ML extension the device plugin and DCGM
    # exporter; the node pool's gpu_driver attribute stays unset (it is ForceNew: setting it on an
    # existing pool replaces the pool). "install": the same, written explicitly. "aks-managed"
    # (AKS preview): AKS installs driver, device plugin and exporter. "none": no driver (bring the
    # NVIDIA GPU Operator); the extension then installs neither plugin nor exporter.
    gpu_driver: Literal["install", "aks-managed", "none"] | None = None
    max_surge: MaxSurge = "33%"
    acknowledge_uncatalogued_vm_size: bool = False
    # Changing vm_size, zones, max_pods or OS disk settings rotates the pool through a temporary
    # pool of this name (the apply fails without one). Default: first 9 letters of name + "tmp".
    temporary_name_for_rotation: NodePoolName | None = None

    @property
    def rotation_name(self) -> str:
        return self.temporary_name_for_rotation or f"{self.name[:9]}tmp"


class PolicyConfig(Model):
    # Azure Policy (Gatekeeper) effects. deny: a Service of type LoadBalancer without the
    # internal annotation is refused. The pod security baseline defaults to audit because the
    # Azure ML extension's node agents need host access.
    internal_load_balancers: Literal["deny", "audit", "disabled"] = "deny"
    pod_security_baseline: Literal["audit", "deny", "disabled"] = "audit"


class ExistingSubnetConfig(Model):
    """The existing cluster's node subnet: the internal load balancers of the ingress (and an
    internal-LB router) take their address from it."""

    vnet_id: VNetId
    name: SubnetName
    cidr: IPv4Network


class ExistingNodePoolConfig(Model):
    """A pool of the existing cluster that runs Azure ML (selected by its
    kubernetes.azure.com/agentpool label; nothing is changed on it)."""

    name: NodePoolName
    # Has NVIDIA GPUs: turns on the extension's device plugin and DCGM exporter.
    gpu: bool = False


class ExistingClusterConfig(Model):
    """What this project needs to know about a cluster it does not own (cluster.existing_id);
    checked against the cluster at plan time where the azurerm data sources can see it."""

    # The cluster's Entra ID tenant (kubelogin, Key Vault TLS); must equal the cluster's.
    tenant_id: Guid
    # Default: MC_<resource group>_<cluster>_<location>, AKS's own default.
    node_resource_group: ResourceGroupName | None = None
    node_subnet: ExistingSubnetConfig
    azureml_node_pools: list[ExistingNodePoolConfig] = Field(min_length=1)
    # What this project installs on the cluster; false where the cluster's owners manage it.
    azureml_extension: bool = True
    # GitOps mode: install microsoft.flux; false when the cluster's owners already run it.
    flux_extension: bool = True
    diagnostics: bool = True
    policy: bool = True
    # Relaxations of the baseline checks (README "Bring your own cluster").
    acknowledge_admin_credentials_in_state: bool = False
    acknowledge_unverified_baseline: bool = False
    acknowledge_unrestricted_public_api: bool = False
    acknowledge_no_azure_rbac: bool = False
    acknowledge_no_network_policy: bool = False
    acknowledge_no_workload_identity: bool = False


class ClusterConfig(Model):
    # An existing AKS cluster to use instead of creating one (README "Bring your own cluster");
    # the settings below that describe a created cluster are then refused.
    existing_id: ManagedClusterId | None = None
    existing: ExistingClusterConfig | None = None
    kubernetes_version: KubernetesVersion = "1.35"
    sku_tier: Literal["Standard", "Premium", "Free"] = "Standard"
    api: ApiServerConfig = ApiServerConfig()
    # Required when the cluster is created here (config/checks/existing_cluster.py).
    entra: EntraConfig | None = None
    # The Azure ML extension does not support clusters with local accounts disabled.
    local_account_disabled: bool = False
    network_policy: Literal["cilium", "azure", "calico"] = "cilium"
    automatic_upgrade_channel: Literal["patch", "stable", "rapid", "node-image"] = "patch"
    node_os_upgrade_channel: Literal["NodeImage", "SecurityPatch", "Unmanaged", "None"] = "NodeImage"
    upgrade_window: MaintenanceWindowConfig = MaintenanceWindowConfig()
    node_os_window: MaintenanceWindowConfig = MaintenanceWindowConfig(start_time="04:00")
    system_pool: SystemPoolConfig = SystemPoolConfig()
    # Required when the cluster is created here (config/checks/existing_cluster.py).
    node_pools: list[NodePoolConfig] | None = Field(default=None, min_length=1)
    defender_enabled: bool = True
    policy: PolicyConfig = PolicyConfig()
    image_cleaner_interval_hours: int = Field(default=48, ge=24, le=2160)
    secret_rotation_interval: Duration = "2m"
    # AKS run command (`az aks command invoke`) runs kubectl in the cluster for anyone holding the
    # Azure role to invoke it, around the private API and its network path: off unless opted in.
    run_command_enabled: bool = False


# --------------------------------------------------------------------------- monitoring
class MonitoringConfig(Model):
    # Existing (hub) workspace; when absent the stack creates one in the spoke.
    log_analytics_workspace_id: WorkspaceId | None = None
    # Region of an existing workspace when it differs from `location` (the Container Insights
    # data collection rule must live in the workspace's region).
    log_analytics_workspace_location: str | None = None
    retention_days: int = Field(default=30, ge=30, le=730)
    diagnostic_categories: list[DIAGNOSTIC_CATEGORIES] = Field(
        default_factory=lambda: list(DEFAULT_DIAGNOSTIC_CATEGORIES), min_length=1
    )

    @field_validator("log_analytics_workspace_location")
    @classmethod
    def _known_workspace_region(cls, value: str | None) -> str | None:
        return value if value is None else _region(value)

    @field_validator("diagnostic_categories")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        duplicates = sorted({c for c in value if value.count(c) > 1})
        if duplicates:
            raise ValueError(f"categories must be unique; repeated: {', '.join(duplicates)}")
        return value


# --------------------------------------------------------------------------- Azure ML
class NodeLabel(Model):
    key: LabelKey = "workload"
    value: LabelValue = "azureml"


class RouterTlsConfig(Model):
    # Host name clients use for the internal-LB router, and a Key Vault certificate for it
    # (exportable key); read at deploy time and handed to the extension as protected settings.
    cname: HostName
    key_vault_id: KeyVaultId
    certificate_name: CertificateName


_USER_ASSIGNED_IDENTITY = TypeAdapter(UserAssignedIdentityId)


class WorkspaceConfig(Model):
    """The Azure ML workspace the cluster is attached to (same subscription as the cluster)."""

    id: MachineLearningWorkspaceId
    compute_name: ComputeName
    # Kubernetes namespace of the jobs and endpoints this compute runs.
    namespace: Dns1123Label = "azureml-workloads"
    # The workspace's user-assigned identity, when it has one (else its system-assigned identity).
    identity_id: UserAssignedIdentityId | None = None
    # What the workspace id alone does not tell (the workspace data source exposes none of them),
    # defined once for every feature that needs them: the compute identity's role grants and the
    # hub firewall's egress rules (README "Configuration reference", `azureml`).
    # The workspace's id GUID (`properties.workspaceId`, in its `<guid>.workspace.<region>.api.azureml.ms`).
    workspace_guid: Guid | None = None
    # Its default storage account and container registry.
    storage_account_id: StorageAccountId | None = None
    container_registry_id: ContainerRegistryId | None = None
    # The attached compute's own identity, which jobs and endpoints use for the workspace's
    # storage and registry: absent (none), or a user-assigned identity id (granted AcrPull and
    # Storage Blob Data Contributor, README "Azure ML integration"). "system" is refused by
    # config/checks/azureml.py with its reason.
    compute_identity: str | None = None
    # Also grant the workspace identity "Azure Kubernetes Service RBAC Cluster Admin" (cluster-wide
    # Kubernetes admin through Azure RBAC), as Microsoft's edge-ai module does. Learn's attach
    # page does not list it: off unless a live attach proves it is needed (README "Known gaps").
    grant_rbac_cluster_admin: bool = False

    @field_validator("compute_identity")
    @classmethod
    def _system_or_user_assigned(cls, value: str | None) -> str | None:
        if value is None or value == "system":
            return value
        try:
            return _USER_ASSIGNED_IDENTITY.validate_python(value)
        except ValidationError as error:
            reason = error.errors()[0]["msg"].removeprefix("Value error, ").removeprefix("must be ")
            raise ValueError(f"must be system or {reason}") from None

    # The workspace's region when it differs from `location` (its endpoints carry the region).
    location: str | None = None

    @field_validator("location")
    @classmethod
    def _known_workspace_region(cls, value: str | None) -> str | None:
        return value if value is None else _region(value)


class ResourceRequests(Model):
    cpu: CpuQuantity
    memory: MemoryQuantity


class ResourceLimits(ResourceRequests):
    gpu: int = Field(default=0, ge=0, le=16)


class InstanceTypeConfig(Model):
    name: Dns1123Label
    node_pool: NodePoolName
    requests: ResourceRequests
    limits: ResourceLimits


class AzureMLConfig(Model):
    extension_name: Dns1123Label = "azureml"
    enable_training: bool = True
    enable_inference: bool = True
    # clusterIP: behind this project's ingress; loadBalancer: an *internal* Azure LB.
    inference_router_service_type: Literal["clusterIP", "loadBalancer"] = "clusterIP"
    inference_router_ha: bool = True
    # null derives it: true when the router gets no TLS material of its own (router_tls).
    allow_insecure_connections: bool | None = None
    router_tls: RouterTlsConfig | None = None
    node_label: NodeLabel = NodeLabel()
    install_prometheus_operator: bool = True
    install_volcano: bool = True
    # false: Volcano without its gang plugin, so that pending training jobs make the cluster
    # autoscaler add nodes (e.g. a GPU pool at min_count 0). Cluster-wide; drops gang scheduling
    # (README "Autoscaler-friendly scheduling"). Never implied by min_count: 0.
    volcano_gang_scheduling: bool = True
    # Attach the cluster to this workspace (absent: attach it yourself, see README).
    workspace: WorkspaceConfig | None = None
    # InstanceType resources; absent with a workspace: one per untainted azureml pool, and
    # defaultinstancetype on the first of them.
    instance_types: list[InstanceTypeConfig] | None = None


# --------------------------------------------------------------------------- ingress
class IngressConfig(Model):
    controller: Literal["f5-nginx", "community-ingress-nginx"] = "f5-nginx"
    namespace: Dns1123Label = "nginx-ingress"
    release_name: HelmReleaseName = "nginx-ingress"
    class_name: Dns1123Label = "nginx-internal"
    replicas: int = Field(default=2, ge=2, le=20)
    path_prefix: UrlPrefix = "/aml/"
    host: HostName | None = None
    # Fixed private address for the internal load balancer, inside the AKS subnet.
    load_balancer_ip: IPv4Address | None = None
    # Sources the subnet NSG lets reach the ingress on 80/443, in addition to the spoke VNet and
    # the hub's address space (e.g. on-premises client ranges behind the hub).
    allowed_source_cidrs: list[IPv4Network] = Field(default_factory=list)


class TlsConfig(Model):
    mode: Literal["keyvault", "none"] = "keyvault"
    key_vault_id: KeyVaultId | None = None
    certificate_name: CertificateName | None = None


# --------------------------------------------------------------------------- images
ImageDigest = _pattern(r"sha256:[0-9a-f]{64}", "an image digest sha256:<64 lowercase hex digits>")


class ImagesConfig(Model):
    # An Azure Container Registry holding copies of the images (and, in GitOps mode, the chart)
    # this deployment pulls from public registries (`make images` prints the imports).
    registry: ContainerRegistryId
    # Pin the ingress controller image by digest (image@sha256:...), read after the import.
    ingress_controller_digest: ImageDigest | None = None


# --------------------------------------------------------------------------- delivery mode
class KubernetesConfigConfig(Model):
    # terraform: the second stack creates the in-cluster objects through the private API server.
    # gitops: Flux applies them from a Git repository; the stack needs only Azure Resource Manager.
    mode: Literal["terraform", "gitops"] = "terraform"


GitBranch = _pattern(
    r"(?!/)(?!.*(\.\.|//|@\{|\.lock$|/$|\.$))[A-Za-z0-9._/-]{1,200}", "a Git branch name such as main or release/1.2"
)
RepositoryPath = _pattern(
    r"(?!/)(?!.*(^|/)\.\.?(/|$))[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*",
    "a relative path inside the repository without '.', '..' or a leading '/', such as clusters/amlprod",
)
GitRepositoryUrl = _pattern(
    r"(https://[A-Za-z0-9.-]+(:\d+)?/[^\s@]+|ssh://[A-Za-z0-9._-]+@[A-Za-z0-9.-]+(:\d+)?/[^\s]+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s/][^\s]*)",
    "an https:// URL without credentials, or an SSH URL (ssh://git@host/org/repo or git@host:org/repo)",
)


class GitOpsConfig(Model):
    repository_url: GitRepositoryUrl
    branch: GitBranch = "main"
    # Folder of this cluster's manifests in the repository; default clusters/<name>.
    path: RepositoryPath | None = None
    # none: a public repository. ssh / https-token: credentials from sensitive Terraform variables
    # at deploy time (README "GitOps mode"). workload-identity: Flux's source-controller signs in
    # with an identity this project creates (Azure DevOps).
    auth: Literal["none", "workload-identity", "ssh", "https-token"] = "none"
    # User name sent with the token (https-token); the token itself is never in the config.
    https_user: str | None = None
    sync_interval_seconds: int = Field(default=300, ge=60, le=86400)


class KubernetesAuthConfig(Model):
    # kubelogin login mode; "admin" is break-glass and puts a client certificate in state.
    login: Literal["azurecli", "workloadidentity", "spn", "msi", "admin"] = "azurecli"
    # admin against a public API sends a non-Entra client certificate over the internet: only
    # with this explicit acknowledgement.
    acknowledge_admin_over_public_api: bool = False


# --------------------------------------------------------------------------- root
class AppConfig(Model):
    name: DeploymentName
    location: str
    subscription_id: Guid | None = None
    # Azure allows 50 tags; the stacks add "deployment: <name>" to every resource.
    tags: dict[TagKey, TagValue] = Field(default_factory=dict, max_length=49)
    protect: bool = True
    state: StateConfig = LocalState()
    hub: HubConfig | None = None
    # Required when the cluster is created here (config/checks/existing_cluster.py).
    network: NetworkConfig | None = None
    cluster: ClusterConfig
    monitoring: MonitoringConfig = MonitoringConfig()
    azureml: AzureMLConfig = AzureMLConfig()
    ingress: IngressConfig = IngressConfig()
    tls: TlsConfig = TlsConfig()
    kubernetes_auth: KubernetesAuthConfig = KubernetesAuthConfig()
    images: ImagesConfig | None = None
    kubernetes_config: KubernetesConfigConfig = KubernetesConfigConfig()
    gitops: GitOpsConfig | None = None

    @field_validator("location")
    @classmethod
    def _known_region(cls, value: str) -> str:
        return _region(value)

    @field_validator("tags")
    @classmethod
    def _deployment_tag_reserved(cls, value: dict[str, str]) -> dict[str, str]:
        if "deployment" in value:
            raise ValueError("must not set 'deployment': the stacks set it to the deployment name")
        return value
