"""The stand-in azurerm provider's remote side, when a fake ARM store is configured
(``STANDIN_ARM_STORE``, see fake_arm.py): create, read and delete of the types in
``fake_arm.PROVIDER_TYPES`` go through the store with azurerm's behaviour for them; every other
resource keeps the stand-in's default (the state is the truth)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from tools.terraform_standin import cty
from tools.terraform_standin.fake_arm import ENV, PROVIDER_TYPES, ArmError, Store, major


@dataclass
class ProviderSettings:
    """What the provider block says that the remote behaviour depends on."""

    subscription_id: str = ""
    delete_nested_items_during_deletion: bool = True  # azurerm's default

    @classmethod
    def from_config(cls, config: dict[str, Any] | None) -> ProviderSettings:
        config = config or {}
        subscription = config.get("subscription_id") or os.environ.get("ARM_SUBSCRIPTION_ID", "")
        delete_nested = True
        for features in config.get("features") or []:
            for template in features.get("template_deployment") or []:
                if template.get("delete_nested_items_during_deletion") is not None:
                    delete_nested = bool(template["delete_nested_items_during_deletion"])
        return cls(
            subscription_id=subscription if not cty.is_unknown(subscription) else "",
            delete_nested_items_during_deletion=delete_nested,
        )


def active(provider: str, type_name: str) -> bool:
    return provider == "azurerm" and type_name in PROVIDER_TYPES and bool(os.environ.get(ENV))


@dataclass
class Outcome:
    """``state``: the new state to return (None: nothing in state); ``error``: a diagnostic."""

    state: dict[str, Any] | None
    error: str | None = None


def _deployment_id(settings: ProviderSettings, value: dict[str, Any]) -> str:
    return (
        f"/subscriptions/{settings.subscription_id}/resourceGroups/{value['resource_group_name']}"
        f"/providers/Microsoft.Resources/deployments/{value['name']}"
    )


def _binding_id(value: dict[str, Any]) -> str:
    return f"{value['kubernetes_cluster_id']}/trustedAccessRoleBindings/{value['name']}"


def _flux_id(value: dict[str, Any]) -> str:
    return f"{value['cluster_id']}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/{value['name']}"


def apply(settings: ProviderSettings, type_name: str, prior: dict | None, planned: dict | None) -> Outcome | None:
    """The remote half of ApplyResourceChange; None: not modelled (an in-place update), the
    caller keeps its default."""
    with Store.open() as store:
        if type_name == "azurerm_kubernetes_flux_configuration":
            if planned is None:
                store.delete(_flux_id(prior))
                return Outcome(None)
            if prior is None:
                store.create_flux_configuration(_flux_id(planned))
                return Outcome(planned | {"id": _flux_id(planned)})
            return None
        if type_name == "azurerm_kubernetes_cluster_trusted_access_role_binding":
            if planned is None:
                store.delete(_binding_id(prior))
                return Outcome(None)
            if prior is None:
                resource_id = _binding_id(planned)
                try:
                    store.create_binding(resource_id, planned["source_resource_id"], list(planned["roles"] or []))
                except ArmError as error:
                    return Outcome(None, f"creating Trusted Access Role Binding {resource_id}: {error}")
                return Outcome(planned | {"id": resource_id})
            return None
        # azurerm_resource_group_template_deployment
        if planned is None:
            try:
                store.delete_deployment(prior["id"], delete_nested=settings.delete_nested_items_during_deletion)
            except ArmError as error:
                return Outcome(prior, f"deleting Template Deployment {prior['id']}: {error}")
            return Outcome(None)
        if prior is not None:
            return None
        resource_id = _deployment_id(settings, planned)
        try:
            outputs = store.deploy_template(
                resource_id,
                json.loads(planned["template_content"]),
                json.loads(planned.get("parameters_content") or "{}"),
                settings.subscription_id,
            )
        except ArmError as error:
            message = f"waiting for creation of Template Deployment {planned['name']!r}: {error}"
            if error.code == "ImportAsExists":
                return Outcome(None, error.message)
            if major(store.config["azurerm_version"]) >= 5:
                # v5.x: d.SetId before WaitForCompletionRef -> saved, and Terraform taints it.
                return Outcome(planned | {"id": resource_id}, message)
            return Outcome(None, message)  # v4.55.0: SetId only after success
        return Outcome(planned | {"id": resource_id, "output_content": json.dumps(outputs)})


def still_exists(type_name: str, state: dict[str, Any]) -> bool:
    """ReadResource: False removes the resource from state (azurerm's Read on a 404)."""
    with Store.open() as store:
        if type_name in ("azurerm_kubernetes_cluster_trusted_access_role_binding", "azurerm_kubernetes_flux_configuration"):
            return store.exists(state["id"])
        return store.deployment(state["id"]) is not None
