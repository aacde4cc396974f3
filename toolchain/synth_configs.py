"""Synthesize several configs in one process, so the jsii assemblies load once.

    <venv>/bin/python -m toolchain.synth_configs OUTROOT CONFIG [CONFIG ...]

Each config is written to ``OUTROOT/<config folder>-<config stem>/`` by the same code path as the
in-process ``synth`` fixture in tests/conftest.py (``build_app(...).synth()``). The toolchain
equivalence test runs this with the *other* toolchain's virtualenv; ``TOOLCHAIN`` selects it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from toolchain import NAME, PROJECT_ROOT


def outdir_for(outroot: Path, config_path: Path) -> Path:
    return outroot / f"{config_path.parent.name}-{config_path.stem}"


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    from config.loader import load_config
    from stacks.app import build_app

    outroot = Path(argv[0])
    for raw in argv[1:]:
        config_path = Path(raw).resolve()
        outdir = outdir_for(outroot, config_path)
        config_file = str(config_path.relative_to(PROJECT_ROOT))
        build_app(load_config(config_path), config_file=config_file, outdir=str(outdir)).synth()
        print(f"{NAME}: {config_file} -> {outdir}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
