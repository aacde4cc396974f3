"""The shared builders of every in-cluster object (both delivery modes use them)."""

from __future__ import annotations

import pytest
import yaml

from constructs_lib.azureml_workloads import AzureMLWorkloadsProps, RouterPolicy, workload_objects
from constructs_lib.kubernetes_objects import (
    InstanceTypeSpec,
    instance_type,
    namespace,
    route_ingress,
    router_network_policy,
    secret_provider_class,
)
from constructs_lib.nginx_ingress import F5_NGINX, prefix_route


def test_route_ingress_with_tls_names_the_host_but_no_secret():
    ingress = route_ingress(
        name="r", namespace="azureml", class_name="nginx-internal", route=prefix_route(F5_NGINX, "/aml/", "azureml-fe"),
        host="aml.example.internal", tls=True,
    )  # fmt: skip
    assert ingress["spec"]["tls"] == [{"hosts": ["aml.example.internal"]}]
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "aml.example.internal"
    assert [p["path"] for p in rule["http"]["paths"]] == ["/aml/", "/aml"]
    assert {p["backend"]["service"]["name"] for p in rule["http"]["paths"]} == {"azureml-fe"}
    with pytest.raises(ValueError):
        route_ingress(
            name="r", namespace="azureml", class_name="c", route=prefix_route(F5_NGINX, "/aml/", "x"), host=None, tls=True
        )


def test_router_network_policy_selects_only_the_router():
    policy = router_network_policy(name="p", namespace="azureml", ingress_namespace="nginx-ingress")
    assert policy["spec"]["podSelector"] == {"matchLabels": {"azuremlappname": "azureml-fe"}}
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    namespaces = [
        peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        for r in policy["spec"]["ingress"]
        for peer in r["from"]
    ]
    assert namespaces == ["nginx-ingress", "azureml"]


def test_instance_type_pins_one_pool():
    spec = InstanceTypeSpec(name="gpu", node_pool="mlgpu", requests={"cpu": "1", "memory": "1Gi"}, limits={"nvidia.com/gpu": 1})
    obj = instance_type(spec)
    assert obj["kind"] == "InstanceType" and obj["spec"]["nodeSelector"] == {"kubernetes.azure.com/agentpool": "mlgpu"}


def test_secret_provider_class_syncs_a_tls_secret():
    spc = secret_provider_class(
        name="tls-keyvault", namespace="nginx-ingress", vault_name="kv", tenant_id="t", certificate_name="cert",
        client_id="${SECRETS_PROVIDER_CLIENT_ID}", secret_name="tls",
    )  # fmt: skip
    assert spc["spec"]["secretObjects"][0]["type"] == "kubernetes.io/tls"
    assert yaml.safe_load(yaml.safe_load(spc["spec"]["parameters"]["objects"])["array"][0]) == {
        "objectName": "cert",
        "objectType": "secret",
    }


def test_workload_objects_refuse_duplicate_instance_types():
    twice = (InstanceTypeSpec(name="a", node_pool="p"), InstanceTypeSpec(name="a", node_pool="q"))
    with pytest.raises(ValueError):
        workload_objects(AzureMLWorkloadsProps(compute_namespace="ml", instance_types=twice, router_policy=None))
    objects = workload_objects(
        AzureMLWorkloadsProps(compute_namespace="ml", instance_types=(), router_policy=RouterPolicy("azureml", "ing"))
    )
    assert objects.namespace == namespace("ml", {"app.kubernetes.io/part-of": "aks-azureml-compute"})
    assert objects.router_network_policy is not None
