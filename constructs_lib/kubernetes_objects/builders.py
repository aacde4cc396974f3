"""Every Kubernetes object this project puts into the cluster, as a plain manifest (dict).

One builder per object, shared by both delivery modes: terraform mode turns the manifest into a
typed kubernetes-provider resource (or a kubernetes_manifest for custom resources), GitOps mode
writes it as YAML for Flux. tests/gitops holds the two to equality, so the modes cannot drift.
Pure functions: no cdktf, no config, testable alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from constructs_lib.nginx_ingress.controllers import PrefixRoute

AZUREML_FE_SERVICE = "azureml-fe"
AZUREML_FE_PORT = 80
# Label of the inference router's pods (AML-Kubernetes docs/private-link.md).
AZUREML_FE_LABELS = {"azuremlappname": "azureml-fe"}
# AKS labels every node with its pool's name: the one label that selects a single pool (every
# azureml pool shares azureml.node_label).
AGENT_POOL_LABEL = "kubernetes.azure.com/agentpool"
INSTANCE_TYPE_API_VERSION = "amlarc.azureml.com/v1alpha1"
# Set by the API server on every namespace (Kubernetes 1.22+): selects a namespace by name.
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


def namespace(name: str, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if labels:
        metadata["labels"] = dict(labels)
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": metadata}


def secret_provider_class(
    *,
    name: str,
    namespace: str,
    vault_name: str,
    tenant_id: str,
    certificate_name: str,
    client_id: str,
    secret_name: str,
) -> dict[str, Any]:
    """Key Vault certificate -> a kubernetes.io/tls Secret ``secret_name``, synced by the CSI
    driver while a pod mounts this class. ``client_id``: the secrets-provider add-on identity."""
    # A Key Vault certificate's "secret" object holds the key and the chain (PEM); the CSI driver
    # splits it into tls.key/tls.crt.
    objects = yaml.safe_dump(
        {"array": [yaml.safe_dump({"objectName": certificate_name, "objectType": "secret"}, sort_keys=True)]},
        sort_keys=True,
    )
    return {
        "apiVersion": "secrets-store.csi.x-k8s.io/v1",
        "kind": "SecretProviderClass",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "provider": "azure",
            "secretObjects": [
                {
                    "secretName": secret_name,
                    "type": "kubernetes.io/tls",
                    "data": [
                        {"objectName": certificate_name, "key": "tls.key"},
                        {"objectName": certificate_name, "key": "tls.crt"},
                    ],
                }
            ],
            "parameters": {
                "usePodIdentity": "false",
                "useVMManagedIdentity": "true",
                "userAssignedIdentityID": client_id,
                "keyvaultName": vault_name,
                "tenantId": tenant_id,
                "objects": objects,
            },
        },
    }


def route_ingress(
    *, name: str, namespace: str, class_name: str, route: PrefixRoute, host: str | None, tls: bool
) -> dict[str, Any]:
    """The Ingress that sends the route's paths to azureml-fe. With TLS the controller serves its
    default certificate: the tls entry names the host without a secret (the Secret lives in the
    controller's namespace, not here)."""
    if tls and not host:
        raise ValueError("a TLS route needs a host name")
    rule: dict[str, Any] = {
        "http": {
            "paths": [
                {
                    "path": path.path,
                    "pathType": path.path_type,
                    "backend": {"service": {"name": AZUREML_FE_SERVICE, "port": {"number": AZUREML_FE_PORT}}},
                }
                for path in route.paths
            ]
        }
    }
    if host:
        rule = {"host": host, **rule}
    spec: dict[str, Any] = {"ingressClassName": class_name, "rules": [rule]}
    if tls:
        spec["tls"] = [{"hosts": [host]}]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": name, "namespace": namespace, "annotations": dict(route.annotations)},
        "spec": spec,
    }


def router_network_policy(*, name: str, namespace: str, ingress_namespace: str) -> dict[str, Any]:
    """Only the ingress controller's namespace and the extension's own namespace may reach the
    azureml-fe pods; nothing else in ``namespace`` is selected, so nothing else is restricted.

    No port list: NetworkPolicy ports match the pods' ports, and the azureml-fe Service's
    targetPort is published nowhere (Learn lists the router pods' ports 8000, 8001, 9001, 11001,
    12001, 12101, 12201 and 20000 for "internal communication"); a guessed port would break
    inference. The sources are what the policy restricts."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "podSelector": {"matchLabels": dict(AZUREML_FE_LABELS)},
            "policyTypes": ["Ingress"],
            "ingress": [
                {"from": [{"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: ingress_namespace}}}]},
                # Router replicas find each other; the extension's components (metrics) call in.
                {"from": [{"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: namespace}}}]},
            ],
        },
    }


@dataclass(frozen=True)
class InstanceTypeSpec:
    name: str
    node_pool: str
    requests: Mapping[str, str] = field(default_factory=dict)  # cpu, memory
    limits: Mapping[str, str | int] = field(default_factory=dict)  # cpu, memory, nvidia.com/gpu (a count)


def instance_type(spec: InstanceTypeSpec) -> dict[str, Any]:
    """An Azure ML instance type (cluster-scoped custom resource of the extension) that pins jobs
    and deployments to one node pool. GPUs go in limits only (AML-Kubernetes docs/instance-type.md)."""
    return {
        "apiVersion": INSTANCE_TYPE_API_VERSION,
        "kind": "InstanceType",
        "metadata": {"name": spec.name},
        "spec": {
            "nodeSelector": {AGENT_POOL_LABEL: spec.node_pool},
            "resources": {"requests": dict(spec.requests), "limits": dict(spec.limits)},
        },
    }
