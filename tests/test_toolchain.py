"""The toolchain module: selection, shims, pins and the files that must stay in step with it.

Cheap checks (no jsii load except where the session loads it anyway); the synthesized-output
comparison of the two toolchains is tests/test_toolchain_equivalence.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

import toolchain
from tests.conftest import ROOT
from toolchain import shims
from toolchain.differences import DEFAULTS_THAT_DIFFER, DIFFERENCES, PROVIDER_VERSIONS

DOC = (ROOT / "docs" / "toolchain.md").read_text()


def pins(path) -> dict[str, str]:
    """name (lower case) -> version of every `name==version` line; other lines must be comments or -r."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-r "):
            continue
        name, sep, version = line.partition("==")
        assert sep and version, f"{path.name}: {line!r} is not pinned exactly"
        found[name.strip().lower().replace("_", "-")] = version.strip()
    return found


def test_selected_toolchain_matches_the_environment_variable():
    assert toolchain.NAME in (toolchain.CDKTF, toolchain.CDKTN)
    if os.environ.get("TOOLCHAIN"):
        assert os.environ["TOOLCHAIN"] == toolchain.NAME


def test_aliases_resolve_to_the_selected_packages():
    import toolchain.cdk

    assert toolchain.cdk.__name__ == toolchain.PACKAGES[toolchain.NAME]["cdk"]


def test_an_alias_leaves_the_real_module_its_own_spec():
    import importlib.util

    import toolchain.azurerm.resource_group

    real = toolchain.PACKAGES[toolchain.NAME]["azurerm"]
    assert toolchain.azurerm.resource_group.__spec__.name == f"{real}.resource_group"
    assert importlib.util.find_spec(real).origin.endswith(f"{real}/__init__.py")


@pytest.mark.parametrize(
    ("value", "message"),
    [("bogus", "expected one of cdktf, cdktn"), ("<missing>", "is not installed in")],
)
def test_a_bad_toolchain_request_fails_clearly(value, message):
    if value == "<missing>":
        missing = [n for n, p in toolchain.PACKAGES.items() if n != toolchain.NAME]
        value = missing[0]
        if (
            subprocess.run([sys.executable, "-c", f"import {toolchain.PACKAGES[value]['cdk']}"], capture_output=True).returncode
            == 0
        ):
            pytest.skip(f"{value} is installed in this interpreter too")
    completed = subprocess.run(
        [sys.executable, "-c", "import toolchain"],
        cwd=ROOT,
        env={**os.environ, "TOOLCHAIN": value},
        capture_output=True,
        text=True,
    )
    assert completed.returncode != 0
    assert message in completed.stderr


def test_shims_are_no_ops_on_the_default_toolchain():
    if toolchain.NAME != toolchain.CDKTF:
        pytest.skip("checks the cdktf side")
    assert shims.kubernetes_cluster_arguments() == {}
    assert shims.private_dns_zone_link_target(zone_id="i", zone_name="n", resource_group_name="g") == {
        "resource_group_name": "g",
        "private_dns_zone_name": "n",
    }
    block = object()
    assert shims.single_block(block) is block


def test_shims_on_cdk_terrain():
    if toolchain.NAME != toolchain.CDKTN:
        pytest.skip("checks the cdktn side")
    assert set(shims.kubernetes_cluster_arguments()) == {"node_provisioning_profile"}
    assert shims.private_dns_zone_link_target(zone_id="i", zone_name="n", resource_group_name="g") == {"private_dns_zone_id": "i"}
    assert shims.single_block("b") == ["b"]


def test_constructs_and_stacks_import_bindings_only_through_toolchain():
    """No import fallbacks or toolchain checks sprinkled in the app: that is toolchain/'s job."""
    forbidden = re.compile(
        r"^\s*(from|import)\s+(cdktf|cdktn)\b|cdktf_cdktf_provider|cdktn_provider|toolchain\.NAME|ImportError", re.M
    )
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("constructs_lib", "stacks")
        for path in (ROOT / folder).rglob("*.py")
        if forbidden.search(path.read_text())
    ]
    assert offenders == []


def test_shared_python_pins_are_identical():
    """The app's own runtime packages and the test tools are the same versions on both toolchains
    (the Terraform stand-in's packages in requirements-dev.txt serve cdktf-only tests)."""
    runtime = {n: v for n, v in pins(ROOT / "requirements.txt").items() if not n.startswith("cdktf") and n != "constructs"}
    cdktf = pins(ROOT / "requirements.txt") | pins(ROOT / "requirements-dev.txt")
    cdktn = pins(ROOT / "requirements-cdktn.txt")
    assert runtime.keys() <= cdktn.keys(), "requirements-cdktn.txt lacks a runtime package of requirements.txt"
    assert {"pytest", "syrupy", "hypothesis", "ruff"} <= cdktn.keys()
    shared = (cdktf.keys() & cdktn.keys()) - {"constructs"}  # each CDK pins its own constructs range
    assert {name: cdktn[name] for name in shared} == {name: cdktf[name] for name in shared}


@pytest.mark.parametrize(
    ("requirements", "constraints"),
    [("requirements-cdktn.txt", "constraints-cdktn.txt")],
)
def test_constraints_pin_every_requirement_at_the_same_version(requirements, constraints):
    required, constrained = pins(ROOT / requirements), pins(ROOT / constraints)
    assert {name: constrained.get(name) for name in required} == required


def test_cdktn_cli_and_node_are_pinned_by_their_own_lock_file():
    folder = ROOT / toolchain.ENVIRONMENTS[toolchain.CDKTN].node_dir
    package = json.loads((folder / "package.json").read_text())
    lock = json.loads((folder / "package-lock.json").read_text())
    root_package = json.loads((ROOT / "package.json").read_text())
    assert package["devDependencies"] == {"cdktn-cli": "0.24.0", "node": root_package["devDependencies"]["node"]}
    assert lock["packages"][""]["devDependencies"] == package["devDependencies"]
    assert lock["packages"]["node_modules/cdktn-cli"]["version"] == "0.24.0"
    node = tuple(int(x) for x in lock["packages"]["node_modules/node"]["version"].split("."))
    assert node >= (22, 19, 0), "cdktn-cli 0.24 needs Node >= 22.19"


def test_makefile_knows_every_environment():
    makefile = (ROOT / "Makefile").read_text()
    for name, env in toolchain.ENVIRONMENTS.items():
        assert f"VENV_{name} := {env.venv}\n" in makefile
        assert f"NODE_DIR_{name} := {env.node_dir}\n" in makefile


def test_ci_installs_the_alternative_toolchain_before_the_tests():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    make_test = next(i for i, line in enumerate(lines) if line.split("2>&1")[0].strip() == "make test")
    assert lines.index("make setup-cdktn") < make_test


def test_docs_explain_every_listed_difference():
    for difference in DIFFERENCES:
        assert f"`{difference.id}`" in DOC, f"docs/toolchain.md does not explain {difference.id}"
    for change in DEFAULTS_THAT_DIFFER:
        assert f"`{change.attribute}`" in DOC
    for provider, (cdktf, cdktn) in PROVIDER_VERSIONS.items():
        assert f"{provider} {cdktf}" in DOC and f"{provider} {cdktn}" in DOC
