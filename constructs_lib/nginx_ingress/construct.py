"""NGINX ingress controller in its own namespace behind an Azure internal load balancer, with an
optional default certificate synced from Key Vault by the secrets-provider add-on."""

from __future__ import annotations

import yaml
from constructs import Construct

from constructs_lib.nginx_ingress.objects import NginxIngressProps, controller_objects
from toolchain import shims
from toolchain.cdk import TerraformProvider
from toolchain.helm.release import Release
from toolchain.kubernetes.manifest import Manifest
from toolchain.kubernetes.namespace_v1 import NamespaceV1, NamespaceV1Metadata


class NginxIngress(Construct):
    """Exposes ``namespace``, ``secret_provider_class`` (or ``None``), ``release``, ``values`` and
    ``chart``."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        props: NginxIngressProps,
        kubernetes_provider: TerraformProvider,
        helm_provider: TerraformProvider,
    ) -> None:
        super().__init__(scope, id_)
        objects = controller_objects(props)
        self.chart = objects.chart
        self.values = objects.values
        metadata = objects.namespace["metadata"]
        self.namespace = NamespaceV1(
            self,
            "namespace",
            # kubernetes 3: metadata is typed as a list (see toolchain/shims.py)
            metadata=shims.single_block(NamespaceV1Metadata(name=metadata["name"], labels=metadata["labels"])),
            provider=kubernetes_provider,
        )

        self.secret_provider_class: Manifest | None = None
        if objects.secret_provider_class:
            self.secret_provider_class = Manifest(
                self,
                "tls_secret_provider_class",
                manifest=objects.secret_provider_class,
                provider=kubernetes_provider,
                depends_on=[self.namespace],
            )

        self.release = Release(
            self,
            "release",
            name=props.release_name,
            namespace=props.namespace,
            repository=self.chart.repository,
            chart=self.chart.chart,
            version=self.chart.version,
            values=[yaml.safe_dump(self.values, sort_keys=True)],
            # Roll back a failed install or upgrade instead of leaving a half-applied release.
            atomic=True,
            wait=True,
            cleanup_on_fail=True,
            timeout=props.helm_timeout_seconds,
            create_namespace=False,
            provider=helm_provider,
            depends_on=[self.namespace, *([self.secret_provider_class] if self.secret_provider_class else [])],
        )
