from constructs_lib._exports import lazy_exports

# Each name is imported from its module on first use (constructs_lib/_exports.py).
__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "builders": (
            "AGENT_POOL_LABEL",
            "AZUREML_FE_LABELS",
            "AZUREML_FE_PORT",
            "AZUREML_FE_SERVICE",
            "INSTANCE_TYPE_API_VERSION",
            "InstanceTypeSpec",
            "instance_type",
            "namespace",
            "route_ingress",
            "router_network_policy",
            "secret_provider_class",
        ),
    },
)
