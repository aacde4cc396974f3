"""Provider schemas: the vendored ``terraform providers schema -json`` dumps, their cty types, and
their tfplugin6 ``Schema`` messages.

A dump holds one provider's object from ``terraform providers schema -json`` (``provider``,
``resource_schemas``, ``data_source_schemas``, ``ephemeral_resource_schemas``), gzipped, one file
per provider in ``schemas/``; ``provenance.json`` beside them records each dump's version and
origin. The stand-in serves these schemas unchanged, so Terraform validates and plans the
synthesized JSON against exactly what the real provider would declare.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tools.terraform_standin import cty
from tools.terraform_standin.cache import cached_dir

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"

# Block kinds of a dump, as named in the JSON and in GetProviderSchema.Response.
RESOURCE = "resource_schemas"
DATA_SOURCE = "data_source_schemas"
EPHEMERAL = "ephemeral_resource_schemas"
KINDS = (RESOURCE, DATA_SOURCE, EPHEMERAL)

# A JSON list of the type names a Terraform command can need; when set, GetProviderSchema serves
# only those (see server.py). Set by mirror.Workspace.run, passed on by Terraform to its providers.
SCHEMA_TYPES_ENV = "STANDIN_SCHEMA_TYPES"


@dataclass(frozen=True)
class ProviderInfo:
    """One vendored provider: its registry address parts, version and schema dump."""

    name: str
    namespace: str
    version: str
    schema_file: Path

    @property
    def address(self) -> str:
        return f"registry.terraform.io/{self.namespace}/{self.name}"


def providers(schema_dir: Path = SCHEMA_DIR) -> dict[str, ProviderInfo]:
    """Every provider that has a vendored schema, read from ``provenance.json``.

    Adding a provider = adding ``<name>.json.gz`` and its entry in ``provenance.json``.
    """
    entries = json.loads((schema_dir / "provenance.json").read_text())
    return {
        name: ProviderInfo(
            name=name,
            namespace=entry["namespace"],
            version=entry["version"],
            schema_file=schema_dir / f"{name}.json.gz",
        )
        for name, entry in entries["providers"].items()
    }


@cache
def load_dump(path: Path) -> dict[str, Any]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


@cache
def split_dump(path: Path) -> Path:
    """The dump split into one JSON file per schema (``<kind>/<type>.json``, ``provider.json``).

    A provider process needs a handful of schemas; reading them from here takes a millisecond,
    parsing the whole azurerm dump 60-80 ms, and Terraform waits for it at every process start.
    """

    def build(directory: Path) -> None:
        dump = load_dump(path)
        (directory / "provider.json").write_text(json.dumps(dump["provider"]))
        for kind in KINDS:
            (directory / kind).mkdir()
            for type_name, entry in dump.get(kind, {}).items():
                (directory / kind / f"{type_name}.json").write_text(json.dumps(entry))

    return cached_dir(f"split-{path.name.removesuffix('.json.gz')}", build, inputs=(path,))


def entry(path: Path, kind: str, type_name: str) -> dict[str, Any] | None:
    """One schema (``{"version": n, "block": {...}}``) of the dump at ``path``, or None."""
    found = split_dump(path) / kind / f"{type_name}.json"
    return json.loads(found.read_text()) if found.exists() else None


def provider_entry(path: Path) -> dict[str, Any]:
    return json.loads((split_dump(path) / "provider.json").read_text())


def type_names(path: Path, kind: str) -> list[str]:
    return sorted(p.name.removesuffix(".json") for p in (split_dump(path) / kind).iterdir())


# --- cty types -----------------------------------------------------------------------------------


def block_type(block: dict[str, Any]) -> cty.Object:
    """The object type Terraform derives from a block schema (configschema.Block.ImpliedType)."""
    attributes: dict[str, cty.CtyType] = {name: attribute_type(a) for name, a in block.get("attributes", {}).items()}
    for name, nested in block.get("block_types", {}).items():
        inner = block_type(nested["block"])
        mode = nested["nesting_mode"]
        if mode in ("single", "group"):
            attributes[name] = inner
        elif mode in ("list", "map") and cty.has_dynamic(inner):
            # Elements of a dynamic-typed block may differ in type: a tuple or object, so dynamic.
            attributes[name] = cty.DYNAMIC
        else:
            attributes[name] = cty.Collection(mode, inner)
    return cty.object_type(attributes)


def attribute_type(attribute: dict[str, Any]) -> cty.CtyType:
    if "nested_type" not in attribute:
        return cty.parse_type(attribute["type"])
    nested = attribute["nested_type"]
    inner = cty.object_type({name: attribute_type(a) for name, a in nested["attributes"].items()})
    mode = nested["nesting_mode"]
    if mode == "single":
        return inner
    if mode in ("list", "map") and cty.has_dynamic(inner):
        return cty.DYNAMIC
    return cty.Collection(mode, inner)


# --- tfplugin6 messages --------------------------------------------------------------------------

_KIND = {"plain": 0, "markdown": 1}
_BLOCK_NESTING = {"single": 1, "list": 2, "set": 3, "map": 4, "group": 5}
_OBJECT_NESTING = {"single": 1, "list": 2, "set": 3, "map": 4}


def fill_schema(message, schema: dict[str, Any]) -> None:
    """Fill a ``tfplugin6.Schema`` from one JSON schema (``{"version": n, "block": {...}}``)."""
    message.version = schema.get("version", 0)
    _fill_block(message.block, schema["block"])


def _fill_block(message, block: dict[str, Any]) -> None:
    message.description = block.get("description", "")
    message.description_kind = _KIND[block.get("description_kind", "plain")]
    message.deprecated = block.get("deprecated", False)
    for name in sorted(block.get("attributes", {})):
        _fill_attribute(message.attributes.add(), name, block["attributes"][name])
    for name in sorted(block.get("block_types", {})):
        nested = block["block_types"][name]
        out = message.block_types.add()
        out.type_name = name
        out.nesting = _BLOCK_NESTING[nested["nesting_mode"]]
        out.min_items = nested.get("min_items", 0)
        out.max_items = nested.get("max_items", 0)
        _fill_block(out.block, nested["block"])


def _fill_attribute(message, name: str, attribute: dict[str, Any]) -> None:
    message.name = name
    if "nested_type" in attribute:
        nested = attribute["nested_type"]
        message.nested_type.nesting = _OBJECT_NESTING[nested["nesting_mode"]]
        for inner in sorted(nested["attributes"]):
            _fill_attribute(message.nested_type.attributes.add(), inner, nested["attributes"][inner])
    else:
        message.type = json.dumps(attribute["type"], separators=(",", ":")).encode()
    message.description = attribute.get("description", "")
    message.description_kind = _KIND[attribute.get("description_kind", "plain")]
    for flag in ("required", "optional", "computed", "sensitive", "deprecated", "write_only"):
        setattr(message, flag, attribute.get(flag, False))
