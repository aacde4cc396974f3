"""GitOps delivery with the AKS Flux extension, through Azure Resource Manager only.

``GitOpsDelivery`` (stack kubernetes-config): the ``microsoft.flux`` cluster extension and one
``azurerm_kubernetes_flux_configuration`` (scope cluster, namespace flux-system) whose ordered
kustomizations apply the manifests this project renders (constructs_lib/gitops_delivery/manifests.py). Flux pulls
from Git, so Terraform never talks to the API server: no kubernetes/helm provider, no cluster
credentials, no kubelogin.

``FluxSourceIdentity`` (stack aks-cluster): for ``auth: workload-identity``, the user-assigned
identity Flux's source-controller signs in to the Git host with, federated with the cluster's OIDC
issuer. It lives in the cluster's stack because the issuer URL is only known there without reading
the cluster (the ``azurerm_kubernetes_cluster`` data source would store the cluster's kubeconfigs
in the second stack's state), and because a new cluster (new issuer) must replace the credential.

Git credentials (``auth: ssh`` / ``https-token``) come from sensitive Terraform variables at deploy
time, never from the config; the flux configuration keeps them in Terraform state
(docs/gitops.md, "Credentials").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from constructs import Construct

from constructs_lib.gitops_delivery.objects import FLUX_NAMESPACE
from toolchain import shims
from toolchain.azurerm.data_azurerm_user_assigned_identity import DataAzurermUserAssignedIdentity
from toolchain.azurerm.federated_identity_credential import FederatedIdentityCredential
from toolchain.azurerm.kubernetes_cluster_extension import KubernetesClusterExtension
from toolchain.azurerm.kubernetes_flux_configuration import (
    KubernetesFluxConfiguration,
    KubernetesFluxConfigurationGitRepository,
    KubernetesFluxConfigurationKustomizations,
    KubernetesFluxConfigurationKustomizationsPostBuild,
)
from toolchain.azurerm.user_assigned_identity import UserAssignedIdentity
from toolchain.cdk import Fn, TerraformVariable

FLUX_EXTENSION_TYPE = "microsoft.flux"
# The service account Flux's source-controller runs as; its token is what Entra ID federates.
SOURCE_CONTROLLER_SUBJECT = f"system:serviceaccount:{FLUX_NAMESPACE}:source-controller"
TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"
# Terraform variables (TF_VAR_<name>) holding Git credentials; never in the config or the JSON.
HTTPS_TOKEN_VARIABLE = "gitops_https_token"
SSH_PRIVATE_KEY_VARIABLE = "gitops_ssh_private_key"
SSH_KNOWN_HOSTS_VARIABLE = "gitops_ssh_known_hosts"
AUTH_MODES = ("none", "workload-identity", "ssh", "https-token")

# Controllers this project's manifests need (sources, kustomizations, Helm releases); the rest
# off, as Microsoft's AKS baseline does (mspnp/aks-baseline workload-team/cluster-stamp.bicep).
EXTENSION_COMPONENTS = {
    "source-controller.enabled": "true",
    "kustomize-controller.enabled": "true",
    "helm-controller.enabled": "true",
    "notification-controller.enabled": "false",
    "image-automation-controller.enabled": "false",
    "image-reflector-controller.enabled": "false",
}


@dataclass(frozen=True)
class IdentityRef:
    """A user-assigned managed identity that exists before this stack runs."""

    name: str
    resource_group_name: str


@dataclass(frozen=True)
class GitSource:
    url: str
    branch: str
    sync_interval_seconds: int
    auth: str  # one of AUTH_MODES
    https_user: str | None = None  # https-token only


@dataclass(frozen=True)
class KustomizationSpec:
    name: str
    path: str  # folder in the repository
    depends_on: tuple[str, ...] = ()
    # Flux post-build substitution variable -> client id of this identity (values known only
    # after the cluster exists, e.g. the secrets-provider identity's client id).
    substitute_client_ids: Mapping[str, IdentityRef] = field(default_factory=dict)
    timeout_seconds: int = 600
    retry_interval_seconds: int = 120


@dataclass(frozen=True)
class GitOpsDeliveryProps:
    cluster_id: str
    source: GitSource
    kustomizations: tuple[KustomizationSpec, ...]
    # workload-identity: the identity the source-controller uses (FluxSourceIdentity).
    source_identity: IdentityRef | None = None
    configuration_name: str = "cluster-config"
    extension_name: str = "flux"
    # False: the cluster already runs microsoft.flux, managed by its owners (an existing cluster);
    # only the configuration is created. Its settings are then theirs (no workload identity here).
    install_extension: bool = True

    def __post_init__(self) -> None:
        if self.source.auth not in AUTH_MODES:
            raise ValueError(f"auth must be one of {AUTH_MODES}")
        if (self.source.auth == "workload-identity") != (self.source_identity is not None):
            raise ValueError("source_identity is needed exactly with auth workload-identity")
        if self.source_identity is not None and not self.install_extension:
            raise ValueError("workload identity is an extension setting: it needs install_extension")
        names = [k.name for k in self.kustomizations]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"kustomization names must be unique and at least one: {names}")
        for kustomization in self.kustomizations:
            unknown = [d for d in kustomization.depends_on if d not in names[: names.index(kustomization.name)]]
            if unknown:
                raise ValueError(f"{kustomization.name} depends on {unknown}, which must come before it")


class GitOpsDelivery(Construct):
    """Exposes ``extension`` (``None`` when the cluster's owners run Flux), ``configuration``, ``settings`` (the extension's
    configuration_settings), ``identity_reads`` (name -> data source) and ``variables``
    (name -> sensitive Terraform variable)."""

    def __init__(self, scope: Construct, id_: str, *, props: GitOpsDeliveryProps) -> None:
        super().__init__(scope, id_)
        self.identity_reads: dict[str, DataAzurermUserAssignedIdentity] = {}
        self.variables: dict[str, TerraformVariable] = {}

        self.settings = dict(EXTENSION_COMPONENTS)
        if props.source_identity:
            # Learn, tutorial-use-gitops-flux2, "Workload identity in AKS clusters".
            source_identity = self._identity(props.source_identity)
            self.settings |= {"workloadIdentity.enable": "true", "workloadIdentity.azureClientId": source_identity.client_id}
        # No `version`: a new version replaces the extension (ForceNew), which removes Flux's CRDs
        # and with them everything Flux applied; Azure upgrades minor versions in place instead.
        self.extension: KubernetesClusterExtension | None = None
        if props.install_extension:
            self.extension = KubernetesClusterExtension(
                self,
                "extension",
                name=props.extension_name,
                cluster_id=props.cluster_id,
                extension_type=FLUX_EXTENSION_TYPE,
                release_train="stable",
                release_namespace=FLUX_NAMESPACE,
                configuration_settings=self.settings,
            )
        self.configuration = KubernetesFluxConfiguration(
            self,
            "configuration",
            name=props.configuration_name,
            cluster_id=props.cluster_id,
            namespace=FLUX_NAMESPACE,
            # The provider's default is "namespace"; the manifests create namespaces and cluster-
            # scoped instance types, which needs the cluster-wide flux-applier.
            scope="cluster",
            git_repository=self._git_repository(props.source),
            kustomizations=[self._kustomization(k, props.source) for k in props.kustomizations],
            depends_on=[self.extension] if self.extension else None,
        )

    def _identity(self, ref: IdentityRef) -> DataAzurermUserAssignedIdentity:
        """Reads an identity's ids (no credentials: a managed identity has none to read)."""
        if ref.name not in self.identity_reads:
            self.identity_reads[ref.name] = DataAzurermUserAssignedIdentity(
                self, f"identity_{ref.name.replace('-', '_')}", name=ref.name, resource_group_name=ref.resource_group_name
            )
        return self.identity_reads[ref.name]

    def _variable(self, name: str, description: str, *, sensitive: bool = True, default: str | None = None) -> TerraformVariable:
        variable = TerraformVariable(
            self, name, type="string", sensitive=sensitive, nullable=False, default=default, description=description
        )
        # TF_VAR_<name>: the name users set, not a generated construct path.
        variable.override_logical_id(name)
        self.variables[name] = variable
        return variable

    def _git_repository(self, source: GitSource) -> KubernetesFluxConfigurationGitRepository:
        credentials: dict[str, str] = {}
        if source.auth == "https-token":
            assert source.https_user, "guaranteed by config/checks/"
            token = self._variable(
                HTTPS_TOKEN_VARIABLE,
                "Token Flux uses to read the GitOps repository over HTTPS (Azure DevOps PAT, GitHub token). Stored in state.",
            )
            credentials = {"https_user": source.https_user, "https_key_base64": Fn.base64encode(token.string_value)}
        elif source.auth == "ssh":
            key = self._variable(
                SSH_PRIVATE_KEY_VARIABLE,
                "PEM private key of a read-only deploy key for the GitOps repository. Stored in state.",
            )
            self._variable(
                SSH_KNOWN_HOSTS_VARIABLE,
                "known_hosts lines of the Git host; empty: Flux's built-in keys of common Git hosts.",
                sensitive=False,
                default="",
            )
            credentials = {
                "ssh_private_key_base64": Fn.base64encode(key.string_value),
                # Absent (null) unless set: Flux then trusts its built-in keys of common Git hosts.
                "ssh_known_hosts_base64": (
                    f'${{var.{SSH_KNOWN_HOSTS_VARIABLE} == "" ? null : base64encode(var.{SSH_KNOWN_HOSTS_VARIABLE})}}'
                ),
            }
        elif source.auth == "workload-identity":
            credentials = {"provider": "Azure"}
        return KubernetesFluxConfigurationGitRepository(
            url=source.url,
            reference_type="branch",
            reference_value=source.branch,
            sync_interval_in_seconds=source.sync_interval_seconds,
            **credentials,
        )

    def _kustomization(self, spec: KustomizationSpec, source: GitSource) -> KubernetesFluxConfigurationKustomizations:
        post_build = None
        if spec.substitute_client_ids:
            post_build = KubernetesFluxConfigurationKustomizationsPostBuild(
                substitute={variable: self._identity(ref).client_id for variable, ref in spec.substitute_client_ids.items()}
            )
        return KubernetesFluxConfigurationKustomizations(
            name=spec.name,
            path=spec.path,
            depends_on=list(spec.depends_on) or None,
            # Prune: an object removed from the manifests is deleted (the provider default is false).
            garbage_collection_enabled=True,
            # Ready only once what it applied is ready, so the next kustomization starts after.
            wait=True,
            sync_interval_in_seconds=source.sync_interval_seconds,
            retry_interval_in_seconds=spec.retry_interval_seconds,
            timeout_in_seconds=spec.timeout_seconds,
            post_build=post_build,
        )


@dataclass(frozen=True)
class FluxSourceIdentityProps:
    name: str
    resource_group_name: str
    location: str
    oidc_issuer_url: str
    tags: Mapping[str, str] = field(default_factory=dict)


class FluxSourceIdentity(Construct):
    """Exposes ``identity`` and ``credential`` (federated with the cluster's OIDC issuer for the
    source-controller's service account). The Git host must still grant the identity read access
    (Azure DevOps: add it to the organization and the repository; docs/gitops.md)."""

    def __init__(self, scope: Construct, id_: str, *, props: FluxSourceIdentityProps) -> None:
        super().__init__(scope, id_)
        self.identity = UserAssignedIdentity(
            self,
            "identity",
            name=props.name,
            resource_group_name=props.resource_group_name,
            location=props.location,
            tags=dict(props.tags),
        )
        self.credential = FederatedIdentityCredential(
            self,
            "source_controller",
            name="flux-source-controller",
            issuer=props.oidc_issuer_url,
            subject=SOURCE_CONTROLLER_SUBJECT,
            audience=[TOKEN_EXCHANGE_AUDIENCE],
            **shims.federated_identity_credential_parent(
                identity_id=self.identity.id, resource_group_name=props.resource_group_name
            ),
        )
