from constructs_lib.aks_cluster.construct import (
    AksCluster,
    AksClusterProps,
    MaintenanceWindow,
    NodePoolSpec,
    PoolSpec,
    PrivateApi,
    SystemPoolSpec,
)

__all__ = ["AksCluster", "AksClusterProps", "MaintenanceWindow", "NodePoolSpec", "PoolSpec", "PrivateApi", "SystemPoolSpec"]
