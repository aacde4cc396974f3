"""The vendored provider schemas and the jsii bindings the project builds with describe the same
providers: same versions, same resource types, same argument names and required flags.

The stand-ins serve the vendored schemas, so these tests are what makes "Terraform validated the
stack" mean "the real provider would accept it". Bumping a binding (a new provider version)
without vendoring that version's schema fails here first, naming the command that fixes it."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import shutil
import typing
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.terraform.conftest import CASES
from tools.terraform_standin import regenerate_schemas, schema

REGENERATE = "python -m tools.terraform_standin.regenerate_schemas (see its docstring)"
# Arguments cdktf adds to every resource/data source config (Terraform meta-arguments), and to
# every provider config (alias): not in any provider schema.
META_ARGUMENTS = frozenset({"connection", "count", "depends_on", "for_each", "lifecycle", "provider", "provisioners"})
PROVIDER_META_ARGUMENTS = frozenset({"alias"})
PROJECT_SOURCES = ("constructs_lib", "stacks", "main.py")


@pytest.fixture(scope="module")
def toolchain(synth):
    """The project's toolchain module, after a synth (so the project's bindings are loaded)."""
    synth(CASES[0][0])
    return importlib.import_module("toolchain")


@pytest.fixture(scope="module")
def toolchain_packages(toolchain) -> dict[str, str]:
    """Provider alias -> binding package of the selected toolchain."""
    return {alias: package for alias, package in toolchain.PACKAGES[toolchain.NAME].items() if alias != "cdk"}


@dataclass(frozen=True)
class Binding:
    provider: str  # provider alias, e.g. "azurerm"
    kind: str  # schema.RESOURCE, schema.DATA_SOURCE or "provider"
    type_name: str
    config: type
    module: Any


def imported_binding_modules(packages: dict[str, str]) -> set[str]:
    """Binding submodules the project's source imports, directly or through toolchain.<alias>."""
    found = set()
    paths = [
        p for source in PROJECT_SOURCES for p in ([ROOT / source] if source.endswith(".py") else (ROOT / source).rglob("*.py"))
    ]
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            head, *rest = node.module.split(".")
            if head == "toolchain" and rest and rest[0] in packages:
                found.add(".".join([packages[rest[0]], *rest[1:]]))
            elif head in packages.values():
                found.add(node.module)
    return found


@pytest.fixture(scope="module")
def bindings(toolchain, toolchain_packages) -> list[Binding]:
    cdk = importlib.import_module(toolchain.PACKAGES[toolchain.NAME]["cdk"])
    alias_of = {package: alias for alias, package in toolchain_packages.items()}
    found = []
    for module_name in sorted(imported_binding_modules(toolchain_packages)):
        module = importlib.import_module(module_name)
        provider = alias_of[module_name.split(".")[0]]
        for name, cls in vars(module).items():
            if not inspect.isclass(cls) or cls.__module__ != module_name:
                continue
            if issubclass(cls, cdk.TerraformProvider):
                kind = "provider"
            elif issubclass(cls, cdk.TerraformDataSource):
                kind = schema.DATA_SOURCE
            elif issubclass(cls, cdk.TerraformResource):
                kind = schema.RESOURCE
            else:
                continue
            found.append(Binding(provider, kind, cls.TF_RESOURCE_TYPE, getattr(module, f"{name}Config"), module))
    assert found, "no provider binding imported by the project was found"
    return found


@pytest.mark.jsii  # the bindings are imported with importlib (the classifier cannot see it)
def test_binding_provider_versions_have_vendored_schemas(toolchain_packages, bindings):
    vendored = schema.providers()
    problems = []
    for alias in sorted({b.provider for b in bindings}):
        wrapped = regenerate_schemas.wrapped_provider(toolchain_packages[alias])
        info = vendored.get(alias)
        if info is None:
            problems.append(f"{toolchain_packages[alias]} wraps {wrapped['name']} {wrapped['version']}: no schema vendored")
        elif (f"registry.terraform.io/{info.namespace}/{info.name}", info.version) != (wrapped["name"], wrapped["version"]):
            problems.append(
                f"{toolchain_packages[alias]} wraps {wrapped['name']} {wrapped['version']}, "
                f"the vendored schema is {info.address} {info.version}"
            )
    assert not problems, (
        "provider bindings and vendored schemas disagree; regenerate with " + REGENERATE + ":\n" + "\n".join(problems)
    )


def test_synthesized_provider_requirements_have_vendored_schemas(synth):
    vendored = schema.providers()
    for config, stack in CASES:
        required = synth(config).stacks[stack]["terraform"]["required_providers"]
        for name, requirement in required.items():
            assert name in vendored, f"{config.name}:{stack} requires provider {name}: no schema vendored ({REGENERATE})"
            assert requirement["version"] == vendored[name].version, (
                f"{config.name}:{stack} requires {name} {requirement['version']}, the vendored schema is "
                f"{vendored[name].version}; regenerate with {REGENERATE}"
            )


# Types built into Terraform itself (provider terraform.io/builtin/terraform): no provider schema to
# vendor; Terraform validates them (tests/terraform/test_validate_and_plan.py).
BUILT_IN_TYPES = frozenset({"terraform_data"})


def test_every_synthesized_type_has_a_schema(synth):
    vendored = schema.providers()
    missing = set()
    for config, stack in CASES:
        document = synth(config).stacks[stack]
        for block, kind in (("resource", schema.RESOURCE), ("data", schema.DATA_SOURCE)):
            for type_name in document.get(block, {}):
                if type_name in BUILT_IN_TYPES:
                    continue
                info = vendored[type_name.split("_", 1)[0]]
                if schema.entry(info.schema_file, kind, type_name) is None:
                    missing.add(f"{block} {type_name}")
    assert not missing, sorted(missing)


@pytest.mark.jsii  # the bindings are imported with importlib (the classifier cannot see it)
def test_every_imported_binding_type_has_a_schema(bindings):
    vendored = schema.providers()
    missing = [
        f"{b.kind} {b.type_name}"
        for b in bindings
        if b.kind != "provider" and schema.entry(vendored[b.provider].schema_file, b.kind, b.type_name) is None
    ]
    assert not missing, missing


@pytest.mark.jsii  # the bindings are imported with importlib (the classifier cannot see it)
def test_binding_arguments_match_schema(bindings):
    """Argument names and required flags, through every nested block, for each imported type."""
    vendored = schema.providers()
    mismatches: list[str] = []
    for binding in bindings:
        info = vendored[binding.provider]
        if binding.kind == "provider":
            block = schema.provider_entry(info.schema_file)["block"]
            meta, check_required = PROVIDER_META_ARGUMENTS, False  # cdktf makes every provider argument optional
        else:
            entry = schema.entry(info.schema_file, binding.kind, binding.type_name)
            if entry is None:
                continue  # reported by test_every_imported_binding_type_has_a_schema
            block, meta, check_required = entry["block"], META_ARGUMENTS, True
        mismatches += compare(binding.config, block, binding.module, binding.type_name, meta, check_required)
    assert not mismatches, "\n".join(mismatches)


def compare(struct: type, block: dict[str, Any], module, where: str, meta: frozenset[str], check_required: bool) -> list[str]:
    """Differences between a jsii struct's keyword arguments and a schema block."""
    arguments = {
        _normal(name): parameter
        for name, parameter in inspect.signature(struct.__init__).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY and name not in meta
    }
    expected: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, attribute in block.get("attributes", {}).items():
        if attribute.get("required") or attribute.get("optional"):  # computed-only: a getter, not an argument
            expected[_normal(name)] = (name, attribute)
    for name, nested in block.get("block_types", {}).items():
        expected[_normal(name)] = (name, nested)
    problems = []
    if set(arguments) != set(expected):
        only_binding = sorted(arguments.keys() - expected.keys())
        only_schema = sorted(expected[k][0] for k in expected.keys() - arguments.keys())
        problems.append(f"{where}: only in the binding {only_binding}, only in the schema {only_schema}")
    for key in arguments.keys() & expected.keys():
        name, spec = expected[key]
        required = spec.get("required", False) or spec.get("min_items", 0) > 0
        binding_required = arguments[key].default is inspect.Parameter.empty
        if check_required and required != binding_required:
            problems.append(f"{where}.{name}: required in the schema {required}, in the binding {binding_required}")
        inner = spec.get("block") or spec.get("nested_type")
        if inner is not None:
            nested_struct = _struct_of(arguments[key].annotation, module)
            if nested_struct is None:
                problems.append(f"{where}.{name}: the binding has no struct for this nested block")
            else:
                problems += compare(nested_struct, inner, module, f"{where}.{name}", frozenset(), check_required)
    return problems


def _normal(name: str) -> str:
    """Python argument names are Terraform's through jsii's camelCase: "in" becomes "in_",
    "on_30_days" becomes "on30_days". Compare without underscores."""
    return name.replace("_", "").lower()


def _struct_of(annotation: Any, module) -> type | None:
    """The jsii struct class in a nested block argument's annotation, e.g. Union[Struct, Dict]."""
    if isinstance(annotation, str):
        annotation = getattr(module, annotation, None)
    if inspect.isclass(annotation) and annotation.__module__ == module.__name__:
        return annotation
    for argument in typing.get_args(annotation):
        found = _struct_of(argument.__forward_arg__ if isinstance(argument, typing.ForwardRef) else argument, module)
        if found is not None:
            return found
    return None


def test_regenerating_from_a_dump_rewrites_every_schema_and_its_provenance(tmp_path, toolchain_packages):
    """The maintainer script's offline path, on a dump rebuilt from the vendored schemas."""
    vendored = schema.providers()
    dump = {"format_version": "1.0", "provider_schemas": {i.address: schema.load_dump(i.schema_file) for i in vendored.values()}}
    (tmp_path / "dump.json").write_text(json.dumps(dump))
    target = tmp_path / "schemas"
    target.mkdir()
    shutil.copy(schema.SCHEMA_DIR / "provenance.json", target / "provenance.json")
    assert regenerate_schemas.main(["--from-dump", str(tmp_path / "dump.json"), "--schema-dir", str(target)]) == 0
    regenerated = schema.providers(target)
    for name, info in vendored.items():
        assert schema.load_dump(regenerated[name].schema_file) == schema.load_dump(info.schema_file), name
        assert regenerated[name].version == regenerate_schemas.wrapped_provider(toolchain_packages[name])["version"], name
    provenance = json.loads((target / "provenance.json").read_text())["providers"]
    assert all("terraform providers schema -json" in entry["source"] for entry in provenance.values())
