"""Secret detection for synthesized files and GitOps manifests: a structural key/value scan of our
own JSON and YAML, and Checkov's maintained `secrets` framework (detect-secrets: known token
formats, high entropy).

Why both: Checkov's keyword detector does not look at JSON keys such as ``"clientSecret"`` (a
literal ``"clientSecret": "P@ssw0rd123!"`` passes it, tried with Checkov 3.3.30), while it knows
hundreds of token formats and entropy rules that a hand-written list never will. The structural
scan walks every JSON value, also inside the YAML documents embedded as strings (Helm values,
SecretProviderClass ``objects``), and flags a literal value under a secret-looking key unless the
key is in the reviewed allowlist below.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from tests.checkov_runner import run_checkov

# Key words (compared with case, '_' and '-' removed) that name credentials.
SECRET_KEY_WORDS = (
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "accountkey",
    "privatekey",
    "clientkey",
    "clientcertificate",
    "credential",
    "connectionstring",
    "sas",
    "sslkey",
    "sslcert",
    "httpskey",  # azurerm_kubernetes_flux_configuration: https_key_base64 (the Git token)
)
# Reviewed: keys of ours whose values are names or references, never secret material.
ALLOWED_KEYS = frozenset(
    {
        "secretname",  # Kubernetes Secret names (SecretProviderClass secretObjects, Helm values)
        "secretobjects",  # the list of Secrets the CSI driver syncs (names and key mappings)
        "secretproviderclass",  # name of a SecretProviderClass
        "defaultsslcertificate",  # community controller flag: "<namespace>/<name>"
        "keyvaultsecretsprovider",  # azurerm cluster block (rotation settings)
        "secretrotationenabled",
        "secretrotationinterval",
        "secretidentity",
        "keyvaultsecretsproviderclientid",  # outputs of the cluster stack (ids, not secrets)
        "keyvaultsecretsproviderobjectid",
    }
)
# Reviewed: (parent key, key) pairs whose values are names.
ALLOWED_CHILD_KEYS = frozenset(
    {
        ("wildcardtls", "secret"),  # F5 values: the "<namespace>/<name>" of the synced TLS Secret
    }
)
# Generic credential names: a key ending in "key" (workspaceKey, sharedKey, primaryKey,
# storage_key) is flagged when its value looks like key material, a long base64 string of mixed
# case and digits (Azure account and workspace keys are 44 or 88 base64 characters). The name
# alone would flag label keys, taint keys and key_vault_id; Checkov's entropy rule does not look at
# JSON/YAML values under such keys (tried with Checkov 3.3.30: both passed it).
GENERIC_KEY_SUFFIX = "key"
KEY_MATERIAL = re.compile(r"[A-Za-z0-9+/_-]{32,}={0,2}")
# Values that are never literals: Terraform references and function calls over them. A quoted
# string inside (`${"P@ss"}`, `${base64encode("P@ss")}`) is a literal in disguise: not exempt.
_REFERENCE = re.compile(r'^\$\{[^"]*\}$', re.DOTALL)

# Secret material recognisable by its value, wherever it sits.
VALUE_PATTERNS = {
    "PEM block": re.compile(r"-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----"),
    "base64 PEM block": re.compile(r"LS0tLS1CRUdJTi"),  # base64 of "-----BEGIN"
    "JWT / bearer token": re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\."),
    "storage connection string": re.compile(r"AccountKey=[^;\s\"]+"),
    "SAS token": re.compile(r"[?&]sig=[A-Za-z0-9%]{20,}"),
}


def _normalise(key: str) -> str:
    return re.sub(r"[-_.\s]", "", key).lower()


def is_secret_key(key: str, parent: str = "") -> bool:
    normalised = _normalise(key)
    if normalised in ALLOWED_KEYS or (_normalise(parent), normalised) in ALLOWED_CHILD_KEYS:
        return False
    return any(word in normalised for word in SECRET_KEY_WORDS)


def is_generic_key(key: str) -> bool:
    return _normalise(key).endswith(GENERIC_KEY_SUFFIX)


def is_key_material(value: Any) -> bool:
    """A long base64/base64url string with upper- and lower-case letters and digits."""
    return (
        isinstance(value, str)
        and KEY_MATERIAL.fullmatch(value) is not None
        and all(re.search(kind, value) for kind in ("[A-Z]", "[a-z]", "[0-9]"))
    )


def _embedded_document(text: str) -> Any:
    """A YAML/JSON document carried in a string (Helm values), else None."""
    if "\n" not in text and not text.lstrip().startswith(("{", "[")):
        return None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return document if isinstance(document, (dict, list)) else None


def literal_secrets(node: Any, path: str = "$", parent: str = "") -> Iterator[str]:
    """JSON paths of literal values under secret-looking keys, descending into embedded YAML."""
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{path}.{key}"
            if (is_secret_key(str(key), parent) and _is_literal(value)) or (is_generic_key(str(key)) and is_key_material(value)):
                yield child
            yield from literal_secrets(value, child, str(key))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from literal_secrets(item, f"{path}[{i}]", parent)
    elif isinstance(node, str):
        document = _embedded_document(node)
        if document is not None:
            yield from literal_secrets(document, f"{path}<yaml>", parent)


def _is_literal(value: Any) -> bool:
    """A scalar that is not a Terraform reference, an empty string or a boolean switch."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and value.strip() != "" and not _REFERENCE.match(value.strip())


def value_findings(text: str) -> list[str]:
    return [kind for kind, pattern in VALUE_PATTERNS.items() if pattern.search(text)]


def scan_file(path: Path) -> list[str]:
    """Value patterns in any file; the structural scan in JSON and YAML files (every document of
    a multi-document YAML file, e.g. the GitOps manifests `make gitops` writes)."""
    text = path.read_text(errors="replace")
    findings = [f"{path.name}: {kind}" for kind in value_findings(text)]
    documents: list[Any] = []
    if path.suffix == ".json":
        documents = [json.loads(text)]
    elif path.suffix in (".yaml", ".yml"):
        documents = list(yaml.safe_load_all(text))
    for i, document in enumerate(documents):
        root = "$" if len(documents) == 1 else f"$[document {i}]"
        findings += [f"{path.name}: literal value at {where}" for where in literal_secrets(document, root)]
    return findings


def _yaml_entries_by_line(text: str) -> dict[int, tuple[str, str, Any]]:
    """1-based line -> (parent key, key, scalar value) of every mapping entry in a YAML file."""
    entries: dict[int, tuple[str, str, Any]] = {}

    def walk(node: yaml.Node, parent: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, child in node.value:
                if isinstance(child, yaml.ScalarNode):
                    entries[key.start_mark.line + 1] = (parent, str(key.value), child.value)
                walk(child, str(key.value))
        elif isinstance(node, yaml.SequenceNode):
            for child in node.value:
                walk(child, parent)

    for document in yaml.compose_all(text):
        walk(document, "")
    return entries


def names_a_thing(path: Path, line: int) -> bool:
    """A Checkov finding on a YAML line whose key the structural scan's allowlist reviewed as a
    name (``secretProviderClass: <name>``, F5's ``wildcardTLS.secret: <namespace>/<name>``): its
    keyword rule flags any key containing "secret" in YAML (not in JSON). Accepted only while the
    value is no key material and matches no secret pattern."""
    if path.suffix not in (".yaml", ".yml"):
        return False
    entry = _yaml_entries_by_line(path.read_text()).get(line)
    if entry is None:
        return False
    parent, key, value = entry
    reviewed = _normalise(key) in ALLOWED_KEYS or (_normalise(parent), _normalise(key)) in ALLOWED_CHILD_KEYS
    return reviewed and not is_key_material(value) and not value_findings(str(value))


def checkov_secrets(directory: Path) -> list[str]:
    """Checkov's secrets framework over every file under ``directory``: "<check> <file>:<line>",
    less the findings on reviewed name keys (see ``names_a_thing``)."""
    return secret_findings(run_checkov(directory, "secrets", "--enable-secret-scan-all-files"), directory)


def secret_findings(reports: list[dict[str, Any]], directory: Path) -> list[str]:
    """The failed checks of the ``secrets`` reports among Checkov's ``reports`` over
    ``directory``, less the findings on reviewed name keys (see ``names_a_thing``)."""
    findings = []
    for report in reports:
        if report.get("check_type", "secrets") != "secrets":
            continue
        for check in report.get("results", {}).get("failed_checks", []):
            line = check["file_line_range"][0]
            if not names_a_thing(directory / check["file_path"].lstrip("/"), line):
                findings.append(f"{check['check_id']} {check['file_path']}:{line}")
    return findings
