"""Ingress in the extension's ``azureml`` namespace that routes a prefix (default ``/aml/``) to
the ``azureml-fe`` inference router, with the prefix stripped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from constructs import Construct

from constructs_lib.kubernetes_objects import AZUREML_FE_SERVICE, route_ingress
from constructs_lib.nginx_ingress.controllers import prefix_route
from toolchain.cdk import ITerraformDependable, TerraformProvider
from toolchain.kubernetes.ingress_v1 import (
    IngressV1,
    IngressV1Metadata,
    IngressV1Spec,
    IngressV1SpecRule,
    IngressV1SpecRuleHttp,
    IngressV1SpecRuleHttpPath,
    IngressV1SpecRuleHttpPathBackend,
    IngressV1SpecRuleHttpPathBackendService,
    IngressV1SpecRuleHttpPathBackendServicePort,
    IngressV1SpecTls,
)


@dataclass(frozen=True)
class AzureMLRouteProps:
    controller: str
    class_name: str
    namespace: str  # the extension's namespace, "azureml"
    path_prefix: str
    host: str | None
    # TLS terminates at the controller with its default certificate (see route_ingress).
    tls: bool
    name: str = "azureml-inference-router"


def route_manifest(props: AzureMLRouteProps) -> dict:
    """The Ingress both delivery modes create."""
    return route_ingress(
        name=props.name,
        namespace=props.namespace,
        class_name=props.class_name,
        route=prefix_route(props.controller, props.path_prefix, AZUREML_FE_SERVICE),
        host=props.host,
        tls=props.tls,
    )


class AzureMLRoute(Construct):
    """Exposes ``ingress`` and ``manifest`` (the Ingress as a Kubernetes object)."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        props: AzureMLRouteProps,
        kubernetes_provider: TerraformProvider,
        depends_on: Sequence[ITerraformDependable] = (),
    ) -> None:
        super().__init__(scope, id_)
        self.manifest = route_manifest(props)
        metadata, spec = self.manifest["metadata"], self.manifest["spec"]
        self.ingress = IngressV1(
            self,
            "ingress",
            metadata=IngressV1Metadata(
                name=metadata["name"], namespace=metadata["namespace"], annotations=metadata["annotations"]
            ),
            spec=IngressV1Spec(
                ingress_class_name=spec["ingressClassName"],
                rule=[
                    IngressV1SpecRule(
                        host=rule.get("host"),
                        http=IngressV1SpecRuleHttp(path=[_path(p) for p in rule["http"]["paths"]]),
                    )
                    for rule in spec["rules"]
                ],
                tls=[IngressV1SpecTls(hosts=t["hosts"]) for t in spec["tls"]] if "tls" in spec else None,
            ),
            provider=kubernetes_provider,
            depends_on=list(depends_on) or None,
        )


def _path(path: dict) -> IngressV1SpecRuleHttpPath:
    service = path["backend"]["service"]
    return IngressV1SpecRuleHttpPath(
        path=path["path"],
        path_type=path["pathType"],
        backend=IngressV1SpecRuleHttpPathBackend(
            service=IngressV1SpecRuleHttpPathBackendService(
                name=service["name"],
                port=IngressV1SpecRuleHttpPathBackendServicePort(number=service["port"]["number"]),
            )
        ),
    )
