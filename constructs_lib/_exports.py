"""Lazy package exports (PEP 562) for the construct packages.

Each package in ``constructs_lib/`` names what it exports and from which of its modules; importing
the package imports none of them until a name is used. A construct module imports the jsii
bindings (about 15 s of CPU to load cdktf 0.21 and the providers), while the pure helpers beside it
(Kubernetes object builders, scripts, cluster checks) import nothing heavy: with lazy exports,
``from constructs_lib.nginx_ingress import prefix_route`` costs milliseconds, so the tests of those
helpers run in `make check` (tests/harness/classify.py reads these maps to see which module a name
comes from).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable


def lazy_exports(package: str, exports: dict[str, tuple[str, ...]]) -> tuple[list[str], Callable, Callable]:
    """``__all__, __getattr__, __dir__`` for ``package``; ``exports`` maps each of its modules to
    the names it provides (a literal, so the classifier can read it without importing)."""
    module_of = {name: module for module, names in exports.items() for name in names}

    def __getattr__(name: str):
        if name not in module_of:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module_of[name]}"), name)
        setattr(sys.modules[package], name, value)  # the next lookup is a plain attribute
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(module_of))

    return sorted(module_of), __getattr__, __dir__
