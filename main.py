#!/usr/bin/env python
"""Entry point for `npx cdktf synth|diff|deploy`: validate the config, say which deployment this
is, then build both stacks into the deployment's own output folder.

The config is loaded before any provider binding is imported: a bad config is reported in about
a second, instead of after the ~20 s it takes to load the jsii assemblies, and nothing is written.

Output layout (config/layout.py): each deployment synthesizes into ``cdktf.out/<name>/``, so two
environments never share Terraform's working directories, lock files or plans. The cdktf CLI
passes its output folder as ``CDKTF_OUTDIR``:

- ``cdktf.out`` (cdktf.json's default; also ``cdktf.out`` under the working directory when run
  without the CLI): the stacks go to ``cdktf.out/<name>/`` and ``cdktf.out/manifest.json`` points
  the CLI at them (the CLI runs Terraform in ``<outdir>/<manifest workingDirectory>``: cdktf-cli and
  cdktn-cli ``readSynthesizedStacks``).
- ``cdktf.out/<name>`` (``--output cdktf.out/<name>``): written there.
- another folder: as for cdktf.out, except with local state, whose file is addressed relative to
  the stack folder and would be missed from anywhere but the project's ``cdktf.out/<name>``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from config.environment import ConfigChoice, banner, example_reasons, refusal_message
from config.layout import OUTPUT_ROOT, PROJECT_ROOT, output_dir
from config.loader import ConfigError, load_config
from config.model import AppConfig, LocalState

EXIT_BAD_CONFIG = 2
CLI_OUTDIR_ENV = "CDKTF_OUTDIR"
# Paths in a cdktf manifest's stack entries, relative to the folder holding the manifest.
MANIFEST_PATH_KEYS = ("workingDirectory", "synthesizedStackPath", "stackMetadataPath")


class OutputFolderError(Exception):
    pass


def resolve_output(config: AppConfig, cli_outdir: str | None) -> tuple[Path, Path | None]:
    """(folder the app writes, folder that gets the pointer manifest, or None).

    The base folder is the CLI's ``--output`` (``CDKTF_OUTDIR``), else ``cdktf.out`` as cdktf's App
    would use. A base already named after the deployment is used as it is."""
    base = Path(cli_outdir or OUTPUT_ROOT).resolve()
    own, pointer = (base, None) if base.name == config.name else (base / config.name, base)
    if isinstance(config.state, LocalState) and own != output_dir(config.name).resolve():
        raise OutputFolderError(
            f"output folder {own}: with local state it must be {OUTPUT_ROOT}/{config.name} in the project"
            f" ({PROJECT_ROOT}), since the state file is addressed relative to it; use --output {OUTPUT_ROOT}"
            f" or --output {OUTPUT_ROOT}/{config.name}"
        )
    return own, pointer


def write_pointer_manifest(pointer_dir: Path, own: Path) -> None:
    """cdktf.out/manifest.json naming the stacks in cdktf.out/<name>/ (see the module docstring)."""
    manifest = json.loads((own / "manifest.json").read_text())
    prefix = own.relative_to(pointer_dir).as_posix()  # the deployment's name
    for stack in manifest["stacks"].values():
        for key in MANIFEST_PATH_KEYS:
            if key in stack:
                stack[key] = f"{prefix}/{stack[key]}"
    (pointer_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def main() -> int:
    choice = ConfigChoice.from_env()
    try:
        config = load_config(choice.path)
        own, pointer_dir = resolve_output(config, os.environ.get(CLI_OUTDIR_ENV))
    except ConfigError as error:
        print(error.render(), file=sys.stderr)
        return EXIT_BAD_CONFIG
    except OutputFolderError as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_CONFIG

    import toolchain

    shown = own.relative_to(PROJECT_ROOT) if own.is_relative_to(PROJECT_ROOT) else own
    # stdout: the cdktf CLI shows an app's stdout as it is, but its stderr as "[ERROR]" lines.
    print(banner(config, choice, toolchain=toolchain.NAME, output_dir=str(shown)), flush=True)
    reasons = example_reasons(config, choice)

    from stacks.app import build_app  # deferred: loads the jsii provider bindings

    own.mkdir(parents=True, exist_ok=True)  # cdktf's App creates only the last folder level
    app = build_app(
        config,
        config_file=str(choice.path),
        outdir=str(own),
        deploy_refusal=refusal_message(reasons) if reasons else None,
    )
    app.synth()
    if pointer_dir is not None:
        write_pointer_manifest(pointer_dir, own)
    return 0


if __name__ == "__main__":
    sys.exit(main())
