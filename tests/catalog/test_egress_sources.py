"""Every egress entry is traced to its source: the section it cites exists in the verbatim excerpt
(catalog/sources/<source>.md), a row there writes the destination exactly as the entry says it
was documented, with its port (and UDP where the entry says UDP), and the entry's template only
fills in that row's placeholders (or says why it is narrower)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog.egress import CONDITIONS, ENDPOINTS, PRIVATE_ENDPOINT_SERVICES, SOURCES, Endpoint, documented_pattern

SOURCES_DIR = Path(__file__).resolve().parents[2] / "catalog" / "sources"
SAMPLE = {
    "region": "westeurope",
    "workspace_region": "northeurope",
    "workspace_guid": "3f2b9c1d-5e6a-4b7c-8d9e-0a1b2c3d4e5f",
    "storage_account": "stml",
    "registry": "crml",
    "vault": "kv-certs",
    "git_host": "ssh.dev.azure.com",
    "image_registry": "crimages",
}


def excerpt(key: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The header fields and the lines of each section of catalog/sources/<key>.md."""
    header: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    current = None
    for line in (SOURCES_DIR / f"{key}.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
        elif re.match(r"^(source|url|commit|read_on): ", line):
            name, value = line.split(": ", 1)
            header[name] = value
    return header, sections


def _blocks(lines: list[str]) -> list[str]:
    """Table rows one by one; other text by paragraph."""
    blocks, paragraph = [], []
    for line in [*lines, ""]:
        if line.startswith("|"):
            blocks.append(line)
        elif line.strip():
            paragraph.append(line)
        elif paragraph:
            blocks.append("\n".join(paragraph))
            paragraph = []
    return blocks


def _names(documented_as: str) -> re.Pattern[str]:
    # The documented destination as a whole token: "mcr.microsoft.com" must not match inside
    # "*.data.mcr.microsoft.com".
    return re.compile(rf"(?<![\w.*<>-]){re.escape(documented_as)}(?![\w.-])")


def _id(endpoint: Endpoint) -> str:
    return f"{endpoint.feature}:{endpoint.destination}:{endpoint.port}"


@pytest.mark.parametrize("key", sorted(SOURCES))
def test_every_source_has_an_excerpt_with_provenance(key):
    header, sections = excerpt(key)
    assert header.keys() == {"source", "url", "commit", "read_on"}, header
    assert header["url"] == SOURCES[key].url
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", header["read_on"])
    assert re.match(r"[0-9a-f]{40} ", header["commit"])
    assert sections and all(any(line.strip() for line in lines) for lines in sections.values())


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_id)
def test_every_entry_matches_a_row_of_its_source(endpoint: Endpoint):
    _, sections = excerpt(endpoint.source)
    assert endpoint.section in sections, f"section {endpoint.section!r} not in catalog/sources/{endpoint.source}.md"
    token = _names(endpoint.documented_as)
    rows = [block for block in _blocks(sections[endpoint.section]) if token.search(block)]
    assert rows, f"{endpoint.documented_as!r} is not written in {endpoint.source} / {endpoint.section}"
    port_written = re.compile(rf"(?<!\d){endpoint.port}(?!\d)")
    matching = [
        row for row in rows if port_written.search(row) or (endpoint.port == 443 and "https://" + endpoint.documented_as in row)
    ]
    if endpoint.destination == "{git_host}":
        matching = rows  # port follows the repository URL (443 https, 22 SSH); the row shows 443
    assert matching, f"no row gives {endpoint.documented_as!r} port {endpoint.port}"
    if endpoint.protocol == "UDP":
        assert any("UDP" in row for row in matching)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_id)
def test_templates_only_fill_in_documented_placeholders(endpoint: Endpoint):
    rendered = endpoint.destination.format(**SAMPLE)
    documented = endpoint.documented_as.removesuffix(f":{endpoint.port}")
    if endpoint.narrowed:
        # Narrower than the row: a concrete host, never a wildcard.
        assert "*" not in rendered and "<" not in rendered
        assert rendered != documented
        return
    assert documented_pattern(documented).fullmatch(rendered), (rendered, documented)
    assert rendered.count("*") == documented.count("*")


def test_conditions_and_private_endpoints_are_known():
    for endpoint in ENDPOINTS:
        assert set(endpoint.conditions) <= CONDITIONS.keys()
        assert endpoint.private_endpoint in (None, *PRIVATE_ENDPOINT_SERVICES)


def test_excerpt_check_catches_a_wrong_entry():
    """The trace is not vacuous: an entry whose destination or port the row does not give fails."""
    wrong_host = Endpoint(
        "mcr.microsoft.io", "fqdn", "Https", 443, "x", "aks-outbound-rules", ENDPOINTS[0].section, "mcr.microsoft.io"
    )
    wrong_port = Endpoint(
        "pypi.org", "fqdn", "Http", 80, "x", "azureml-behind-firewall", "Scenario: Use Kubernetes compute", "pypi.org"
    )
    for endpoint in (wrong_host, wrong_port):
        with pytest.raises(AssertionError):
            test_every_entry_matches_a_row_of_its_source(endpoint)
