from constructs_lib.nginx_ingress.construct import NginxIngress
from constructs_lib.nginx_ingress.controllers import (
    CHARTS,
    COMMUNITY_INGRESS_NGINX,
    F5_NGINX,
    RETIRED_WARNING,
    ControllerSettings,
    PrefixRoute,
    RoutePath,
    controller_values,
    prefix_route,
)
from constructs_lib.nginx_ingress.objects import ControllerObjects, KeyVaultTls, NginxIngressProps, controller_objects

__all__ = [
    "CHARTS",
    "COMMUNITY_INGRESS_NGINX",
    "F5_NGINX",
    "RETIRED_WARNING",
    "ControllerObjects",
    "ControllerSettings",
    "KeyVaultTls",
    "NginxIngress",
    "NginxIngressProps",
    "PrefixRoute",
    "RoutePath",
    "controller_objects",
    "controller_values",
    "prefix_route",
]
