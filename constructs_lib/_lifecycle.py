"""Small helpers shared by the constructs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from toolchain.cdk import Postcondition, TerraformResourceLifecycle


def lifecycle(*, protect: bool, ignore_changes: Sequence[str] = ()) -> TerraformResourceLifecycle | None:
    """prevent_destroy for stateful resources when the environment is protected, plus drift to ignore."""
    if not protect and not ignore_changes:
        return None
    return TerraformResourceLifecycle(
        prevent_destroy=protect or None,
        ignore_changes=list(ignore_changes) or None,
    )


def postcondition(*, condition: str, error_message: str) -> TerraformResourceLifecycle:
    """Fail the plan with ``error_message`` when ``condition`` (an expression over ``self``) is
    false: a message that says what to do, instead of the error Terraform would meet later."""
    return postconditions({condition: error_message})


def postconditions(checks: Mapping[str, str]) -> TerraformResourceLifecycle | None:
    """Several postconditions (condition -> error message); Terraform reports every one that
    fails, not only the first. None when there are none."""
    if not checks:
        return None
    return TerraformResourceLifecycle(
        postcondition=[Postcondition(condition=condition, error_message=message) for condition, message in checks.items()]
    )
