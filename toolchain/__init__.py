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
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import os
import sys
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

    def find_spec(self, fullname, path=None, target=None):
        parts = fullname.split(".")
        if parts[0] != __name__ or len(parts) < 2 or parts[1] not in PACKAGES[NAME]:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec) -> ModuleType:
        _, alias, *rest = spec.name.split(".")
        return importlib.import_module(".".join([PACKAGES[NAME][alias], *rest]))

    def exec_module(self, module: ModuleType) -> None:
        """The real module was executed by its own import."""


if not any(isinstance(f, _AliasFinder) for f in sys.meta_path):
    sys.meta_path.insert(0, _AliasFinder())
