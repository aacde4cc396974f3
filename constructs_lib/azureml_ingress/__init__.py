from constructs_lib.azureml_ingress.construct import AZUREML_FE_PORT, AZUREML_FE_SERVICE, AzureMLRoute, AzureMLRouteProps

__all__ = ["AZUREML_FE_PORT", "AZUREML_FE_SERVICE", "AzureMLRoute", "AzureMLRouteProps"]
