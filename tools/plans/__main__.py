"""Saved Terraform plans for one deployment: plan, apply, destroy, drift, show.

    make plan  [PHASE=1|2 | STACK=<stack>] [AKS_CONFIG=config/x.yaml] [ARGS=...]
    make apply [PHASE=...]       # exactly the saved plans; refuses stale ones
    make destroy [PHASE=...]     # reverse order; explains `protect`
    make drift [PHASE=...]       # exit 2 when the infrastructure differs from the configuration
    .venv/bin/python -m tools.plans {plan,apply,destroy,drift,show} --config FILE [--phase N|--stack S]

Exit codes: 0 done (no drift), 1 Terraform or usage error, 2 drift / changes
(``drift``, ``plan --detailed-exitcode``), 3 refused (nothing run). See docs/pipelines.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import toolchain
from config.environment import ConfigChoice, banner, example_reasons, refusal_message
from config.layout import output_dir
from config.loader import ConfigError, load_config
from tools.plans import CHANGES, FAILED, OK, REFUSED
from tools.plans import commands as cmd
from tools.plans.phases import select
from tools.plans.terraform import TerraformFailed


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.plans", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("plan", "save a plan per stack, with its record and summary"),
        ("apply", "apply exactly the saved plans"),
        ("destroy", "destroy the stacks in reverse order"),
        ("drift", "plan against the real infrastructure; exit 2 on any difference"),
        ("show", "print the summaries of the saved plans"),
        ("where", "print the folder that holds the saved plans (for pipeline artifacts)"),
    ):
        command = sub.add_parser(name, help=text, description=text)
        command.add_argument("--config", type=Path, default=None, help="deployment config (default: $AKS_CONFIG)")
        command.add_argument("--phase", type=int, default=None, help="1 (aks-cluster) or 2 (kubernetes-config)")
        command.add_argument("--stack", default=None, help="one stack")
        command.add_argument(
            "--root", type=Path, default=None, help="the deployment's synth output (default: cdktf.out/<config name>)"
        )
        command.add_argument("--summary-file", type=Path, default=None, help="also append the Markdown summary here")
        if name in ("plan", "destroy"):
            command.add_argument(
                "--no-lock", action="store_true", help="do not take the state lock (read-only identities: pull requests)"
            )
        if name == "plan":
            command.add_argument("--detailed-exitcode", action="store_true", help="exit 2 when any plan has changes")
        if name == "drift":
            command.add_argument("--lock", action="store_true", help="take the state lock (default: read-only, no lock)")
        if name == "destroy":
            command.add_argument("--auto-approve", action="store_true", help="do not ask before destroying each stack")
    return parser


def _confirm(auto_approve: bool, deployment: str):
    def confirm(stack: str) -> bool:
        if auto_approve:
            return True
        if not sys.stdin.isatty():
            print("Not a terminal: pass --auto-approve (make destroy ARGS=--auto-approve) to destroy without asking.")
            return False
        answer = input(f"Destroy {stack} of {deployment}? Type the deployment name to confirm: ")
        return answer.strip() == deployment

    return confirm


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    choice = ConfigChoice(args.config, named=True) if args.config else ConfigChoice.from_env()
    config_path = choice.path
    try:
        config = load_config(config_path)
        stacks = select(phase=args.phase, stack=args.stack)
    except ConfigError as error:
        print(error.render(), file=sys.stderr)
        return FAILED
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return FAILED
    root = args.root or output_dir(config.name)
    deployment = cmd.Deployment(config.name, root, str(config_path))
    out = cmd.Output(args.summary_file)
    if args.command == "where":
        print(deployment.plans_dir)
        return OK
    print(banner(config, choice, toolchain=toolchain.NAME, output_dir=str(root)), flush=True)
    reasons = example_reasons(config, choice)
    if args.command == "apply" and reasons:
        print(refusal_message(reasons), file=sys.stderr)
        return REFUSED
    try:
        if args.command == "plan":
            status = cmd.plan(deployment, stacks, out, lock=not args.no_lock)
            if status == OK and args.detailed_exitcode and _any_changes(deployment, stacks):
                return CHANGES
            return status
        if args.command == "apply":
            return cmd.apply(deployment, stacks, out)
        if args.command == "destroy":
            confirm = _confirm(args.auto_approve, config.name)
            return cmd.destroy(deployment, stacks, out, confirm=confirm, lock=not args.no_lock)
        if args.command == "drift":
            return cmd.drift(deployment, stacks, out, lock=args.lock)
        return cmd.show(deployment, stacks, out)
    except TerraformFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return FAILED


def _any_changes(deployment: cmd.Deployment, stacks: list[str]) -> bool:
    from tools.plans.record import PlanRecord

    records = [deployment.paths(s).record for s in stacks]
    return any(PlanRecord.read(r).changes for r in records if r.is_file())


if __name__ == "__main__":
    sys.exit(main())
