"""`make preflight [ARGS=...]`: read-only checks of the subscription before a deploy.

Signs in with azure-identity's DefaultAzureCredential (Azure CLI, environment, workload or
managed identity), reads what the deploy depends on, and never writes. Each check reports ok,
warning or blocker with what to do; the exit status is 1 when any check has a blocker.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from config.loader import ConfigError, config_path_from_env, load_config


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make preflight", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=None, help="config file (default: $AKS_CONFIG or config/default.yaml)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON (for pipelines)")
    parser.add_argument(
        "--subscription", default=None, help="spoke subscription id (default: the config's, else ARM_SUBSCRIPTION_ID)"
    )
    parser.add_argument(
        "--identity",
        choices=("deploy", "plan"),
        default="deploy",
        help="who is signed in: the identity that deploys (default), or a pipeline's read-only plan identity,"
        " whose missing write permissions are then warnings (the apply identity needs them; docs/pipelines.md)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, *, credential=None, client_kwargs: dict | None = None) -> int:
    args = parse_args(argv)
    path = args.config or config_path_from_env()
    try:
        config = load_config(path)
    except ConfigError as error:
        print(error.render(), file=sys.stderr)
        return 2
    # Imported after the arguments: `--help` and a bad config need no SDK.
    from tools.preflight.context import Context, deployment_subscription
    from tools.preflight.runner import exit_status, render_table, run_checks

    if credential is None:
        from azure.identity import DefaultAzureCredential

        credential = DefaultAzureCredential()
    context = Context(
        config=config,
        credential=credential,
        subscription_id=args.subscription or deployment_subscription(config),
        client_kwargs=client_kwargs or {},
        plan_identity=args.identity == "plan",
    )
    results = run_checks(context)
    if args.json:
        print(json.dumps({"config": str(path), "results": [r.as_json() for r in results]}, indent=2))
    else:
        from rich.console import Console

        render_table(results, Console())
    return exit_status(results)


if __name__ == "__main__":
    sys.exit(main())
