"""State backend and azurerm provider, configured once per stack."""

from __future__ import annotations

from config.model import AppConfig, AzurermState
from config.naming import cluster_subscription_id
from toolchain.azurerm.provider import AzurermProvider, AzurermProviderFeatures, AzurermProviderFeaturesTemplateDeployment
from toolchain.cdk import AzurermBackend, LocalBackend, TerraformStack
from toolchain.time.provider import TimeProvider

# cdktf runs Terraform in cdktf.out/stacks/<stack>; local state lives outside cdktf.out so that
# deleting the synth output never deletes state.
STACK_DIR_TO_PROJECT_ROOT = "../../.."


def state_key(config: AppConfig, stack_name: str) -> str:
    return f"{config.name}/{stack_name}.tfstate"


def configure_backend(stack: TerraformStack, config: AppConfig, stack_name: str) -> None:
    state = config.state
    if isinstance(state, AzurermState):
        AzurermBackend(
            stack,
            resource_group_name=state.resource_group_name,
            storage_account_name=state.storage_account_name,
            container_name=state.container_name,
            key=state_key(config, stack_name),
            subscription_id=state.subscription_id,
            tenant_id=state.tenant_id,
            # Entra ID auth to the blob: no storage account keys.
            use_azuread_auth=True,
        )
    else:
        LocalBackend(stack, path=f"{STACK_DIR_TO_PROJECT_ROOT}/{state.directory}/{state_key(config, stack_name)}")


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


def azurerm_provider(
    stack: TerraformStack,
    config: AppConfig,
    *,
    alias: str | None = None,
    subscription_id: str | None = None,
    resource_providers: list[str] | None = None,
    template_deployments_delete_resources: bool = True,
) -> AzurermProvider:
    """The spoke provider (no alias) registers ``resource_providers``; an aliased provider for
    another subscription (hub, Key Vault) registers nothing: it only reads there, adds a peering
    or a role assignment, and the deploying identity rarely may register providers there.
    ``template_deployments_delete_resources=False``: destroying a template deployment leaves what
    it deployed (the Azure ML attach detaches its compute itself)."""
    # subscription_id None: the provider reads ARM_SUBSCRIPTION_ID at plan/apply time.
    return AzurermProvider(
        stack,
        f"azurerm_{alias}" if alias else "azurerm",
        features=[
            AzurermProviderFeatures(
                template_deployment=(
                    None
                    if template_deployments_delete_resources
                    else [AzurermProviderFeaturesTemplateDeployment(delete_nested_items_during_deletion=False)]
                )
            )
        ],
        subscription_id=subscription_id or cluster_subscription_id(config),
        alias=alias,
        storage_use_azuread=True,
        resource_provider_registrations="none",
        resource_providers_to_register=resource_providers or None,
    )


def time_provider(stack: TerraformStack) -> TimeProvider:
    """hashicorp/time, for the waits between role assignments and what checks them."""
    return TimeProvider(stack, "time")
