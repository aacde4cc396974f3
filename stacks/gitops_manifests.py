"""`make gitops`: write the manifests of GitOps mode for the user's GitOps repository.

    python -m stacks.gitops_manifests --out DIR [--config FILE]     (make gitops: DIR = gitops.out)

writes ``DIR/<gitops.path>/{infrastructure,ingress,azureml}/`` (default path ``clusters/<name>``),
one YAML file per object plus a ``kustomization.yaml`` naming them (constructs_lib/gitops_delivery/
manifests.py says what goes where). A bad config is reported like `make synth` does (every
problem, exit 2), before anything is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from config.checks import Problem
from config.loader import ConfigError, config_path_from_env, load_config
from config.model import AppConfig

EXIT_BAD_CONFIG = 2


def _mode_problem(config: AppConfig) -> Problem | None:
    if config.kubernetes_config.mode != "gitops":
        return Problem(
            "kubernetes_config.mode",
            "must be gitops to render GitOps manifests (terraform mode creates the objects itself)",
            config.kubernetes_config.mode,
        )
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stacks.gitops_manifests", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="directory to write <gitops.path>/... into")
    parser.add_argument("--config", type=Path, default=None, help="config file (default: $AKS_CONFIG or config/default.yaml)")
    args = parser.parse_args(argv)
    path = args.config or config_path_from_env()
    try:
        config = load_config(path)
        problem = _mode_problem(config)
        if problem:
            raise ConfigError(str(path), [problem])
    except ConfigError as error:
        print(error.render(), file=sys.stderr)
        return EXIT_BAD_CONFIG
    # Deferred: loads the jsii provider bindings (a bad config is reported before).
    from constructs_lib.gitops_delivery.manifests import write
    from stacks.construct_props import gitops_manifests

    manifests = gitops_manifests(config)
    written = write(manifests, args.out, source=str(path))
    print(f"{len(written)} files in {args.out / manifests.root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
