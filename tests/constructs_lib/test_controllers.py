"""Pure parts of the constructs: controller values, prefix routes, extension settings, kubelogin."""

from __future__ import annotations

import pytest

from constructs_lib.azureml_extension import AzureMLExtensionProps, RouterTls, extension_settings
from constructs_lib.cluster_access import AKS_AAD_SERVER_APP_ID, kubelogin_args
from constructs_lib.nginx_ingress import (
    CHARTS,
    COMMUNITY_INGRESS_NGINX,
    F5_NGINX,
    ControllerSettings,
    controller_values,
    prefix_route,
)


def settings(controller: str, **overrides) -> ControllerSettings:
    base = dict(
        controller=controller,
        class_name="nginx-internal",
        replicas=2,
        subnet_name="snet-aks-nodes",
        load_balancer_ip=None,
        default_tls_secret=None,
        secret_provider_class=None,
    )
    return ControllerSettings(**{**base, **overrides})


@pytest.mark.parametrize("controller", [F5_NGINX, COMMUNITY_INGRESS_NGINX])
def test_service_is_always_internal(controller):
    service = controller_values(settings(controller))["controller"]["service"]
    assert service["annotations"] == {
        "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
        "service.beta.kubernetes.io/azure-load-balancer-internal-subnet": "snet-aks-nodes",
    }
    assert "loadBalancerIP" not in service


def test_community_default_certificate_and_csi_mount():
    values = controller_values(
        settings(COMMUNITY_INGRESS_NGINX, default_tls_secret="nginx-ingress/tls", secret_provider_class="spc")
    )["controller"]
    assert values["extraArgs"] == {"default-ssl-certificate": "nginx-ingress/tls"}
    assert values["extraVolumes"][0]["csi"]["volumeAttributes"] == {"secretProviderClass": "spc"}
    assert values["extraVolumeMounts"][0]["name"] == values["extraVolumes"][0]["name"]


def test_unknown_controller_rejected():
    with pytest.raises(ValueError):
        controller_values(settings("traefik"))
    with pytest.raises(ValueError):
        prefix_route("traefik", "/aml/", "azureml-fe")


@pytest.mark.parametrize(("prefix", "regex"), [("/aml/", "/aml(/|$)(.*)"), ("/team/aml/", "/team/aml(/|$)(.*)")])
def test_community_regex_strips_prefix(prefix, regex):
    import re

    route = prefix_route(COMMUNITY_INGRESS_NGINX, prefix, "azureml-fe")
    assert route.path == regex
    match = re.fullmatch(route.path, f"{prefix}api/v1/endpoint/x/score")
    rewritten = route.annotations["nginx.ingress.kubernetes.io/rewrite-target"].replace("$2", match.group(2))
    assert rewritten == "/api/v1/endpoint/x/score"


def test_charts_pinned_and_only_community_retired():
    assert CHARTS[F5_NGINX].version == "2.6.4" and not CHARTS[F5_NGINX].retired
    assert CHARTS[COMMUNITY_INGRESS_NGINX].version == "4.15.1" and CHARTS[COMMUNITY_INGRESS_NGINX].retired


def extension_props(**overrides) -> AzureMLExtensionProps:
    base = dict(
        name="azureml",
        cluster_id="/subscriptions/x/id",
        cluster_name="aks-x",
        location="westeurope",
        enable_training=True,
        enable_inference=True,
        inference_router_service_type="clusterIP",
        inference_router_ha=True,
        allow_insecure_connections=True,
        router_tls=None,
        node_selector=("workload", "azureml"),
        gpu=False,
        install_prometheus_operator=True,
        install_volcano=True,
    )
    return AzureMLExtensionProps(**{**base, **overrides})


def test_extension_never_public():
    with pytest.raises(ValueError):
        extension_settings(extension_props(inference_router_service_type="nodePort"))
    settings_lb = extension_settings(extension_props(inference_router_service_type="loadBalancer"))
    assert settings_lb["internalLoadBalancerProvider"] == "azure"
    assert "internalLoadBalancerProvider" not in extension_settings(extension_props())


def test_training_only_has_no_router_settings():
    result = extension_settings(extension_props(enable_inference=False))
    assert result["enableInference"] == "False"
    assert "inferenceRouterServiceType" not in result


def test_router_tls_settings():
    result = extension_settings(
        extension_props(router_tls=RouterTls(cname="a.example.internal", secret_name="s"), allow_insecure_connections=False)
    )
    assert (result["sslCname"], result["sslSecret"], result["allowInsecureConnections"]) == ("a.example.internal", "s", "False")


def test_kubelogin_args():
    assert kubelogin_args("azurecli", "t") == ["get-token", "--login", "azurecli", "--server-id", AKS_AAD_SERVER_APP_ID]
    assert kubelogin_args("spn", "t")[-2:] == ["--tenant-id", "t"]
    with pytest.raises(ValueError):
        kubelogin_args("admin", "t")
