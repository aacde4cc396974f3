from constructs_lib.nginx_ingress.construct import KeyVaultTls, NginxIngress, NginxIngressProps
from constructs_lib.nginx_ingress.controllers import (
    CHARTS,
    COMMUNITY_INGRESS_NGINX,
    F5_NGINX,
    RETIRED_WARNING,
    ControllerSettings,
    PrefixRoute,
    controller_values,
    prefix_route,
)

__all__ = [
    "CHARTS",
    "COMMUNITY_INGRESS_NGINX",
    "F5_NGINX",
    "RETIRED_WARNING",
    "ControllerSettings",
    "KeyVaultTls",
    "NginxIngress",
    "NginxIngressProps",
    "PrefixRoute",
    "controller_values",
    "prefix_route",
]
