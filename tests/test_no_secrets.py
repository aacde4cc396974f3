"""No secret material in anything synthesized, for every example and fixture config."""

from __future__ import annotations

import re

import pytest

from tests.conftest import EXAMPLE_CONFIGS, FIXTURE_CONFIGS

SECRET_PATTERNS = {
    "PEM block": re.compile(r"-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----"),
    "JWT / bearer token": re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\."),
    "storage account key": re.compile(r"AccountKey=|\"access_key\"\s*:\s*\"[^$]"),
    "SAS token": re.compile(r"[?&]sig=[A-Za-z0-9%]{20,}"),
    "literal password/secret/token": re.compile(
        r"\"(password|client_secret|client_key|client_certificate|token|secret|sas_token)\"\s*:\s*\"(?!\$\{)[^\"]+\""
    ),
    "base64 key or certificate": re.compile(r"LS0tLS1CRUdJTi"),  # base64 of "-----BEGIN"
}


@pytest.mark.parametrize("config_path", EXAMPLE_CONFIGS + FIXTURE_CONFIGS, ids=lambda p: p.stem)
def test_synthesized_files_hold_no_secrets(synth, config_path):
    result = synth(config_path)
    files = [p for p in result.outdir.rglob("*") if p.is_file()]
    assert any(p.name == "cdk.tf.json" for p in files)
    findings = [
        f"{path.relative_to(result.outdir)}: {kind}"
        for path in files
        for kind, pattern in SECRET_PATTERNS.items()
        if pattern.search(path.read_text(errors="replace"))
    ]
    assert not findings, findings


@pytest.mark.parametrize(
    "leak",
    [
        '"client_key": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"',
        "-----BEGIN RSA PRIVATE KEY-----",
        '"token": "abc.def.ghi"',
        "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc==",
        "https://x.blob.core.windows.net/c?sv=2022&sig=AbCdEfGhIjKlMnOpQrStUvWx",
    ],
)
def test_scanner_catches_known_leaks(leak):
    assert any(p.search(leak) for p in SECRET_PATTERNS.values())


def test_scanner_allows_references():
    reference = '"client_key": "${base64decode(data.azurerm_kubernetes_cluster.x.kube_admin_config[0].client_key)}"'
    assert not any(p.search(reference) for p in SECRET_PATTERNS.values())
