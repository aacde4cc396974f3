"""Which CDK toolchain the app runs on, decided in this one place.

The product is specified on CDK for Terraform 0.21 (``cdktf``, archived upstream) and can run on
its maintained fork CDK Terrain (``cdktn``). Constructs and stacks never import either directly;
they import the aliases below, which resolve to the selected toolchain's packages:

    from toolchain.cdk import TerraformStack            # cdktf | cdktn
    from toolchain.azurerm.kubernetes_cluster import KubernetesCluster
    from toolchain.kubernetes.namespace_v1 import NamespaceV1
    from toolchain.helm.release import Release
    from toolchain.time.sleep import Sleep

Selection: the ``TOOLCHAIN`` environment variable (``cdktf`` or ``cdktn``, as the Makefile sets
it); when unset, whichever is installed in the running interpreter, cdktf first. Only the
provider submodules a construct imports are loaded (importing a provider package root would load
every resource type's Python module).

Where the providers' majors differ (azurerm 4 -> 5, kubernetes 2 -> 3) the call sites use the
small shims in ``toolchain.shims``; every resulting difference in the synthesized JSON is listed,
with its reason, in ``toolchain.differences``. See docs/toolchain.md.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

CDKTF = "cdktf"
CDKTN = "cdktn"

# alias -> real top-level package, per toolchain.
PACKAGES: dict[str, dict[str, str]] = {
    CDKTF: {
        "cdk": "cdktf",
        "azurerm": "cdktf_cdktf_provider_azurerm",
        "kubernetes": "cdktf_cdktf_provider_kubernetes",
        "helm": "cdktf_cdktf_provider_helm",
        "time": "cdktf_cdktf_provider_time",
    },
    CDKTN: {
        "cdk": "cdktn",
        "azurerm": "cdktn_provider_azurerm",
        "kubernetes": "cdktn_provider_kubernetes",
        "helm": "cdktn_provider_helm",
        "time": "cdktn_provider_time",
    },
}


PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Environment:
    """Where a toolchain is installed in this checkout (the Makefile creates both the same way)."""

    name: str
    venv: str  # virtualenv, relative to the project root
    node_dir: str  # folder whose package.json + package-lock.json pin the CLI and the Node runtime
    cli: str  # the CLI command, in <node_dir>/node_modules/.bin

    @property
    def python(self) -> Path:
        return PROJECT_ROOT / self.venv / "bin" / "python"

    @property
    def node_bin(self) -> Path:
        return PROJECT_ROOT / self.node_dir / "node_modules" / ".bin"

    def installed(self) -> bool:
        return self.python.exists() and (self.node_bin / self.cli).exists()


ENVIRONMENTS: dict[str, Environment] = {
    CDKTF: Environment(CDKTF, venv=".venv", node_dir=".", cli="cdktf"),
    CDKTN: Environment(CDKTN, venv=".venv-cdktn", node_dir="toolchains/cdktn", cli="cdktn"),
}
DEFAULT = CDKTF


class ToolchainError(RuntimeError):
    """The requested toolchain is unknown or not installed in this interpreter."""


def _select() -> str:
    requested = os.environ.get("TOOLCHAIN", "").strip()
    if requested:
        if requested not in PACKAGES:
            raise ToolchainError(f"TOOLCHAIN={requested!r}: expected one of {', '.join(PACKAGES)}")
        if importlib.util.find_spec(PACKAGES[requested]["cdk"]) is None:
            raise ToolchainError(
                f"TOOLCHAIN={requested} but package {PACKAGES[requested]['cdk']!r} is not installed in {sys.executable}"
                " (run it through `make`, which selects the matching virtualenv)"
            )
        return requested
    for name in (CDKTF, CDKTN):
        if importlib.util.find_spec(PACKAGES[name]["cdk"]) is not None:
            return name
    raise ToolchainError(f"neither cdktf nor cdktn is installed in {sys.executable}: run `make synth`")


NAME = _select()


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves ``toolchain.<alias>[.<submodule>]`` as the selected toolchain's real module."""

    def __init__(self) -> None:
        self._own_specs: dict[str, importlib.machinery.ModuleSpec] = {}

    def find_spec(self, fullname, path=None, target=None):
        parts = fullname.split(".")
        if parts[0] != __name__ or len(parts) < 2 or parts[1] not in PACKAGES[NAME]:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec) -> ModuleType:
        _, alias, *rest = spec.name.split(".")
        real = importlib.import_module(".".join([PACKAGES[NAME][alias], *rest]))
        self._own_specs[spec.name] = real.__spec__
        return real

    def exec_module(self, module: ModuleType) -> None:
        """The real module was executed by its own import. The import system has just stamped the
        alias spec on it: give it back its own, so that ``importlib.util.find_spec`` of the real
        package still names its files."""
        module.__spec__ = self._own_specs.pop(module.__spec__.name)


if not any(isinstance(f, _AliasFinder) for f in sys.meta_path):
    sys.meta_path.insert(0, _AliasFinder())
