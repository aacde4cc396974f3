"""Ingress in the extension's ``azureml`` namespace that routes a prefix (default ``/aml/``) to
the ``azureml-fe`` inference router, with the prefix stripped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from constructs import Construct

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

AZUREML_FE_SERVICE = "azureml-fe"
AZUREML_FE_PORT = 80


@dataclass(frozen=True)
class AzureMLRouteProps:
    controller: str
    class_name: str
    namespace: str  # the extension's namespace, "azureml"
    path_prefix: str
    host: str | None
    # TLS terminates at the controller with its default certificate: the tls entry names the
    # host without a secret (the secret lives in the controller's namespace, not here).
    tls: bool
    name: str = "azureml-inference-router"


class AzureMLRoute(Construct):
    """Exposes ``ingress`` and ``route`` (path, path type, annotations)."""

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
        self.route = prefix_route(props.controller, props.path_prefix, AZUREML_FE_SERVICE)
        if props.tls and not props.host:
            raise ValueError("a TLS route needs a host name")
        self.ingress = IngressV1(
            self,
            "ingress",
            metadata=IngressV1Metadata(name=props.name, namespace=props.namespace, annotations=self.route.annotations),
            spec=IngressV1Spec(
                ingress_class_name=props.class_name,
                rule=[
                    IngressV1SpecRule(
                        host=props.host,
                        http=IngressV1SpecRuleHttp(
                            path=[
                                IngressV1SpecRuleHttpPath(
                                    path=self.route.path,
                                    path_type=self.route.path_type,
                                    backend=IngressV1SpecRuleHttpPathBackend(
                                        service=IngressV1SpecRuleHttpPathBackendService(
                                            name=AZUREML_FE_SERVICE,
                                            port=IngressV1SpecRuleHttpPathBackendServicePort(number=AZUREML_FE_PORT),
                                        )
                                    ),
                                )
                            ]
                        ),
                    )
                ],
                tls=[IngressV1SpecTls(hosts=[props.host])] if props.tls and props.host else None,
            ),
            provider=kubernetes_provider,
            depends_on=list(depends_on) or None,
        )
