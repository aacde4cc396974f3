"""Every stack of every config validates cleanly and plans as a pure create of exactly what was
synthesized, with each resource on the provider configuration it names."""

from __future__ import annotations

import json
from typing import Any

from tests.terraform.conftest import PlannedStack

# Budget per stack for validate + plan on the 2-core reference machine is ~3 s (measured figures
# in docs/performance.md). This bound only catches a broken stand-in, e.g. one that no longer
# exits on Shutdown, which costs Terraform's 2 s kill timeout per provider process.
PATHOLOGICAL_SECONDS = 20


def _diagnostics(diagnostics: list[dict[str, Any]]) -> str:
    return "\n".join(f"{d['severity']}: {d['summary']}: {d.get('detail', '')} ({d.get('range', {})})" for d in diagnostics)


def test_validate_is_clean(planned_stack: PlannedStack):
    validation = planned_stack.validation
    assert validation["valid"], _diagnostics(validation["diagnostics"])
    # Warnings too: a deprecated argument or reference is a change waiting to break.
    assert validation["error_count"] == validation["warning_count"] == 0, _diagnostics(validation["diagnostics"])


def test_plan_succeeds_without_warnings(planned_stack: PlannedStack):
    plan = planned_stack.plan
    assert plan.ok, _diagnostics(plan.diagnostics) + plan.step.stderr
    assert not plan.diagnostics, _diagnostics(plan.diagnostics)


def test_plan_creates_every_synthesized_resource(planned_stack: PlannedStack):
    assert planned_stack.plan_json is not None, "plan failed (see test_plan_succeeds_without_warnings)"
    changes = [c for c in planned_stack.plan_json["resource_changes"] if c["mode"] == "managed"]
    not_create = {c["address"]: c["change"]["actions"] for c in changes if c["change"]["actions"] != ["create"]}
    assert not not_create, f"a plan from empty state must only create: {not_create}"
    assert len(changes) == expected_instances(planned_stack.document), sorted(c["address"] for c in changes)
    # Data sources are read during plan (their inputs are known), never deferred to apply.
    deferred = [c["address"] for c in planned_stack.plan_json["resource_changes"] if c["mode"] == "data"]
    assert not deferred, f"data sources deferred to apply: {deferred}"


def test_every_resource_uses_the_provider_configuration_it_names(planned_stack: PlannedStack):
    assert planned_stack.plan_json is not None, "plan failed (see test_plan_succeeds_without_warnings)"
    configuration = planned_stack.plan_json["configuration"]
    keys = {r["address"]: r.get("provider_config_key") for r in configuration["root_module"]["resources"]}
    for block, mode in (("resource", ""), ("data", "data.")):
        for resource_type, items in planned_stack.document.get(block, {}).items():
            for name, body in items.items():
                expected = body.get("provider", resource_type.split("_", 1)[0])
                assert keys[f"{mode}{resource_type}.{name}"] == expected, f"{mode}{resource_type}.{name}"
                assert expected in configuration["provider_config"], f"{expected} is not configured"


def test_validate_and_plan_are_not_pathologically_slow(planned_stack: PlannedStack):
    seconds = {" ".join(step.command[1:2]): step.seconds for step in planned_stack.workspace.steps}
    assert seconds["validate"] + seconds["plan"] < PATHOLOGICAL_SECONDS, json.dumps(seconds)


def expected_instances(document: dict[str, Any]) -> int:
    """Managed resource instances the document declares, with literal count/for_each expanded."""
    total = 0
    for items in document.get("resource", {}).values():
        for body in items.values():
            if "count" in body:
                total += _literal(body["count"], int)
            elif "for_each" in body:
                total += len(_literal(body["for_each"], (list, dict)))
            else:
                total += 1
    return total


def _literal(value: Any, kinds) -> Any:
    if not isinstance(value, kinds):  # a token: the number of instances is only known to Terraform
        raise AssertionError(f"count/for_each {value!r} is not a literal: count the planned instances another way")
    return value
