"""What differs between the two supported NGINX controllers: chart, Helm values and the
annotations that strip the route prefix. Pure functions, testable without synthesizing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog.ingress_charts import CHARTS, COMMUNITY_INGRESS_NGINX, F5_NGINX, ChartSource

__all__ = ["CHARTS", "COMMUNITY_INGRESS_NGINX", "F5_NGINX", "ChartSource"]  # re-exported: defined in catalog/
TLS_MOUNT_PATH = "/mnt/secrets-store"
TLS_VOLUME = "secrets-store"
SYNCED_SECRET_MOUNT_PATH = "/mnt/tls-synced"
SYNCED_SECRET_VOLUME = "tls-synced"


RETIRED_WARNING = (
    "WARNING: ingress.controller community-ingress-nginx selects kubernetes/ingress-nginx, which is retired "
    "(no releases or CVE fixes since March 2026). Prefer the default f5-nginx."
)


@dataclass(frozen=True)
class ControllerSettings:
    controller: str
    class_name: str
    replicas: int
    subnet_name: str
    load_balancer_ip: str | None
    # "<namespace>/<secret>" served for every TLS host, synced from Key Vault; None without TLS.
    default_tls_secret: str | None
    # SecretProviderClass the controller pods mount so the CSI driver syncs that secret.
    secret_provider_class: str | None
    # The controller image from a private registry (images.registry): repository, tag, digest.
    image: dict[str, str] | None = None


def _service(settings: ControllerSettings) -> dict[str, Any]:
    service: dict[str, Any] = {
        "type": "LoadBalancer",
        # Never a public IP: an Azure internal load balancer in the AKS node subnet.
        "annotations": {
            "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
            "service.beta.kubernetes.io/azure-load-balancer-internal-subnet": settings.subnet_name,
        },
        # Keeps the client source address and avoids a second hop between nodes.
        "externalTrafficPolicy": "Local",
    }
    if settings.load_balancer_ip:
        # The Service field loadBalancerIP is deprecated; cloud-provider-azure reads this annotation.
        service["annotations"]["service.beta.kubernetes.io/azure-load-balancer-ipv4"] = settings.load_balancer_ip
    return service


def _csi_volume(settings: ControllerSettings) -> tuple[list[dict], list[dict]]:
    """The Key Vault CSI volume, and the synced Secret itself as a second volume.

    Why both: the CSI driver creates the synced Secret asynchronously, from its controller, after
    it has mounted the volume for a pod (secrets-store-csi-driver v1.5.6, nodeserver.go and
    secretproviderclasspodstatus_controller.go), while F5 NGINX 5.5 exits at start when its
    wildcard secret cannot be read (cmd/nginx-ingress/main.go, logEventAndExit), so a first
    install raced: crash loops until the Secret appeared, or a rolled-back release. The kubelet
    starts no container before every volume of the pod is mounted, and it keeps retrying a
    Secret volume whose Secret does not exist yet; the CSI volume mounts meanwhile and makes the
    driver create the Secret. So the controller starts only once its certificate exists."""
    if not settings.secret_provider_class or not settings.default_tls_secret:
        return [], []
    secret_name = settings.default_tls_secret.split("/", 1)[1]
    volumes = [
        {
            "name": TLS_VOLUME,
            "csi": {
                "driver": "secrets-store.csi.k8s.io",
                "readOnly": True,
                "volumeAttributes": {"secretProviderClass": settings.secret_provider_class},
            },
        },
        {"name": SYNCED_SECRET_VOLUME, "secret": {"secretName": secret_name}},
    ]
    mounts = [
        {"name": TLS_VOLUME, "mountPath": TLS_MOUNT_PATH, "readOnly": True},
        {"name": SYNCED_SECRET_VOLUME, "mountPath": SYNCED_SECRET_MOUNT_PATH, "readOnly": True},
    ]
    return volumes, mounts


# Lets the controller also run on the critical-only system pool (tainted CriticalAddonsOnly).
_TOLERATIONS = [{"key": "CriticalAddonsOnly", "operator": "Exists", "effect": "NoSchedule"}]
_REQUESTS = {"requests": {"cpu": "100m", "memory": "128Mi"}}


def _spread(app_label: dict[str, str]) -> list[dict]:
    return [
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": app_label},
        }
    ]


def controller_values(settings: ControllerSettings) -> dict[str, Any]:
    volumes, mounts = _csi_volume(settings)
    if settings.controller == F5_NGINX:
        controller: dict[str, Any] = {
            "ingressClass": {"name": settings.class_name, "create": True, "setAsDefaultIngress": False},
            "replicaCount": settings.replicas,
            "enableSnippets": False,
            "podDisruptionBudget": {"enabled": True, "minAvailable": 1},
            "service": _service(settings),
            "resources": _REQUESTS,
            "tolerations": _TOLERATIONS,
            "topologySpreadConstraints": _spread({"app.kubernetes.io/name": "nginx-ingress"}),
            "enableLatencyMetrics": True,
            # Product telemetry to F5 is on by default; a private platform opts out.
            "telemetryReporting": {"enable": False},
        }
        if settings.image:
            # The chart uses digest over tag when both are set (values.yaml controller.image).
            controller["image"] = dict(settings.image)
        if settings.default_tls_secret:
            controller["wildcardTLS"] = {"secret": settings.default_tls_secret}
            controller["volumes"], controller["volumeMounts"] = volumes, mounts
        return {"controller": controller, "prometheus": {"create": True}}
    if settings.controller == COMMUNITY_INGRESS_NGINX:
        controller = {
            "ingressClassResource": {
                "name": settings.class_name,
                "enabled": True,
                "default": False,
                # Distinct controller value and election id: may share a cluster with other controllers.
                "controllerValue": f"k8s.io/{settings.class_name}",
            },
            "ingressClass": settings.class_name,
            "electionID": f"{settings.class_name}-leader",
            "replicaCount": settings.replicas,
            "minAvailable": 1,
            "allowSnippetAnnotations": False,
            "metrics": {"enabled": True},
            "service": _service(settings),
            "resources": _REQUESTS,
            "tolerations": _TOLERATIONS,
            "topologySpreadConstraints": _spread({"app.kubernetes.io/name": "ingress-nginx"}),
        }
        if settings.default_tls_secret:
            controller["extraArgs"] = {"default-ssl-certificate": settings.default_tls_secret}
            controller["extraVolumes"], controller["extraVolumeMounts"] = volumes, mounts
        return {"controller": controller}
    raise ValueError(f"unknown controller {settings.controller!r}")


@dataclass(frozen=True)
class RoutePath:
    path: str
    path_type: str


@dataclass(frozen=True)
class PrefixRoute:
    paths: tuple[RoutePath, ...]
    annotations: dict[str, str]


def prefix_route(controller: str, prefix: str, service_name: str) -> PrefixRoute:
    """Route ``<prefix>x`` to ``/x`` on ``service_name`` (azureml-fe answers 404 to the prefix),
    and the prefix without its trailing slash (``/aml``) to ``/``, so that neither form 404s."""
    bare = prefix.rstrip("/")
    if controller == F5_NGINX:
        # F5 implements nginx.org/rewrites as proxy_pass with a URI, which replaces the part of
        # the request that matched the location: "/aml/x" -> "/x", and for the exact location
        # "= /aml", "/aml" -> "/" (nginx.ingress.tmpl, generateIngressPath in v5.5.4).
        return PrefixRoute(
            paths=(RoutePath(prefix, "Prefix"), RoutePath(bare, "Exact")),
            annotations={"nginx.org/rewrites": f"serviceName={service_name} rewrite=/"},
        )
    if controller == COMMUNITY_INGRESS_NGINX:
        # One regex covers "/aml", "/aml/" and "/aml/x". Strict path validation rejects regex
        # paths with pathType Prefix.
        return PrefixRoute(
            paths=(RoutePath(f"{bare}(/|$)(.*)", "ImplementationSpecific"),),
            annotations={
                "nginx.ingress.kubernetes.io/use-regex": "true",
                "nginx.ingress.kubernetes.io/rewrite-target": "/$2",
            },
        )
    raise ValueError(f"unknown controller {controller!r}")
