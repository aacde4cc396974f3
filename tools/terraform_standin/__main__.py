"""Validate and plan synthesized stacks against the stand-ins, and time it.

    .venv/bin/python -m tools.terraform_standin cdktf.out/<name>/stacks/aks-cluster cdktf.out/<name>/stacks/kubernetes-config
    .venv/bin/python -m tools.terraform_standin --repeat 5 cdktf.out/<name>/stacks/*     # timing figures

Each stack directory is copied to a scratch directory (local state), then ``terraform init``,
``validate -json``, ``plan`` and ``show -json`` run there against a fresh mirror. Prints each
step's wall and CPU time (the median over repeats) and every diagnostic; exits 1 if any stack is
invalid, has warnings, or fails to plan. CPU time counts Terraform and the provider processes it
waits for: with the zygote (the default) the forked servers are the zygote's children and not
counted, so compare wall times.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
from pathlib import Path

from tools.terraform_standin import mirror

STEPS = ("init", "validate", "plan", "show")


def check(stack_dir: Path, scratch: Path, built: mirror.Mirror) -> tuple[bool, list[mirror.Step]]:
    workspace = mirror.Workspace.from_stack(stack_dir, scratch, built)
    workspace.init()
    validation = workspace.validate()
    plan = workspace.plan()
    ok = validation["valid"] and not validation["warning_count"] and plan.ok and not plan.diagnostics
    for diagnostic in validation["diagnostics"] + plan.diagnostics:
        print(f"  {stack_dir.name}: {diagnostic['severity']}: {diagnostic['summary']}: {diagnostic.get('detail', '')}")
    if plan.ok:
        workspace.show_plan()
    return ok, workspace.steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stacks", nargs="+", type=Path, help="synthesized stack directories (containing cdk.tf.json)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per stack, for timing (median reported)")
    parser.add_argument("--no-zygote", action="store_true", help="start every provider process from scratch (launcher.py)")
    args = parser.parse_args(argv)
    version = mirror.terraform_version()
    if version is None or version < mirror.MIN_TERRAFORM:
        print("terraform >= 1.5 is needed on PATH", file=sys.stderr)
        return 2
    all_ok = True
    with tempfile.TemporaryDirectory(prefix="terraform-standin-") as scratch, contextlib.ExitStack() as stack:
        built = mirror.build(Path(scratch))
        if not args.no_zygote:
            stack.enter_context(built.running())
        print(f"Terraform {'.'.join(map(str, version))}, {os.cpu_count()} cores; median of {args.repeat} run(s), wall / CPU s")
        print(f"{'stack':<40} " + " ".join(f"{step:>13}" for step in STEPS) + f" {'validate+plan':>15}")
        for number, stack_dir in enumerate(args.stacks):
            runs = []
            for run in range(args.repeat):
                ok, steps = check(stack_dir.resolve(), Path(scratch) / f"{number}-{stack_dir.name}-{run}", built)
                all_ok &= ok
                runs.append(steps)
            wall = [statistics.median(r[i].seconds for r in runs) for i in range(len(STEPS))]
            cpu = [statistics.median(r[i].cpu_seconds for r in runs) for i in range(len(STEPS))]
            cells = " ".join(f"{w:6.2f} /{c:6.2f}" for w, c in zip(wall, cpu, strict=True))
            total = statistics.median(r[1].seconds + r[2].seconds for r in runs)
            print(f"{str(stack_dir)[-40:]:<40} {cells} {total:15.2f}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
