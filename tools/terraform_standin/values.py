"""What the stand-in does to values: plan, apply, read a data source, warn about deprecations.

Every function walks a value together with its JSON block schema, because what happens to an
attribute depends on its flags (computed, deprecated), not on its type alone:

- plan (create): a computed attribute the configuration leaves null becomes unknown ("known
  after apply"), as with a real provider;
- apply: every unknown becomes a typed placeholder, so the new state is wholly known and equal
  to the plan wherever the plan was known (Terraform checks both);
- data source read: computed attributes get placeholders straight away, because Terraform
  refuses unknown values in a data source result.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tools.terraform_standin import cty
from tools.terraform_standin.schema import attribute_type

# Attributes the providers document as base64-encoded PEM (azurerm kube_config, kube_admin_config
# on the cluster resource and data source). Configurations pass them through base64decode(), so
# the placeholder must decode. tests/terraform/test_standin.py checks that every base64decode()
# in the synthesized stacks reads one of these.
BASE64_ATTRIBUTES = frozenset({"client_certificate", "client_key", "cluster_ca_certificate"})

# Attributes that hold a GUID rather than a resource id, although they end in "_id".
GUID_SUFFIXES = ("principal_id", "client_id", "object_id", "tenant_id", "subscription_id", "application_id")
PLACEHOLDER_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"

# A JSON file of attribute values data sources return instead of placeholders:
# {"<provider>": {"<data source type>": {"<name argument>": {"<attribute>": <value>, ...}}}}.
# Tests use it to plan against an object that exists outside the configuration (an existing
# cluster) with chosen settings (tests/terraform/test_existing_cluster.py).
OBSERVED_ENV = "STANDIN_OBSERVED_VALUES"

# An attribute path as tfplugin6 AttributePath steps: (selector field, name or key or index).
Path = tuple[tuple[str, str | int], ...]


@dataclass(frozen=True)
class Placeholders:
    """Typed stand-in values for one resource instance. Deterministic: the same resource gets the
    same values in every run, so a second plan after an apply shows no change."""

    provider: str
    type_name: str
    label: str  # the resource's "name" attribute when it has one

    def value(self, t: cty.CtyType, name: str) -> Any:
        if t == cty.STRING:
            return self.string(name)
        if t == cty.NUMBER:
            return 0
        if t == cty.BOOL:
            return False
        if t == cty.DYNAMIC:
            # An empty object: known and not null (a null would turn unknown again on the next
            # plan), without inventing structure the configuration might read.
            return cty.Typed(cty.object_type({}), {})
        if isinstance(t, cty.Collection):
            return {} if t.kind == "map" else [self.value(t.element, name)]
        if isinstance(t, cty.Object):
            return {attr: self.value(at, attr) for attr, at in t.attributes}
        return [self.value(et, name) for et in t.elements]

    def string(self, name: str) -> str:
        if name in BASE64_ATTRIBUTES:
            return base64.b64encode(f"standin-{name}".encode()).decode()
        if name.endswith(GUID_SUFFIXES):
            return str(uuid.uuid5(uuid.NAMESPACE_URL, f"standin:{self.type_name}:{self.label}:{name}"))
        if self.provider == "azurerm" and (name == "id" or name.endswith(("_id", "_ids"))):
            kind, label = (self.type_name.removeprefix("azurerm_"), self.label) if name == "id" else (name, f"standin-{name}")
            return f"/subscriptions/{PLACEHOLDER_SUBSCRIPTION}/resourceGroups/rg-standin/providers/Standin/{kind}/{label}"
        return f"standin-{name}"

    def replace_unknowns(self, value: Any, t: cty.CtyType, name: str = "") -> Any:
        """``value`` with every unknown, at any depth, replaced by a placeholder of its type."""
        if cty.is_unknown(value):
            return self.value(t, name)
        if value is None:
            return None
        if isinstance(value, cty.Typed):
            return cty.Typed(value.type, self.replace_unknowns(value.value, value.type, name))
        if isinstance(t, cty.Collection):
            if t.kind == "map":
                return {k: self.replace_unknowns(v, t.element, name) for k, v in value.items()}
            return [self.replace_unknowns(v, t.element, name) for v in value]
        if isinstance(t, cty.Object):
            return {attr: self.replace_unknowns(value.get(attr), at, attr) for attr, at in t.attributes}
        if isinstance(t, cty.Tuple):
            return [self.replace_unknowns(v, et, name) for v, et in zip(value, t.elements, strict=True)]
        return value


def placeholders_for(provider: str, type_name: str, value: Any) -> Placeholders:
    label = value.get("name") if isinstance(value, dict) else None
    return Placeholders(provider, type_name, label if isinstance(label, str) else "standin")


# Blocks the real provider (terraform-plugin-sdk v2) declares Optional + Computed: left out of the
# configuration, they are planned as one element of unknown values on create and keep the prior
# state's value on update (the provider plans them with the legacy type system). The JSON schema
# does not mark blocks computed, so they are listed here with their source:
# azurerm v4.55.0 internal/services/containers/kubernetes_cluster_resource.go, "kubelet_identity"
# (Optional, Computed, MaxItems 1; AKS creates the kubelet identity when none is given).
SDK_OPTIONAL_COMPUTED_BLOCKS: dict[tuple[str, str], tuple[str, ...]] = {
    ("azurerm", "azurerm_kubernetes_cluster"): ("kubelet_identity",),
}


def with_optional_computed_blocks(
    provider: str, type_name: str, block: dict[str, Any], proposed: dict[str, Any], prior: dict[str, Any] | None
) -> tuple[dict[str, Any], bool]:
    """``proposed`` with each SDK Optional+Computed block the configuration leaves empty planned as
    the real provider plans it; and whether the legacy type system is in play for this type."""
    names = SDK_OPTIONAL_COMPUTED_BLOCKS.get((provider, type_name), ())
    out = dict(proposed)
    for name in names:
        if out.get(name):
            continue
        if prior is not None and prior.get(name):
            out[name] = prior[name]
        else:
            out[name] = [{attribute: None for attribute in block["block_types"][name]["block"].get("attributes", {})}]
    return out, bool(names)


def fill_computed(block: dict[str, Any], value: dict[str, Any], make: Callable[[cty.CtyType, str], Any]) -> dict[str, Any]:
    """A copy of an object ``value`` of ``block`` where each null computed attribute, at any
    nesting depth the configuration reaches, is ``make(type, name)``."""
    out = dict(value)
    for name, attribute in block.get("attributes", {}).items():
        current = out.get(name)
        if current is None:
            if attribute.get("computed"):
                out[name] = make(attribute_type(attribute), name)
        elif "nested_type" in attribute and not cty.is_unknown(current):
            nested = attribute["nested_type"]
            out[name] = _map_elements(nested["nesting_mode"], current, lambda v, n=nested: fill_computed(n, v, make))
    for name, nested in block.get("block_types", {}).items():
        current = out.get(name)
        if current is not None and not cty.is_unknown(current):
            out[name] = _map_elements(nested["nesting_mode"], current, lambda v, n=nested: fill_computed(n["block"], v, make))
    return out


def _map_elements(mode: str, value: Any, fn: Callable[[dict], dict]) -> Any:
    def one(element):
        return element if element is None or cty.is_unknown(element) else fn(element)

    if mode in ("single", "group"):
        return one(value)
    if mode == "map":
        return {k: one(v) for k, v in value.items()}
    return [one(v) for v in value]


def deprecated_paths(block: dict[str, Any], value: Any, path: Path = ()) -> Iterator[Path]:
    """Paths of deprecated attributes and blocks that ``value`` (a configuration) sets."""
    if value is None or cty.is_unknown(value):
        return
    for name, attribute in block.get("attributes", {}).items():
        current = value.get(name)
        if current is None:
            continue
        here = (*path, ("attribute_name", name))
        if attribute.get("deprecated"):
            yield here
        if "nested_type" in attribute and not cty.is_unknown(current):
            nested = attribute["nested_type"]
            for key, element in _elements(nested["nesting_mode"], current):
                yield from deprecated_paths(nested, element, (*here, *key))
    for name, nested in block.get("block_types", {}).items():
        current = value.get(name)
        if current is None or cty.is_unknown(current):
            continue
        for key, element in _elements(nested["nesting_mode"], current):
            if element is None:
                continue
            here = (*path, ("attribute_name", name), *key)
            if nested["block"].get("deprecated"):
                yield here
            yield from deprecated_paths(nested["block"], element, here)


def _elements(mode: str, value: Any) -> Iterator[tuple[Path, Any]]:
    if mode in ("single", "group"):
        yield (), value
    elif mode == "map":
        for key, element in value.items():
            yield (("element_key_string", key),), element
    elif mode == "list":
        for index, element in enumerate(value):
            yield (("element_key_int", index),), element
    else:  # a set has no addressable elements: report the path to the set itself
        for element in value:
            yield (), element


def observed(provider: str, type_name: str, label: str) -> dict[str, Any]:
    """The attribute values ``OBSERVED_ENV`` gives the data source ``type_name`` named ``label``."""
    path = os.environ.get(OBSERVED_ENV)
    if not path:
        return {}
    with open(path, encoding="utf-8") as file:
        return json.load(file).get(provider, {}).get(type_name, {}).get(label, {})


def with_observed(config: Any, attributes: dict[str, Any]) -> Any:
    """``config`` with the observed ``attributes`` in place of what the provider would compute."""
    if not attributes or not isinstance(config, dict):
        return config
    unknown = sorted(set(attributes) - set(config))
    if unknown:
        raise ValueError(f"observed values name attributes the schema does not have: {unknown}")
    return {**config, **attributes}
