"""Azure Policy assignments on the cluster, enforced in-cluster by the Azure Policy add-on
(Gatekeeper): no public load balancers, and the pod security baseline."""

from __future__ import annotations

import json
from dataclasses import dataclass

from constructs import Construct

from toolchain.azurerm.resource_policy_assignment import ResourcePolicyAssignment

# Built-in definitions (ids are global, the same in every tenant).
INTERNAL_LOAD_BALANCERS_POLICY_ID = "/providers/Microsoft.Authorization/policyDefinitions/3fc4dc25-5baf-40d8-9b05-7fe74c1bc64e"
POD_SECURITY_BASELINE_INITIATIVE_ID = (
    "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d"
)
EFFECTS = ("audit", "deny", "disabled")
# The initiative's own default for excludedNamespaces (Azure/azure-policy, built-in-policies/
# policySetDefinitions/Kubernetes/PSPBaselineStandard.json v1.4.0). Setting the parameter replaces
# the default, so these stay in the list.
BASELINE_DEFAULT_EXCLUDED_NAMESPACES = ("kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system")


@dataclass(frozen=True)
class ClusterPolicyProps:
    cluster_id: str
    cluster_name: str
    internal_load_balancers_effect: str
    pod_security_baseline_effect: str
    # Namespaces the baseline leaves alone, besides BASELINE_DEFAULT_EXCLUDED_NAMESPACES: those of
    # platform components that need host access and cannot be changed (the Azure ML extension).
    pod_security_excluded_namespaces: tuple[str, ...] = ()


class ClusterPolicy(Construct):
    """Exposes ``internal_load_balancers``, ``pod_security_baseline`` (the assignments) and
    ``pod_security_excluded_namespaces``."""

    def __init__(self, scope: Construct, id_: str, *, props: ClusterPolicyProps) -> None:
        super().__init__(scope, id_)
        for effect in (props.internal_load_balancers_effect, props.pod_security_baseline_effect):
            if effect not in EFFECTS:
                raise ValueError(f"policy effect must be one of {EFFECTS}")
        self.pod_security_excluded_namespaces = list(
            dict.fromkeys([*BASELINE_DEFAULT_EXCLUDED_NAMESPACES, *props.pod_security_excluded_namespaces])
        )
        self.internal_load_balancers = ResourcePolicyAssignment(
            self,
            "internal_load_balancers",
            name="aks-internal-load-balancers",
            display_name=f"[{props.cluster_name}] Kubernetes clusters should use internal load balancers",
            resource_id=props.cluster_id,
            policy_definition_id=INTERNAL_LOAD_BALANCERS_POLICY_ID,
            parameters=json.dumps({"effect": {"value": props.internal_load_balancers_effect}}),
        )
        self.pod_security_baseline = ResourcePolicyAssignment(
            self,
            "pod_security_baseline",
            name="aks-pod-security-baseline",
            display_name=f"[{props.cluster_name}] Kubernetes pod security baseline standards (Linux)",
            resource_id=props.cluster_id,
            policy_definition_id=POD_SECURITY_BASELINE_INITIATIVE_ID,
            parameters=json.dumps(
                {
                    "effect": {"value": props.pod_security_baseline_effect},
                    "excludedNamespaces": {"value": self.pod_security_excluded_namespaces},
                }
            ),
        )
