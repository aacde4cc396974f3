from constructs_lib.cluster_access.construct import (
    AKS_AAD_SERVER_APP_ID,
    LOGIN_MODES,
    ClusterAccess,
    ClusterAccessProps,
    kubelogin_args,
)

__all__ = ["AKS_AAD_SERVER_APP_ID", "LOGIN_MODES", "ClusterAccess", "ClusterAccessProps", "kubelogin_args"]
