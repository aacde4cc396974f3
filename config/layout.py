"""Where each environment's synthesized stacks, Terraform working directories and plans live.

One output folder per deployment (``config.name``): ``cdktf.out/<name>/stacks/<stack>/``. Two
environments in one checkout therefore never share a ``.terraform`` folder, a lock file or a plan.
Local state stays where it always was (``<state.directory>/<name>/<stack>.tfstate`` at the project
root); only the relative path to it from the stack folder is one level deeper.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OUTPUT_ROOT = "cdktf.out"
STACK_NAMES = ("aks-cluster", "kubernetes-config")
# From cdktf.out/<name>/stacks/<stack> (where Terraform runs) back to the project root.
STACK_DIR_TO_PROJECT_ROOT = "../../../.."
# The layout before per-environment folders (cdktf.out/stacks/<stack>), for the migration notes.
LEGACY_STACK_DIR_TO_PROJECT_ROOT = "../../.."


def output_dir(name: str, root: Path = PROJECT_ROOT) -> Path:
    """The folder `cdktf synth --output` writes for deployment ``name``."""
    return root / OUTPUT_ROOT / name


def stack_dir(name: str, stack: str, root: Path = PROJECT_ROOT) -> Path:
    """The Terraform working directory of one stack of deployment ``name``."""
    return output_dir(name, root) / "stacks" / stack
