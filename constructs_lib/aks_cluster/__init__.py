from constructs_lib.aks_cluster.construct import (
    AksCluster,
    AksClusterProps,
    MaintenanceWindow,
    NodePoolSpec,
    PrivateApi,
    SystemPoolSpec,
)

__all__ = ["AksCluster", "AksClusterProps", "MaintenanceWindow", "NodePoolSpec", "PrivateApi", "SystemPoolSpec"]
