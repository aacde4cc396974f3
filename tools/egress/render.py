"""The resolved egress list as a table (hub teams), JSON, `az network firewall policy
rule-collection-group` commands, or CSV (other firewalls). Pure functions of the rules."""

from __future__ import annotations

import csv
import io
import json
import shlex
from dataclasses import dataclass

from catalog.egress import SOURCES, Rule
from config.egress import APPLICATION_COLLECTION_PRIORITY, NETWORK_COLLECTION_PRIORITY
from config.egress import rule_collection_group_name as group_name
from config.egress import rule_collection_name as collection_name


@dataclass(frozen=True)
class EgressList:
    deployment: str
    source_addresses: tuple[str, ...]  # the node subnet: overlay pods leave SNATed to their node
    rules: tuple[Rule, ...]
    notes: tuple[str, ...]
    # Where the rules go: the hub's Firewall Policy (hub.firewall_policy_id), if known.
    policy_resource_group: str | None
    policy_name: str | None
    priority: int


def _source_labels(rule: Rule) -> list[str]:
    return [f"{SOURCES[key].title} ({section})" for key, section in (s.split("#", 1) for s in rule.sources)]


def as_table(egress: EgressList) -> str:
    header = ("TYPE", "DESTINATION", "PROTOCOL:PORT", "NEEDED BY", "SOURCE")
    rows = [
        (
            rule.kind,
            rule.destination,
            f"{rule.protocol}:{rule.port}",
            ", ".join(rule.features),
            ", ".join(dict.fromkeys(s.split("#")[0] for s in rule.sources)),
        )
        for rule in egress.rules
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = [
        f"Egress for {egress.deployment}: from {', '.join(egress.source_addresses)} through the hub firewall "
        f"({len(egress.rules)} rules; sources below)",
        "",
    ]
    for row in [header, *rows]:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
    lines.append("")
    lines.append("Sources:")
    for key in dict.fromkeys(s.split("#")[0] for rule in egress.rules for s in rule.sources):
        lines.append(f"  {key}: {SOURCES[key].title}, {SOURCES[key].url} (excerpt: catalog/sources/{key}.md)")
    for note in egress.notes:
        lines.append(f"Note: {note}")
    return "\n".join(lines) + "\n"


def as_json(egress: EgressList) -> str:
    document = {
        "deployment": egress.deployment,
        "source_addresses": list(egress.source_addresses),
        "rules": [
            {
                "name": rule.name,
                "rule_type": rule.kind,
                "destination": rule.destination,
                "destination_type": rule.destination_type,
                "protocol": rule.protocol,
                "port": rule.port,
                "features": list(rule.features),
                "sources": [
                    {"title": SOURCES[key].title, "url": SOURCES[key].url, "section": section}
                    for key, section in (s.split("#", 1) for s in rule.sources)
                ],
            }
            for rule in egress.rules
        ],
        "notes": list(egress.notes),
    }
    return json.dumps(document, indent=2) + "\n"


def as_csv(egress: EgressList) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["rule_type", "name", "source_addresses", "destination", "destination_type", "protocol", "port", "features", "sources"]
    )
    for rule in egress.rules:
        writer.writerow(
            [
                rule.kind,
                rule.name,
                " ".join(egress.source_addresses),
                rule.destination,
                rule.destination_type,
                rule.protocol,
                rule.port,
                "; ".join(rule.features),
                "; ".join(_source_labels(rule)),
            ]
        )
    return out.getvalue()


def _rule_arguments(rule: Rule) -> list[str]:
    if rule.kind == "application":
        return [
            "--rule-type",
            "ApplicationRule",
            "--protocols",
            f"{rule.protocol}={rule.port}",
            "--target-fqdns",
            rule.destination,
        ]
    destination = (
        ["--destination-fqdns", rule.destination]
        if rule.destination_type == "fqdn"
        else ["--destination-addresses", rule.destination]
    )
    return ["--rule-type", "NetworkRule", "--ip-protocols", rule.protocol, *destination, "--destination-ports", str(rule.port)]


# Without hub.firewall_policy_id the script asks for the policy in the environment.
ASK_POLICY_RG = "${POLICY_RG:?resource group of the hub Firewall Policy}"
ASK_POLICY_NAME = "${POLICY_NAME:?name of the hub Firewall Policy}"


def as_az_commands(egress: EgressList) -> str:
    """One rule collection group with a network and an application rule collection, one rule per line.

    Running them twice fails on the existing names: delete the group first (`... delete`), or let
    aks-cluster own it (hub.firewall_policy_id)."""
    quote = shlex.quote
    lines = [
        "#!/usr/bin/env bash",
        f"# Egress rules for {egress.deployment} (generated by `make egress FORMAT=az`; sources: `make egress`).",
        "# Each change to a Firewall Policy is applied to the firewall in turn: run this when no other",
        "# policy update is in progress (Azure serialises them; a concurrent one fails with a conflict).",
        "# Needs the Azure CLI extension azure-firewall (installed on first use).",
        "set -euo pipefail",
        f"POLICY_RG={quote(egress.policy_resource_group) if egress.policy_resource_group else ASK_POLICY_RG}",
        f"POLICY_NAME={quote(egress.policy_name) if egress.policy_name else ASK_POLICY_NAME}",
        f"GROUP={quote(group_name(egress.deployment))}",
        f"SOURCES={quote(' '.join(egress.source_addresses))}",
        "",
        'az network firewall policy rule-collection-group create --resource-group "$POLICY_RG" '
        f'--policy-name "$POLICY_NAME" --name "$GROUP" --priority {egress.priority}',
    ]
    for kind, priority in (("network", NETWORK_COLLECTION_PRIORITY), ("application", APPLICATION_COLLECTION_PRIORITY)):
        rules = [r for r in egress.rules if r.kind == kind]
        collection = collection_name(egress.deployment, kind)
        for index, rule in enumerate(rules):
            base = "az network firewall policy rule-collection-group collection"
            common = '--resource-group "$POLICY_RG" --policy-name "$POLICY_NAME" --rcg-name "$GROUP"'
            arguments = " ".join(quote(a) for a in _rule_arguments(rule))
            if index == 0:
                lines.append(
                    f"{base} add-filter-collection {common} --name {collection} --collection-priority {priority} "
                    f"--action Allow --rule-name {rule.name} --source-addresses $SOURCES {arguments}"
                )
            else:
                lines.append(
                    f"{base} rule add {common} --collection-name {collection} --name {rule.name} "
                    f"--source-addresses $SOURCES {arguments}"
                )
    return "\n".join(lines) + "\n"


FORMATS = {"table": as_table, "json": as_json, "az": as_az_commands, "csv": as_csv}
