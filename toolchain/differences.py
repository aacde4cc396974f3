"""Every difference between what the two toolchains synthesize, in one place, each with its reason
and whether it would make Terraform replace a resource that cdktf-synthesized config created.

tests/test_toolchain_equivalence.py synthesizes every shipped config with both toolchains and
requires ``as_cdktf(cdktn output) == cdktf output`` exactly: same resource addresses, same
attribute values, and nothing differs that is not listed here. Each ``undo`` is strict: it maps the
cdktn form back only when it is exactly the form listed, and raises ``UnexpectedDifference``
otherwise. Under ``TOOLCHAIN=cdktn`` the snapshot tests compare ``as_cdktf(output)`` with the one
(cdktf) snapshot set. docs/toolchain.md explains each entry for people (a test keeps it in step).

Sources for "replaces": the azurerm 5.0 upgrade guide and provider source (v5.2.0, the newest tag
in reach here; the bindings wrap 5.10.0), the kubernetes v3 upgrade guide, and the bindings'
own schema (what is required, list or object).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Versions each toolchain's prebuilt bindings pin (they land in terraform.required_providers).
CDK_VERSIONS = {"cdktf": "0.21.0", "cdktn": "0.24.0"}
PROVIDER_VERSIONS = {
    # provider: (cdktf, cdktn)
    "azurerm": ("4.55.0", "5.10.0"),
    "kubernetes": ("2.38.0", "3.4.0"),
    "helm": ("3.1.1", "3.3.0"),
    "time": ("0.13.1", "0.14.2"),
}


class UnexpectedDifference(AssertionError):
    """The cdktn output differs from cdktf's in a way this module does not list."""


Document = dict[str, Any]


@dataclass(frozen=True)
class Difference:
    id: str
    where: str  # location in the synthesized JSON
    cdktf: str
    cdktn: str
    reason: str
    replaces: bool  # would `terraform plan` with cdktn's config replace a resource cdktf's created?
    plan_effect: str  # what that first plan shows instead
    undo: Callable[[str, Document], int]  # (document kind, cdktn document) -> places changed back


def _set_back(path: tuple[str, ...], cdktf_value: Any, cdktn_value: Any) -> Callable[[Document], int]:
    def undo(doc: Document) -> int:
        *parents, leaf = path
        node = doc
        for key in parents:
            if not isinstance(node, dict) or key not in node:
                return 0
            node = node[key]
        if leaf not in node:
            return 0
        if node[leaf] == cdktf_value:
            return 0
        if node[leaf] != cdktn_value:
            raise UnexpectedDifference(f"{'.'.join(path)} is {node[leaf]!r}, listed as {cdktn_value!r}")
        node[leaf] = cdktf_value
        return 1

    return undo


def _stack_only(undo: Callable[[Document], int]) -> Callable[[str, Document], int]:
    return lambda kind, doc: undo(doc) if kind == "stack" else 0


def _resources(doc: Document, resource_type: str) -> dict[str, dict]:
    return doc.get("resource", {}).get(resource_type, {})


def _undo_node_provisioning_profile(doc: Document) -> int:
    changed = 0
    for name, cluster in _resources(doc, "azurerm_kubernetes_cluster").items():
        profile = cluster.pop("node_provisioning_profile", None)
        if profile is None:
            continue
        if profile != {"mode": "Manual"}:
            raise UnexpectedDifference(f"azurerm_kubernetes_cluster.{name}.node_provisioning_profile is {profile!r}")
        changed += 1
    return changed


_ZONE_REFERENCE = re.compile(r"^\$\{azurerm_private_dns_zone\.(?P<zone>[\w-]+)\.id\}$")


def _undo_dns_link_zone_id(doc: Document) -> int:
    changed = 0
    zones = _resources(doc, "azurerm_private_dns_zone")
    for name, link in _resources(doc, "azurerm_private_dns_zone_virtual_network_link").items():
        if "private_dns_zone_id" not in link:
            continue
        match = _ZONE_REFERENCE.match(link["private_dns_zone_id"])
        if not match or match["zone"] not in zones or {"private_dns_zone_name", "resource_group_name"} & link.keys():
            raise UnexpectedDifference(f"azurerm_private_dns_zone_virtual_network_link.{name}: {link!r}")
        zone = match["zone"]
        del link["private_dns_zone_id"]
        link["private_dns_zone_name"] = f"${{azurerm_private_dns_zone.{zone}.name}}"
        link["resource_group_name"] = zones[zone]["resource_group_name"]
        changed += 1
    return changed


_IDENTITY_REFERENCE = re.compile(r"^\$\{azurerm_user_assigned_identity\.(?P<identity>[\w-]+)\.id\}$")


def _undo_federated_credential_identity(doc: Document) -> int:
    changed = 0
    identities = _resources(doc, "azurerm_user_assigned_identity")
    for name, credential in _resources(doc, "azurerm_federated_identity_credential").items():
        if "user_assigned_identity_id" not in credential:
            continue
        match = _IDENTITY_REFERENCE.match(credential["user_assigned_identity_id"])
        if not match or match["identity"] not in identities or {"parent_id", "resource_group_name"} & credential.keys():
            raise UnexpectedDifference(f"azurerm_federated_identity_credential.{name}: {credential!r}")
        credential["parent_id"] = credential.pop("user_assigned_identity_id")
        credential["resource_group_name"] = identities[match["identity"]]["resource_group_name"]
        changed += 1
    return changed


def _undo_namespace_metadata_list(doc: Document) -> int:
    changed = 0
    for name, namespace in _resources(doc, "kubernetes_namespace_v1").items():
        metadata = namespace.get("metadata")
        if isinstance(metadata, list):
            if len(metadata) != 1 or not isinstance(metadata[0], dict):
                raise UnexpectedDifference(f"kubernetes_namespace_v1.{name}.metadata is {metadata!r}")
            namespace["metadata"] = metadata[0]
            changed += 1
    return changed


def _undo_provider_versions(doc: Document) -> int:
    changed = 0
    for provider, (cdktf_version, cdktn_version) in PROVIDER_VERSIONS.items():
        path = ("terraform", "required_providers", provider, "version")
        changed += _set_back(path, cdktf_version, cdktn_version)(doc)
    return changed


DIFFERENCES: tuple[Difference, ...] = (
    Difference(
        id="cdk-version",
        where='"//".metadata.version (each stack) and manifest.json "version"',
        cdktf=CDK_VERSIONS["cdktf"],
        cdktn=CDK_VERSIONS["cdktn"],
        reason="The synthesizing library's own version, recorded for the CLI; Terraform ignores it.",
        replaces=False,
        plan_effect="nothing",
        undo=lambda kind, doc: (
            _set_back(("//", "metadata", "version"), CDK_VERSIONS["cdktf"], CDK_VERSIONS["cdktn"])(doc)
            if kind == "stack"
            else _set_back(("version",), CDK_VERSIONS["cdktf"], CDK_VERSIONS["cdktn"])(doc)
        ),
    ),
    Difference(
        id="provider-versions",
        where="terraform.required_providers.<azurerm|kubernetes|helm|time>.version",
        cdktf=", ".join(f"{p} {v[0]}" for p, v in PROVIDER_VERSIONS.items()),
        cdktn=", ".join(f"{p} {v[1]}" for p, v in PROVIDER_VERSIONS.items()),
        reason=(
            "Each prebuilt binding pins the provider version it was generated from. azurerm 4 -> 5 and "
            "kubernetes 2 -> 3 are major upgrades: `terraform init -upgrade`, then plan (docs/toolchain.md); "
            "Terraform refuses to go back to an older provider once apply or refresh has upgraded the state."
        ),
        replaces=False,
        plan_effect="no resource change by itself; the state is upgraded on the first apply/refresh (one-way)",
        undo=_stack_only(_undo_provider_versions),
    ),
    Difference(
        id="kubernetes-provider-source",
        where="terraform.required_providers.kubernetes.source",
        cdktf='"kubernetes"',
        cdktn='"hashicorp/kubernetes"',
        reason='The same provider: Terraform expands a bare "kubernetes" to registry.terraform.io/hashicorp/kubernetes.',
        replaces=False,
        plan_effect="nothing",
        undo=_stack_only(
            _set_back(("terraform", "required_providers", "kubernetes", "source"), "kubernetes", "hashicorp/kubernetes")
        ),
    ),
    Difference(
        id="aks-node-provisioning-profile",
        where="resource.azurerm_kubernetes_cluster.*.node_provisioning_profile",
        cdktf="(absent: azurerm 4.55 has no such block)",
        cdktn='{"mode": "Manual"}',
        reason=(
            "azurerm 5 made the block required (5.0 upgrade guide). `Manual` is the AKS default every cluster "
            "built without node auto-provisioning has; set explicitly by toolchain.shims.kubernetes_cluster_arguments. "
            "Not ForceNew (the provider updates it in place)."
        ),
        replaces=False,
        plan_effect="nothing when AKS reports Manual (expected); otherwise an in-place update",
        undo=_stack_only(_undo_node_provisioning_profile),
    ),
    Difference(
        id="dns-link-zone-id",
        where="resource.azurerm_private_dns_zone_virtual_network_link.*",
        cdktf="resource_group_name + private_dns_zone_name (${azurerm_private_dns_zone.X.name})",
        cdktn="private_dns_zone_id (${azurerm_private_dns_zone.X.id})",
        reason=(
            "azurerm 5 removed resource_group_name and private_dns_zone_name in favour of private_dns_zone_id "
            "(5.0 upgrade guide); toolchain.shims.private_dns_zone_link_target. private_dns_zone_id is ForceNew, "
            "but the 5.x provider's Read sets it from the link's own resource id, so after the refresh that "
            "every plan does it equals the zone's id."
        ),
        replaces=False,
        plan_effect=(
            "nothing after refresh; a plan with -refresh=false would compare against the missing value and "
            "show a replacement, so never plan the first azurerm 5 run without refresh"
        ),
        undo=_stack_only(_undo_dns_link_zone_id),
    ),
    Difference(
        id="federated-credential-identity-id",
        where="resource.azurerm_federated_identity_credential.*",
        cdktf="parent_id (${azurerm_user_assigned_identity.X.id}) + resource_group_name",
        cdktn="user_assigned_identity_id (${azurerm_user_assigned_identity.X.id})",
        reason=(
            "azurerm 5 replaced parent_id and resource_group_name with user_assigned_identity_id (v5.12.0 docs, "
            "r/federated_identity_credential); toolchain.shims.federated_identity_credential_parent. Only GitOps "
            "mode with workload identity has one (tests/fixtures/configs/gitops-devops-workload-identity.yaml). "
            "Both are ForceNew and name the same identity."
        ),
        replaces=False,
        plan_effect=(
            "expected nothing after refresh (the 5.x Read sets the identity id from the credential's own id, as "
            "for dns-link-zone-id); not verified against the 5.x source here: check the first azurerm 5 plan"
        ),
        undo=_stack_only(_undo_federated_credential_identity),
    ),
    Difference(
        id="namespace-metadata-list",
        where="resource.kubernetes_namespace_v1.*.metadata",
        cdktf="one object",
        cdktn="a one-element list",
        reason=(
            "The kubernetes 3.4 bindings type the block as a list (toolchain.shims.single_block). Terraform JSON "
            "accepts a nested block as an object or as an array of objects; both are the same configuration."
        ),
        replaces=False,
        plan_effect="nothing",
        undo=_stack_only(_undo_namespace_metadata_list),
    ),
)


@dataclass(frozen=True)
class DefaultChange:
    """An argument whose provider default differs between the majors. Identical JSON only means
    identical behaviour if the app sets it explicitly, so the equivalence test requires that."""

    block: str  # "provider" or "resource"
    type: str  # provider name or resource type
    attribute: str
    cdktf_default: str
    cdktn_default: str
    reason: str


DEFAULTS_THAT_DIFFER: tuple[DefaultChange, ...] = (
    DefaultChange(
        "provider",
        "azurerm",
        "resource_provider_registrations",
        cdktf_default="legacy",
        cdktn_default="none",
        reason="azurerm 5.0 upgrade guide, Resource Provider Registration Changes",
    ),
    DefaultChange(
        "resource",
        "azurerm_kubernetes_cluster",
        "oidc_issuer_enabled",
        cdktf_default="false",
        cdktn_default="true",
        reason="azurerm 5.0 upgrade guide, azurerm_kubernetes_cluster",
    ),
)


def missing_explicit_defaults(doc: Document) -> list[str]:
    """Blocks in a stack document that leave a ``DEFAULTS_THAT_DIFFER`` argument to its default."""
    missing = []
    for change in DEFAULTS_THAT_DIFFER:
        if change.block == "provider":
            blocks = {str(i): b for i, b in enumerate(doc.get("provider", {}).get(change.type, []))}
        else:
            blocks = _resources(doc, change.type)
        missing += [
            f"{change.block}.{change.type}.{name}.{change.attribute}" for name, b in blocks.items() if change.attribute not in b
        ]
    return missing


def as_cdktf(kind: str, cdktn_doc: Document) -> tuple[Document, set[str]]:
    """The cdktn document mapped back to the cdktf form, and the ids of the differences it used.

    ``kind``: ``"stack"`` (cdk.tf.json) or ``"manifest"`` (manifest.json)."""
    doc = copy.deepcopy(cdktn_doc)
    used = {difference.id for difference in DIFFERENCES if difference.undo(kind, doc)}
    return doc, used
