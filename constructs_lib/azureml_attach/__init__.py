from constructs_lib._exports import lazy_exports

# Each name is imported from its module on first use (constructs_lib/_exports.py).
__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "construct": ("AzureMLComputeAttach",),
        "compute": (
            "CLUSTER_ADMIN_ROLE",
            "COMPUTE_API_VERSION",
            "CONTRIBUTOR",
            "EXTENSION_CONTRIBUTOR",
            "ML_WORKLOAD_ROLE",
            "RBAC_CLUSTER_ADMIN",
            "READER",
            "TRUSTED_ACCESS_API_VERSION",
            "AzureMLAttachProps",
            "compute_body",
        ),
        "scripts": ("ATTACH_SCRIPT", "DETACH_SCRIPT"),
    },
)
