"""How Terraform's kubernetes and helm providers log in to an Entra ID AKS cluster: the props of
ClusterAccess and kubelogin's arguments (no jsii: `make check` tests them)."""

from __future__ import annotations

from dataclasses import dataclass

# The AKS AAD server application, the audience of every token for an Entra ID AKS cluster.
AKS_AAD_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"
EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"
KUBELOGIN_MODES = ("azurecli", "workloadidentity", "spn", "msi")
# "admin": break-glass client certificate from kube_admin_config (lands in state).
LOGIN_MODES = (*KUBELOGIN_MODES, "admin")


@dataclass(frozen=True)
class ClusterAccessProps:
    cluster_name: str
    resource_group_name: str
    login_mode: str
    tenant_id: str
    # A cluster this project does not own (constructs_lib/existing_cluster): fail the plan,
    # before anything is stored, when the data source returned the admin credentials, and say
    # which role is missing when it could not list the user credentials (the read swallows 403s).
    refuse_admin_credentials: bool = False
    require_user_credentials: bool = False


def kubelogin_args(login_mode: str, tenant_id: str) -> list[str]:
    if login_mode not in KUBELOGIN_MODES:
        raise ValueError(f"login_mode must be one of {KUBELOGIN_MODES}")
    args = ["get-token", "--login", login_mode, "--server-id", AKS_AAD_SERVER_APP_ID]
    if login_mode in ("spn", "workloadidentity"):
        # Client id and secret/federated token come from the environment (AZURE_CLIENT_ID, ...).
        args += ["--tenant-id", tenant_id]
    return args
