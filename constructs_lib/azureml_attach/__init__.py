from constructs_lib.azureml_attach.construct import (
    CLUSTER_ADMIN_ROLE,
    COMPUTE_API_VERSION,
    CONTRIBUTOR,
    EXTENSION_CONTRIBUTOR,
    ML_WORKLOAD_ROLE,
    RBAC_CLUSTER_ADMIN,
    READER,
    TRUSTED_ACCESS_API_VERSION,
    AzureMLAttachProps,
    AzureMLComputeAttach,
    compute_body,
)
from constructs_lib.azureml_attach.scripts import ATTACH_SCRIPT, DETACH_SCRIPT

__all__ = [
    "ATTACH_SCRIPT",
    "CLUSTER_ADMIN_ROLE",
    "COMPUTE_API_VERSION",
    "CONTRIBUTOR",
    "DETACH_SCRIPT",
    "EXTENSION_CONTRIBUTOR",
    "ML_WORKLOAD_ROLE",
    "RBAC_CLUSTER_ADMIN",
    "READER",
    "TRUSTED_ACCESS_API_VERSION",
    "AzureMLAttachProps",
    "AzureMLComputeAttach",
    "compute_body",
]
