from constructs_lib.egress_rules.construct import (
    ApplicationRule,
    EgressRules,
    EgressRulesProps,
    NetworkRule,
)

__all__ = [
    "ApplicationRule",
    "EgressRules",
    "EgressRulesProps",
    "NetworkRule",
]
