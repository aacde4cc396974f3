"""The construct packages' lazy exports (constructs_lib/_exports.py): a pure helper imports without
jsii, and every exported name is what its module defines."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.harness.classify import lazy_exports_of

PACKAGES = sorted(p.parent.name for p in (ROOT / "constructs_lib").glob("*/__init__.py"))


def test_every_construct_package_exports_lazily():
    assert PACKAGES
    for name in PACKAGES:
        assert lazy_exports_of(f"constructs_lib.{name}"), f"constructs_lib/{name}/__init__.py: no lazy_exports map"


def test_a_pure_helper_imports_without_jsii():
    code = (
        "import sys; from constructs_lib.nginx_ingress import prefix_route; "
        "from constructs_lib.azureml_attach import ATTACH_SCRIPT; "
        "from constructs_lib.kubernetes_objects import namespace; "
        "assert callable(prefix_route) and ATTACH_SCRIPT and callable(namespace); "
        "loaded = sorted(m for m in sys.modules if m == 'jsii' or m.endswith('.construct')); "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_unknown_name_is_an_attribute_error():
    package = importlib.import_module("constructs_lib.nginx_ingress")
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        package.Nope  # noqa: B018


@pytest.mark.parametrize("name", PACKAGES)
def test_every_exported_name_is_defined_by_its_module(name):
    """Read from the modules' source (no import, so no jsii): each name is a class, function or
    assignment at the top level of the module the map names, or imported there."""
    for export, module in lazy_exports_of(f"constructs_lib.{name}").items():
        path = ROOT.joinpath(*module.split(".")).with_suffix(".py")
        defined = set()
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef | ast.FunctionDef):
                defined.add(node.name)
            elif isinstance(node, ast.Assign):
                defined |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                defined.add(node.target.id)
            elif isinstance(node, ast.ImportFrom):
                defined |= {alias.asname or alias.name for alias in node.names}
        assert export in defined, f"{export} is not defined in {Path(path).relative_to(ROOT)}"
