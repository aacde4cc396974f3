from constructs_lib.kubernetes_objects.builders import (
    AGENT_POOL_LABEL,
    AZUREML_FE_LABELS,
    AZUREML_FE_PORT,
    AZUREML_FE_SERVICE,
    INSTANCE_TYPE_API_VERSION,
    InstanceTypeSpec,
    instance_type,
    namespace,
    route_ingress,
    router_network_policy,
    secret_provider_class,
)

__all__ = [
    "AGENT_POOL_LABEL",
    "AZUREML_FE_LABELS",
    "AZUREML_FE_PORT",
    "AZUREML_FE_SERVICE",
    "INSTANCE_TYPE_API_VERSION",
    "InstanceTypeSpec",
    "instance_type",
    "namespace",
    "route_ingress",
    "router_network_policy",
    "secret_provider_class",
]
