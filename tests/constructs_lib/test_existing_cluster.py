"""The existing cluster's baseline checks (postconditions of its data source): which checks a
config gets, and that each acknowledge_* key removes exactly its own check. Terraform evaluates
them in tests/terraform/test_existing_cluster.py."""

from __future__ import annotations

import dataclasses

import pytest

from constructs_lib.existing_cluster import BaselineRelaxations, ExistingClusterProps, NodeSubnet, cluster_checks

SUBNET = NodeSubnet(
    vnet_id="/subscriptions/0/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet",
    vnet_name="vnet",
    vnet_resource_group="rg-net",
    name="snet-nodes",
    cidr="10.60.0.0/22",
)
PROPS = ExistingClusterProps(
    cluster_id="/subscriptions/0/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1",
    name="aks1",
    resource_group_name="rg",
    location="westeurope",
    tenant_id="22222222-2222-2222-2222-222222222222",
    node_resource_group="MC_rg_aks1_westeurope",
    node_subnet=SUBNET,
    azureml_pools=("mlcpu",),
    router_min_nodes=3,
    needs_key_vault_secrets_provider=True,
    needs_azure_policy=True,
)

# acknowledge_* key -> a phrase of the message of the check it waives.
RELAXATIONS = {
    "admin_credentials_in_state": "may list the admin credentials",
    "unrestricted_public_api": "public API server open to every address",
    "no_azure_rbac": "does not use Azure RBAC",
    "no_network_policy": "no network policy engine",
    "no_workload_identity": "no OIDC issuer",
}


def _messages(props: ExistingClusterProps) -> list[str]:
    return list(cluster_checks(props).values())


def test_every_baseline_check_is_there_by_default():
    text = "\n".join(_messages(PROPS))
    for phrase in [*RELAXATIONS.values(), "Key Vault secrets provider", "Azure Policy add-on", "fewer than 3 nodes"]:
        assert phrase in text


@pytest.mark.parametrize("relaxation", sorted(RELAXATIONS))
def test_each_acknowledgement_waives_only_its_own_check(relaxation):
    relaxed = dataclasses.replace(PROPS, relaxations=BaselineRelaxations(**{relaxation: True}))
    before, after = _messages(PROPS), _messages(relaxed)
    assert [m for m in before if m not in after] == [m for m in before if RELAXATIONS[relaxation] in m]
    assert len(after) == len(before) - 1


def test_checks_follow_what_the_config_uses():
    lean = dataclasses.replace(PROPS, router_min_nodes=0, needs_key_vault_secrets_provider=False, needs_azure_policy=False)
    text = "\n".join(_messages(lean))
    assert "Key Vault secrets provider" not in text and "Azure Policy" not in text and "fewer than" not in text
    assert len(_messages(lean)) == len(_messages(PROPS)) - 3


def test_several_pools_must_share_the_configured_label():
    several = dataclasses.replace(PROPS, azureml_pools=("mlcpu", "mlgpu"), shared_pool_label=("workload", "azureml"))
    conditions = [c for c, m in cluster_checks(several).items() if "workload=azureml" in m]
    assert conditions == [
        '${alltrue([for p in self.agent_pool_profile : try(p.node_labels["workload"], null) == "azureml"'
        ' if contains(["mlcpu", "mlgpu"], p.name)])}'
    ]


def test_flux_workload_identity_needs_the_extension_this_project_installs():
    from constructs_lib.gitops_delivery import GitOpsDeliveryProps, GitSource, IdentityRef, KustomizationSpec

    source = GitSource(url="https://dev.azure.com/o/p/_git/r", branch="main", sync_interval_seconds=300, auth="workload-identity")
    arguments = dict(
        cluster_id=PROPS.cluster_id,
        source=source,
        kustomizations=(KustomizationSpec(name="infrastructure", path="clusters/x/infrastructure"),),
        source_identity=IdentityRef(name="id-x-flux-source", resource_group_name="rg"),
    )
    assert GitOpsDeliveryProps(**arguments).install_extension
    with pytest.raises(ValueError, match="needs install_extension"):
        GitOpsDeliveryProps(**arguments, install_extension=False)
