"""What a preflight check is and what it reports."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.preflight.context import Context


class Status(enum.IntEnum):
    # Ordered by severity: the worst finding decides a check's status.
    OK = 0
    SKIPPED = 1
    WARNING = 2
    BLOCKER = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Finding:
    status: Status
    message: str
    # What to do about it (empty for ok).
    action: str = ""


@dataclass(frozen=True)
class CheckResult:
    name: str
    findings: tuple[Finding, ...]
    seconds: float = 0.0

    @property
    def status(self) -> Status:
        return max((f.status for f in self.findings), default=Status.OK)

    def as_json(self) -> dict:
        return {
            "check": self.name,
            "status": self.status.label,
            "seconds": round(self.seconds, 3),
            "findings": [{"status": f.status.label, "message": f.message, "action": f.action} for f in self.findings],
        }


@dataclass(frozen=True)
class Check:
    """A named check: ``run(context)`` returns its findings; it only ever reads."""

    name: str
    run: Callable[[Context], list[Finding]]
    # Why the check does not apply to this config (None: it applies).
    skip_reason: Callable[[Context], str | None] = field(default=lambda _context: None)
    # Reads the spoke subscription: skipped when there is none (the subscription check says why).
    needs_subscription: bool = True


def ok(message: str) -> Finding:
    return Finding(Status.OK, message)


def warning(message: str, action: str) -> Finding:
    return Finding(Status.WARNING, message, action)


def blocker(message: str, action: str) -> Finding:
    return Finding(Status.BLOCKER, message, action)


def enum_text(value) -> str:
    """An SDK enum's wire value (the models parse known strings into enums), or the string itself."""
    return "" if value is None else str(getattr(value, "value", value))
