from constructs_lib.azureml_attach.construct import (
    CLUSTER_ADMIN_ROLE,
    COMPUTE_API_VERSION,
    CONTRIBUTOR,
    DETACH_SCRIPT,
    EXTENSION_CONTRIBUTOR,
    ML_WORKLOAD_ROLE,
    RBAC_CLUSTER_ADMIN,
    READER,
    AzureMLAttachProps,
    AzureMLComputeAttach,
    compute_template,
    deployment_name,
)

__all__ = [
    "CLUSTER_ADMIN_ROLE",
    "COMPUTE_API_VERSION",
    "CONTRIBUTOR",
    "DETACH_SCRIPT",
    "EXTENSION_CONTRIBUTOR",
    "ML_WORKLOAD_ROLE",
    "RBAC_CLUSTER_ADMIN",
    "READER",
    "AzureMLAttachProps",
    "AzureMLComputeAttach",
    "compute_template",
    "deployment_name",
]
