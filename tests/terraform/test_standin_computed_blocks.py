"""The stand-in plans azurerm's Optional+Computed blocks as the SDK v2 provider does: one element of
unknowns on create (so kubelet_identity[0].object_id is "known after apply"), the prior state's
value on update (no spurious diff), the configuration's own value when it sets one."""

from __future__ import annotations

from tools.terraform_standin.values import SDK_OPTIONAL_COMPUTED_BLOCKS, with_optional_computed_blocks

BLOCK = {
    "attributes": {"name": {"required": True, "type": "string"}},
    "block_types": {
        "kubelet_identity": {
            "nesting_mode": "list",
            "max_items": 1,
            "block": {
                "attributes": {
                    a: {"optional": True, "computed": True, "type": "string"}
                    for a in ("client_id", "object_id", "user_assigned_identity_id")
                }
            },
        }
    },
}
CLUSTER = ("azurerm", "azurerm_kubernetes_cluster")


def test_create_plans_one_element_of_unknowns():
    planned, legacy = with_optional_computed_blocks(*CLUSTER, BLOCK, {"name": "aks", "kubelet_identity": []}, None)
    assert legacy is True
    assert planned["kubelet_identity"] == [{"client_id": None, "object_id": None, "user_assigned_identity_id": None}]


def test_update_keeps_the_prior_value_and_config_wins():
    prior = {"name": "aks", "kubelet_identity": [{"client_id": "c", "object_id": "o", "user_assigned_identity_id": "u"}]}
    planned, _ = with_optional_computed_blocks(*CLUSTER, BLOCK, {"name": "aks", "kubelet_identity": []}, prior)
    assert planned["kubelet_identity"] == prior["kubelet_identity"]
    configured = [{"client_id": "x", "object_id": "y", "user_assigned_identity_id": "z"}]
    planned, _ = with_optional_computed_blocks(*CLUSTER, BLOCK, {"name": "aks", "kubelet_identity": configured}, prior)
    assert planned["kubelet_identity"] == configured


def test_other_types_untouched():
    proposed = {"name": "x", "kubelet_identity": []}
    assert with_optional_computed_blocks("azurerm", "azurerm_virtual_network", BLOCK, proposed, None) == (proposed, False)
    assert set(SDK_OPTIONAL_COMPUTED_BLOCKS) == {CLUSTER}
