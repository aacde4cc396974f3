"""A pause between Azure role assignments and the resource that checks them at create time.

Azure RBAC changes take "up to 10 minutes" to take effect (Learn, "Troubleshoot Azure RBAC"), and
some services check them synchronously when a resource is created: AKS refuses a cluster whose
control-plane identity cannot yet write its route table or private DNS zone
(CustomRouteTableMissingPermission, an HTTP 400 with no retry), and Azure ML refuses an attach
whose workspace identity lacks its cluster roles. Terraform has no wait built in; hashicorp/time's
``time_sleep`` is the common answer. Its triggers hold the assignment ids, so replacing an
assignment waits again, while an unchanged one costs nothing on later applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from constructs import Construct

from toolchain.azurerm.role_assignment import RoleAssignment
from toolchain.cdk import Fn
from toolchain.time.sleep import Sleep

# Usually one to two minutes in practice; a failed create can simply be applied again.
DEFAULT_ROLE_PROPAGATION = "120s"


@dataclass(frozen=True)
class RolePropagationWaitProps:
    create_duration: str = DEFAULT_ROLE_PROPAGATION


class RolePropagationWait(Construct):
    """Exposes ``sleep``: make the resource that checks the roles depend on it."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        props: RolePropagationWaitProps,
        role_assignments: Sequence[RoleAssignment],
    ) -> None:
        """The stack declares the hashicorp/time provider (stacks/common.py)."""
        super().__init__(scope, id_)
        if not role_assignments:
            raise ValueError("nothing to wait for: pass the role assignments")
        self.sleep = Sleep(
            self,
            "wait",
            create_duration=props.create_duration,
            triggers={"role_assignment_ids": Fn.join(",", [a.id for a in role_assignments])},
            depends_on=list(role_assignments),
        )
