from constructs_lib.cluster_policy.construct import (
    BASELINE_DEFAULT_EXCLUDED_NAMESPACES,
    INTERNAL_LOAD_BALANCERS_POLICY_ID,
    POD_SECURITY_BASELINE_INITIATIVE_ID,
    ClusterPolicy,
    ClusterPolicyProps,
)

__all__ = [
    "BASELINE_DEFAULT_EXCLUDED_NAMESPACES",
    "INTERNAL_LOAD_BALANCERS_POLICY_ID",
    "POD_SECURITY_BASELINE_INITIATIVE_ID",
    "ClusterPolicy",
    "ClusterPolicyProps",
]
