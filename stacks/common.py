"""State backend and azurerm provider, configured once per stack."""

from __future__ import annotations

from config.environment import state_key
from config.layout import STACK_DIR_TO_PROJECT_ROOT
from config.model import AppConfig, AzurermState
from config.naming import cluster_subscription_id
from stacks.resource_providers import SPOKE_RESOURCE_PROVIDERS, spoke_resource_providers  # noqa: F401 (re-exported)
from toolchain.azurerm.provider import AzurermProvider, AzurermProviderFeatures, AzurermProviderFeaturesTemplateDeployment
from toolchain.cdk import AzurermBackend, LocalBackend, TerraformLocal, TerraformOutput, TerraformStack
from toolchain.time.provider import TimeProvider

# cdktf runs Terraform in cdktf.out/<name>/stacks/<stack> (config/layout.py); local state lives
# outside cdktf.out, at <state.directory>/<name>/<stack>.tfstate, so that deleting the synth output
# never deletes state, and the same file serves the layout before per-environment folders.


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


# The list lives in stacks/resource_providers.py (no provider bindings: `make preflight` reads it).
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


def add_deploy_refusal(stack: TerraformStack, message: str) -> None:
    """Make every plan of ``stack`` fail with ``message`` (config/environment.py: the example config
    is synthesized, never deployed). An output precondition is checked at plan time, adds no
    resource, and needs no provider; Terraform requires the condition to reference an object."""
    deployable = TerraformLocal(stack, "deployable", False)
    guard = TerraformOutput(stack, "example_config_guard", value="this config is an example and is not deployed")
    # cdktf 0.21's TerraformOutput accepts `precondition` but never synthesizes it
    # (lib/terraform-output.js synthesizeAttributes): set the block itself.
    guard.add_override("precondition", [{"condition": deployable.as_boolean, "error_message": message}])
