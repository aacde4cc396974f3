"""The deployment's two phases, and which stacks a command acts on.

Phase 1 (``aks-cluster``) creates the cluster; phase 2 (``kubernetes-config``) reads it with data
sources and, in terraform mode, talks to its private API server, so it is planned and applied
after phase 1, from a runner inside the network (or from anywhere in gitops mode, where it only
calls Azure Resource Manager).
"""

from __future__ import annotations

from config.layout import STACK_NAMES

PHASES: dict[int, tuple[str, ...]] = {1: ("aks-cluster",), 2: ("kubernetes-config",)}
assert tuple(s for phase in sorted(PHASES) for s in PHASES[phase]) == STACK_NAMES, "phases must cover STACK_NAMES in order"


def phase_of(stack: str) -> int:
    return next(number for number, stacks in PHASES.items() if stack in stacks)


def select(*, phase: int | None = None, stack: str | None = None) -> list[str]:
    """Stacks in deploy order: one phase's, one stack, or all. ValueError with the valid choices."""
    if phase is not None and stack is not None:
        if phase_of_checked(stack) != phase:
            raise ValueError(f"stack {stack!r} is in phase {phase_of(stack)}, not phase {phase}")
        return [stack]
    if stack is not None:
        phase_of_checked(stack)
        return [stack]
    if phase is not None:
        if phase not in PHASES:
            raise ValueError(f"phase {phase}: expected one of {', '.join(map(str, sorted(PHASES)))}")
        return list(PHASES[phase])
    return list(STACK_NAMES)


def phase_of_checked(stack: str) -> int:
    if stack not in STACK_NAMES:
        raise ValueError(f"stack {stack!r}: expected one of {', '.join(STACK_NAMES)}")
    return phase_of(stack)
