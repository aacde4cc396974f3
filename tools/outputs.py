"""`make outputs`: both stacks' Terraform outputs for one config, from an allowlist.

Reads `terraform output -json` in each stack's folder (`cdktf.out/<name>/stacks/<stack>/`,
config/layout.py), which reads the stack's state through its backend (local file or Azure
Storage). Only the outputs named in stacks/outputs.py are shown, and any output Terraform marks
sensitive is dropped even if it were named there: nothing secret is ever printed.

    make outputs                          # AKS_CONFIG=config/default.yaml
    make outputs ARGS=--json              # for pipelines
    python -m tools.outputs --config config/prod.yaml

Exit status: 0 when both stacks have outputs, 1 when a stack has none yet (not synthesized, not
initialised, not deployed: the message says which and what to do), 2 for a bad config.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from config.environment import ConfigChoice, banner
from config.layout import PROJECT_ROOT, STACK_NAMES, stack_dir
from config.loader import ConfigError, config_path_from_env, load_config
from config.model import AppConfig
from stacks.outputs import OUTPUTS_BY_STACK

Runner = Callable[[Sequence[str], Path], subprocess.CompletedProcess]


@dataclass(frozen=True)
class StackOutputs:
    stack: str
    values: dict[str, object] = field(default_factory=dict)
    # Why there are no values (None when there are).
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _run_terraform(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["terraform", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=300)


def allowed_outputs(stack: str, raw: dict) -> dict[str, object]:
    """The allowlisted, non-sensitive outputs of `terraform output -json`, in the allowlist's order."""
    result = {}
    for spec in OUTPUTS_BY_STACK[stack]:
        entry = raw.get(spec.name)
        if isinstance(entry, dict) and not entry.get("sensitive", False) and "value" in entry:
            result[spec.name] = entry["value"]
    return result


def read_stack_outputs(
    config: AppConfig,
    stack: str,
    *,
    root: Path = PROJECT_ROOT,
    run: Runner = _run_terraform,
    terraform_found: bool | None = None,
) -> StackOutputs:
    folder = stack_dir(config.name, stack, root)
    hint_synth = f"run `AKS_CONFIG=<this config> make synth`, then `terraform -chdir={_relative(folder, root)} init`"
    if not folder.is_dir():
        return StackOutputs(stack, problem=f"{_relative(folder, root)} does not exist (not synthesized here): {hint_synth}")
    if terraform_found is None:
        terraform_found = shutil.which("terraform") is not None
    if not terraform_found:
        return StackOutputs(stack, problem="terraform is not on PATH (Terraform >= 1.5 reads the outputs from state)")
    completed = run(["output", "-json", "-no-color"], folder)
    if completed.returncode != 0:
        first = _terraform_error(completed.stderr)
        return StackOutputs(
            stack,
            problem=f"terraform output failed in {_relative(folder, root)}: {first} (initialise it: "
            f"`terraform -chdir={_relative(folder, root)} init`; state access: README 'How to deploy', 'State')",
        )
    try:
        raw = json.loads(completed.stdout or "{}")
    except json.JSONDecodeError:
        return StackOutputs(stack, problem=f"terraform output -json in {_relative(folder, root)} did not print JSON")
    if not raw:
        return StackOutputs(stack, problem=f"no outputs in the state of {stack}: not deployed yet (or under another backend)")
    return StackOutputs(stack, values=allowed_outputs(stack, raw))


def read_outputs(config: AppConfig, **kwargs) -> dict[str, StackOutputs]:
    return {stack: read_stack_outputs(config, stack, **kwargs) for stack in STACK_NAMES}


def _terraform_error(stderr: str) -> str:
    """Terraform's first "Error:" line (warnings, e.g. about a missing ~/.terraformrc, come first)."""
    lines = [line.strip(" │╷╵") for line in stderr.splitlines()]
    lines = [line for line in lines if line]
    return next((line for line in lines if line.startswith("Error:")), lines[0] if lines else "no message")


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _show(value: object) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def render_text(config: AppConfig, outputs: dict[str, StackOutputs]) -> str:
    lines = [f"Outputs of deployment {config.name}"]
    for stack, result in outputs.items():
        lines.append(f"{stack}:")
        if not result.ok:
            lines.append(f"  (none) {result.problem}")
            continue
        width = max((len(name) for name in result.values), default=0)
        lines += [f"  {name.ljust(width)}  {_show(value)}" for name, value in result.values.items()]
    return "\n".join(lines)


def render_json(outputs: dict[str, StackOutputs]) -> str:
    return json.dumps(
        {stack: {"outputs": r.values, "problem": r.problem} for stack, r in outputs.items()}, indent=2, sort_keys=False
    )


def main(argv: Sequence[str] | None = None, *, root: Path = PROJECT_ROOT, run: Runner = _run_terraform) -> int:
    parser = argparse.ArgumentParser(prog="make outputs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=None, help="config file (default: $AKS_CONFIG or config/default.yaml)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)
    path = args.config or config_path_from_env()
    try:
        config = load_config(path)
    except ConfigError as error:
        print(error.render(), file=sys.stderr)
        return 2
    outputs = read_outputs(config, root=root, run=run)
    if not args.json:  # --json is for pipelines: its stdout is the document alone
        choice = ConfigChoice(path, named=True) if args.config else ConfigChoice.from_env()
        print(banner(config, choice, toolchain=os.environ.get("TOOLCHAIN", "cdktf")))
    print(render_json(outputs) if args.json else render_text(config, outputs))
    return 0 if all(r.ok for r in outputs.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
