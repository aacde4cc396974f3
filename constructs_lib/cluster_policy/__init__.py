from constructs_lib._exports import lazy_exports

# Each name is imported from its module on first use (constructs_lib/_exports.py).
__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "construct": (
            "BASELINE_DEFAULT_EXCLUDED_NAMESPACES",
            "INTERNAL_LOAD_BALANCERS_POLICY_ID",
            "POD_SECURITY_BASELINE_INITIATIVE_ID",
            "ClusterPolicy",
            "ClusterPolicyProps",
        ),
    },
)
