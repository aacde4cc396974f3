from constructs_lib.azureml_extension.construct import (
    AZUREML_NAMESPACE,
    AzureMLExtension,
    AzureMLExtensionProps,
    RouterCertificate,
    escape_setting_key,
    extension_settings,
    router_tls_protected_settings,
)

__all__ = [
    "AZUREML_NAMESPACE",
    "AzureMLExtension",
    "AzureMLExtensionProps",
    "RouterCertificate",
    "escape_setting_key",
    "extension_settings",
    "router_tls_protected_settings",
]
