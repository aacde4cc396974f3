"""Defects injected into a synthesized stack are caught by terraform validate or plan.

These are mistakes synthesis and the jsii type checks let through (strings in ignore_changes,
tokens whose type is only known to Terraform, hand-written provider references); each test edits
a copy of the default config's aks-cluster stack and asserts Terraform's own diagnostic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ROOT

CONFIG = ROOT / "config" / "default.yaml"
STACK = "aks-cluster"


def _only(document: dict[str, Any], resource_type: str) -> tuple[str, dict[str, Any]]:
    (name, body), *rest = document["resource"][resource_type].items()
    assert not rest, f"expected one {resource_type}"
    return name, body


def misspelt_ignore_changes(document):
    _, cluster = _only(document, "azurerm_kubernetes_cluster")
    ignored = cluster["lifecycle"]["ignore_changes"]
    ignored[ignored.index("kubernetes_version")] = "kubernetes_verison"


def depends_on_cycle(document):
    # The VNet already depends on the resource group through its resource_group_name reference.
    vnet, _ = _only(document, "azurerm_virtual_network")
    _, group = _only(document, "azurerm_resource_group")
    group["depends_on"] = [f"azurerm_virtual_network.{vnet}"]


def reference_to_missing_resource(document):
    _, vnet = _only(document, "azurerm_virtual_network")
    vnet["location"] = "${azurerm_resource_group.missing.location}"


def string_token_where_a_set_is_expected(document):
    group, _ = _only(document, "azurerm_resource_group")
    _, vnet = _only(document, "azurerm_virtual_network")
    vnet["address_space"] = f"${{azurerm_resource_group.{group}.name}}"


def string_token_where_a_bool_is_expected(document):
    group, _ = _only(document, "azurerm_resource_group")
    _, cluster = _only(document, "azurerm_kubernetes_cluster")
    cluster["private_cluster_enabled"] = f"${{azurerm_resource_group.{group}.location}}"


def string_token_where_a_number_is_expected(document):
    group, _ = _only(document, "azurerm_resource_group")
    _, pool = _only(document, "azurerm_kubernetes_cluster_node_pool")
    pool["max_pods"] = f"${{azurerm_resource_group.{group}.name}}"


def missing_provider_alias(document):
    _, vnet = _only(document, "azurerm_virtual_network")
    vnet["provider"] = "azurerm.nope"


# (defect, the command that must catch it, summary of Terraform's error)
DEFECTS: list[tuple[Callable[[dict], None], str, str]] = [
    (misspelt_ignore_changes, "validate", "Unsupported attribute"),
    (depends_on_cycle, "validate", "Cycle: "),
    (reference_to_missing_resource, "validate", "Reference to undeclared resource"),
    # The token is unknown during validate; at plan the group's name is known and cannot convert.
    (string_token_where_a_set_is_expected, "plan", "Incorrect attribute value type"),
    (string_token_where_a_bool_is_expected, "plan", "Incorrect attribute value type"),
    (string_token_where_a_number_is_expected, "plan", "Incorrect attribute value type"),
    (missing_provider_alias, "validate", "Provider configuration not present"),
]


@pytest.mark.parametrize(("defect", "caught_by", "summary"), DEFECTS, ids=[d[0].__name__ for d in DEFECTS])
def test_defect_is_caught(mutated_stack, defect, caught_by, summary):
    workspace = mutated_stack(CONFIG, STACK, defect)
    validation = workspace.validate()
    errors = [d["summary"] for d in validation["diagnostics"] if d["severity"] == "error"]
    if caught_by == "validate":
        assert not validation["valid"]
        assert any(e.startswith(summary) for e in errors), errors
        return
    assert validation["valid"], errors
    plan = workspace.plan()
    assert not plan.ok
    assert any(e.startswith(summary) for e in plan.summaries("error")), plan.diagnostics


def test_the_unmutated_stack_passes(mutated_stack):
    """The baseline the defects start from is clean, so each failure above is the defect's."""
    workspace = mutated_stack(CONFIG, STACK, lambda document: None)
    assert workspace.validate()["valid"]
    assert workspace.plan().ok
