from constructs_lib.azureml_workloads.construct import AzureMLWorkloads
from constructs_lib.azureml_workloads.objects import (
    ROUTER_POLICY_NAME,
    AzureMLWorkloadsProps,
    RouterPolicy,
    WorkloadObjects,
    workload_objects,
)

__all__ = [
    "ROUTER_POLICY_NAME",
    "AzureMLWorkloads",
    "AzureMLWorkloadsProps",
    "RouterPolicy",
    "WorkloadObjects",
    "workload_objects",
]
