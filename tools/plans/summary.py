"""A plan summary from `terraform show -json <plan>` built from addresses and actions only.

Plans carry secret values (the cluster's kubeconfig, keys, anything the providers read), so
the summary keeps, for each resource change, its address, its action and, for a replacement,
the attribute paths that force it (``change.replace_paths``) or the reason Terraform gives
(``action_reason``, e.g. tainted); never ``before``/``after`` values. Format: Terraform's JSON
output format ("Change Representation", "resource_changes", "resource_drift",
developer.hashicorp.com/terraform/internals/json-format).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

# change.actions (JSON format, "Change Representation") -> our name for it.
ACTIONS = {
    ("create",): "create",
    ("update",): "update",
    ("delete",): "delete",
    ("delete", "create"): "replace",  # destroy first, then create
    ("create", "delete"): "replace",  # create_before_destroy
    ("read",): "read",
    ("forget",): "forget",  # `removed` block: leaves the object, drops it from state
}
# Reasons that explain a replacement without attribute paths.
REASONS = {
    "replace_because_tainted": "tainted",
    "replace_by_request": "-replace requested",
    "replace_by_triggers": "replace_triggered_by",
}


@dataclass(frozen=True)
class Change:
    address: str
    action: str  # create, update, delete, replace, read, forget, import, move, no-op
    forced_by: tuple[str, ...] = ()  # replacements: attribute paths, or a reason
    moved_from: str | None = None
    importing: bool = False


@dataclass(frozen=True)
class StackSummary:
    stack: str
    changes: tuple[Change, ...]
    drift: tuple[Change, ...]  # objects changed outside Terraform since the last apply
    outputs: tuple[str, ...] = ()  # names of the stack outputs the plan changes (names only)

    @property
    def counts(self) -> dict[str, int]:
        """Terraform's own arithmetic: a replacement is one add and one destroy."""
        actions = [c.action for c in self.changes]
        replaces = actions.count("replace")
        return {
            "add": actions.count("create") + replaces,
            "change": actions.count("update"),
            "destroy": actions.count("delete") + replaces,
            "replace": replaces,
            "import": sum(c.importing for c in self.changes),
            "move": sum(c.moved_from is not None for c in self.changes),
            "forget": actions.count("forget"),
        }

    @property
    def has_changes(self) -> bool:
        changed = any(c.action not in ("no-op", "read") or c.importing or c.moved_from for c in self.changes)
        return changed or bool(self.outputs)

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "changes": [asdict(c) for c in self.changes],
            "drift": [asdict(c) for c in self.drift],
            "outputs": list(self.outputs),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StackSummary:
        def changes(items: Iterable[dict[str, Any]]) -> tuple[Change, ...]:
            return tuple(Change(**{**item, "forced_by": tuple(item["forced_by"])}) for item in items)

        return cls(data["stack"], changes(data["changes"]), changes(data["drift"]), tuple(data.get("outputs", ())))


def path_text(path: Sequence[str | int]) -> str:
    """["default_node_pool", 0, "vm_size"] -> default_node_pool[0].vm_size"""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            text += f".{step}" if text else str(step)
    return text


def _change(resource: dict[str, Any]) -> Change:
    change = resource["change"]
    actions = tuple(change["actions"])
    action = ACTIONS.get(actions, "no-op" if actions == ("no-op",) else "+".join(actions))
    forced_by: tuple[str, ...] = ()
    if action == "replace":
        forced_by = tuple(path_text(p) for p in change.get("replace_paths") or [])
        if not forced_by and resource.get("action_reason") in REASONS:
            forced_by = (REASONS[resource["action_reason"]],)
    return Change(
        address=resource["address"],
        action=action,
        forced_by=forced_by,
        moved_from=resource.get("previous_address"),
        importing="importing" in change,
    )


def summarize(stack: str, plan: dict[str, Any]) -> StackSummary:
    """The summary of one stack's ``terraform show -json`` output."""
    changes = tuple(
        c for c in (_change(r) for r in plan.get("resource_changes", [])) if c.action != "no-op" or c.importing or c.moved_from
    )
    drift = tuple(_change(r) for r in plan.get("resource_drift", []))
    outputs = tuple(sorted(name for name, change in plan.get("output_changes", {}).items() if change["actions"] != ["no-op"]))
    return StackSummary(stack, changes, drift, outputs)


def headline(summary: StackSummary) -> str:
    if not summary.has_changes:
        return "no changes"
    counts = summary.counts
    text = f"{counts['add']} to add, {counts['change']} to change, {counts['destroy']} to destroy"
    extras = [f"{counts[k]} {label}" for k, label in (("replace", "replaced"), ("import", "imported"), ("move", "moved"))]
    extras += [f"{counts['forget']} forgotten"] if counts["forget"] else []
    extras = [e for e in extras if not e.startswith("0 ")]
    extras += [f"{len(summary.outputs)} output(s) changed"] if summary.outputs else []
    return text + (f" ({', '.join(extras)})" if extras else "")


def _row(change: Change) -> str:
    action = change.action + (" + import" if change.importing else "")
    detail = []
    if change.forced_by:
        detail.append("forced by " + ", ".join(f"`{p}`" for p in change.forced_by))
    if change.moved_from:
        detail.append(f"moved from `{change.moved_from}`")
    return f"| {action} | `{change.address}` | {'; '.join(detail)} |"


# Order of rows: what destroys first, so a reviewer sees it first.
_ORDER = {"delete": 0, "replace": 1, "forget": 2, "update": 3, "create": 4, "read": 5}


def markdown(summary: StackSummary, title: str | None = None) -> str:
    """GitHub-flavoured Markdown (job summaries, pull request comments, the terminal)."""
    lines = [f"### {title or summary.stack}: {headline(summary)}", ""]
    if summary.changes:
        lines += ["| action | address | why |", "| --- | --- | --- |"]
        ordered = sorted(summary.changes, key=lambda c: (_ORDER.get(c.action, 9), c.address))
        lines += [_row(c) for c in ordered]
        lines.append("")
    if summary.outputs:
        lines += ["Outputs changed: " + ", ".join(f"`{name}`" for name in summary.outputs), ""]
    if summary.drift:
        lines += [f"Changed outside Terraform since the last apply ({len(summary.drift)}):", ""]
        lines += [f"- {c.action} `{c.address}`" for c in sorted(summary.drift, key=lambda c: c.address)]
        lines.append("")
    return "\n".join(lines)
