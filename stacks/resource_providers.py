"""The resource providers the spoke subscription needs registered (no provider bindings here:
`make preflight` checks the same list the stacks register)."""

from __future__ import annotations

from config.model import AppConfig

# The azurerm provider registers resource providers in every subscription it is configured for,
# and its default ("legacy", 66 providers) fails the plan when the identity lacks
# */register/action for any one of them that is not registered yet (azurerm v4.55.0
# internal/resourceproviders/required.go, registration.go). So every provider here registers
# nothing by default ("none") plus exactly what this project's resources need; a provider that is
# already registered costs no call and no permission. Names are case-sensitive as Azure returns
# them ("microsoft.insights" is lower-case).
SPOKE_RESOURCE_PROVIDERS = (
    "Microsoft.Authorization",  # role and policy assignments
    "Microsoft.Compute",  # node virtual machine scale sets
    "Microsoft.ContainerService",  # AKS
    "Microsoft.KubernetesConfiguration",  # cluster extensions (Azure ML, Flux); in no azurerm set
    "Microsoft.ManagedIdentity",  # control-plane identity
    "Microsoft.Network",  # VNet, NSG, route table, peering, private DNS
    "Microsoft.PolicyInsights",  # Azure Policy add-on and its assignments
    "microsoft.insights",  # diagnostic setting, data collection rule and association
)


# With an existing cluster (cluster.existing_id): what this project still creates there (role and
# policy assignments, extensions, the diagnostic setting, the Flux identity, Trusted Access).
EXISTING_CLUSTER_RESOURCE_PROVIDERS = (
    "Microsoft.Authorization",
    "Microsoft.ContainerService",
    "Microsoft.KubernetesConfiguration",
    "Microsoft.ManagedIdentity",
    "Microsoft.PolicyInsights",
    "microsoft.insights",
)


def spoke_resource_providers(config: AppConfig) -> list[str]:
    if config.cluster.existing_id is not None:
        return sorted(EXISTING_CLUSTER_RESOURCE_PROVIDERS, key=str.lower)
    extra = []
    if config.monitoring.log_analytics_workspace_id is None:
        extra += ["Microsoft.OperationalInsights", "Microsoft.OperationsManagement"]  # created workspace
    if config.cluster.defender_enabled:
        extra.append("Microsoft.Security")  # Defender for Containers
    return sorted([*SPOKE_RESOURCE_PROVIDERS, *extra], key=str.lower)
