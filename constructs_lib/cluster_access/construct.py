"""kubernetes and helm providers for an Entra ID (AAD) AKS cluster.

The cluster is read with a data source (no credentials cross stacks); host and CA come from
``kube_config[0]`` and the token from ``kubelogin get-token`` at plan/apply time, so no token is
written into the synthesized configuration. Note: while local accounts are enabled (the Azure ML
extension requires them) the azurerm cluster resource and this data source also record
``kube_admin_config`` in Terraform state whenever the caller may list admin credentials, so the
state of both stacks is secret (README "Security").
"""

from __future__ import annotations

from constructs import Construct

from constructs_lib._lifecycle import postcondition, postconditions
from constructs_lib.cluster_access.login import EXEC_API_VERSION, LOGIN_MODES, ClusterAccessProps, kubelogin_args
from toolchain.azurerm.data_azurerm_kubernetes_cluster import DataAzurermKubernetesCluster
from toolchain.cdk import Fn, TerraformResourceLifecycle
from toolchain.helm.provider import HelmProvider, HelmProviderKubernetes, HelmProviderKubernetesExec
from toolchain.kubernetes.provider import KubernetesProvider, KubernetesProviderExec


def _credential_checks(props: ClusterAccessProps) -> TerraformResourceLifecycle | None:
    if props.login_mode == "admin":
        return _admin_credentials_readable()
    checks = {}
    if props.refuse_admin_credentials:
        checks["${length(self.kube_admin_config) == 0}"] = (
            f"the deploying identity may list the admin credentials of cluster {props.cluster_name} (local accounts are"
            " enabled), and the data source would store them in Terraform state: deploy with an identity that holds"
            " 'Azure Kubernetes Service Cluster User Role' and no role that may list admin credentials, or set"
            " cluster.existing.acknowledge_admin_credentials_in_state: true"
        )
    if props.require_user_credentials:
        checks["${length(self.kube_config) > 0}"] = (
            f"the deploying identity cannot list the user credentials of cluster {props.cluster_name} (API server address"
            " and CA): grant it 'Azure Kubernetes Service Cluster User Role' on the cluster"
        )
    return postconditions(checks)


def _admin_credentials_readable() -> TerraformResourceLifecycle:
    """The data source leaves kube_admin_config empty when the caller may not list admin
    credentials (the API answers 403); fail with a message that says so, instead of Terraform's
    "Invalid index" on kube_admin_config[0] in the provider blocks."""
    return postcondition(
        condition="${length(self.kube_admin_config) > 0}",
        error_message=(
            "kubernetes_auth.login is admin, but the deploying identity cannot list the cluster's admin"
            " credentials: grant it 'Azure Kubernetes Service Cluster Admin Role' on the cluster, or use"
            " a kubelogin mode (azurecli, workloadidentity, spn, msi)."
        ),
    )


class ClusterAccess(Construct):
    """Exposes ``cluster`` (the data source), ``kubernetes_provider`` and ``helm_provider``."""

    def __init__(self, scope: Construct, id_: str, *, props: ClusterAccessProps) -> None:
        super().__init__(scope, id_)
        if props.login_mode not in LOGIN_MODES:
            raise ValueError(f"login_mode must be one of {LOGIN_MODES}")
        self.cluster = DataAzurermKubernetesCluster(
            self,
            "cluster",
            name=props.cluster_name,
            resource_group_name=props.resource_group_name,
            lifecycle=_credential_checks(props),
        )
        if props.login_mode == "admin":
            admin = self.cluster.kube_admin_config.get(0)
            credentials = dict(
                host=admin.host,
                cluster_ca_certificate=Fn.base64decode(admin.cluster_ca_certificate),
                client_certificate=Fn.base64decode(admin.client_certificate),
                client_key=Fn.base64decode(admin.client_key),
            )
            self.kubernetes_provider = KubernetesProvider(self, "kubernetes", **credentials)
            self.helm_provider = HelmProvider(self, "helm", kubernetes=HelmProviderKubernetes(**credentials))
            return

        user = self.cluster.kube_config.get(0)
        endpoint = dict(host=user.host, cluster_ca_certificate=Fn.base64decode(user.cluster_ca_certificate))
        args = kubelogin_args(props.login_mode, props.tenant_id)
        self.kubernetes_provider = KubernetesProvider(
            self,
            "kubernetes",
            **endpoint,
            exec=[KubernetesProviderExec(api_version=EXEC_API_VERSION, command="kubelogin", args=args)],
        )
        self.helm_provider = HelmProvider(
            self,
            "helm",
            kubernetes=HelmProviderKubernetes(
                **endpoint, exec=HelmProviderKubernetesExec(api_version=EXEC_API_VERSION, command="kubelogin", args=args)
            ),
        )
