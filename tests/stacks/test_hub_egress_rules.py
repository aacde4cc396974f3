"""hub.firewall_policy_id: aks-cluster creates the hub firewall's egress rule collection group in
the hub subscription, from the same rules `make egress` prints, and the cluster waits for it;
without the key nothing is created."""

from __future__ import annotations

from config.egress import egress_rules
from config.loader import load_config
from tests.conftest import ROOT
from tests.stacks.test_state_safety import variant_of

STACK = "aks-cluster"
LOCKDOWN = "gitops-gpu-workspace-lockdown.yaml"
POLICY_ID = (
    "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-hub-fw"
    "/providers/Microsoft.Network/firewallPolicies/fwp-hub"
)


def _with_policy(raw):
    raw["hub"]["firewall_policy_id"] = POLICY_ID
    raw["hub"]["egress_rule_collection_group_priority"] = 2500


def test_without_the_key_nothing_is_created(default_synth):
    assert "azurerm_firewall_policy_rule_collection_group" not in default_synth.stacks[STACK]["resource"]


def test_rule_collection_group_from_the_egress_list(synth_root, default_synth):
    stacks = variant_of("default.yaml", synth_root, "hub-egress", _with_policy)
    resources = stacks[STACK]["resource"]
    (group,) = resources["azurerm_firewall_policy_rule_collection_group"].values()
    assert group["provider"] == "azurerm.hub"
    assert group["firewall_policy_id"] == POLICY_ID
    assert group["priority"] == 2500
    assert group["name"] == "rcg-amlprod-aks-egress"
    config = load_config(ROOT / "config" / "default.yaml")
    expected = {(r.destination, r.port) for r in egress_rules(config)}
    (apps,) = group["application_rule_collection"]
    (nets,) = group["network_rule_collection"]
    planned = {(rule["destination_fqdns"][0], rule["protocols"][0]["port"]) for rule in apps["rule"]}
    for rule in nets["rule"]:
        planned.add(((rule.get("destination_fqdns") or rule["destination_addresses"])[0], int(rule["destination_ports"][0])))
    assert planned == expected
    sources = {s for rule in [*apps["rule"], *nets["rule"]] for s in rule["source_addresses"]}
    assert sources == {"10.20.0.0/22"}
    # The cluster waits for the rules; every other resource is the same as without the key.
    (cluster,) = resources["azurerm_kubernetes_cluster"].values()
    group_id = next(iter(resources["azurerm_firewall_policy_rule_collection_group"]))
    assert f"azurerm_firewall_policy_rule_collection_group.{group_id}" in cluster["depends_on"]
    before = {(t, n) for t, named in default_synth.stacks[STACK]["resource"].items() for n in named}
    after = {(t, n) for t, named in resources.items() for n in named}
    assert after - before == {("azurerm_firewall_policy_rule_collection_group", group_id)}
    assert before - after == set()
