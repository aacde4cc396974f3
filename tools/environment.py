"""`python -m tools.environment banner | cdktf ARGS...`: what the Makefile runs before and around
the cdktf CLI.

- ``banner``: print which deployment ``AKS_CONFIG`` names (config/environment.py), exit 2 on a
  bad config.
- ``cdktf ARGS``: refuse ``deploy`` of the example config (exit 3, nothing run), then run the
  project's CLI (cdktf, or cdktn under ``TOOLCHAIN=cdktn``). The banner comes from main.py when
  the CLI synthesizes, and from here when it does not (``--skip-synth``, ``output``).

When standard output is not a terminal (a pipeline, a log file), the CLI runs with
``--no-color`` (Terraform's colours), ``FORCE_COLOR=0`` (the CLI's own) and ``CI=1`` (its Ink
renderer then prints each block once instead of redrawing a spinner many times a second), so logs
carry no terminal control sequences.
"""

from __future__ import annotations

import os
import subprocess
import sys

from config.environment import ConfigChoice, banner, example_reasons, refusal_message
from config.loader import ConfigError, load_config

EXIT_BAD_CONFIG = 2
EXIT_REFUSED = 3
# Subcommands of the cdktf CLI that change infrastructure.
DEPLOYING_COMMANDS = ("deploy", "apply")
# Subcommands that take --no-color.
COLOR_COMMANDS = ("deploy", "diff", "destroy", "plan", "apply", "output")
# Subcommands that run the app (main.py prints the banner) unless --skip-synth is given.
SYNTHESIZING_COMMANDS = ("synth", "deploy", "diff", "destroy")


def plain_output_env(environ: dict[str, str]) -> dict[str, str]:
    """The environment for a CLI whose output goes to a log, not a terminal."""
    return {**environ, "CI": "1", "FORCE_COLOR": "0", "NO_COLOR": "1"}


def cli_command(args: list[str], *, terminal: bool, toolchain: str) -> list[str]:
    executable = "cdktn" if toolchain == "cdktn" else "cdktf"
    command = [executable, *args]
    if not terminal and args and args[0] in COLOR_COMMANDS and "--no-color" not in args:
        command.append("--no-color")
    return command


def main(argv: list[str], environ: dict[str, str] | None = None) -> int:
    environ = dict(os.environ if environ is None else environ)
    if not argv or argv[0] not in ("banner", "cdktf"):
        print("usage: python -m tools.environment banner | cdktf ARGS...", file=sys.stderr)
        return EXIT_BAD_CONFIG
    choice = ConfigChoice.from_env(environ)
    try:
        config = load_config(choice.path)
    except ConfigError as error:
        print(error.render(), file=sys.stderr)
        return EXIT_BAD_CONFIG
    toolchain = environ.get("TOOLCHAIN", "cdktf")
    args = argv[1:]
    synthesizes = bool(args) and args[0] in SYNTHESIZING_COMMANDS and "--skip-synth" not in args
    refused = bool(args) and args[0] in DEPLOYING_COMMANDS and bool(example_reasons(config, choice))
    if argv[0] == "banner" or not synthesizes or refused:
        print(banner(config, choice, toolchain=toolchain), flush=True)
    if argv[0] == "banner":
        return 0
    if refused:
        print(refusal_message(example_reasons(config, choice)), file=sys.stderr)
        return EXIT_REFUSED
    terminal = sys.stdout.isatty()
    env = environ if terminal else plain_output_env(environ)
    return subprocess.call(cli_command(args, terminal=terminal, toolchain=toolchain), env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
