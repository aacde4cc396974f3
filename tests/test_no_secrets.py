"""No secret material in anything synthesized, for every example and fixture config.

Two detectors (tests/secret_scan.py): a structural scan of every JSON key and value (also inside
the YAML carried in strings), and Checkov's `secrets` framework. Each is proven below with
injected secrets in several key styles, which each would miss on its own.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import CHECKOV_CANARY, EXAMPLE_CONFIGS, FIXTURE_CONFIGS
from tests.secret_scan import checkov_secrets, is_secret_key, literal_secrets, scan_file, secret_findings, value_findings

ALL_CONFIGS = EXAMPLE_CONFIGS + FIXTURE_CONFIGS


@pytest.mark.parametrize("config_path", ALL_CONFIGS, ids=lambda p: p.stem)
def test_synthesized_files_hold_no_secrets(synth, config_path):
    result = synth(config_path)
    files = [p for p in result.outdir.rglob("*") if p.is_file()]
    assert any(p.name == "cdk.tf.json" for p in files)
    findings = [f"{path.relative_to(result.outdir)}: {finding}" for path in files for finding in scan_file(path)]
    assert not findings, findings


@pytest.mark.slow
def test_checkov_finds_no_secrets_in_any_synthesized_file(checkov_scan):
    """Over every file of every config's output (the suite's one Checkov run, tests/conftest.py)."""
    scanned = {p.name for p in checkov_scan["root"].iterdir()} - {CHECKOV_CANARY.parts[0]}
    assert scanned == {p.stem for p in ALL_CONFIGS}
    findings = secret_findings(checkov_scan["reports"])
    canary = [f for f in findings if f.split(" ", 1)[1].startswith(f"/{CHECKOV_CANARY}:")]
    assert canary, f"the secrets scan did not run: it missed the canary {CHECKOV_CANARY} ({findings})"
    assert not [f for f in findings if f not in canary]


# Secrets as someone might paste them into a construct, in the key styles of our files: Terraform
# snake_case, Kubernetes camelCase, Helm values, CLI flags.
INJECTED = [
    ("clientSecret", "P@ssw0rd123!"),
    ("client_secret", "P@ssw0rd123!"),
    ("CLIENT-SECRET", "P@ssw0rd123!"),
    ("adminPassword", "hunter2hunter2"),
    ("sasToken", "sv=2022-11-02&ss=b&sig=abc"),
    ("storageAccessKey", "c2VjcmV0LWtleS1tYXRlcmlhbA=="),
    ("apiKey", "0123456789abcdef"),
    ("connectionString", "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKey=abc"),
    ("private_key", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
    ("scoringFe.sslKey", "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t"),
    ("client_secret", '${"P@ssw0rd123!"}'),
    ("https_key_base64", '${base64encode("hunter2hunter2")}'),
]


@pytest.mark.parametrize(("key", "value"), INJECTED, ids=[k for k, _ in INJECTED])
def test_structural_scan_catches_injected_literals(key, value):
    stack = {"resource": {"kubernetes_manifest": {"spc": {"manifest": {"spec": {"parameters": {key: value}}}}}}}
    assert list(literal_secrets(stack)) == [f"$.resource.kubernetes_manifest.spc.manifest.spec.parameters.{key}"]


def test_structural_scan_reads_yaml_inside_strings():
    values = "controller:\n  config:\n    entries:\n      clientSecret: P@ssw0rd123!\n"
    stack = {"resource": {"helm_release": {"r": {"values": [values]}}}}
    assert list(literal_secrets(stack)) == ["$.resource.helm_release.r.values[0]<yaml>.controller.config.entries.clientSecret"]


@pytest.mark.parametrize(
    "allowed",
    [
        {"secret_name": "aml-ingress-tls"},
        {"secretObjects": [{"secretName": "aml-ingress-tls", "type": "kubernetes.io/tls"}]},
        {"wildcardTLS": {"secret": "nginx-ingress/aml-ingress-tls"}},
        {"client_secret": "${var.client_secret}"},
        {"client_key": "${base64decode(data.azurerm_kubernetes_cluster.x.kube_admin_config[0].client_key)}"},
        {"scoringFe.sslKey": "${base64encode(data.azurerm_key_vault_certificate_data.c.key)}"},
        {"secret_rotation_enabled": True},
    ],
    ids=lambda a: next(iter(a)),
)
def test_structural_scan_allows_names_references_and_switches(allowed):
    assert not list(literal_secrets({"x": allowed}))


def test_allowlist_is_only_for_names():
    assert not is_secret_key("secretName") and not is_secret_key("secret_name")
    assert is_secret_key("secretValue") and is_secret_key("clientSecret")
    assert not is_secret_key("secret", parent="wildcardTLS") and is_secret_key("secret", parent="parameters")


@pytest.mark.parametrize(
    "leak",
    [
        "-----BEGIN RSA PRIVATE KEY-----",
        "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc",
        "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc==",
        "https://x.blob.core.windows.net/c?sv=2022&sig=AbCdEfGhIjKlMnOpQrStUvWx",
    ],
)
def test_value_patterns_catch_known_material_anywhere(leak):
    assert value_findings(json.dumps({"description": leak}))


@pytest.mark.slow
def test_checkov_catches_token_formats_the_key_scan_cannot(tmp_path):
    """Checkov's maintained detectors recognise tokens by their shape, under innocent keys."""
    leaked = {
        "locals": {
            "note": "AKIAIOSFODNN7EXAMPLE",
            "other": "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        }
    }
    (tmp_path / "cdk.tf.json").write_text(json.dumps(leaked, indent=2))
    assert not list(literal_secrets(leaked))  # no secret-looking key: the structural scan is blind here
    found = checkov_secrets(tmp_path)
    assert len(found) == 2, found


def test_a_password_pasted_into_the_real_secret_provider_class_is_caught(default_synth, tmp_path):
    """The case a snapshot diff alone let through: a literal clientSecret in the SPC manifest."""
    stack = json.loads((default_synth.outdir / "stacks" / "kubernetes-config" / "cdk.tf.json").read_text())
    (manifest,) = stack["resource"]["kubernetes_manifest"].values()
    manifest["manifest"]["spec"]["parameters"]["clientSecret"] = "P@ssw0rd123!"
    tampered = tmp_path / "cdk.tf.json"
    tampered.write_text(json.dumps(stack, indent=2))
    assert [f for f in scan_file(tampered) if f.endswith(".parameters.clientSecret")]
