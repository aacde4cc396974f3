"""Azure ML Kubernetes extension (``microsoft.azureml.kubernetes``), cluster scope, namespace
``azureml``. The inference router never gets a public IP: clusterIP behind the project's own
ingress, or an internal Azure load balancer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from constructs import Construct

from toolchain.azurerm.kubernetes_cluster_extension import (
    KubernetesClusterExtension,
    KubernetesClusterExtensionTimeouts,
)
from toolchain.cdk import ITerraformDependable

AZUREML_NAMESPACE = "azureml"
EXTENSION_TYPE = "microsoft.azureml.kubernetes"
ROUTER_SERVICE_TYPES = ("clusterIP", "loadBalancer")


@dataclass(frozen=True)
class RouterTls:
    cname: str
    secret_name: str


@dataclass(frozen=True)
class AzureMLExtensionProps:
    name: str
    cluster_id: str
    cluster_name: str
    location: str
    enable_training: bool
    enable_inference: bool
    inference_router_service_type: str
    inference_router_ha: bool
    allow_insecure_connections: bool
    router_tls: RouterTls | None
    node_selector: tuple[str, str]  # (label key, value) of the ML node pools
    gpu: bool
    install_prometheus_operator: bool
    install_volcano: bool


def _flag(value: bool) -> str:
    return "True" if value else "False"


def extension_settings(props: AzureMLExtensionProps) -> dict[str, str]:
    """The configuration_settings the az CLI would fill in, plus this project's choices."""
    if props.inference_router_service_type not in ROUTER_SERVICE_TYPES:
        raise ValueError(f"inference_router_service_type must be one of {ROUTER_SERVICE_TYPES}")
    key, value = props.node_selector
    settings = {
        "enableTraining": _flag(props.enable_training),
        "enableInference": _flag(props.enable_inference),
        "allowInsecureConnections": _flag(props.allow_insecure_connections),
        # Keys `az k8s-extension create` derives from the cluster; Terraform must set them itself.
        "clusterId": props.cluster_id,
        "cluster_name": props.cluster_id,
        "cluster_name_friendly": props.cluster_name,
        "domain": f"{props.location}.cloudapp.azure.com",
        "location": props.location,
        "jobSchedulerLocation": props.location,
        "servicebus.enabled": "false",
        "relayserver.enabled": "false",
        "prometheus.prometheusSpec.externalLabels.cluster_name": props.cluster_id,
        # The extension's own (retired ingress-nginx based) controller: this project runs its own.
        "nginxIngress.enabled": "false",
        f"nodeSelector.{key}": value,
        "installNvidiaDevicePlugin": _flag(props.gpu),
        "installDcgmExporter": _flag(props.gpu),
        "installPromOp": _flag(props.install_prometheus_operator),
        "installVolcano": _flag(props.install_volcano),
    }
    if props.enable_inference:
        settings["inferenceRouterServiceType"] = props.inference_router_service_type
        settings["inferenceRouterHA"] = _flag(props.inference_router_ha)
        if props.inference_router_service_type == "loadBalancer":
            # Never a public IP: the router's load balancer is an internal Azure LB.
            settings["internalLoadBalancerProvider"] = "azure"
    if props.router_tls:
        settings["sslCname"] = props.router_tls.cname
        settings["sslSecret"] = props.router_tls.secret_name
    return settings


class AzureMLExtension(Construct):
    """Exposes ``extension`` and ``settings`` (the configuration_settings map)."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        props: AzureMLExtensionProps,
        depends_on: Sequence[ITerraformDependable] = (),
    ) -> None:
        super().__init__(scope, id_)
        self.settings = extension_settings(props)
        self.extension = KubernetesClusterExtension(
            self,
            "extension",
            name=props.name,
            cluster_id=props.cluster_id,
            extension_type=EXTENSION_TYPE,
            release_train="stable",
            release_namespace=AZUREML_NAMESPACE,
            configuration_settings=self.settings,
            # Installs ~20 workloads; the router and Volcano wait for nodes in the ML pools.
            timeouts=KubernetesClusterExtensionTimeouts(create="60m", update="60m", delete="30m"),
            depends_on=list(depends_on) or None,
        )
