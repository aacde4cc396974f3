from constructs_lib._exports import lazy_exports

# Each name is imported from its module on first use (constructs_lib/_exports.py).
__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "construct": ("AzureMLExtension", "router_tls_protected_settings"),
        "settings": (
            "AZUREML_NAMESPACE",
            "SMALL_CLUSTER_NODES",
            "AzureMLExtensionProps",
            "RouterCertificate",
            "escape_setting_key",
            "extension_settings",
        ),
    },
)
