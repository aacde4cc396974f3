"""The Azure ML extension's settings, key by key, against what `az k8s-extension create` sends
for a managed cluster with the same choices (azure-cli-extensions k8s-extension 1.5.1,
partner_extensions/AzureMLKubernetes.py): one row per combination this project accepts."""

from __future__ import annotations

import pytest

from constructs_lib.azureml_extension import (
    AzureMLExtensionProps,
    RouterCertificate,
    escape_setting_key,
    extension_settings,
)

CLUSTER_ID = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1"

# What the CLI derives from the cluster for every combination (its defaults for managedClusters,
# _dereference, and the fields it reads from the cluster resource). nginxIngress.enabled is the
# one deliberate difference: the CLI defaults it to "true"; see test_own_ingress_controller_off.
DERIVED = {
    "clusterId": CLUSTER_ID,
    "cluster_name": CLUSTER_ID,
    "cluster_name_friendly": "aks1",
    "domain": "westeurope.cloudapp.azure.com",
    "location": "westeurope",
    "jobSchedulerLocation": "westeurope",
    "prometheus.prometheusSpec.externalLabels.cluster_name": CLUSTER_ID,
    "servicebus.enabled": "false",
    "relayserver.enabled": "false",
    "nginxIngress.enabled": "false",
}
# This project's pins, passed through by the CLI unchanged.
PINNED = {
    "nodeSelector.workload": "azureml",
    "installNvidiaDevicePlugin": "False",
    "installDcgmExporter": "False",
    "installPromOp": "True",
    "installVolcano": "True",
}
CERTIFICATE = RouterCertificate(cname="aml.example.internal", key_vault_id="/kv", certificate_name="router")


def props(**overrides) -> AzureMLExtensionProps:
    base = dict(
        name="azureml",
        cluster_id=CLUSTER_ID,
        cluster_name="aks1",
        location="westeurope",
        enable_training=True,
        enable_inference=True,
        inference_router_service_type="clusterIP",
        inference_router_ha=True,
        allow_insecure_connections=True,
        router_certificate=None,
        node_selector=("workload", "azureml"),
        gpu=False,
        install_prometheus_operator=True,
        install_volcano=True,
        cluster_node_count=6,
    )
    return AzureMLExtensionProps(**{**base, **overrides})


# (case, props overrides, the keys the CLI adds beyond DERIVED and PINNED)
TABLE = [
    (
        "training only",
        dict(enable_inference=False),
        {"enableTraining": "True", "enableInference": "False"},
    ),
    (
        "inference, clusterIP behind the ingress, HA",
        dict(enable_training=False),
        {
            "enableTraining": "False",
            "enableInference": "True",
            "inferenceRouterServiceType": "clusterIP",
            "allowInsecureConnections": "True",
            "inferenceRouterHA": "True",
        },
    ),
    (
        "training and inference, clusterIP, no HA",
        dict(inference_router_ha=False),
        {
            "enableTraining": "True",
            "enableInference": "True",
            "inferenceRouterServiceType": "clusterIP",
            "allowInsecureConnections": "True",
            "inferenceRouterHA": "False",
        },
    ),
    (
        "inference on an internal load balancer, HTTP",
        dict(inference_router_service_type="loadBalancer"),
        {
            "enableTraining": "True",
            "enableInference": "True",
            "inferenceRouterServiceType": "loadBalancer",
            "allowInsecureConnections": "True",
            "inferenceRouterHA": "True",
            "internalLoadBalancerProvider": "azure",
            "scoringFe.serviceType.internalLoadBalancer": "True",
        },
    ),
    (
        "inference on an internal load balancer with router TLS",
        dict(inference_router_service_type="loadBalancer", allow_insecure_connections=False, router_certificate=CERTIFICATE),
        {
            "enableTraining": "True",
            "enableInference": "True",
            "inferenceRouterServiceType": "loadBalancer",
            "allowInsecureConnections": "False",
            "inferenceRouterHA": "True",
            "internalLoadBalancerProvider": "azure",
            "scoringFe.serviceType.internalLoadBalancer": "True",
            "sslCname": "aml.example.internal",
        },
    ),
    (
        "small cluster (fewer than 3 nodes): DevTest, one router replica",
        dict(cluster_node_count=2, inference_router_ha=False),
        {
            "enableTraining": "True",
            "enableInference": "True",
            "inferenceRouterServiceType": "clusterIP",
            "allowInsecureConnections": "True",
            "inferenceRouterHA": "False",
            "clusterPurpose": "DevTest",
        },
    ),
    (
        "small training-only cluster",
        dict(cluster_node_count=1, enable_inference=False),
        {"enableTraining": "True", "enableInference": "False", "clusterPurpose": "DevTest", "inferenceRouterHA": "false"},
    ),
]


@pytest.mark.parametrize(("case", "overrides", "expected"), TABLE, ids=[row[0] for row in TABLE])
def test_settings_match_the_cli_derivation(case, overrides, expected):
    assert extension_settings(props(**overrides)) == {**DERIVED, **PINNED, **expected}


def test_gpu_pools_turn_on_the_device_plugin_and_exporter():
    result = extension_settings(props(gpu=True))
    assert (result["installNvidiaDevicePlugin"], result["installDcgmExporter"]) == ("True", "True")


def test_router_certificate_goes_only_into_protected_settings():
    from constructs_lib.azureml_extension import router_tls_protected_settings  # Fn.base64encode: jsii

    protected = router_tls_protected_settings("${data.x.pem}", "${data.x.key}")
    assert set(protected) == {"scoringFe.sslCert", "scoringFe.sslKey"}
    settings = extension_settings(props(inference_router_service_type="loadBalancer", router_certificate=CERTIFICATE))
    assert not {k for k in settings if k.startswith("scoringFe.ssl") or k in ("sslSecret", "sslCertPemFile")}


def test_own_ingress_controller_off():
    """The CLI would install the extension's own ingress-nginx (nginxIngress.enabled "true" for
    managed clusters). azureml-fe needs no such controller (Learn: it routes requests "from cluster
    load balancer or ingress controller"), that build is the retired kubernetes/ingress-nginx, and
    a second controller contends with the project's own: it stays off in every combination."""
    for _, overrides, _ in TABLE:
        assert extension_settings(props(**overrides))["nginxIngress.enabled"] == "false"


def test_router_never_public():
    with pytest.raises(ValueError):
        extension_settings(props(inference_router_service_type="nodePort"))
    with pytest.raises(ValueError):
        extension_settings(props(inference_router_service_type="LoadBalancer"))
    settings = extension_settings(props(inference_router_service_type="loadBalancer"))
    assert settings["scoringFe.serviceType.internalLoadBalancer"] == "True"


def test_every_value_is_a_non_empty_string():
    """azurerm refuses empty configuration_settings values at apply."""
    for _, overrides, _ in TABLE:
        assert all(isinstance(v, str) and v for v in extension_settings(props(**overrides)).values())


@pytest.mark.parametrize(
    ("key", "escaped"),
    [
        ("workload", "workload"),
        ("kubernetes.azure.com/agentpool", "kubernetes\\.azure\\.com/agentpool"),
        ("example.com/pool", "example\\.com/pool"),
    ],
)
def test_dotted_setting_keys_are_escaped(key, escaped):
    """Settings nest on dots like Helm --set (Learn, AKS Dapr extension settings:
    global.nodeSelector.kubernetes\\.io/os): a label key's dots must not nest."""
    assert escape_setting_key(key) == escaped


def test_existing_pool_is_selected_by_its_agentpool_label():
    settings = extension_settings(props(node_selector=("kubernetes.azure.com/agentpool", "mlcpu")))
    assert settings["nodeSelector.kubernetes\\.azure\\.com/agentpool"] == "mlcpu"
    assert not [k for k in settings if k.startswith("nodeSelector.") and k != "nodeSelector.kubernetes\\.azure\\.com/agentpool"]


def test_dotted_node_label_keys_do_not_nest():
    """Settings are parsed like Helm --set: an unescaped dot would nest nodeSelector.example.com/pool
    into {"example": {"com/pool": ...}}."""
    result = extension_settings(props(node_selector=("example.com/pool", "ml")))
    assert result["nodeSelector.example\\.com/pool"] == "ml"
    assert not [k for k in result if k.startswith("nodeSelector.") and k != "nodeSelector.example\\.com/pool"]


@pytest.mark.parametrize(
    ("key", "escaped"),
    [("workload", "workload"), ("example.com/pool", "example\\.com/pool"), ("a.b.c", "a\\.b\\.c"), ("a\\b", "a\\\\b")],
)
def test_escape_setting_key(key, escaped):
    assert escape_setting_key(key) == escaped
