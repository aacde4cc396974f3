"""plan, apply, destroy and drift over the selected stacks of one deployment."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from tools.plans import CHANGES, FAILED, OK, REFUSED
from tools.plans.phases import phase_of
from tools.plans.record import LOCK_FILE, PLANS_FOLDER, PlanPaths, PlanRecord, changed_inputs, input_hashes, now, sha256
from tools.plans.summary import markdown, summarize
from tools.plans.terraform import Terraform, TerraformFailed, version


@dataclass(frozen=True)
class Deployment:
    """One synthesized deployment: ``root`` is cdktf.out/<name> (config/layout.py)."""

    name: str
    root: Path
    config_file: str  # for messages: which file to edit

    def stack_dir(self, stack: str) -> Path:
        return self.root / "stacks" / stack

    @property
    def plans_dir(self) -> Path:
        return self.root / PLANS_FOLDER

    def paths(self, stack: str) -> PlanPaths:
        return PlanPaths(self.plans_dir, stack)


@dataclass
class Output:
    """Where messages and summaries go: the terminal, plus a Markdown file if asked
    (``--summary-file "$GITHUB_STEP_SUMMARY"``; appended to, as GitHub expects)."""

    summary_file: Path | None = None
    stream: TextIO = sys.stdout

    def say(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def summary(self, text: str) -> None:
        self.say(text)
        if self.summary_file is not None:
            with self.summary_file.open("a") as handle:
                handle.write(text + "\n")


def _missing_synth(deployment: Deployment, stacks: list[str], out: Output) -> bool:
    missing = [s for s in stacks if not (deployment.stack_dir(s) / "cdk.tf.json").is_file()]
    for stack in missing:
        out.say(
            f"error: {deployment.stack_dir(stack)}/cdk.tf.json does not exist: "
            f"run `make synth AKS_CONFIG={deployment.config_file}` first"
        )
    return bool(missing)


def plan(deployment: Deployment, stacks: list[str], out: Output, *, lock: bool = True) -> int:
    """Save a plan per stack with its record and summary. A later phase is not planned while an
    earlier one still has changes: its data sources read what the earlier phase creates."""
    if _missing_synth(deployment, stacks, out):
        return FAILED
    deployment.plans_dir.mkdir(parents=True, exist_ok=True)
    terraform_version = version()
    pending_phase: int | None = None
    for stack in stacks:
        paths = deployment.paths(stack)
        for stale in (paths.plan, paths.record, paths.summary, paths.lock):  # never leave an older plan behind
            stale.unlink(missing_ok=True)
        if pending_phase is not None and phase_of(stack) > pending_phase:
            out.summary(
                f"### {stack}: not planned\n\nPhase {phase_of(stack)} is planned once phase {pending_phase} is applied "
                f"(its data sources read what phase {pending_phase} creates): `make apply PHASE={pending_phase}`, "
                f"then `make plan PHASE={phase_of(stack)}`.\n"
            )
            continue
        terraform = Terraform(deployment.stack_dir(stack))
        terraform.init()
        changes = terraform.plan(paths.plan, lock=lock)
        summary = summarize(stack, terraform.show(paths.plan))
        stack_dir = deployment.stack_dir(stack)
        if (stack_dir / LOCK_FILE).is_file():
            shutil.copyfile(stack_dir / LOCK_FILE, paths.lock)
        PlanRecord(
            deployment=deployment.name,
            stack=stack,
            inputs=input_hashes(stack_dir),
            plan_sha256=sha256(paths.plan),
            changes=changes,
            terraform_version=terraform_version,
            summary=summary.to_json(),
        ).write(paths.record)
        text = markdown(summary, f"{stack} (phase {phase_of(stack)})")
        paths.summary.write_text(text + "\n")
        out.summary(text)
        if changes:
            pending_phase = phase_of(stack)
    out.say(f"Saved plans: {deployment.plans_dir} (they hold secrets: keep them like state)")
    return OK


def check_saved_plan(deployment: Deployment, stack: str) -> tuple[PlanRecord | None, list[str]]:
    """The stack's record, and every reason its plan must not be applied."""
    paths = deployment.paths(stack)
    hint = f"run `make plan STACK={stack} AKS_CONFIG={deployment.config_file}` and review it"
    if not paths.record.is_file():
        return None, [f"{stack}: no saved plan in {deployment.plans_dir}: {hint}"]
    record = PlanRecord.read(paths.record)
    if record.applied_at:
        return record, [f"{stack}: its saved plan was applied at {record.applied_at}: {hint}"]
    if record.deployment != deployment.name:
        return record, [f"{stack}: the saved plan is for deployment {record.deployment!r}, not {deployment.name!r}"]
    if not paths.plan.is_file() or sha256(paths.plan) != record.plan_sha256:
        return record, [f"{stack}: the plan file {paths.plan} is missing or not the one recorded: {hint}"]
    stack_dir = deployment.stack_dir(stack)
    if not (stack_dir / LOCK_FILE).exists() and paths.lock.is_file():
        shutil.copyfile(paths.lock, stack_dir / LOCK_FILE)  # a fresh checkout: the lock the plan was made with
    problems = changed_inputs(record.inputs, input_hashes(stack_dir))
    return record, [f"{stack}: {p}: the saved plan is stale, {hint}" for p in problems]


def apply(deployment: Deployment, stacks: list[str], out: Output) -> int:
    """Apply exactly the saved plans, after checking every selected one: nothing runs if any is
    missing, already applied, or made from other inputs than the stack folder holds now."""
    if _missing_synth(deployment, stacks, out):
        return FAILED
    checked = [(stack, *check_saved_plan(deployment, stack)) for stack in stacks]
    # A later phase that `plan` left unplanned because an earlier one has changes comes next time.
    first_with_changes = min((phase_of(s) for s, r, p in checked if r and r.changes and not p), default=None)
    later = [s for s, r, _ in checked if r is None and first_with_changes is not None and phase_of(s) > first_with_changes]
    checked = [c for c in checked if c[0] not in later]
    problems = [p for _, _, stack_problems in checked for p in stack_problems]
    if problems:
        out.say("Refused: nothing was applied.")
        for problem in problems:
            out.say(f"  {problem}")
        return REFUSED
    for stack, record, _ in checked:
        assert record is not None
        paths = deployment.paths(stack)
        out.summary(markdown(record.stack_summary, f"Applying {stack} (phase {phase_of(stack)}), planned {record.created_at}"))
        if record.changes:
            terraform = Terraform(deployment.stack_dir(stack))
            terraform.init(lockfile_readonly=True)  # the providers the plan was made with, or fail
            terraform.apply(paths.plan)
        else:
            out.say(f"{stack}: the plan has no changes; nothing to apply")
        record.applied_at = now()
        record.write(paths.record)
        paths.plan.unlink()  # applied plans are useless and hold secrets
    for stack in later:
        out.say(f"Next: `make plan PHASE={phase_of(stack)}` ({stack}), review it, then `make apply PHASE={phase_of(stack)}`.")
    return OK


def protected_addresses(document: dict[str, Any]) -> list[str]:
    """Resources with lifecycle.prevent_destroy (config key ``protect: true``)."""
    return sorted(
        f"{resource_type}.{name}"
        for resource_type, resources in document.get("resource", {}).items()
        for name, body in resources.items()
        if body.get("lifecycle", {}).get("prevent_destroy")
    )


def destroy(deployment: Deployment, stacks: list[str], out: Output, *, confirm: Callable[[str], bool], lock: bool = True) -> int:
    """Destroy in reverse phase order, each stack from a reviewed destroy plan; refuse while the
    synthesized stacks still protect resources."""
    if _missing_synth(deployment, stacks, out):
        return FAILED
    order = sorted(stacks, key=phase_of, reverse=True)
    protected = {s: protected_addresses(json.loads((deployment.stack_dir(s) / "cdk.tf.json").read_text())) for s in order}
    if any(protected.values()):
        out.say(
            "Refused: the synthesized stacks protect resources from destruction (lifecycle.prevent_destroy, "
            "from the config key `protect: true`), so Terraform would stop at them:"
        )
        for stack, addresses in protected.items():
            out.say("".join(f"\n  {stack}: {address}" for address in addresses).lstrip("\n"))
        out.say(
            f"To destroy this deployment on purpose: set `protect: false` in {deployment.config_file}, "
            f"run `make synth AKS_CONFIG={deployment.config_file}` (and review that change like any other), "
            "then `make destroy` again. Stacks are destroyed in reverse order: " + ", then ".join(order) + "."
        )
        return REFUSED
    deployment.plans_dir.mkdir(parents=True, exist_ok=True)
    for stack in order:
        terraform = Terraform(deployment.stack_dir(stack))
        terraform.init()
        plan_file = deployment.plans_dir / f"{stack}.destroy.tfplan"
        try:
            changes = terraform.plan(plan_file, lock=lock, destroy=True)
            out.summary(markdown(summarize(stack, terraform.show(plan_file)), f"Destroy {stack} (phase {phase_of(stack)})"))
            if not changes:
                out.say(f"{stack}: nothing to destroy")
                continue
            if not confirm(stack):
                out.say(f"Refused: {stack} was not destroyed (not confirmed).")
                return REFUSED
            terraform.apply(plan_file)
        finally:
            plan_file.unlink(missing_ok=True)
    return OK


def drift(deployment: Deployment, stacks: list[str], out: Output, *, lock: bool = False) -> int:
    """Plan every selected stack against the real infrastructure (``-detailed-exitcode``) and keep
    nothing: exit CHANGES when any plan is not empty (drift, or a merged change not yet applied)."""
    if _missing_synth(deployment, stacks, out):
        return FAILED
    deployment.plans_dir.mkdir(parents=True, exist_ok=True)
    drifted = []
    for stack in stacks:
        terraform = Terraform(deployment.stack_dir(stack))
        terraform.init()
        plan_file = deployment.plans_dir / f"{stack}.drift.tfplan"
        try:
            changes = terraform.plan(plan_file, lock=lock)
            out.summary(markdown(summarize(stack, terraform.show(plan_file)), f"Drift check {stack} (phase {phase_of(stack)})"))
        finally:
            plan_file.unlink(missing_ok=True)
        if changes:
            drifted.append(stack)
    if drifted:
        out.summary(
            f"**DRIFT: {', '.join(drifted)} no longer match(es) the configuration on this branch.** "
            "Either someone changed the resources outside Terraform (listed under 'Changed outside Terraform'), "
            "or a merged change was never applied. Review, then `make plan` and `make apply`.\n"
        )
        return CHANGES
    out.summary("No drift: every checked stack matches its configuration.\n")
    return OK


def show(deployment: Deployment, stacks: list[str], out: Output) -> int:
    """Print the summaries of the saved plans (e.g. into the apply job's summary)."""
    found = False
    for stack in stacks:
        paths = deployment.paths(stack)
        if paths.record.is_file():
            record = PlanRecord.read(paths.record)
            state = f"applied {record.applied_at}" if record.applied_at else "not applied"
            out.summary(markdown(record.stack_summary, f"{stack} (planned {record.created_at}, {state})"))
            found = True
    if not found:
        out.say(f"No saved plans in {deployment.plans_dir}")
    return OK if found else REFUSED


__all__ = ["Deployment", "Output", "TerraformFailed", "apply", "destroy", "drift", "plan", "show"]
