from constructs_lib.azureml_ingress.construct import AzureMLRoute, AzureMLRouteProps, route_manifest

__all__ = ["AzureMLRoute", "AzureMLRouteProps", "route_manifest"]
