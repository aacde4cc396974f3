"""Where a stack's saved plan lives, and the record that ties it to the files it was made from.

The record keeps the sha256 of every file Terraform reads from the stack folder (``*.tf.json``,
``*.tf``, ``.terraform.lock.hcl``) when the plan was made. ``apply`` recomputes them and refuses
the plan when any differs: a re-synthesis that changed the stack, or a provider lock that
changed, means the reviewed plan is not what would run. The key is the content, not the commit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tools.plans.summary import StackSummary

LOCK_FILE = ".terraform.lock.hcl"
PLANS_FOLDER = "plans"  # beside stacks/ in cdktf.out/<name>/


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_files(stack_dir: Path) -> list[Path]:
    """The files Terraform reads from a stack folder: its configuration and the lock file."""
    found = [p for p in stack_dir.iterdir() if p.is_file() and p.name.endswith((".tf.json", ".tf"))]
    lock = stack_dir / LOCK_FILE
    return sorted(found) + ([lock] if lock.is_file() else [])


def input_hashes(stack_dir: Path) -> dict[str, str]:
    return {p.name: sha256(p) for p in input_files(stack_dir)}


def changed_inputs(recorded: dict[str, str], current: dict[str, str]) -> list[str]:
    """Human-readable differences, one per file (empty when identical)."""
    problems = []
    for name in sorted(recorded.keys() | current.keys()):
        before, now = recorded.get(name), current.get(name)
        if before == now:
            continue
        if before is None:
            problems.append(f"{name} is new since the plan")
        elif now is None:
            problems.append(f"{name} is gone since the plan (planned sha256 {before[:12]}…)")
        else:
            problems.append(f"{name} changed since the plan (planned sha256 {before[:12]}…, now {now[:12]}…)")
    return problems


@dataclass(frozen=True)
class PlanPaths:
    plans_dir: Path
    stack: str

    @property
    def plan(self) -> Path:
        return self.plans_dir / f"{self.stack}.tfplan"

    @property
    def record(self) -> Path:
        return self.plans_dir / f"{self.stack}.record.json"

    @property
    def summary(self) -> Path:
        return self.plans_dir / f"{self.stack}.summary.md"

    @property
    def lock(self) -> Path:
        """A copy of the lock file the plan was made with (a fresh checkout restores it)."""
        return self.plans_dir / f"{self.stack}{LOCK_FILE}"


@dataclass
class PlanRecord:
    deployment: str
    stack: str
    inputs: dict[str, str]  # file name -> sha256, when the plan was made
    plan_sha256: str
    changes: bool  # terraform plan -detailed-exitcode said 2
    terraform_version: str
    summary: dict[str, Any]  # StackSummary.to_json(): addresses and actions only
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    applied_at: str | None = None

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")

    @classmethod
    def read(cls, path: Path) -> PlanRecord:
        return cls(**json.loads(path.read_text()))

    @property
    def stack_summary(self) -> StackSummary:
        return StackSummary.from_json(self.summary)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
