"""The stand-in's replacement rules (tools/terraform_standin/replacement.py), one by one: every
rule forces a new resource at its path, nothing else does, and each conditional rule is tested on
both sides of its condition. test_replacements.py plans real edits, but only of the cluster."""

from __future__ import annotations

from typing import Any

import pytest

from tools.terraform_standin import cty, replacement, schema, server
from tools.terraform_standin.replacement import RULES, Rule, requires_replace

PROVIDERS = schema.providers()
pb = server.pb


def block_of(provider: str, type_name: str) -> dict[str, Any]:
    return schema.entry(PROVIDERS[provider].schema_file, schema.RESOURCE, type_name)["block"]


def sample(attribute_type: Any, version: str) -> Any:
    """A value of ``attribute_type``; "old" and "new" differ."""
    if attribute_type == "bool":
        return version == "new"
    if attribute_type == "number":
        return 2 if version == "new" else 1
    if isinstance(attribute_type, list) and attribute_type[0] == "map":
        return {"key": version}
    if isinstance(attribute_type, list) and attribute_type[0] in ("list", "set"):
        return [version]
    return version


def value_at(block: dict[str, Any], names: tuple[str, ...], version: str) -> tuple[dict[str, Any], replacement.Path]:
    """An object holding only ``names`` (through nested blocks, list blocks as one element), and
    the path Terraform addresses it by."""
    head, *rest = names
    here = (("attribute_name", head),)
    if head in block.get("attributes", {}):
        return {head: sample(block["attributes"][head].get("type", "nested"), version)}, here
    nested = block["block_types"][head]
    if not rest:  # the block itself
        return {head: [{}] if version == "new" else []}, here
    inner, path = value_at(nested["block"], tuple(rest), version)
    if nested["nesting_mode"] in ("single", "group"):
        return {head: inner}, here + path
    if nested["nesting_mode"] == "list":
        return {head: [inner]}, (*here, ("element_key_int", 0), *path)
    return {head: [inner]}, here  # a set: elements are not addressable, the path ends at the set


UNCONDITIONAL = [
    (provider, type_name, rule.path)
    for (provider, type_name), rules in RULES.items()
    for rule in rules
    if rule.when is replacement.always
]


@pytest.mark.parametrize(
    ("provider", "type_name", "names"), UNCONDITIONAL, ids=[f"{t}.{'.'.join(n)}" for _, t, n in UNCONDITIONAL]
)
def test_each_unconditional_rule_replaces_at_its_path(provider, type_name, names):
    block = block_of(provider, type_name)
    prior, path = value_at(block, names, "old")
    planned, same_path = value_at(block, names, "new")
    assert path == same_path
    assert path in requires_replace(provider, type_name, block, prior, planned)


@pytest.mark.parametrize(("provider", "type_name"), sorted(RULES), ids=[t for _, t in sorted(RULES)])
def test_only_the_listed_arguments_force_a_new_resource(provider, type_name):
    """Every top-level argument the table does not name (tags, counts, sizes, ...) plans in
    place: a rule added by mistake would turn a benign edit into a destroy in every plan test."""
    block = block_of(provider, type_name)
    named = {rule.path[0] for rule in RULES[(provider, type_name)]}
    attributes = block.get("attributes", {}).items()
    free = [n for n, a in attributes if n not in named and (a.get("optional") or a.get("required"))]
    assert free or type_name.startswith("time_"), type_name
    for name in free:
        prior, path = value_at(block, (name,), "old")
        planned, _ = value_at(block, (name,), "new")
        assert path not in requires_replace(provider, type_name, block, prior, planned), name


def test_time_sleep_triggers_replace_and_durations_do_not():
    """The wait between role assignments and what checks them re-runs when its triggers change."""
    block = block_of("time", "time_sleep")
    prior = {"create_duration": "60s", "destroy_duration": None, "id": "x", "triggers": {"role": "a"}}
    assert requires_replace("time", "time_sleep", block, prior, {**prior, "triggers": {"role": "b"}}) == [
        (("attribute_name", "triggers"),)
    ]
    # An unconditional rule is returned wherever its path exists (Terraform core replaces only
    # where prior and planned differ): a changed duration adds no path of its own.
    assert requires_replace("time", "time_sleep", block, prior, {**prior, "create_duration": "120s"}) == [
        (("attribute_name", "triggers"),)
    ]


def test_time_sleep_through_the_plugin_rpc():
    """PlanResourceChange as Terraform calls it: requires_replace names triggers only."""
    provider = server.StandinProvider(PROVIDERS["time"])
    t = provider.type_of(schema.RESOURCE, "time_sleep")
    prior = {"create_duration": "60s", "destroy_duration": None, "id": "2026-12-04T00:00:00Z", "triggers": {"role": "a"}}

    def plan(proposed: dict[str, Any]) -> list[list[str]]:
        request = pb.PlanResourceChange.Request(
            type_name="time_sleep",
            prior_state=pb.DynamicValue(msgpack=cty.encode_msgpack(prior, t)),
            proposed_new_state=pb.DynamicValue(msgpack=cty.encode_msgpack(proposed, t)),
            config=pb.DynamicValue(msgpack=cty.encode_msgpack(proposed, t)),
        )
        response = provider.PlanResourceChange(request, None)
        return [[step.attribute_name for step in path.steps] for path in response.requires_replace]

    assert plan({**prior, "triggers": {"role": "b"}}) == [["triggers"]]
    created = provider.PlanResourceChange(
        pb.PlanResourceChange.Request(
            type_name="time_sleep",
            prior_state=pb.DynamicValue(msgpack=cty.encode_msgpack(None, t)),
            proposed_new_state=pb.DynamicValue(msgpack=cty.encode_msgpack(prior, t)),
            config=pb.DynamicValue(msgpack=cty.encode_msgpack(prior, t)),
        ),
        None,
    )
    assert not created.requires_replace  # a create replaces nothing


# --- conditional rules, both sides ---------------------------------------------------------------

CONDITIONS = [
    # (condition, old, new, forces a new resource)
    (replacement.prior_set, None, "cilium", False),
    (replacement.prior_set, "", "cilium", False),
    (replacement.prior_set, "azure", "cilium", True),
    (replacement.cleared, "subnet", None, True),
    (replacement.cleared, "subnet", "", True),
    (replacement.cleared, "subnet", "other", False),
    (replacement.cleared, None, "subnet", False),
    (replacement.cleared, 30, 0, True),
    (replacement.count_changed, [], [{}], True),
    (replacement.count_changed, None, [{}], True),
    (replacement.count_changed, [{"a": 1}], [{"a": 2}], False),
    (replacement.count_changed, [{}], [], True),
    (replacement.leaves_overlay, None, "overlay", False),
    (replacement.leaves_overlay, "overlay", "Overlay", False),
    (replacement.leaves_overlay, "overlay", None, True),
    (replacement.leaves_overlay, None, "", True),
    (replacement.os_sku_migration, "Ubuntu", "AzureLinux", False),
    (replacement.os_sku_migration, "AzureLinux", "Ubuntu2204", False),
    (replacement.os_sku_migration, "Ubuntu", "Windows2022", True),
    (replacement.os_sku_migration, None, "AzureLinux", True),
    (replacement.os_sku_migration, "CBLMariner", "AzureLinux", True),
]


@pytest.mark.parametrize(("condition", "old", "new", "replaces"), CONDITIONS, ids=lambda v: getattr(v, "__name__", repr(v)))
def test_each_condition_on_both_sides(condition, old, new, replaces):
    assert condition(old, new) is replaces


def _conditional(provider: str, type_name: str) -> dict[tuple[str, ...], Rule]:
    return {rule.path: rule for rule in RULES[(provider, type_name)] if rule.when is not replacement.always}


CONDITIONAL_PATHS = [
    # (resource, path, old, new, replaces) through requires_replace with the real schema
    ("azurerm_kubernetes_cluster", ("network_profile", "network_policy"), None, "cilium", False),
    ("azurerm_kubernetes_cluster", ("network_profile", "network_policy"), "azure", "cilium", True),
    ("azurerm_kubernetes_cluster", ("network_profile", "network_data_plane"), "azure", "cilium", True),
    ("azurerm_kubernetes_cluster", ("network_profile", "network_data_plane"), None, "cilium", False),
    ("azurerm_kubernetes_cluster", ("network_profile", "network_plugin_mode"), "overlay", None, True),
    ("azurerm_kubernetes_cluster", ("network_profile", "network_plugin_mode"), None, "overlay", False),
    ("azurerm_kubernetes_cluster", ("api_server_access_profile", "subnet_id"), "/s/1", None, True),
    ("azurerm_kubernetes_cluster", ("api_server_access_profile", "subnet_id"), "/s/1", "/s/2", False),
    ("azurerm_kubernetes_cluster", ("default_node_pool", "upgrade_settings", "drain_timeout_in_minutes"), 30, None, True),
    ("azurerm_kubernetes_cluster", ("default_node_pool", "upgrade_settings", "drain_timeout_in_minutes"), 30, 45, False),
    ("azurerm_kubernetes_cluster", ("default_node_pool", "upgrade_settings", "undrainable_node_behavior"), "Cordon", None, True),
    ("azurerm_kubernetes_cluster", ("default_node_pool", "upgrade_settings", "undrainable_node_behavior"), None, "Cordon", False),
    ("azurerm_kubernetes_cluster_node_pool", ("os_sku",), "Ubuntu", "AzureLinux", False),
    ("azurerm_kubernetes_cluster_node_pool", ("os_sku",), "Ubuntu", "Windows2022", True),
    ("azurerm_kubernetes_cluster_node_pool", ("upgrade_settings", "drain_timeout_in_minutes"), 30, None, True),
    ("azurerm_kubernetes_cluster_node_pool", ("upgrade_settings", "drain_timeout_in_minutes"), 30, 45, False),
    ("azurerm_kubernetes_cluster_node_pool", ("upgrade_settings", "undrainable_node_behavior"), "Cordon", None, True),
    ("azurerm_kubernetes_cluster_node_pool", ("upgrade_settings", "undrainable_node_behavior"), "Cordon", "Schedule", False),
]


def _nest(block: dict[str, Any], names: tuple[str, ...], leaf: Any) -> dict[str, Any]:
    head, *rest = names
    if not rest:
        return {head: leaf}
    inner = _nest(block["block_types"][head]["block"], tuple(rest), leaf)
    return {head: inner if block["block_types"][head]["nesting_mode"] in ("single", "group") else [inner]}


@pytest.mark.parametrize(
    ("type_name", "names", "old", "new", "replaces"),
    CONDITIONAL_PATHS,
    ids=[f"{'.'.join(n)}:{o}->{w}" for _, n, o, w, _ in CONDITIONAL_PATHS],
)
def test_conditional_rules_through_the_schema(type_name, names, old, new, replaces):
    block = block_of("azurerm", type_name)
    assert names in _conditional("azurerm", type_name)
    found = requires_replace("azurerm", type_name, block, _nest(block, names, old), _nest(block, names, new))
    replaced_names = [tuple(step for kind, step in path if kind == "attribute_name") for path in found]
    assert (names in replaced_names) is replaces, found


@pytest.mark.parametrize(
    ("type_name", "names"),
    [
        ("azurerm_kubernetes_cluster", ("network_profile",)),
        ("azurerm_kubernetes_cluster", ("network_profile", "load_balancer_profile")),
        ("azurerm_kubernetes_cluster_node_pool", ("windows_profile",)),
        ("azurerm_kubernetes_cluster_extension", ("plan",)),
        ("azurerm_private_dns_zone", ("soa_record",)),
    ],
)
def test_a_force_new_block_replaces_when_added_or_removed_not_when_edited(type_name, names):
    block = block_of("azurerm", type_name)
    assert names in _conditional("azurerm", type_name)

    def replaced(prior, planned) -> bool:
        found = requires_replace("azurerm", type_name, block, prior, planned)
        return names in [tuple(step for kind, step in path if kind == "attribute_name") for path in found]

    present, absent = _nest(block, names, [{}]), _nest(block, names, [])
    assert replaced(absent, present) and replaced(present, absent)
    assert not replaced(present, present)


def test_every_conditional_rule_is_tested_on_both_sides():
    tested = {("azurerm", t, n) for t, n, *_ in CONDITIONAL_PATHS}
    tested |= {
        ("azurerm", t, n)
        for t, n in [
            ("azurerm_kubernetes_cluster", ("network_profile",)),
            ("azurerm_kubernetes_cluster", ("network_profile", "load_balancer_profile")),
            ("azurerm_kubernetes_cluster_node_pool", ("windows_profile",)),
            ("azurerm_kubernetes_cluster_extension", ("plan",)),
            ("azurerm_private_dns_zone", ("soa_record",)),
        ]
    }
    every = {(p, t, rule.path) for (p, t), rules in RULES.items() for rule in rules if rule.when is not replacement.always}
    assert every <= tested, sorted(every - tested)
    sides = {}
    for t, n, _, _, replaces in CONDITIONAL_PATHS:
        sides.setdefault((t, n), set()).add(replaces)
    assert all(s == {True, False} for s in sides.values()), sides


def test_a_type_without_rules_replaces_nothing():
    block = block_of("azurerm", "azurerm_kubernetes_flux_configuration")
    assert ("azurerm", "azurerm_kubernetes_flux_configuration") not in RULES
    assert requires_replace("azurerm", "azurerm_kubernetes_flux_configuration", block, {"name": "a"}, {"name": "b"}) == []


SYNTHETIC = {
    "attributes": {"settings": {"type": ["object", {"mode": "string"}]}},
    "block_types": {
        "single": {"nesting_mode": "single", "block": {"attributes": {"x": {"type": "string"}}}},
        "group": {"nesting_mode": "group", "block": {"attributes": {"x": {"type": "string"}}}},
        "listed": {"nesting_mode": "list", "block": {"attributes": {"x": {"type": "string"}}}},
        "set": {"nesting_mode": "set", "block": {"attributes": {"x": {"type": "string"}}}},
        # a block of blocks only: its schema has no "attributes" key at all
        "outer": {
            "nesting_mode": "single",
            "block": {"block_types": {"inner": {"nesting_mode": "single", "block": {"attributes": {"x": {"type": "string"}}}}}},
        },
    },
}


@pytest.mark.parametrize(
    ("rule", "value", "paths"),
    [
        # single and group blocks are addressed by name, without an index
        (("single", "x"), {"single": {"x": "a"}}, [(("attribute_name", "single"), ("attribute_name", "x"))]),
        (("group", "x"), {"group": {"x": "a"}}, [(("attribute_name", "group"), ("attribute_name", "x"))]),
        # list blocks by index, every element
        (
            ("listed", "x"),
            {"listed": [{"x": "a"}, {"x": "b"}]},
            [
                (("attribute_name", "listed"), ("element_key_int", 0), ("attribute_name", "x")),
                (("attribute_name", "listed"), ("element_key_int", 1), ("attribute_name", "x")),
            ],
        ),
        # set elements are not addressable: the path ends at the set
        (("set", "x"), {"set": [{"x": "a"}]}, [(("attribute_name", "set"),)]),
        # an attribute holding an object: the path ends at the attribute, whatever follows
        (("settings", "mode"), {"settings": {"mode": "a"}}, [(("attribute_name", "settings"),)]),
        (
            ("outer", "inner", "x"),
            {"outer": {"inner": {"x": "a"}}},
            [(("attribute_name", "outer"), ("attribute_name", "inner"), ("attribute_name", "x"))],
        ),
        # an absent block: nothing to address
        (("single", "x"), {"single": None}, []),
    ],
    ids=["single", "group", "list", "set", "object-attribute", "block-of-blocks", "absent"],
)
def test_rule_paths_follow_the_nesting_mode(rule, value, paths):
    assert list(replacement._expand(SYNTHETIC, value, rule, ())) == paths
