"""The Flux objects GitOps mode adds around the shared Kubernetes objects: the chart's
HelmRepository and the controller's HelmRelease, plus the kustomize file listing a folder.
Pure functions (no cdktf, no config), like constructs_lib/kubernetes_objects.

Multi-tenancy (on by default in the AKS Flux extension): Flux impersonates the ``flux-applier``
service account, which exists only in the flux configuration's namespace, and refuses
cross-namespace source references. So the HelmRelease and its HelmRepository both live in
``flux-system`` and the release is installed into the controller's namespace with
``targetNamespace`` (Learn, conceptual-gitops-flux2, "Update manifests for multi-tenancy").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

FLUX_NAMESPACE = "flux-system"
HELM_RELEASE_API_VERSION = "helm.toolkit.fluxcd.io/v2"
HELM_REPOSITORY_API_VERSION = "source.toolkit.fluxcd.io/v1"
KUSTOMIZE_API_VERSION = "kustomize.config.k8s.io/v1beta1"
# How often Flux checks the chart source and re-reconciles the release (drift, failed upgrades).
CHART_INTERVAL = "1h"
RELEASE_INTERVAL = "10m"
# Install/upgrade attempts before the release is left failed (each failure is rolled back first).
REMEDIATION_RETRIES = 3


def substitution(variable: str) -> str:
    """A Flux post-build substitution variable, as it appears in a manifest (``${NAME}``)."""
    return "${" + variable + "}"


def helm_repository(*, name: str, namespace: str, url: str, provider: str | None = None) -> dict[str, Any]:
    """The chart's repository; an ``oci://`` URL makes it an OCI registry (``type: oci``).
    ``provider: azure`` (OCI only): source-controller signs in to an Azure Container Registry with
    the credentials the node offers, the kubelet identity that holds AcrPull on it."""
    spec: dict[str, Any] = {"url": url, "interval": CHART_INTERVAL}
    if url.startswith("oci://"):
        spec["type"] = "oci"
        if provider:
            spec["provider"] = provider
    return {
        "apiVersion": HELM_REPOSITORY_API_VERSION,
        "kind": "HelmRepository",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def helm_release(
    *,
    name: str,
    namespace: str,
    release_name: str,
    target_namespace: str,
    chart: str,
    version: str,
    repository_name: str,
    values: Mapping[str, Any],
    timeout_seconds: int,
    disable_schema_validation: bool,
) -> dict[str, Any]:
    """The release terraform mode makes with helm_release (atomic, wait, cleanup_on_fail, the
    same timeout), as helm-controller does it: a failed install is uninstalled and a failed
    upgrade rolled back, then retried; helm-controller waits for the resources by default.

    ``storageNamespace`` and ``releaseName`` equal terraform mode's release, so the Helm release
    record is the same one: switching modes hands the existing release over (docs/gitops.md)."""
    install: dict[str, Any] = {"createNamespace": False, "remediation": {"retries": REMEDIATION_RETRIES}}
    upgrade: dict[str, Any] = {
        "cleanupOnFail": True,
        "remediation": {"retries": REMEDIATION_RETRIES, "strategy": "rollback"},
    }
    if disable_schema_validation:
        install["disableSchemaValidation"] = True
        upgrade["disableSchemaValidation"] = True
    return {
        "apiVersion": HELM_RELEASE_API_VERSION,
        "kind": "HelmRelease",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "interval": RELEASE_INTERVAL,
            "releaseName": release_name,
            "targetNamespace": target_namespace,
            "storageNamespace": target_namespace,
            "chart": {
                "spec": {
                    "chart": chart,
                    "version": version,
                    "sourceRef": {"kind": "HelmRepository", "name": repository_name},
                }
            },
            "timeout": f"{timeout_seconds}s",
            "install": install,
            "upgrade": upgrade,
            "values": dict(values),
        },
    }


def kustomize_file(resources: Sequence[str]) -> dict[str, Any]:
    """kustomization.yaml naming exactly the generated files: Flux would otherwise generate one
    that takes every YAML file in the folder, including any left there by hand."""
    return {"apiVersion": KUSTOMIZE_API_VERSION, "kind": "Kustomization", "resources": list(resources)}
