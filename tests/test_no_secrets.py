"""No secret material in anything synthesized, for every example and fixture config, nor in the
GitOps manifests `make gitops` writes for users to commit to Git, for every GitOps fixture.

Two detectors (tests/secret_scan.py): a structural scan of every JSON/YAML key and value (also
inside the YAML carried in strings), and Checkov's `secrets` framework. Each is proven below with
injected secrets in several key styles, which each would miss on its own, in a synthesized stack
and in a generated Flux object.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import CHECKOV_CANARY, CHECKOV_INPUTS, EXAMPLE_CONFIGS, FIXTURE_CONFIGS
from tests.gitops.conftest import GITOPS_CONFIGS, rendered
from tests.harness import result_cache
from tests.secret_scan import (
    checkov_secrets,
    is_key_material,
    is_secret_key,
    literal_secrets,
    names_a_thing,
    scan_file,
    secret_findings,
    value_findings,
)

ALL_CONFIGS = EXAMPLE_CONFIGS + FIXTURE_CONFIGS


def _gitops_manifests(directory: Path) -> list[Path]:
    return [p for config_path in GITOPS_CONFIGS for p in write_gitops_manifests(config_path, directory / config_path.stem)]


def _flux_object_with_token(directory: Path) -> list[Path]:
    return [_tamper_with_flux_object(GITOPS_CONFIGS[0], directory, {"note": "AKIAIOSFODNN7EXAMPLE"})]


def _token_formats(directory: Path) -> list[Path]:
    directory.mkdir(parents=True)
    (directory / "cdk.tf.json").write_text(json.dumps(TOKEN_FORMATS, indent=2))
    return [directory / "cdk.tf.json"]


@pytest.fixture(scope="module")
def checkov_cases(tmp_path_factory) -> dict[str, dict[str, list]]:
    """The Checkov cases below, each written into its own folder and scanned by one Checkov run
    (its start-up is most of a run's time): per case, the files written and Checkov's findings
    under that folder, with paths relative to it as a run over the folder alone reports them."""
    root = tmp_path_factory.mktemp("checkov-cases")
    writers = {"gitops-manifests": _gitops_manifests, "flux-token": _flux_object_with_token, "token-formats": _token_formats}
    scanned = {name: write(root / name) for name, write in writers.items()}
    inputs = (*CHECKOV_INPUTS, Path("tests/secret_scan.py"))  # its filter of reviewed name keys too
    key = result_cache.content_key(inputs, extra=[result_cache.tree_digest(root), "checkov_secrets"])
    # Checkov's findings depend only on the files, its pinned version and this call.
    found = result_cache.load_or_run("checkov-secrets", key, lambda: checkov_secrets(root))
    cases = {}
    for name in writers:
        prefix = f" /{name}/"
        cases[name] = {"scanned": scanned[name], "found": [f.replace(prefix, " /", 1) for f in found if prefix in f]}
    assert sum(len(case["found"]) for case in cases.values()) == len(found), found  # no finding outside a case
    return cases


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
    findings = secret_findings(checkov_scan["reports"], checkov_scan["root"])
    canary = [f for f in findings if f.split(" ", 1)[1].startswith(f"/{CHECKOV_CANARY}:")]
    assert canary, f"the secrets scan did not run: it missed the canary {CHECKOV_CANARY} ({findings})"
    assert not [f for f in findings if f not in canary]


def write_gitops_manifests(config_path: Path, out: Path) -> list[Path]:
    """What `make gitops` writes for ``config_path`` (the same compose and write)."""
    from constructs_lib.gitops_delivery.manifests import write

    return write(rendered(config_path), out, source=str(config_path.name))


def test_every_gitops_fixture_is_scanned():
    assert {p.stem for p in GITOPS_CONFIGS} >= {"gitops-workspace-https-token", "gitops-devops-workload-identity"}


@pytest.mark.parametrize("config_path", GITOPS_CONFIGS, ids=lambda p: p.stem)
def test_gitops_manifests_hold_no_secrets(config_path, tmp_path):
    written = write_gitops_manifests(config_path, tmp_path)
    assert len([p for p in written if p.name != "kustomization.yaml"]) == len(rendered(config_path).objects())
    findings = [f"{path.relative_to(tmp_path)}: {finding}" for path in written for finding in scan_file(path)]
    assert not findings, findings


@pytest.mark.slow
def test_checkov_finds_no_secrets_in_any_gitops_manifest(checkov_cases):
    assert checkov_cases["gitops-manifests"]["scanned"]
    assert not checkov_cases["gitops-manifests"]["found"]


def _tamper_with_flux_object(config_path: Path, directory: Path, annotations: dict[str, str]) -> Path:
    """The generated HelmRelease with ``annotations`` added, as a user would commit it."""
    written = write_gitops_manifests(config_path, directory)
    (release,) = [p for p in written if p.name.startswith("helmrelease-")]
    header, body = release.read_text().split("\n", 1)
    document = yaml.safe_load(body)
    document["metadata"].setdefault("annotations", {}).update(annotations)
    release.write_text(header + "\n" + yaml.safe_dump(document, sort_keys=False))
    return release


def test_a_token_in_an_annotation_of_a_generated_flux_object_is_caught(tmp_path):
    """The case that passed every test: a token pasted into an annotation of a Flux object."""
    release = _tamper_with_flux_object(GITOPS_CONFIGS[0], tmp_path, {"example.com/git-token": "glpat-AbCdEf0123456789xyz"})
    findings = scan_file(release)
    assert findings == [f"{release.name}: literal value at $.metadata.annotations.example.com/git-token"], findings


@pytest.mark.slow
def test_checkov_catches_a_token_format_in_a_generated_flux_object(checkov_cases):
    (release,) = checkov_cases["flux-token"]["scanned"]
    assert not [f for f in scan_file(release) if "annotations" in f]  # innocent key: the structural scan is blind
    found = checkov_cases["flux-token"]["found"]
    assert len(found) == 1 and found[0].startswith("CKV_SECRET_2 ") and release.name in found[0], found


def test_checkov_findings_are_accepted_only_on_reviewed_name_keys(tmp_path):
    """Checkov flags YAML keys containing "secret" whatever they hold; the scan accepts that only
    for the keys the allowlist reviewed as names, and only while they hold no key material."""
    manifest = tmp_path / "release.yaml"
    manifest.write_text(
        "spec:\n"
        "  values:\n"
        "    wildcardTLS:\n"
        "      secret: nginx-ingress/aml-ingress-tls\n"  # line 4: a name
        f"    secretProviderClass: {ACCOUNT_KEY}\n"  # line 5: key material under a name key
        "    note: AKIAIOSFODNN7EXAMPLE\n"  # line 6: not a reviewed key
        "    other:\n"
        "      secret: nginx-ingress/aml-ingress-tls\n"  # line 8: "secret" outside wildcardTLS
    )
    assert [line for line in range(1, 9) if names_a_thing(manifest, line)] == [4]


# An Azure storage/workspace key: 88 base64 characters (64 random bytes).
ACCOUNT_KEY = "q3Zr7N0pX9vLk2Tb8Yw4Hs6Jd1Fm5Rc0Ge3Ua7Ni9Oq2Pl4Sx6Vy8Zb1Ct5Dh7Ej9Kw0Mn2Lo4Qp6Rs8Tu0Vw2Xy4Za=="


@pytest.mark.parametrize("key", ["workspaceKey", "sharedKey", "primaryKey", "secondary_key", "storage-key", "omsKey"])
def test_generic_key_names_holding_key_material_are_caught(key):
    """Names no credential word covers, with the value Azure hands out (the mutation run's case)."""
    assert not is_secret_key(key)
    stack = {"resource": {"azurerm_kubernetes_cluster_extension": {"x": {"configuration_settings": {key: ACCOUNT_KEY}}}}}
    assert list(literal_secrets(stack)) == [f"$.resource.azurerm_kubernetes_cluster_extension.x.configuration_settings.{key}"]
    manifest = {"spec": {"values": {"controller": {key: ACCOUNT_KEY[:44]}}}}
    assert list(literal_secrets(manifest)) == [f"$.spec.values.controller.{key}"]


@pytest.mark.parametrize(
    "innocent",
    [
        {"key": "workload"},  # a label key
        {"key": "nvidia.com/gpu"},  # a taint key
        {"labelKey": "kubernetes.azure.com/agentpool"},
        {"keyVaultId": "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/x/vaults/kv"},
        {"primaryKey": "${azurerm_log_analytics_workspace.log.primary_shared_key}"},
        {"sshKey": "${base64encode(var.gitops_ssh_private_key)}"},
        {"cacheKey": "schema-azurerm-38a3912fc3ff1522"},
        {"sortKey": "abcdefghijklmnopqrstuvwxyzabcdefghijkl"},  # no digits, no capitals: not random key material
        {"workspaceName": ACCOUNT_KEY},  # not a key name: left to Checkov's entropy rules
    ],
    ids=lambda a: next(iter(a)),
)
def test_generic_key_names_with_names_or_references_pass(innocent):
    assert not list(literal_secrets({"x": innocent}))


def test_key_material_is_long_mixed_base64():
    assert is_key_material(ACCOUNT_KEY) and is_key_material(ACCOUNT_KEY[:32])
    assert not is_key_material(ACCOUNT_KEY[:31])  # short
    assert not is_key_material(ACCOUNT_KEY[:40] + " " + ACCOUNT_KEY[40:])  # not one token
    assert not is_key_material(123456789012345678901234567890123456)


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


TOKEN_FORMATS = {
    "locals": {
        "note": "AKIAIOSFODNN7EXAMPLE",
        "other": "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    }
}


@pytest.mark.slow
def test_checkov_catches_token_formats_the_key_scan_cannot(checkov_cases):
    """Checkov's maintained detectors recognise tokens by their shape, under innocent keys."""
    assert not list(literal_secrets(TOKEN_FORMATS))  # no secret-looking key: the structural scan is blind here
    assert checkov_cases["token-formats"]["scanned"]
    found = checkov_cases["token-formats"]["found"]
    assert len(found) == 2, found


def test_a_password_pasted_into_the_real_secret_provider_class_is_caught(default_synth, tmp_path):
    """The case a snapshot diff alone let through: a literal clientSecret in the SPC manifest."""
    stack = json.loads((default_synth.outdir / "stacks" / "kubernetes-config" / "cdk.tf.json").read_text())
    (manifest,) = stack["resource"]["kubernetes_manifest"].values()
    manifest["manifest"]["spec"]["parameters"]["clientSecret"] = "P@ssw0rd123!"
    tampered = tmp_path / "cdk.tf.json"
    tampered.write_text(json.dumps(stack, indent=2))
    assert [f for f in scan_file(tampered) if f.endswith(".parameters.clientSecret")]
