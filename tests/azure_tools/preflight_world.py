"""A healthy subscription for a config, as fake ARM routes; tests then break one thing at a time."""

from __future__ import annotations

from pathlib import Path

from config.azure_ids import parse_resource_id
from config.loader import load_config
from config.model import AppConfig
from config.naming import derive_names
from stacks.resource_providers import spoke_resource_providers
from tests.azure_tools import arm_responses as arm
from tests.azure_tools.fakes import FakeArm, FakeCredential
from tools.preflight.context import Context
from tools.preflight.model import Status

SPOKE = "44444444-4444-4444-4444-444444444444"
SECRETS_OBJECT_ID = "66666666-6666-6666-6666-666666666666"
SIZES = {
    "Standard_D4ds_v5": ("standardDDSv5Family", 4),
    "Standard_D8ds_v5": ("standardDDSv5Family", 8),
    "Standard_NC24ads_A100_v4": ("standardNCADSA100v4Family", 24),
}


def healthy(config: AppConfig, *, latency: float = 0.0, cluster_exists: bool = True) -> FakeArm:
    fake = FakeArm(latency=latency)
    sub = config.subscription_id or SPOKE
    names = derive_names(config)
    location = config.location
    fake.add("GET", f"/subscriptions/{sub}", arm.subscription(sub))
    for namespace in spoke_resource_providers(config):
        fake.add("GET", f"/subscriptions/{sub}/providers/{namespace}", arm.provider(sub, namespace))
    fake.add(
        "GET",
        f"/subscriptions/{sub}/providers/Microsoft.Compute/locations/{location}/usages",
        arm.usage({"cores": (10, 1000), "standardDDSv5Family": (0, 500), "standardNCADSA100v4Family": (0, 500)}),
    )
    fake.add(
        "GET",
        f"/subscriptions/{sub}/providers/Microsoft.Compute/skus",
        arm.skus(*(arm.vm_sku(size, family, vcpus, location) for size, (family, vcpus) in SIZES.items())),
    )
    fake.add(
        "GET",
        f"/subscriptions/{sub}/providers/Microsoft.ContainerService/locations/{location}/kubernetesVersions",
        arm.kubernetes_versions({"1.34": ["1.34.2"], "1.35": ["1.35.1"]}),
    )
    if config.hub:
        hub = parse_resource_id(config.hub.vnet_id)
        fake.add(
            "GET",
            f"/subscriptions/{hub.subscription_id}/resourceGroups/{hub.resource_group}/providers/Microsoft.Network/virtualNetworks/{hub.name}",
            arm.virtual_network(config.hub.vnet_id, [str(r) for r in config.hub.address_space]),
        )
    zone_id = config.cluster.api.private_dns_zone_id
    if zone_id:
        fake.add("GET", zone_id, arm.private_zone(zone_id))
        fake.add("GET", f"{zone_id}/virtualNetworkLinks", arm.vnet_links(zone_id, [config.hub.vnet_id] if config.hub else []))
    # Permissions: Owner-like everywhere (actions *, data actions of blob and Key Vault).
    everything = arm.permissions(actions=("*",), data_actions=("Microsoft.Storage/*", "Microsoft.KeyVault/*"))
    fake.add("GET", r"/subscriptions/[^/]+/resourcegroups/[^/]+/providers/Microsoft.Authorization/permissions", everything)
    fake.add("GET", r"/subscriptions/.+/providers/Microsoft.Authorization/permissions", everything)
    fake.add("HEAD", r"/subscriptions/[^/]+/resourcegroups/[^/]+", None, status=204)
    cluster_id = (
        f"/subscriptions/{sub}/resourceGroups/{names.resource_group}"
        f"/providers/Microsoft.ContainerService/managedClusters/{names.cluster}"
    )
    if cluster_exists:
        fake.add("GET", cluster_id, arm.managed_cluster(cluster_id, SECRETS_OBJECT_ID))
    else:
        fake.add("GET", cluster_id, arm.arm_error("ResourceNotFound", "not found"), status=404)
    if config.tls.key_vault_id:
        # What aks-cluster grants: Key Vault Secrets User on the certificate's secret.
        secret = f"{config.tls.key_vault_id}/secrets/{config.tls.certificate_name}"
        fake.add(
            "GET",
            f"{secret}/providers/Microsoft.Authorization/roleAssignments",
            arm.role_assignments(secret, SECRETS_OBJECT_ID, ["4633458b-17de-408a-b874-0445c86b69e6"]),
        )
    workspace = config.azureml.workspace
    if workspace:
        fake.add(
            "GET",
            workspace.id,
            arm.workspace(
                workspace.id,
                {
                    "type": "SystemAssigned",
                    "principalId": "77777777-7777-7777-7777-777777777777",
                    "tenantId": config.cluster.entra.tenant_id,
                },
                # The workspace the config describes (its workspace_guid, storage and registry ids).
                workspaceId=workspace.workspace_guid or "88888888-8888-8888-8888-888888888888",
                storageAccount=workspace.storage_account_id
                or f"/subscriptions/{sub}/resourceGroups/rg-ml/providers/Microsoft.Storage/storageAccounts/stmlws",
                containerRegistry=workspace.container_registry_id
                or f"/subscriptions/{sub}/resourceGroups/rg-ml/providers/Microsoft.ContainerRegistry/registries/crmlws",
            ),
        )
    state = config.state
    if state.backend == "azurerm":
        account_id = (
            f"/subscriptions/{state.subscription_id or sub}/resourceGroups/{state.resource_group_name}"
            f"/providers/Microsoft.Storage/storageAccounts/{state.storage_account_name}"
        )
        fake.add("GET", account_id, arm.storage_account(account_id))
        container_id = f"{account_id}/blobServices/default/containers/{state.container_name}"
        fake.add("GET", container_id, arm.blob_container(container_id))
    return fake


def context_for(config: AppConfig, fake: FakeArm, credential: FakeCredential | None = None) -> Context:
    return Context(
        config=config,
        credential=credential or FakeCredential(),
        subscription_id=config.subscription_id or SPOKE,
        client_kwargs=fake.client_kwargs(),
    )


ROOT = Path(__file__).resolve().parents[2]
WORKSPACE = load_config(ROOT / "tests/fixtures/configs/azureml-workspace.yaml")
DEFAULT = load_config(ROOT / "config/default.yaml")
STANDALONE = load_config(ROOT / "config/standalone.yaml")
LOCKDOWN = load_config(ROOT / "tests/fixtures/configs/gitops-gpu-workspace-lockdown.yaml")  # hub.firewall_policy_id
HUB = WORKSPACE.hub.vnet_id


def statuses(findings) -> list[Status]:
    return [f.status for f in findings]


def by_name(results) -> dict:
    return {r.name: r for r in results}
