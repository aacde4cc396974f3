from constructs_lib._exports import lazy_exports

# Each name is imported from its module on first use (constructs_lib/_exports.py).
__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "construct": (
            "FLUX_EXTENSION_TYPE",
            "HTTPS_TOKEN_VARIABLE",
            "SOURCE_CONTROLLER_SUBJECT",
            "SSH_KNOWN_HOSTS_VARIABLE",
            "SSH_PRIVATE_KEY_VARIABLE",
            "FluxSourceIdentity",
            "FluxSourceIdentityProps",
            "GitOpsDelivery",
            "GitOpsDeliveryProps",
            "GitSource",
            "IdentityRef",
            "KustomizationSpec",
        ),
        "objects": ("FLUX_NAMESPACE", "helm_release", "helm_repository", "kustomize_file", "substitution"),
    },
)
