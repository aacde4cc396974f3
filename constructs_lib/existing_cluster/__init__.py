from constructs_lib.existing_cluster.construct import (
    CLUSTER_USER_ROLE,
    BaselineRelaxations,
    ExistingCluster,
    ExistingClusterProps,
    NodeSubnet,
    cluster_checks,
)

__all__ = ["CLUSTER_USER_ROLE", "BaselineRelaxations", "ExistingCluster", "ExistingClusterProps", "NodeSubnet", "cluster_checks"]
