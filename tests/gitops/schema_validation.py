"""Validation of generated Kubernetes objects and Helm values against pinned schemas
(tests/gitops/schemas/PROVENANCE.md says where each schema comes from)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import kubernetes_validate
from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for
from referencing import Registry
from referencing.jsonschema import specification_with

from tests.conftest import ROOT, TOOLCHAIN_ENV

HERE = Path(__file__).resolve().parent
SCHEMAS = HERE / "schemas"
FLUX_VALIDATOR = HERE / "validate_flux.mjs"
# Pinned in the root package.json under either toolchain (the script resolves it from there).
FLUX_MODELS = ROOT / "node_modules" / "@kubernetes-models" / "flux-cd"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
FLUX_GROUPS = ("helm.toolkit.fluxcd.io/", "source.toolkit.fluxcd.io/", "kustomize.toolkit.fluxcd.io/")
OWN_SCHEMAS = {
    ("secrets-store.csi.x-k8s.io/v1", "SecretProviderClass"): "secretproviderclass-v1.schema.json",
    ("amlarc.azureml.com/v1alpha1", "InstanceType"): "instancetype-v1alpha1.schema.json",
}
# F5 NGINX Ingress Controller chart 2.6.4: its values schema and the remote definitions it $refs.
F5_SCHEMA_DIR = SCHEMAS / "f5-nginx-ingress-2.6.4"
# Beside the checkout (the team's shared reference folder); absent: the check skips, saying so.
SHARED_F5_SCHEMA = ROOT.parent / "shared" / "reference" / "f5-nginx-ingress-2.6.4" / "values.schema.json"
KUBERNETES_VALIDATE_DEFINITIONS = (
    Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / "v1.36.0-local" / "_definitions.json"
)
F5_DEFINITIONS_URI = "https://raw.githubusercontent.com/nginxinc/kubernetes-json-schema/master/v1.36.1/_definitions.json"
F5_SCHEMA_UNAVAILABLE = (
    "F5 NGINX Ingress chart 2.6.4 values.schema.json is not here: it is read from ../shared/reference/"
    "f5-nginx-ingress-2.6.4/ beside the checkout (absent on this machine) or from"
    f" {F5_SCHEMA_DIR.relative_to(ROOT)}; no package registry carries it (see schemas/PROVENANCE.md)"
)


def kubernetes_schema_version(kubernetes_version: str) -> str:
    """kubernetes-validate wants major.minor.patch; AKS configs give 1.NN or 1.NN.P."""
    return kubernetes_version if kubernetes_version.count(".") == 2 else f"{kubernetes_version}.0"


def own_schema_errors(obj: dict[str, Any]) -> list[str]:
    schema = json.loads((SCHEMAS / OWN_SCHEMAS[(obj["apiVersion"], obj["kind"])]).read_text())
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(obj)]


def core_errors(obj: dict[str, Any], kubernetes_version: str) -> list[str]:
    try:
        kubernetes_validate.validate(obj, kubernetes_schema_version(kubernetes_version), strict=True)
    except kubernetes_validate.ValidationError as error:
        return [f"{'/'.join(map(str, error.path)) or '(root)'}: {error.message}"]
    return []


def flux_rule_errors(obj: dict[str, Any]) -> list[str]:
    """The CRDs' CEL rules the compiled validators do not evaluate."""
    spec = obj.get("spec", {})
    if obj["kind"] == "HelmRelease" and ("chart" in spec) == ("chartRef" in spec):
        return ["spec: either chart or chartRef must be set"]
    if obj["kind"] == "HelmRepository" and spec.get("type") == "oci" and not spec.get("url", "").startswith("oci://"):
        return ["spec.url: must start with oci:// when type is oci"]
    return []


def flux_errors(objects: list[dict[str, Any]]) -> list[list[str]]:
    if not objects:
        return []
    assert FLUX_MODELS.is_dir(), (
        f"{FLUX_MODELS.relative_to(ROOT)} is missing: run `make setup-cdktf` (npm ci in the project root installs it)"
    )
    completed = subprocess.run(
        [str(TOOLCHAIN_ENV.node_bin / "node"), str(FLUX_VALIDATOR)],
        input=json.dumps(objects),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, f"Flux validator failed:\n{completed.stderr}"
    return [errors + flux_rule_errors(obj) for errors, obj in zip(json.loads(completed.stdout), objects, strict=True)]


def schema_errors(objects: Iterable[dict[str, Any]], kubernetes_version: str) -> dict[int, list[str]]:
    """Index of each invalid object -> its problems; every object must have a schema."""
    objects = list(objects)
    problems: dict[int, list[str]] = {}
    flux = [i for i, o in enumerate(objects) if o["apiVersion"].startswith(FLUX_GROUPS)]
    for i, errors in zip(flux, flux_errors([objects[i] for i in flux]), strict=True):
        if errors:
            problems[i] = errors
    for i, obj in enumerate(objects):
        if i in flux:
            continue
        if (obj["apiVersion"], obj["kind"]) in OWN_SCHEMAS:
            errors = own_schema_errors(obj)
        else:
            try:
                errors = core_errors(obj, kubernetes_version)
            except kubernetes_validate.SchemaNotFoundError:
                errors = [f"no schema for {obj['apiVersion']} {obj['kind']}: add one (schemas/PROVENANCE.md)"]
        if errors:
            problems[i] = errors
    return problems


def values_schema_errors(values: dict[str, Any], schema: dict[str, Any], remote: dict[str, dict[str, Any]]) -> list[str]:
    """Helm values against a chart's values.schema.json, its remote $refs served from ``remote``
    (URI -> document) instead of the network; any other remote reference is an error."""

    def refuse(uri: str):
        raise LookupError(f"{uri} is not available offline")

    specification = specification_with(schema.get("$schema", DRAFT_2020_12))
    registry = Registry(retrieve=refuse).with_resources(
        (uri, specification.create_resource(document)) for uri, document in remote.items()
    )
    validator = validator_for(schema)(schema, registry=registry)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(values)]


def f5_values_schema() -> tuple[dict[str, Any], dict[str, dict[str, Any]]] | None:
    """The F5 chart 2.6.4 values schema and the Kubernetes definitions its remote refs name, or None.

    The schema: vendored in F5_SCHEMA_DIR, else the copy in ../shared/reference (PROVENANCE.md
    there: nginx/kubernetes-ingress v5.5.4, chart 2.6.4, unchanged). Its refs point to
    nginxinc/kubernetes-json-schema v1.36.1/_definitions.json; the Kubernetes 1.36 definitions
    kubernetes-validate ships (v1.36.0-local/_definitions.json) stand in for it offline (a patch
    release does not change the API's schemas)."""
    schema = F5_SCHEMA_DIR / "values.schema.json"
    if not schema.exists():
        schema = SHARED_F5_SCHEMA
    definitions = F5_SCHEMA_DIR / "_definitions.json"
    if not definitions.exists():
        definitions = KUBERNETES_VALIDATE_DEFINITIONS
    if not (schema.exists() and definitions.exists()):
        return None
    document = json.loads(definitions.read_text())
    if "$defs" in document:
        # kubernetes-validate's copy keeps the definitions under "$defs" (its own refs say
        # #/$defs/...), the chart's refs say #/definitions/...: the same objects under both names.
        document = {key: value for key, value in document.items() if key != "$id"}
        document["definitions"] = document["$defs"]
    return _without_required(json.loads(schema.read_text())), {F5_DEFINITIONS_URI: document}


def _without_required(node: Any) -> Any:
    """The chart schema minus its ``required`` lists. Helm validates the chart's values.yaml merged
    with ours, and the defaults in values.yaml (not here) supply every required key; what our values
    must get right is the rest: types, enums, patterns and no unknown keys (additionalProperties)."""
    if isinstance(node, dict):
        return {key: _without_required(value) for key, value in node.items() if key != "required"}
    if isinstance(node, list):
        return [_without_required(value) for value in node]
    return node
