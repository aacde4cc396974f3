"""Terraform mode: the Azure ML compute's namespace, its instance types and the router's
NetworkPolicy, created through the kubernetes provider (objects from objects.py)."""

from __future__ import annotations

from collections.abc import Sequence

from constructs import Construct

from constructs_lib.azureml_workloads.objects import AzureMLWorkloadsProps, workload_objects
from toolchain import shims
from toolchain.cdk import ITerraformDependable, TerraformProvider
from toolchain.kubernetes.manifest import Manifest, ManifestFieldManager
from toolchain.kubernetes.namespace_v1 import NamespaceV1, NamespaceV1Metadata
from toolchain.kubernetes.network_policy_v1 import (
    NetworkPolicyV1,
    NetworkPolicyV1Metadata,
    NetworkPolicyV1Spec,
    NetworkPolicyV1SpecIngress,
    NetworkPolicyV1SpecIngressFrom,
    NetworkPolicyV1SpecIngressFromNamespaceSelector,
    NetworkPolicyV1SpecPodSelector,
)


class AzureMLWorkloads(Construct):
    """Exposes ``objects`` (the Kubernetes objects), ``namespace``, ``instance_types`` (name ->
    kubernetes_manifest) and ``router_network_policy`` (or ``None``)."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        props: AzureMLWorkloadsProps,
        kubernetes_provider: TerraformProvider,
        depends_on: Sequence[ITerraformDependable] = (),
    ) -> None:
        """``depends_on``: what must exist first (the InstanceType CRD comes with the Azure ML
        extension of the aks-cluster stack, deployed before this one)."""
        super().__init__(scope, id_)
        self.objects = workload_objects(props)
        metadata = self.objects.namespace["metadata"]
        self.namespace = NamespaceV1(
            self,
            "compute_namespace",
            metadata=shims.single_block(NamespaceV1Metadata(name=metadata["name"], labels=metadata["labels"])),
            provider=kubernetes_provider,
            depends_on=list(depends_on) or None,
        )
        self.instance_types = {
            name: Manifest(
                self,
                f"instance_type_{name}",
                manifest=manifest,
                # Azure ML writes defaultinstancetype itself at attach: this project's definition
                # wins server-side-apply conflicts instead of failing the next apply.
                field_manager=ManifestFieldManager(force_conflicts=True),
                provider=kubernetes_provider,
                depends_on=list(depends_on) or None,
            )
            for name, manifest in self.objects.instance_types.items()
        }
        self.router_network_policy: NetworkPolicyV1 | None = None
        if self.objects.router_network_policy:
            self.router_network_policy = _network_policy(self, self.objects.router_network_policy, kubernetes_provider)


def _network_policy(scope: Construct, manifest: dict, provider: TerraformProvider) -> NetworkPolicyV1:
    spec = manifest["spec"]
    return NetworkPolicyV1(
        scope,
        "router_network_policy",
        metadata=NetworkPolicyV1Metadata(name=manifest["metadata"]["name"], namespace=manifest["metadata"]["namespace"]),
        spec=NetworkPolicyV1Spec(
            pod_selector=NetworkPolicyV1SpecPodSelector(match_labels=spec["podSelector"]["matchLabels"]),
            policy_types=spec["policyTypes"],
            ingress=[
                NetworkPolicyV1SpecIngress(
                    from_=[
                        NetworkPolicyV1SpecIngressFrom(
                            namespace_selector=NetworkPolicyV1SpecIngressFromNamespaceSelector(
                                match_labels=peer["namespaceSelector"]["matchLabels"]
                            )
                        )
                        for peer in rule["from"]
                    ]
                )
                for rule in spec["ingress"]
            ],
        ),
        provider=provider,
    )
