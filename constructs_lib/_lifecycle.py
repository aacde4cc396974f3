"""Small helpers shared by the constructs."""

from __future__ import annotations

from collections.abc import Sequence

from toolchain.cdk import TerraformResourceLifecycle


def lifecycle(*, protect: bool, ignore_changes: Sequence[str] = ()) -> TerraformResourceLifecycle | None:
    """prevent_destroy for stateful resources when the environment is protected, plus drift to ignore."""
    if not protect and not ignore_changes:
        return None
    return TerraformResourceLifecycle(
        prevent_destroy=protect or None,
        ignore_changes=list(ignore_changes) or None,
    )
