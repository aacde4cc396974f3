"""Pure parts of the constructs: controller values, prefix routes, kubelogin."""

from __future__ import annotations

import pytest

from constructs_lib.cluster_access import AKS_AAD_SERVER_APP_ID, kubelogin_args
from constructs_lib.nginx_ingress import (
    CHARTS,
    COMMUNITY_INGRESS_NGINX,
    F5_NGINX,
    ControllerSettings,
    NginxIngressProps,
    controller_objects,
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
    (only,) = route.paths
    assert only.path == regex
    target = route.annotations["nginx.ingress.kubernetes.io/rewrite-target"]
    for request, upstream in [(f"{prefix}api/v1/endpoint/x/score", "/api/v1/endpoint/x/score"), (prefix.rstrip("/"), "/")]:
        match = re.fullmatch(only.path, request)
        assert match, request
        assert target.replace("$2", match.group(2)) == upstream


def test_f5_routes_the_prefix_with_and_without_trailing_slash():
    """/aml used to 404: F5 matched only the Prefix path /aml/. An Exact /aml path with the same
    rewrite maps it to / (nginx replaces the matched location part of the URI)."""
    route = prefix_route(F5_NGINX, "/aml/", "azureml-fe")
    assert [(p.path, p.path_type) for p in route.paths] == [("/aml/", "Prefix"), ("/aml", "Exact")]
    assert route.annotations == {"nginx.org/rewrites": "serviceName=azureml-fe rewrite=/"}


@pytest.mark.parametrize(
    ("controller", "volumes_key", "mounts_key"),
    [(F5_NGINX, "volumes", "volumeMounts"), (COMMUNITY_INGRESS_NGINX, "extraVolumes", "extraVolumeMounts")],
)
def test_controller_waits_for_the_synced_certificate(controller, volumes_key, mounts_key):
    """The synced Secret is also mounted as a volume: the kubelet starts the controller only once
    the CSI driver has created it (F5 5.5 exits at start when its wildcard secret is missing)."""
    values = controller_values(settings(controller, default_tls_secret="nginx-ingress/tls", secret_provider_class="spc"))
    controller_values_ = values["controller"]
    volumes = {v["name"]: v for v in controller_values_[volumes_key]}
    assert {"csi", "secret"} == {next(iter(set(v) - {"name"})) for v in volumes.values()}
    secret_volume = next(v for v in volumes.values() if "secret" in v)
    assert secret_volume["secret"] == {"secretName": "tls"}  # not optional: the pod waits for it
    assert {m["name"] for m in controller_values_[mounts_key]} == set(volumes)


def test_no_tls_means_no_volumes():
    assert "volumes" not in controller_values(settings(F5_NGINX))["controller"]


def test_charts_pinned_and_only_community_retired():
    assert CHARTS[F5_NGINX].version == "2.6.4" and not CHARTS[F5_NGINX].retired
    assert CHARTS[COMMUNITY_INGRESS_NGINX].version == "4.15.1" and CHARTS[COMMUNITY_INGRESS_NGINX].retired


def test_kubelogin_args():
    assert kubelogin_args("azurecli", "t") == ["get-token", "--login", "azurecli", "--server-id", AKS_AAD_SERVER_APP_ID]
    assert kubelogin_args("spn", "t")[-2:] == ["--tenant-id", "t"]
    with pytest.raises(ValueError):
        kubelogin_args("admin", "t")


def _props(**overrides) -> NginxIngressProps:
    base = dict(
        controller=F5_NGINX,
        namespace="nginx-ingress",
        release_name="nginx-ingress",
        class_name="nginx-internal",
        replicas=2,
        subnet_name="snet-aks-nodes",
        load_balancer_ip=None,
        tls=None,
    )
    return NginxIngressProps(**{**base, **overrides})


def test_default_image_is_the_charts_own():
    """Without images.registry the values leave the image to the chart (Docker Hub), as before."""
    assert "image" not in controller_objects(_props()).values["controller"]


def test_private_registry_image_with_tag_and_digest():
    digest = "sha256:" + "ab" * 32
    image = controller_objects(_props(image_registry="crimages.azurecr.io", image_digest=digest)).values["controller"]["image"]
    assert image == {"repository": "crimages.azurecr.io/nginx/nginx-ingress", "tag": CHARTS[F5_NGINX].image_tag, "digest": digest}
    without_digest = controller_objects(_props(image_registry="crimages.azurecr.io")).values["controller"]["image"]
    assert "digest" not in without_digest


def test_no_mirrored_image_for_the_community_controller():
    with pytest.raises(ValueError, match="no mirrored image"):
        controller_objects(_props(controller=COMMUNITY_INGRESS_NGINX, image_registry="crimages.azurecr.io"))
