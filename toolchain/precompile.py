"""Byte-compile a freshly installed toolchain virtualenv, except the provider modules the app never
imports.

pip byte-compiles every installed file, and the prebuilt azurerm bindings alone hold ~1,500 large
modules of which the app imports a few dozen: that is ~40 of the ~50 s `pip install` takes. So the
cdktn environment is installed with `pip install --no-compile` and then this compiles everything
else plus exactly the provider submodules ``constructs_lib/`` and ``stacks/`` import, in ~5 s.
A module the app starts to import later is compiled by Python on first use, as usual.

    TOOLCHAIN=cdktn .venv-cdktn/bin/python -m toolchain.precompile
"""

from __future__ import annotations

import compileall
import py_compile
import re
import sys
import sysconfig
from pathlib import Path

from toolchain import NAME, PACKAGES, PROJECT_ROOT

PROVIDER_ALIASES = ("azurerm", "kubernetes", "helm", "time")


def provider_modules_used() -> list[str]:
    """Every provider submodule (``alias.module``) that constructs_lib/ and stacks/ import."""
    pattern = re.compile(rf"^from toolchain\.((?:{'|'.join(PROVIDER_ALIASES)})\.\w+) import", re.MULTILINE)
    found = {
        m
        for folder in ("constructs_lib", "stacks")
        for f in (PROJECT_ROOT / folder).rglob("*.py")
        for m in pattern.findall(f.read_text())
    }
    return sorted(found)


def main() -> int:
    site = Path(sysconfig.get_paths()["purelib"])
    providers = "|".join(PACKAGES[NAME][alias] for alias in PROVIDER_ALIASES)
    # Provider package roots and their _jsii loaders are compiled; their resource submodules are not.
    skip = re.compile(rf"/(?:{providers})/(?!_jsii/)\w+/")
    compileall.compile_dir(site, quiet=1, rx=skip, workers=0)
    used = provider_modules_used()
    for module in used:
        alias, submodule = module.split(".")
        source = site / PACKAGES[NAME][alias] / submodule / "__init__.py"
        if source.exists():  # a provider the app imports but this toolchain lacks fails at import, not here
            py_compile.compile(str(source), doraise=True)
    print(f"{NAME}: byte-compiled {site} (provider modules: the {len(used)} the app imports)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
