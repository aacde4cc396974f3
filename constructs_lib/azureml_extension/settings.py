"""The Azure ML extension's props and configuration settings, as ``az k8s-extension create`` derives
them (see construct.py's docstring); no jsii, so `make check` runs their table test
(tests/constructs_lib/test_azureml_extension.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

AZUREML_NAMESPACE = "azureml"
EXTENSION_TYPE = "microsoft.azureml.kubernetes"
ROUTER_SERVICE_TYPES = ("clusterIP", "loadBalancer")
# The CLI marks a cluster whose pools hold fewer nodes than this as DevTest (one router replica).
SMALL_CLUSTER_NODES = 3


@dataclass(frozen=True)
class RouterCertificate:
    """TLS at the router itself (internal-LB router only): a Key Vault certificate whose
    exportable key and chain are read at deploy time and handed to the extension as protected
    settings, as `az k8s-extension create --config-protected-file` would."""

    cname: str
    key_vault_id: str
    certificate_name: str


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
    router_certificate: RouterCertificate | None
    node_selector: tuple[str, str]  # (label key, value) of the ML node pools
    # The extension installs the NVIDIA device plugin and DCGM exporter (installNvidiaDevicePlugin,
    # installDcgmExporter): false when no GPU pool needs them from it (AKS-managed GPU nodes or the
    # NVIDIA GPU Operator install their own).
    gpu: bool
    install_prometheus_operator: bool
    install_volcano: bool
    # Sum of min_count over every pool: the CLI's "small cluster" rule reads the pools' node count.
    cluster_node_count: int
    # Extra settings, e.g. workLoadToleration[i].* for tainted ML pools (see construct_props).
    extra_settings: Mapping[str, str] = field(default_factory=dict)
    # Settings another step applies after creating what they name (the Volcano scheduler ConfigMap,
    # constructs_lib/volcano_scheduling): Terraform leaves them as that step set them.
    settings_applied_elsewhere: tuple[str, ...] = ()


def escape_setting_key(part: str) -> str:
    """One part of an extension setting key that comes from config (a label key such as
    ``example.com/pool``), escaped so that its dots do not nest: extension settings are parsed like
    Helm ``--set``, where a dot in a key nests and ``\\.`` is a literal dot (Learn, AKS Dapr
    extension settings, ``nodeSelector.kubernetes\\.io/os``). Build the key as
    ``f"nodeSelector.{escape_setting_key(key)}"``."""
    return part.replace("\\", "\\\\").replace(".", "\\.")


def _flag(value: bool) -> str:
    # The CLI's own booleans reach ARM as "True"/"False" (Python str(bool)); Microsoft's ARM
    # template uses the same spelling.
    return "True" if value else "False"


def extension_settings(props: AzureMLExtensionProps) -> dict[str, str]:
    """configuration_settings: what `az k8s-extension create` sends for a managed cluster with the
    same choices, plus this project's pins (node selector, components). Keys the CLI fills in
    itself are spelled as it spells them ("false" in lower case where it writes a literal)."""
    if props.inference_router_service_type not in ROUTER_SERVICE_TYPES:
        raise ValueError(f"inference_router_service_type must be one of {ROUTER_SERVICE_TYPES}")
    if not (props.enable_training or props.enable_inference):
        raise ValueError("enable at least one of training and inference")
    key, value = props.node_selector
    settings = {
        "enableTraining": _flag(props.enable_training),
        "enableInference": _flag(props.enable_inference),
        # Derived by the CLI from the cluster resource (_dereference and its defaults).
        "clusterId": props.cluster_id,
        "cluster_name": props.cluster_id,
        "cluster_name_friendly": props.cluster_name,
        "domain": f"{props.location}.cloudapp.azure.com",
        "location": props.location,
        "jobSchedulerLocation": props.location,
        "prometheus.prometheusSpec.externalLabels.cluster_name": props.cluster_id,
        # CLI defaults for managedClusters: no Service Bus, no Azure Relay (AKS reaches Azure ML
        # directly).
        "servicebus.enabled": "false",
        "relayserver.enabled": "false",
        # The CLI defaults this to "true" for managedClusters: it installs the extension's own
        # ingress-nginx build (controller + admission webhook, service azureml-ingress-nginx-
        # controller) in `azureml`. Nothing in Microsoft's routing docs needs it (azureml-fe takes
        # requests from "cluster load balancer or ingress controller"; the bring-your-own-ingress
        # recipe sets only clusterIP + allowInsecureConnections), it is built on the retired
        # kubernetes/ingress-nginx, and a second controller contends with ours
        # (MicrosoftDocs/azure-docs#110398). This project runs its own controller: off.
        "nginxIngress.enabled": "false",
        f"nodeSelector.{escape_setting_key(key)}": value,
        "installNvidiaDevicePlugin": _flag(props.gpu),
        "installDcgmExporter": _flag(props.gpu),
        "installPromOp": _flag(props.install_prometheus_operator),
        "installVolcano": _flag(props.install_volcano),
    }
    if props.cluster_node_count < SMALL_CLUSTER_NODES:
        # The CLI's small-cluster rule: one router replica and DevTest sizing.
        settings["clusterPurpose"] = "DevTest"
        settings["inferenceRouterHA"] = "false"
    if props.enable_inference:
        settings["inferenceRouterServiceType"] = props.inference_router_service_type
        settings["allowInsecureConnections"] = _flag(props.allow_insecure_connections)
        settings["inferenceRouterHA"] = _flag(props.inference_router_ha)
        if props.inference_router_service_type == "loadBalancer":
            # Never a public IP. The CLI turns internalLoadBalancerProvider=azure into the key the
            # chart reads; without it the router's Service is a public load balancer.
            settings["internalLoadBalancerProvider"] = "azure"
            settings["scoringFe.serviceType.internalLoadBalancer"] = "True"
        if props.router_certificate:
            settings["sslCname"] = props.router_certificate.cname
    settings.update(props.extra_settings)
    return settings
