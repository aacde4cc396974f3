from constructs_lib._exports import lazy_exports

# Each name is imported from its module on first use (constructs_lib/_exports.py).
__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "construct": ("NginxIngress",),
        "controllers": (
            "CHARTS",
            "COMMUNITY_INGRESS_NGINX",
            "F5_NGINX",
            "RETIRED_WARNING",
            "ControllerSettings",
            "PrefixRoute",
            "RoutePath",
            "controller_values",
            "prefix_route",
        ),
        "objects": ("ControllerObjects", "KeyVaultTls", "NginxIngressProps", "controller_objects"),
    },
)
