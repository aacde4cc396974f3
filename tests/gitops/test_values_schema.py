"""The F5 NGINX Ingress Controller values (both modes) against chart 2.6.4's values.schema.json.

The schema is read from ../shared/reference/f5-nginx-ingress-2.6.4/ (provenance there) and its
Kubernetes definitions from kubernetes-validate (schemas/PROVENANCE.md); without ../shared the check
skips, saying why. ``required`` is left out: Helm validates the chart's values.yaml defaults merged
with ours. The offline reference resolution it relies on is tested on its own below."""

from __future__ import annotations

import pytest
import yaml

from config.loader import load_config
from tests.conftest import EXAMPLE_CONFIGS
from tests.gitops.conftest import GITOPS_CONFIGS, rendered
from tests.gitops.schema_validation import F5_SCHEMA_UNAVAILABLE, f5_values_schema, values_schema_errors

F5_EXAMPLES = [p for p in EXAMPLE_CONFIGS if load_config(p).ingress.controller == "f5-nginx"]
F5_GITOPS = [p for p in GITOPS_CONFIGS if load_config(p).ingress.controller == "f5-nginx"]


def _schema():
    vendored = f5_values_schema()
    if vendored is None:
        pytest.skip(F5_SCHEMA_UNAVAILABLE)
    return vendored


@pytest.mark.parametrize("config_path", F5_EXAMPLES, ids=lambda p: p.stem)
def test_terraform_mode_values_match_chart_schema(synth, config_path):
    schema, remote = _schema()
    release = synth(config_path).only("kubernetes-config", "helm_release")
    assert not values_schema_errors(yaml.safe_load(release["values"][0]), schema, remote)


@pytest.mark.parametrize("config_path", F5_GITOPS, ids=lambda p: p.stem)
def test_gitops_mode_values_match_chart_schema(config_path):
    schema, remote = _schema()
    (release,) = [o for o in rendered(config_path).objects() if o["kind"] == "HelmRelease"]
    assert not values_schema_errors(release["spec"]["values"], schema, remote)


REMOTE = "https://example.invalid/definitions.json"
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2019-09/schema",
    "type": "object",
    "properties": {"controller": {"$ref": f"{REMOTE}#/definitions/controller"}},
}
DEFINITIONS = {"definitions": {"controller": {"type": "object", "properties": {"replicaCount": {"type": "integer"}}}}}


def test_remote_references_resolve_offline():
    assert not values_schema_errors({"controller": {"replicaCount": 2}}, SCHEMA, {REMOTE: DEFINITIONS})
    assert values_schema_errors({"controller": {"replicaCount": "two"}}, SCHEMA, {REMOTE: DEFINITIONS})


def test_unvendored_remote_reference_is_an_error_not_a_download():
    with pytest.raises(Exception, match=r"not available offline|Unresolvable"):
        values_schema_errors({"controller": {}}, SCHEMA, {})


def test_the_chart_schema_refuses_a_wrong_value():
    """The check can fail: a wrong type and a value outside an enum in the controller's values."""
    schema, remote = _schema()
    assert values_schema_errors({"controller": {"replicaCount": "two"}}, schema, remote)
    assert values_schema_errors({"controller": {"kind": "pod"}}, schema, remote)
    assert not values_schema_errors({"controller": {"replicaCount": 2, "kind": "deployment"}}, schema, remote)
