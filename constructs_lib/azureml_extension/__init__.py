from constructs_lib.azureml_extension.construct import (
    AZUREML_NAMESPACE,
    AzureMLExtension,
    AzureMLExtensionProps,
    RouterTls,
    extension_settings,
)

__all__ = ["AZUREML_NAMESPACE", "AzureMLExtension", "AzureMLExtensionProps", "RouterTls", "extension_settings"]
