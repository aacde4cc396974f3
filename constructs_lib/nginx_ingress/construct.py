"""NGINX ingress controller in its own namespace behind an Azure internal load balancer, with an
optional default certificate synced from Key Vault by the secrets-provider add-on."""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from constructs import Construct

from constructs_lib.nginx_ingress.controllers import CHARTS, ControllerSettings, controller_values
from toolchain.cdk import TerraformProvider
from toolchain.helm.release import Release
from toolchain.kubernetes.manifest import Manifest
from toolchain.kubernetes.namespace_v1 import NamespaceV1, NamespaceV1Metadata


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
        self.chart = CHARTS[props.controller]
        self.namespace = NamespaceV1(
            self,
            "namespace",
            metadata=NamespaceV1Metadata(name=props.namespace, labels={"app.kubernetes.io/part-of": "aks-azureml-ingress"}),
            provider=kubernetes_provider,
        )

        self.secret_provider_class: Manifest | None = None
        spc_name = None
        if props.tls:
            spc_name = f"{props.tls.secret_name}-keyvault"
            self.secret_provider_class = Manifest(
                self,
                "tls_secret_provider_class",
                manifest=_secret_provider_class(spc_name, props.namespace, props.tls),
                provider=kubernetes_provider,
                depends_on=[self.namespace],
            )

        self.values = controller_values(
            ControllerSettings(
                controller=props.controller,
                class_name=props.class_name,
                replicas=props.replicas,
                subnet_name=props.subnet_name,
                load_balancer_ip=props.load_balancer_ip,
                default_tls_secret=f"{props.namespace}/{props.tls.secret_name}" if props.tls else None,
                secret_provider_class=spc_name,
            )
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


def _secret_provider_class(name: str, namespace: str, tls: KeyVaultTls) -> dict:
    # A Key Vault certificate's "secret" object holds the key and the chain (PEM); the CSI driver
    # splits it into tls.key/tls.crt of a kubernetes.io/tls secret while a pod mounts the volume.
    objects = yaml.safe_dump(
        {"array": [yaml.safe_dump({"objectName": tls.certificate_name, "objectType": "secret"}, sort_keys=True)]},
        sort_keys=True,
    )
    return {
        "apiVersion": "secrets-store.csi.x-k8s.io/v1",
        "kind": "SecretProviderClass",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "provider": "azure",
            "secretObjects": [
                {
                    "secretName": tls.secret_name,
                    "type": "kubernetes.io/tls",
                    "data": [
                        {"objectName": tls.certificate_name, "key": "tls.key"},
                        {"objectName": tls.certificate_name, "key": "tls.crt"},
                    ],
                }
            ],
            "parameters": {
                "usePodIdentity": "false",
                "useVMManagedIdentity": "true",
                "userAssignedIdentityID": tls.secrets_provider_client_id,
                "keyvaultName": tls.vault_name,
                "tenantId": tls.tenant_id,
                "objects": objects,
            },
        },
    }
