"""Azure ML Kubernetes extension (``microsoft.azureml.kubernetes``), cluster scope, namespace
``azureml``. The inference router never gets a public IP: clusterIP behind the project's own
ingress, or an internal Azure load balancer.

Terraform bypasses ``az k8s-extension create``, which derives many settings before it calls ARM
(azure-cli-extensions, src/k8s-extension/.../partner_extensions/AzureMLKubernetes.py, k8s-extension
1.5.1). :func:`extension_settings` sets the same keys, with the same values, for every combination
this project accepts; tests/constructs_lib/test_azureml_extension.py holds that table.
"""

from __future__ import annotations

from collections.abc import Sequence

from constructs import Construct

from constructs_lib._lifecycle import lifecycle
from constructs_lib.azureml_extension.settings import (
    AZUREML_NAMESPACE,
    EXTENSION_TYPE,
    AzureMLExtensionProps,
    extension_settings,
)
from toolchain.azurerm.data_azurerm_key_vault_certificate_data import DataAzurermKeyVaultCertificateData
from toolchain.azurerm.kubernetes_cluster_extension import (
    KubernetesClusterExtension,
    KubernetesClusterExtensionTimeouts,
)
from toolchain.cdk import Fn, ITerraformDependable


def router_tls_protected_settings(certificate_pem: str, private_key_pem: str) -> dict[str, str]:
    """configuration_protected_settings for TLS at the router: base64 of the PEM chain and key,
    as the CLI sends them from --config-protected ssl files (scoringFe.sslCert/scoringFe.sslKey)."""
    return {"scoringFe.sslCert": Fn.base64encode(certificate_pem), "scoringFe.sslKey": Fn.base64encode(private_key_pem)}


class AzureMLExtension(Construct):
    """Exposes ``extension``, ``settings`` (the configuration_settings map) and
    ``router_certificate`` (the Key Vault certificate data source, or ``None``)."""

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
        self.router_certificate: DataAzurermKeyVaultCertificateData | None = None
        protected = None
        if props.router_certificate and props.enable_inference:
            self.router_certificate = DataAzurermKeyVaultCertificateData(
                self,
                "router_certificate",
                key_vault_id=props.router_certificate.key_vault_id,
                name=props.router_certificate.certificate_name,
            )
            protected = router_tls_protected_settings(self.router_certificate.pem, self.router_certificate.key)
        self.extension = KubernetesClusterExtension(
            self,
            "extension",
            name=props.name,
            cluster_id=props.cluster_id,
            extension_type=EXTENSION_TYPE,
            release_train="stable",
            release_namespace=AZUREML_NAMESPACE,
            configuration_settings=self.settings,
            configuration_protected_settings=protected,
            # Installs ~20 workloads; the router and Volcano wait for nodes in the ML pools.
            timeouts=KubernetesClusterExtensionTimeouts(create="60m", update="60m", delete="30m"),
            depends_on=list(depends_on) or None,
            lifecycle=lifecycle(
                protect=False,
                ignore_changes=[f'configuration_settings["{key}"]' for key in props.settings_applied_elsewhere],
            ),
        )
