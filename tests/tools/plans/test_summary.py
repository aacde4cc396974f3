"""The plan summary: addresses, actions and what forces a replacement, from `terraform show -json`
documents (JSON output format, "Change Representation"); never a value."""

from __future__ import annotations

import json

from tools.plans.summary import StackSummary, headline, markdown, path_text, summarize

SECRET = "s3cr3t-kubeconfig-value"


def change(address: str, actions: list[str], **extra) -> dict:
    body = {"actions": actions, "before": {"password": SECRET}, "after": {"password": SECRET, "name": "rg-visible"}}
    body.update(extra.pop("change", {}))
    return {"address": address, "type": address.split(".")[0], "change": body, **extra}


PLAN = {
    "format_version": "1.2",
    "resource_changes": [
        change("azurerm_resource_group.rg", ["create"]),
        change("azurerm_virtual_network.vnet", ["update"]),
        change("azurerm_subnet.old", ["delete"]),
        change(
            "azurerm_kubernetes_cluster.aks",
            ["delete", "create"],
            action_reason="replace_because_cannot_update",
            change={"replace_paths": [["default_node_pool", 0, "vm_size"], ["name"]]},
        ),
        change("azurerm_key_vault.kv", ["create", "delete"], action_reason="replace_because_tainted"),
        change("azurerm_role_assignment.same", ["no-op"]),
        change("azurerm_subnet.moved", ["no-op"], previous_address="azurerm_subnet.before"),
        change("azurerm_dns_zone.imported", ["no-op"], change={"importing": {"id": "/x"}}),
        change("data.azurerm_client_config.current", ["read"]),
    ],
    "resource_drift": [change("azurerm_network_security_group.nsg", ["update"])],
    "output_changes": {"cluster_id": {"actions": ["create"], "after": SECRET}, "same": {"actions": ["no-op"]}},
}


def test_path_text_renders_indices_and_attributes():
    assert path_text(["default_node_pool", 0, "vm_size"]) == "default_node_pool[0].vm_size"
    assert path_text(["tags", "env"]) == "tags.env"
    assert path_text([0]) == "[0]"


def test_counts_follow_terraform_arithmetic():
    summary = summarize("aks-cluster", PLAN)
    counts = summary.counts
    assert (counts["add"], counts["change"], counts["destroy"], counts["replace"]) == (3, 1, 3, 2)
    assert (counts["import"], counts["move"]) == (1, 1)
    assert headline(summary) == "3 to add, 1 to change, 3 to destroy (2 replaced, 1 imported, 1 moved, 1 output(s) changed)"


def test_replacements_name_what_forces_them():
    text = markdown(summarize("aks-cluster", PLAN))
    assert "| replace | `azurerm_kubernetes_cluster.aks` | forced by `default_node_pool[0].vm_size`, `name` |" in text
    assert "| replace | `azurerm_key_vault.kv` | forced by `tainted` |" in text
    assert "| no-op | `azurerm_subnet.moved` | moved from `azurerm_subnet.before` |" in text
    assert "| no-op + import | `azurerm_dns_zone.imported` |" in text
    # Destructive rows first.
    assert text.index("| delete |") < text.index("| replace |") < text.index("| update |") < text.index("| create |")


def test_drift_and_outputs_are_named_without_values():
    summary = summarize("aks-cluster", PLAN)
    text = markdown(summary)
    assert "Changed outside Terraform since the last apply (1):" in text
    assert "- update `azurerm_network_security_group.nsg`" in text
    assert "Outputs changed: `cluster_id`" in text
    record = json.dumps(summary.to_json())
    for rendered in (text, record):
        assert SECRET not in rendered and "rg-visible" not in rendered


def test_no_op_plan_has_no_changes_and_round_trips():
    summary = summarize("kubernetes-config", {"resource_changes": [change("a.b", ["no-op"]), change("data.c.d", ["read"])]})
    assert not summary.has_changes
    assert headline(summary) == "no changes"
    assert StackSummary.from_json(json.loads(json.dumps(summary.to_json()))) == summary
    full = summarize("aks-cluster", PLAN)
    assert StackSummary.from_json(json.loads(json.dumps(full.to_json()))) == full
