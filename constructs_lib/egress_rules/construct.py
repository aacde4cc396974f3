"""The hub firewall's egress rules for this cluster: one rule collection group in the hub's Firewall
Policy (hub subscription, through the hub provider alias), made from the same data as `make egress`
(catalog/egress.py). The cluster depends on it: AKS creation fails when the nodes cannot reach their
endpoints.

The group is this deployment's alone (name ``rcg-<name>-aks-egress``); the policy, its other
groups and its priorities stay the hub team's. Azure applies Firewall Policy changes one at a time:
a concurrent update of the same policy (another deployment's group, the hub team's pipeline) fails
with a conflict and the apply can simply be run again (README "What you need from the hub")."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from toolchain.azurerm.firewall_policy_rule_collection_group import (
    FirewallPolicyRuleCollectionGroup,
    FirewallPolicyRuleCollectionGroupApplicationRuleCollection,
    FirewallPolicyRuleCollectionGroupApplicationRuleCollectionRule,
    FirewallPolicyRuleCollectionGroupApplicationRuleCollectionRuleProtocols,
    FirewallPolicyRuleCollectionGroupNetworkRuleCollection,
    FirewallPolicyRuleCollectionGroupNetworkRuleCollectionRule,
)
from toolchain.azurerm.provider import AzurermProvider


@dataclass(frozen=True)
class ApplicationRule:
    name: str
    fqdn: str
    protocol: str  # Http | Https
    port: int


@dataclass(frozen=True)
class NetworkRule:
    name: str
    protocol: str  # TCP | UDP
    port: int
    destination_fqdn: str | None = None
    destination_address: str | None = None  # a service tag, e.g. AzureMonitor


@dataclass(frozen=True)
class EgressRulesProps:
    group_name: str
    firewall_policy_id: str
    priority: int
    source_addresses: tuple[str, ...]
    application_collection_name: str
    application_collection_priority: int
    network_collection_name: str
    network_collection_priority: int
    application_rules: tuple[ApplicationRule, ...]
    network_rules: tuple[NetworkRule, ...]


class EgressRules(Construct):
    """Exposes ``group`` (the rule collection group)."""

    def __init__(self, scope: Construct, id_: str, *, props: EgressRulesProps, hub_provider: AzurermProvider) -> None:
        super().__init__(scope, id_)
        sources = list(props.source_addresses)
        network = (
            [
                FirewallPolicyRuleCollectionGroupNetworkRuleCollection(
                    name=props.network_collection_name,
                    priority=props.network_collection_priority,
                    action="Allow",
                    rule=[
                        FirewallPolicyRuleCollectionGroupNetworkRuleCollectionRule(
                            name=rule.name,
                            protocols=[rule.protocol],
                            source_addresses=sources,
                            destination_ports=[str(rule.port)],
                            destination_fqdns=[rule.destination_fqdn] if rule.destination_fqdn else None,
                            destination_addresses=[rule.destination_address] if rule.destination_address else None,
                        )
                        for rule in props.network_rules
                    ],
                )
            ]
            if props.network_rules
            else None
        )
        application = (
            [
                FirewallPolicyRuleCollectionGroupApplicationRuleCollection(
                    name=props.application_collection_name,
                    priority=props.application_collection_priority,
                    action="Allow",
                    rule=[
                        FirewallPolicyRuleCollectionGroupApplicationRuleCollectionRule(
                            name=rule.name,
                            source_addresses=sources,
                            destination_fqdns=[rule.fqdn],
                            protocols=[
                                FirewallPolicyRuleCollectionGroupApplicationRuleCollectionRuleProtocols(
                                    type=rule.protocol, port=rule.port
                                )
                            ],
                        )
                        for rule in props.application_rules
                    ],
                )
            ]
            if props.application_rules
            else None
        )
        self.group = FirewallPolicyRuleCollectionGroup(
            self,
            "rule_collection_group",
            provider=hub_provider,
            name=props.group_name,
            firewall_policy_id=props.firewall_policy_id,
            priority=props.priority,
            network_rule_collection=network,
            application_rule_collection=application,
        )
