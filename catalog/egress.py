"""Every endpoint the cluster's nodes must reach when all egress leaves through the hub firewall
(``outbound_type = userDefinedRouting``), with the feature that needs it, when it applies and where
Microsoft (or the upstream project) documents it.

Each :class:`Endpoint` names its source page and the section heading it comes from; the rows of
those sections are copied verbatim, with provenance, to ``catalog/sources/<source key>.md``, and
tests/catalog/test_egress_sources.py checks every entry against its row (destination as documented
and port). Destinations are templates: ``{region}`` and the other fields of :class:`EgressContext`
are filled in by :func:`resolve` for one deployment (``config/egress.py`` builds the context from
a config). No destination is ever a bare ``*`` or an IP range: wildcards appear only where the
source documents that very wildcard.

Left out on purpose (each documented as optional or not applying to this deployment):
- NTP (``ntp.ubuntu.com:123``): "not required for nodes provisioned after March 2021".
- ``APIServerPublicIP:443``: only for a public API and "only known after cluster creation"; the
  public-API shape here has no hub firewall anyway.
- Marketplace extension registries (``arcmktplaceprod.*``, ``marketplaceapi.microsoft.com``): the
  Azure ML and Flux extensions are first-party extensions, not marketplace ones.
- Azure Monitor Application Insights autoinstrumentation and managed Prometheus endpoints: not
  enabled by this project.
- The ``AzureKubernetesService`` FQDN tag: Azure Firewall only; the explicit FQDNs below are what
  it stands for (outbound-rules page) and work on any firewall.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

READ_ON = "2026-12-04"

DestinationType = Literal["fqdn", "service_tag"]
Protocol = Literal["Https", "Http", "TCP", "UDP"]


@dataclass(frozen=True)
class Source:
    key: str  # catalog/sources/<key>.md holds the excerpt
    title: str
    url: str


SOURCES = {
    s.key: s
    for s in (
        Source(
            "aks-outbound-rules",
            "Outbound network and FQDN rules for Azure Kubernetes Service (AKS) clusters",
            "https://learn.microsoft.com/azure/aks/outbound-rules-control-egress",
        ),
        Source(
            "azureml-behind-firewall",
            "Configure inbound and outbound network traffic (Azure Machine Learning)",
            "https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall",
        ),
        Source(
            "aks-pci-network",
            "Secure the network for PCI DSS in AKS",
            "https://learn.microsoft.com/azure/aks/pci-network",
        ),
        Source(
            "docker-hub-allowlist",
            "Allowlist for Docker Desktop",
            "https://docs.docker.com/desktop/setup/allow-list/",
        ),
    )
}


@dataclass(frozen=True)
class EgressContext:
    """What decides which endpoints apply, for one deployment (built by config/egress.py)."""

    region: str
    private_api: bool
    gpu_pools: bool
    gitops: bool
    defender: bool
    training: bool
    # Node OS patched in place from the Ubuntu archives (node_os_upgrade_channel Unmanaged).
    os_package_updates: bool
    ingress_controller: str  # "f5-nginx" | "community-ingress-nginx"
    key_vault_names: tuple[str, ...] = ()
    git_host: str | None = None
    git_port: int | None = None
    # Azure ML workspace details (azureml.workspace); all or none.
    workspace_region: str | None = None
    workspace_guid: str | None = None
    storage_account: str | None = None
    registry: str | None = None
    # Services the spoke reaches through private endpoints (network.private_endpoints).
    private_endpoints: frozenset[str] = frozenset()
    # images.registry: the ACR the controller image (and GitOps chart) come from instead.
    image_registry: str | None = None


# Named conditions: an endpoint applies when all of its conditions hold.
CONDITIONS: dict[str, tuple[str, Callable[[EgressContext], bool]]] = {
    "public_api": (
        "the API server is public (a private cluster reaches it over private networking)",
        lambda c: not c.private_api,
    ),
    "gpu_pools": ("a node pool has gpu: true", lambda c: c.gpu_pools),
    "gitops": ("kubernetes_config.mode is gitops (Flux)", lambda c: c.gitops),
    "gitops_f5_chart": (
        "GitOps mode with the F5 controller and no images.registry: Flux pulls its OCI chart from ghcr.io",
        lambda c: c.gitops and c.ingress_controller == "f5-nginx" and c.image_registry is None,
    ),
    "defender": ("cluster.defender_enabled", lambda c: c.defender),
    "key_vault": ("a Key Vault certificate is used (tls.mode keyvault or azureml.router_tls)", lambda c: bool(c.key_vault_names)),
    "workspace": ("azureml.workspace is set (its GUID, storage and registry are known)", lambda c: c.workspace_guid is not None),
    "training": ("azureml.enable_training", lambda c: c.training),
    "f5_nginx": (
        "ingress.controller is f5-nginx and no images.registry (image from Docker Hub)",
        lambda c: c.ingress_controller == "f5-nginx" and c.image_registry is None,
    ),
    "image_registry": ("images.registry is set", lambda c: c.image_registry is not None),
    "os_package_updates": (
        "cluster.node_os_upgrade_channel is Unmanaged (nodes patch from the Ubuntu archives)",
        lambda c: c.os_package_updates,
    ),
}

# Services that a private endpoint can serve; their public endpoints then leave the list.
PRIVATE_ENDPOINT_SERVICES = ("workspace", "storage", "container_registry", "key_vault")


@dataclass(frozen=True)
class Endpoint:
    destination: str  # template, e.g. "{region}.dp.kubernetesconfiguration.azure.com"
    destination_type: DestinationType
    protocol: Protocol
    port: int
    feature: str
    source: str  # key of SOURCES
    section: str  # heading in the source (and in catalog/sources/<source>.md)
    documented_as: str  # the destination exactly as the source writes it
    conditions: tuple[str, ...] = ()
    # The service whose private endpoint makes this line unnecessary.
    private_endpoint: str | None = None
    # Why the destination differs from documented_as beyond filling in placeholders (narrower only).
    narrowed: str | None = None


_AKS = "aks-outbound-rules"
_AML = "azureml-behind-firewall"
_CORE = "Azure Global required FQDN / application rules"
_NET = "Azure Global required network rules"
_MON = "Azure Monitor - Azure public cloud required FQDN / application rules"
_EXT = "Cluster extensions required FQDN / application rules"
_K8S = "Scenario: Use Kubernetes compute"


def _https(dest: str, feature: str, source: str, section: str, documented_as: str | None = None, **kw) -> Endpoint:
    return Endpoint(dest, "fqdn", "Https", 443, feature, source, section, documented_as or dest, **kw)


def _http(dest: str, feature: str, source: str, section: str, **kw) -> Endpoint:
    return Endpoint(dest, "fqdn", "Http", 80, feature, source, section, dest, **kw)


ENDPOINTS: tuple[Endpoint, ...] = (
    # --- AKS core: every cluster.
    _https("mcr.microsoft.com", "AKS core", _AKS, _CORE),
    _https("*.data.mcr.microsoft.com", "AKS core", _AKS, _CORE),
    _https("mcr-0001.mcr-msedge.net", "AKS core", _AKS, _CORE),
    _https("management.azure.com", "AKS core", _AKS, _CORE),
    _https("login.microsoftonline.com", "AKS core", _AKS, _CORE),
    _https("packages.microsoft.com", "AKS core", _AKS, _CORE),
    _https("acs-mirror.azureedge.net", "AKS core", _AKS, _CORE),
    _https("packages.aks.azure.com", "AKS core", _AKS, _CORE),
    # API server: a private cluster reaches it over private networking.
    _https("*.hcp.{region}.azmk8s.io", "AKS API server", _AKS, _CORE, "*.hcp.<location>.azmk8s.io", conditions=("public_api",)),
    Endpoint(
        "AzureCloud.{region}",
        "service_tag",
        "UDP",
        1194,
        "AKS API server",
        _AKS,
        _NET,
        "AzureCloud.<Region>:1194",
        conditions=("public_api",),
    ),
    Endpoint(
        "AzureCloud.{region}",
        "service_tag",
        "TCP",
        9000,
        "AKS API server",
        _AKS,
        _NET,
        "AzureCloud.<Region>:9000",
        conditions=("public_api",),
    ),
    # Node OS patches from the Ubuntu archives: "optional recommended", only when nodes patch in place.
    _http(
        "security.ubuntu.com",
        "AKS node OS updates",
        _AKS,
        "Optional recommended FQDN / application rules for AKS clusters",
        conditions=("os_package_updates",),
    ),
    _http(
        "azure.archive.ubuntu.com",
        "AKS node OS updates",
        _AKS,
        "Optional recommended FQDN / application rules for AKS clusters",
        conditions=("os_package_updates",),
    ),
    _http(
        "changelogs.ubuntu.com",
        "AKS node OS updates",
        _AKS,
        "Optional recommended FQDN / application rules for AKS clusters",
        conditions=("os_package_updates",),
    ),
    _https(
        "snapshot.ubuntu.com",
        "AKS node OS updates",
        _AKS,
        "Optional recommended FQDN / application rules for AKS clusters",
        conditions=("os_package_updates",),
    ),
    # --- GPU drivers.
    _https(
        "nvidia.github.io",
        "GPU drivers",
        _AKS,
        "GPU enabled AKS clusters required FQDN / application rules",
        conditions=("gpu_pools",),
    ),
    _https(
        "us.download.nvidia.com",
        "GPU drivers",
        _AKS,
        "GPU enabled AKS clusters required FQDN / application rules",
        conditions=("gpu_pools",),
    ),
    _https(
        "download.docker.com",
        "GPU drivers",
        _AKS,
        "GPU enabled AKS clusters required FQDN / application rules",
        conditions=("gpu_pools",),
    ),
    # --- Monitoring: Container Insights (oms_agent) and diagnostics are always on here.
    Endpoint(
        "AzureMonitor",
        "service_tag",
        "TCP",
        443,
        "Monitoring",
        _AKS,
        "Azure Monitor - Required network rules",
        "AzureMonitor:443",
    ),
    _https("*.ods.opinsights.azure.com", "Monitoring", _AKS, _MON),
    _https("*.oms.opinsights.azure.com", "Monitoring", _AKS, _MON),
    _https("dc.services.visualstudio.com", "Monitoring", _AKS, _MON),
    _https("*.monitoring.azure.com", "Monitoring", _AKS, _MON),
    _https("login.microsoftonline.com", "Monitoring", _AKS, _MON),
    _https("global.handler.control.monitor.azure.com", "Monitoring", _AKS, _MON),
    _https("*.ingest.monitor.azure.com", "Monitoring", _AKS, _MON),
    _https(
        "{region}.handler.control.monitor.azure.com",
        "Monitoring",
        _AKS,
        _MON,
        "<cluster-region-name>.handler.control.monitor.azure.com",
    ),
    # --- Microsoft Defender for Containers.
    _https(
        "login.microsoftonline.com",
        "Defender",
        _AKS,
        "Microsoft Defender for Containers required FQDN / application rules",
        conditions=("defender",),
    ),
    _https(
        "*.ods.opinsights.azure.com",
        "Defender",
        _AKS,
        "Microsoft Defender for Containers required FQDN / application rules",
        conditions=("defender",),
    ),
    _https(
        "*.oms.opinsights.azure.com",
        "Defender",
        _AKS,
        "Microsoft Defender for Containers required FQDN / application rules",
        conditions=("defender",),
    ),
    _https(
        "*.cloud.defender.microsoft.com",
        "Defender",
        _AKS,
        "Microsoft Defender for Containers required FQDN / application rules",
        conditions=("defender",),
    ),
    # --- Azure Policy add-on: always on here.
    _https("data.policy.core.windows.net", "Azure Policy", _AKS, "Azure Policy required FQDN / application rules"),
    _https("store.policy.core.windows.net", "Azure Policy", _AKS, "Azure Policy required FQDN / application rules"),
    _https("dc.services.visualstudio.com", "Azure Policy", _AKS, "Azure Policy required FQDN / application rules"),
    # --- Key Vault (secrets-store CSI driver): the vault(s) the config names, not all of vault.azure.net.
    _https(
        "{vault}.vault.azure.net",
        "Key Vault",
        _AKS,
        "Azure Key Vault provider for Secrets Store CSI Driver required FQDN / application rules",
        "vault.azure.net",
        conditions=("key_vault",),
        private_endpoint="key_vault",
        narrowed=(
            "the page names the Key Vault service domain; a vault is reached at <vault name>.vault.azure.net, "
            "so only the configured vaults are listed"
        ),
    ),
    # --- Cluster extensions (the Azure ML extension; Flux in GitOps mode).
    _https(
        "{region}.dp.kubernetesconfiguration.azure.com",
        "Cluster extensions",
        _AKS,
        _EXT,
        "<region>.dp.kubernetesconfiguration.azure.com",
    ),
    _https("mcr.microsoft.com", "Cluster extensions", _AKS, _EXT),
    _https("*.data.mcr.microsoft.com", "Cluster extensions", _AKS, _EXT),
    _https("*.ingestion.msftcloudes.com", "Cluster extensions", _AKS, _EXT),
    _https("*.microsoftmetrics.com", "Cluster extensions", _AKS, _EXT),
    # --- Azure ML on Kubernetes (the extension, attached or not).
    _https("*.kusto.windows.net", "Azure ML", _AML, _K8S),
    _https("*.table.core.windows.net", "Azure ML", _AML, _K8S),
    _https("*.queue.core.windows.net", "Azure ML", _AML, _K8S),
    _https(
        "{workspace_region}.experiments.azureml.net",
        "Azure ML",
        _AML,
        _K8S,
        "<region>.experiments.azureml.net",
        conditions=("workspace",),
    ),
    _https("{workspace_region}.api.azureml.ms", "Azure ML", _AML, _K8S, "<region>.api.azureml.ms", conditions=("workspace",)),
    _https(
        "{workspace_guid}.workspace.{workspace_region}.api.azureml.ms",
        "Azure ML workspace",
        _AML,
        _K8S,
        "<your workspace ID>.workspace.<region>.api.azureml.ms",
        conditions=("workspace",),
        private_endpoint="workspace",
    ),
    _https(
        "{storage_account}.blob.core.windows.net",
        "Azure ML workspace storage",
        _AML,
        _K8S,
        "<your storage account name>.blob.core.windows.net",
        conditions=("workspace",),
        private_endpoint="storage",
    ),
    _https(
        "{registry}.azurecr.io",
        "Azure ML workspace registry",
        _AML,
        _K8S,
        "<your ACR name>.azurecr.io",
        conditions=("workspace",),
        private_endpoint="container_registry",
    ),
    _https(
        "{registry}.{workspace_region}.data.azurecr.io",
        "Azure ML workspace registry",
        _AML,
        _K8S,
        "<your ACR name>.<region>.data.azurecr.io",
        conditions=("workspace",),
        private_endpoint="container_registry",
    ),
    _https("pypi.org", "Azure ML training", _AML, _K8S, conditions=("training",)),
    _http("archive.ubuntu.com", "Azure ML training", _AML, _K8S, conditions=("training",)),
    _http("security.ubuntu.com", "Azure ML training", _AML, _K8S, conditions=("training",)),
    _http("ppa.launchpad.net", "Azure ML training", _AML, _K8S, conditions=("training",)),
    # --- images.registry: the controller image (and GitOps chart) from the deployment's own ACR.
    _https(
        "{image_registry}.azurecr.io",
        "Private registry",
        _AML,
        _K8S,
        "<your ACR name>.azurecr.io",
        conditions=("image_registry",),
    ),
    _https(
        "{image_registry}.{region}.data.azurecr.io",
        "Private registry",
        _AML,
        _K8S,
        "<your ACR name>.<region>.data.azurecr.io",
        conditions=("image_registry",),
    ),
    # --- GitOps: Flux's source-controller reads the Git repository from the nodes.
    Endpoint(
        "{git_host}",
        "fqdn",
        "Https",
        443,
        "Flux Git host",
        "aks-pci-network",
        "Requirement 1.1.6",
        "github.com",
        conditions=("gitops",),
        narrowed="the page's example is GitHub; the host is the one in gitops.repository_url (port 443 for https://, 22 for SSH)",
    ),
    # ... and, with the F5 controller, its OCI chart on ghcr.io (blobs on pkg-containers.githubusercontent.com).
    _https(
        "ghcr.io", "Flux chart source", _AML, "Scenario: Install RStudio on compute instance", conditions=("gitops_f5_chart",)
    ),
    _https(
        "pkg-containers.githubusercontent.com",
        "Flux chart source",
        _AML,
        "Scenario: Install RStudio on compute instance",
        conditions=("gitops_f5_chart",),
    ),
    # --- Ingress controller image: F5's chart pulls nginx/nginx-ingress from Docker Hub.
    _https(
        "auth.docker.io", "Ingress controller image", "docker-hub-allowlist", "Domain URLs to allow", conditions=("f5_nginx",)
    ),
    _https(
        "registry-1.docker.io",
        "Ingress controller image",
        "docker-hub-allowlist",
        "Domain URLs to allow",
        conditions=("f5_nginx",),
    ),
    _https(
        "production.cloudflare.docker.com",
        "Ingress controller image",
        "docker-hub-allowlist",
        "Domain URLs to allow",
        conditions=("f5_nginx",),
    ),
    _https(
        "docker-images-prod.6aa30f8b08e16409b46e0173d6de2f56.r2.cloudflarestorage.com",
        "Ingress controller image",
        "docker-hub-allowlist",
        "Domain URLs to allow",
        conditions=("f5_nginx",),
    ),
)

# Things a hub team must still know that no generated line covers.
NOTES: dict[str, tuple[str, Callable[[EgressContext], bool]]] = {
    "community_image": (
        "ingress.controller community-ingress-nginx pulls registry.k8s.io/ingress-nginx/controller; registry.k8s.io "
        "redirects to cloud storage whose hosts are not published: mirror the image to your own registry",
        lambda c: c.ingress_controller == "community-ingress-nginx",
    ),
    "community_chart": (
        "GitOps mode with community-ingress-nginx: Flux reads the chart index at kubernetes.github.io and the chart "
        "archive from GitHub release downloads; no source lists those hosts",
        lambda c: c.gitops and c.ingress_controller == "community-ingress-nginx",
    ),
    "image_registry_region": (
        "images.registry: its data endpoint is listed for the cluster's region (dedicated data endpoints); a registry "
        "elsewhere serves from <registry>.<its region>.data.azurecr.io",
        lambda c: c.image_registry is not None,
    ),
    "workspace_unknown": (
        "no azureml.workspace, or one without workspace_guid, storage_account_id and container_registry_id: the"
        " workspace's own endpoints (<guid>.workspace.<region>.api.azureml.ms, its storage "
        "and registry, <region>.api.azureml.ms, <region>.experiments.azureml.net) are not listed; add them when you "
        "attach the cluster yourself",
        lambda c: c.workspace_guid is None,
    ),
}


@dataclass(frozen=True)
class Rule:
    """One resolved firewall line, merged over every feature that needs it."""

    destination: str
    destination_type: DestinationType
    protocol: Protocol
    port: int
    features: tuple[str, ...]
    sources: tuple[str, ...]  # "<source key>#<section>"
    entries: tuple[Endpoint, ...] = field(repr=False)

    @property
    def kind(self) -> Literal["application", "network"]:
        """Azure Firewall: HTTP(S) to an FQDN is an application rule; the rest network rules."""
        return "application" if self.destination_type == "fqdn" and self.protocol in ("Http", "Https") else "network"

    @property
    def name(self) -> str:
        """A firewall rule name: letters, digits, '-', at most 80 characters, unique per list."""
        base = re.sub(r"[^a-z0-9]+", "-", self.destination.lower().replace("*", "wildcard")).strip("-")
        return f"{base[: 80 - 12]}-{self.protocol.lower()}-{self.port}"


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _render(template: str, context: EgressContext) -> list[str]:
    values = {
        "region": [context.region],
        "workspace_region": [context.workspace_region or ""],
        "workspace_guid": [context.workspace_guid or ""],
        "storage_account": [context.storage_account or ""],
        "registry": [context.registry or ""],
        "vault": list(context.key_vault_names),
        "git_host": [context.git_host or ""],
        "image_registry": [context.image_registry or ""],
    }
    rendered = [template]
    for name in _PLACEHOLDER.findall(template):
        rendered = [r.replace("{" + name + "}", v) for r in rendered for v in values[name]]
    return rendered


def applies(endpoint: Endpoint, context: EgressContext) -> bool:
    if endpoint.private_endpoint is not None and endpoint.private_endpoint in context.private_endpoints:
        return False
    return all(CONDITIONS[name][1](context) for name in endpoint.conditions)


def resolve(context: EgressContext) -> list[Rule]:
    """The firewall lines one deployment needs, merged by (destination, protocol, port), in catalog order."""
    merged: dict[tuple[str, str, int], list[Endpoint]] = {}
    for endpoint in ENDPOINTS:
        if not applies(endpoint, context):
            continue
        port = context.git_port if endpoint.destination == "{git_host}" and context.git_port else endpoint.port
        protocol = endpoint.protocol if port in (80, 443) else "TCP"
        for destination in _render(endpoint.destination, context):
            check_destination(destination, endpoint.documented_as)
            merged.setdefault((destination, protocol, port), []).append(endpoint)
    rules = []
    for (destination, protocol, port), entries in merged.items():
        rules.append(
            Rule(
                destination=destination,
                destination_type=entries[0].destination_type,
                protocol=protocol,  # type: ignore[arg-type]
                port=port,
                features=tuple(dict.fromkeys(e.feature for e in entries)),
                sources=tuple(dict.fromkeys(f"{e.source}#{e.section}" for e in entries)),
                entries=tuple(entries),
            )
        )
    return rules


def documented_pattern(documented_as: str) -> re.Pattern[str]:
    """The destinations a documented line covers: its placeholders (``<region>``, ``<your ACR name>``)
    stand for one DNS label each; a ``*`` stands only for itself (firewalls match it)."""
    parts = re.split(r"<[^>]+>", documented_as)
    return re.compile(r"[a-z0-9-]+".join(re.escape(part) for part in parts))


# Never a destination: "allow everything" in the forms a firewall accepts.
OPEN_DESTINATIONS = frozenset({"*", "0.0.0.0/0", "0.0.0.0", "::/0", "any", "internet", ""})


def check_destination(destination: str, documented_as: str) -> None:
    """Refuse a destination broader than documented: an open one, or a wildcard the source does not write."""
    if destination.strip().lower() in OPEN_DESTINATIONS:
        raise ValueError(f"egress destination {destination!r} would allow everything")
    if "*" in destination and not (
        destination.startswith("*.") and destination.count("*") == 1 and documented_pattern(documented_as).fullmatch(destination)
    ):
        raise ValueError(f"egress destination {destination!r}: a wildcard the source does not document ({documented_as!r})")


def notes(context: EgressContext) -> list[str]:
    return [text for text, holds in NOTES.values() if holds(context)]
