"""What the ingress controller puts into the cluster, as plain objects: its namespace, the
SecretProviderClass of its certificate, and its Helm values. Shared by terraform mode (the
NginxIngress construct) and GitOps mode (the manifests Flux applies)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constructs_lib.kubernetes_objects import namespace, secret_provider_class
from constructs_lib.nginx_ingress.controllers import CHARTS, ChartSource, ControllerSettings, controller_values

NAMESPACE_LABELS = {"app.kubernetes.io/part-of": "aks-azureml-ingress"}


@dataclass(frozen=True)
class KeyVaultTls:
    vault_name: str
    tenant_id: str
    certificate_name: str
    # Client id of the cluster's Key Vault secrets-provider identity (read from the cluster).
    secrets_provider_client_id: str
    secret_name: str  # Kubernetes TLS secret the add-on keeps in sync, in the controller namespace


@dataclass(frozen=True)
class NginxIngressProps:
    controller: str
    namespace: str
    release_name: str
    class_name: str
    replicas: int
    subnet_name: str
    load_balancer_ip: str | None
    tls: KeyVaultTls | None
    helm_timeout_seconds: int = 900
    # images.registry: login server of the ACR holding the controller image, and its digest.
    image_registry: str | None = None
    image_digest: str | None = None


@dataclass(frozen=True)
class ControllerObjects:
    chart: ChartSource
    namespace: dict[str, Any]
    secret_provider_class: dict[str, Any] | None
    values: dict[str, Any]


def private_image(props: NginxIngressProps) -> dict[str, str] | None:
    """The controller image from images.registry, with the tag the chart would use and the digest
    when one is given; None: the chart's default (Docker Hub)."""
    chart = CHARTS[props.controller]
    if props.image_registry is None:
        return None
    if not (chart.image_repository and chart.image_tag):
        raise ValueError(f"no mirrored image known for controller {props.controller!r}")
    image = {"repository": f"{props.image_registry}/{chart.image_repository}", "tag": chart.image_tag}
    if props.image_digest:
        image["digest"] = props.image_digest
    return image


def controller_objects(props: NginxIngressProps) -> ControllerObjects:
    spc = None
    if props.tls:
        spc = secret_provider_class(
            name=f"{props.tls.secret_name}-keyvault",
            namespace=props.namespace,
            vault_name=props.tls.vault_name,
            tenant_id=props.tls.tenant_id,
            certificate_name=props.tls.certificate_name,
            client_id=props.tls.secrets_provider_client_id,
            secret_name=props.tls.secret_name,
        )
    values = controller_values(
        ControllerSettings(
            controller=props.controller,
            class_name=props.class_name,
            replicas=props.replicas,
            subnet_name=props.subnet_name,
            load_balancer_ip=props.load_balancer_ip,
            default_tls_secret=f"{props.namespace}/{props.tls.secret_name}" if props.tls else None,
            secret_provider_class=spc["metadata"]["name"] if spc else None,
            image=private_image(props),
        )
    )
    return ControllerObjects(
        chart=CHARTS[props.controller],
        namespace=namespace(props.namespace, NAMESPACE_LABELS),
        secret_provider_class=spc,
        values=values,
    )
