"""`make smoke [ARGS=...]`: after a deploy, run an Azure ML command job per CPU instance type and
serve a tiny model from a Kubernetes online endpoint on the cluster, invoked through the private
ingress; everything it creates is tagged and removed at the end (also on failure and Ctrl-C).

Run it from a machine in the network (it calls the ingress). `--dry-run` prints the plan from the
config and the stack outputs without calling Azure ML. Exit status 0 when every step passed.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from config.loader import ConfigError, config_path_from_env, load_config
from tools.smoke.plan import DEFAULT_DEPLOYMENT_ENVIRONMENT, DEFAULT_ENVIRONMENT, PlanError, build_plan, describe

DEFAULT_JUNIT = Path("smoke-results/junit.xml")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make smoke", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=None, help="config file (default: $AKS_CONFIG or config/default.yaml)")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and exit; no Azure ML call")
    parser.add_argument(
        "--include-gpu", action="store_true", help="also run a job on each GPU instance type (scales from zero: slow, costs)"
    )
    parser.add_argument(
        "--scoring-base-url", default=None, help="instead of the outputs' scoring_base_url, e.g. https://aml.example/aml/"
    )
    parser.add_argument(
        "--workspace-id", default=None, help="without azureml.workspace: the workspace the cluster was attached to"
    )
    parser.add_argument("--compute-name", default=None, help="without azureml.workspace: the attached compute's name")
    parser.add_argument("--ca-bundle", default=None, help="CA bundle that signs the ingress certificate (default: the system's)")
    parser.add_argument("--environment", default=DEFAULT_ENVIRONMENT, help="curated environment of the jobs")
    parser.add_argument(
        "--deployment-environment", default=DEFAULT_DEPLOYMENT_ENVIRONMENT, help="curated environment of the endpoint"
    )
    parser.add_argument("--job-timeout", type=float, default=3600, help="seconds a job may take (default 3600)")
    parser.add_argument("--junit", type=Path, default=DEFAULT_JUNIT, help=f"JUnit XML report (default {DEFAULT_JUNIT})")
    return parser.parse_args(argv)


def _outputs(config) -> tuple[dict, str | None]:
    from tools.outputs import read_stack_outputs

    result = read_stack_outputs(config, "kubernetes-config")
    return result.values, result.problem


def main(argv: Sequence[str] | None = None, *, credential=None, backend=None, session=None, outputs=None) -> int:
    args = parse_args(argv)
    path = args.config or config_path_from_env()
    try:
        config = load_config(path)
    except ConfigError as error:
        print(error.render(), file=sys.stderr)
        return 2
    problem = None
    if outputs is None:
        outputs, problem = _outputs(config)
    if args.scoring_base_url:
        outputs = {**outputs, "scoring_base_url": args.scoring_base_url}
    try:
        plan = build_plan(
            config,
            outputs,
            include_gpu=args.include_gpu,
            environment=args.environment,
            deployment_environment=args.deployment_environment,
            workspace_id=args.workspace_id,
            compute_name=args.compute_name,
            placeholders=args.dry_run,
        )
    except PlanError as error:
        print(f"{path}: {error}", file=sys.stderr)
        return 2
    from rich.console import Console

    console = Console()
    if problem:
        console.print(f"[yellow]stack outputs not read ({problem}); using the config[/]", soft_wrap=True)
    for line in describe(plan):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    if args.dry_run:
        return 0
    return _run(plan, args, console, credential=credential, backend=backend, session=session)


def _run(plan, args, console, *, credential, backend, session) -> int:
    from rich.table import Table

    from tools.smoke.backend import AzureMLBackend
    from tools.smoke.invoke import invoke_ingress
    from tools.smoke.run import FAILED, INTERRUPTED, PASSED, SmokeRun, succeeded, write_junit

    if backend is None:
        if credential is None:
            from azure.identity import DefaultAzureCredential

            credential = DefaultAzureCredential()
        backend = AzureMLBackend(plan, credential, job_timeout=args.job_timeout)
    verify = args.ca_bundle or True

    def ingress(url, key, body, deployment):
        return invoke_ingress(url, key, body, deployment, session=session, verify=verify)

    status = console.status("starting")
    colours = {PASSED: "green", FAILED: "red", INTERRUPTED: "red"}

    def on_step(name: str, event: str) -> None:
        if event == "start":
            status.update(f"{name} ...")
        else:
            console.print(f"[{colours.get(event, 'yellow')}]{event}[/] {name}")

    # SIGTERM (a pipeline cancelling the job) cleans up like Ctrl-C.
    previous = signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        with status:
            results = SmokeRun(plan, backend, invoke_ingress=ingress, on_step=on_step).run()
    finally:
        signal.signal(signal.SIGTERM, previous)
    table = Table(title=f"Smoke test {plan.deployment} (run {plan.run_id})")
    for column in ("step", "result", "seconds", "message"):
        table.add_column(column)
    for r in results:
        table.add_row(r.name, f"[{colours.get(r.status, 'yellow')}]{r.status}[/]", f"{r.seconds:.1f}", r.message)
    console.print(table)
    write_junit(results, plan, args.junit)
    console.print(f"JUnit report: {args.junit}")
    return 0 if succeeded(results) else 1


if __name__ == "__main__":
    sys.exit(main())
