"""State backend and azurerm provider, configured once per stack."""

from __future__ import annotations

from config.model import AppConfig, AzurermState
from toolchain.azurerm.provider import AzurermProvider, AzurermProviderFeatures
from toolchain.cdk import AzurermBackend, LocalBackend, TerraformStack

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


# Not in azurerm's default registration set; the Azure ML extension
# (azurerm_kubernetes_cluster_extension) fails with MissingSubscriptionRegistration without it.
EXTRA_RESOURCE_PROVIDERS = ("Microsoft.KubernetesConfiguration",)


def azurerm_provider(
    stack: TerraformStack,
    config: AppConfig,
    *,
    alias: str | None = None,
    subscription_id: str | None = None,
    register_providers: bool = False,
) -> AzurermProvider:
    # subscription_id None: the provider reads ARM_SUBSCRIPTION_ID at plan/apply time.
    return AzurermProvider(
        stack,
        f"azurerm_{alias}" if alias else "azurerm",
        features=[AzurermProviderFeatures()],
        subscription_id=subscription_id or config.subscription_id,
        alias=alias,
        storage_use_azuread=True,
        resource_providers_to_register=list(EXTRA_RESOURCE_PROVIDERS) if register_providers else None,
    )
