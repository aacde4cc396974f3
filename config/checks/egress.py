"""Cross-field rules: what the hub firewall's egress list (catalog/egress.py, `make egress`) needs."""

from __future__ import annotations

from collections.abc import Iterator

from config.azure_ids import parse_resource_id
from config.checks.base import MISSING, Problem, when_set
from config.model import AppConfig

# Workspace facts the workspace id does not reveal and the egress list names (README, `azureml`).
WORKSPACE_EGRESS_KEYS = (
    ("workspace_guid", "its <guid>.workspace.<region>.api.azureml.ms endpoint"),
    ("storage_account_id", "its storage account's blob endpoint"),
    ("container_registry_id", "its registry's <acr>.azurecr.io and data endpoints"),
)


def _workspace_egress_rule(config: AppConfig) -> Iterator[Problem]:
    """With a hub every byte leaves through its firewall, which must allow the workspace's own
    endpoints; nothing we deploy can read them (the workspace data source exposes none)."""
    workspace = config.azureml.workspace
    if config.hub is None or workspace is None:
        return
    for key, why in WORKSPACE_EGRESS_KEYS:
        if getattr(workspace, key) is None:
            yield Problem(
                f"azureml.workspace.{key}",
                f"is required with hub and azureml.workspace: the hub firewall must allow {why} (`make egress` lists it)",
                MISSING,
            )


@when_set("network")  # an existing cluster's network is its owners'
def _private_endpoint_rule(config: AppConfig) -> Iterator[Problem]:
    services = config.network.private_endpoints
    for index, service in enumerate(services):
        path = f"network.private_endpoints[{index}]"
        if service in ("workspace", "storage", "container_registry") and config.azureml.workspace is None:
            yield Problem(path, f"{service} is a service of the Azure ML workspace: needs azureml.workspace", service)
        if service == "key_vault" and not (
            (config.tls.mode == "keyvault" and config.tls.key_vault_id) or config.azureml.router_tls is not None
        ):
            yield Problem(path, "key_vault needs a Key Vault in use (tls.key_vault_id or azureml.router_tls)", service)


def _firewall_policy_rule(config: AppConfig) -> Iterator[Problem]:
    hub = config.hub
    if hub is None or hub.firewall_policy_id is None:
        return
    policy = parse_resource_id(hub.firewall_policy_id)
    vnet = parse_resource_id(hub.vnet_id)
    if policy.subscription_id.lower() != vnet.subscription_id.lower():
        # The rule collection group is written through the hub provider (the hub VNet's subscription).
        yield Problem(
            "hub.firewall_policy_id",
            f"must be in the hub VNet's subscription ({vnet.subscription_id}), where aks-cluster's hub provider writes",
            hub.firewall_policy_id,
        )


def _images_rule(config: AppConfig) -> Iterator[Problem]:
    if config.images is not None and config.ingress.controller != "f5-nginx":
        yield Problem(
            "images.registry",
            "is supported with ingress.controller f5-nginx only (the retired community controller is not mirrored)",
            config.ingress.controller,
        )


RULES = (
    _workspace_egress_rule,
    _images_rule,
    _firewall_policy_rule,
    _private_endpoint_rule,
)
