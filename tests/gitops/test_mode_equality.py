"""One source of truth: the Kubernetes objects GitOps mode writes for Flux equal those terraform
mode creates for the same config, modulo Flux substitution variables.

For each gitops-* fixture, its terraform-mode twin (the same file with kubernetes_config.mode:
terraform) is synthesized like `make synth` does, and every in-cluster object is read back from
the synthesized kubernetes-config stack: typed resources (namespace, Ingress, NetworkPolicy)
converted to their Kubernetes form, kubernetes_manifest objects (SecretProviderClass, instance
types) as they are, and the Helm release's chart and values."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

import tools.images.__main__ as images
from config.loader import load_config
from tests.gitops.conftest import GITOPS_CONFIGS, rendered, terraform_twin_stacks

STACK = "kubernetes-config"
FLUX_KINDS = {"HelmRelease", "HelmRepository"}
# Fields whose values are maps of arbitrary keys (label keys may contain '_'): copied as they are.
MAP_FIELDS = {"labels", "annotations", "match_labels"}
# Typed blocks the kubernetes provider names in the singular.
PLURALS = {"rule": "rules", "path": "paths"}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def kubernetes_form(value: Any) -> Any:
    """A typed kubernetes-provider block (snake_case, singular list blocks) as the Kubernetes API
    spells it."""
    if isinstance(value, list):
        return [kubernetes_form(v) for v in value]
    if not isinstance(value, dict):
        return value
    converted = {}
    for key, item in value.items():
        if key in MAP_FIELDS:
            converted[_camel(key)] = dict(item)
        elif key in PLURALS and isinstance(item, list):
            converted[PLURALS[key]] = kubernetes_form(item)
        else:
            converted[_camel(key)] = kubernetes_form(item)
    return converted


def terraform_objects(stack: dict) -> tuple[list[dict], dict]:
    """The in-cluster objects terraform mode creates, and its helm_release."""
    resources = stack["resource"]
    objects = []
    for namespace in resources.get("kubernetes_namespace_v1", {}).values():
        objects.append({"apiVersion": "v1", "kind": "Namespace", "metadata": kubernetes_form(namespace["metadata"])})
    for ingress in resources.get("kubernetes_ingress_v1", {}).values():
        objects.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "Ingress",
                "metadata": kubernetes_form(ingress["metadata"]),
                "spec": kubernetes_form(ingress["spec"]),
            }
        )
    for policy in resources.get("kubernetes_network_policy_v1", {}).values():
        objects.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": kubernetes_form(policy["metadata"]),
                "spec": kubernetes_form(policy["spec"]),
            }
        )
    objects += [m["manifest"] for m in resources.get("kubernetes_manifest", {}).values()]
    (release,) = resources["helm_release"].values()
    return objects, release


def substitute(value: Any, variables: dict[str, str]) -> Any:
    """What Flux's post-build substitution does to a manifest (``${NAME}`` -> value)."""
    if isinstance(value, str):
        return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: variables.get(m[1], m[0]), value)
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, variables) for k, v in value.items()}
    return value


def _key(obj: dict) -> tuple:
    return obj["apiVersion"], obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"]


@pytest.fixture(scope="module", params=GITOPS_CONFIGS, ids=lambda p: p.stem)
def both_modes(request, twin_directory):
    config_path = request.param
    twin = terraform_twin_stacks(config_path, twin_directory / config_path.stem)
    return config_path, rendered(config_path), twin[STACK]


def test_kubernetes_objects_equal_modulo_substitution(both_modes):
    from stacks.construct_props import SECRETS_PROVIDER_CLIENT_ID

    _, manifests, stack = both_modes
    terraform, _ = terraform_objects(stack)
    # The value Terraform gives the variable in gitops mode is, in terraform mode, the client id
    # read from the cluster: compare against that reference.
    spc = next((o for o in terraform if o["kind"] == "SecretProviderClass"), None)
    variables = {SECRETS_PROVIDER_CLIENT_ID: spc["spec"]["parameters"]["userAssignedIdentityID"]} if spc else {}
    gitops = [substitute(o, variables) for o in manifests.objects() if o["kind"] not in FLUX_KINDS]
    assert sorted(map(_key, gitops)) == sorted(map(_key, terraform))
    by_key = {_key(o): o for o in terraform}
    for obj in gitops:
        assert obj == by_key[_key(obj)], _key(obj)
    if spc:
        assert spc["spec"]["parameters"]["userAssignedIdentityID"].startswith("${data.azurerm_kubernetes_cluster.")


def chart_source_in_terraform_mode(config_path, gitops_url: str) -> str:
    """Where terraform mode reads the chart GitOps mode reads at ``gitops_url``. The same URL, except
    with images.registry: Flux reads the copy `make images` imports into the registry, while the
    deploying machine (helm provider) still pulls the original, so map the copy back through the
    import `make images` prints: only an exact import of the same chart and version matches."""
    config = load_config(config_path)
    if config.images is None:
        return gitops_url
    (chart_import,) = [i for i in images.imports(config) if i.target.startswith(f"{images.CHART_REPOSITORY_PATH}/")]
    registry = f"{config.images.registry.rsplit('/', 1)[1].lower()}.azurecr.io"
    assert gitops_url == f"oci://{registry}/{images.CHART_REPOSITORY_PATH}"
    source, _, tag = chart_import.source.rpartition(":")
    target_chart, _, target_tag = chart_import.target.rpartition(":")
    assert tag == target_tag and source.rsplit("/", 1)[1] == target_chart.rsplit("/", 1)[1]
    return "oci://" + source.rsplit("/", 1)[0]


def test_helm_release_equals_terraform_release(both_modes):
    config_path, manifests, stack = both_modes
    _, release = terraform_objects(stack)
    objects = manifests.objects()
    (helm_release,) = [o for o in objects if o["kind"] == "HelmRelease"]
    (repository,) = [o for o in objects if o["kind"] == "HelmRepository"]
    spec = helm_release["spec"]
    assert spec["values"] == yaml.safe_load(release["values"][0])
    assert (
        chart_source_in_terraform_mode(config_path, repository["spec"]["url"]),
        spec["chart"]["spec"]["chart"],
        spec["chart"]["spec"]["version"],
    ) == (
        release["repository"],
        release["chart"],
        release["version"],
    )
    assert (spec["releaseName"], spec["targetNamespace"], spec["storageNamespace"]) == (
        release["name"],
        release["namespace"],
        release["namespace"],
    )
    # atomic + wait + cleanup_on_fail + timeout, as helm-controller expresses them.
    assert release["atomic"] and release["wait"] and release["cleanup_on_fail"]
    assert spec["timeout"] == f"{release['timeout']}s"
    assert spec["upgrade"]["remediation"]["strategy"] == "rollback" and spec["upgrade"]["cleanupOnFail"] is True
    assert spec["install"]["remediation"]["retries"] > 0 and "disableWait" not in spec["install"]
