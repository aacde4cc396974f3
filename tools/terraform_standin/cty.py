"""cty types and the two wire encodings Terraform uses for values: msgpack and JSON.

Terraform sends every value (config, prior state, proposed state) as a ``DynamicValue`` whose
msgpack bytes can only be read with the schema's type in hand: an object is a map, a list and a
set are both arrays, a ``dynamic`` attribute is a ``[type-json, value]`` pair, and an unknown
value is msgpack extension 0 (or 12 with refinements, Terraform >= 1.6) in any position. This
module decodes such bytes into plain Python values guided by a type, and encodes them back
exactly as go-cty would, so Terraform's consistency checks between config, plan and apply see
what a real provider returns.

Python representation: ``None`` is null; str, int/float (or a str for numbers go-cty could not
fit in a float64), bool, list (list, set and tuple), dict (map and object); ``Unknown`` for an
unknown value; ``Typed`` for the content of a ``dynamic`` attribute (it carries its concrete type).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import msgpack

# msgpack extension codes go-cty uses for unknown values (cty/msgpack/unknown.go).
UNKNOWN_EXT = 0
REFINED_UNKNOWN_EXT = 12


@dataclass(frozen=True)
class Primitive:
    name: str  # "string", "number", "bool" or "dynamic"

    def to_json(self) -> Any:
        return self.name


@dataclass(frozen=True)
class Collection:
    kind: str  # "list", "set" or "map"
    element: CtyType

    def to_json(self) -> Any:
        return [self.kind, self.element.to_json()]


@dataclass(frozen=True)
class Object:
    attributes: tuple[tuple[str, CtyType], ...]

    def to_json(self) -> Any:
        return ["object", {name: t.to_json() for name, t in self.attributes}]

    def attribute_types(self) -> dict[str, CtyType]:
        return dict(self.attributes)


@dataclass(frozen=True)
class Tuple:
    elements: tuple[CtyType, ...]

    def to_json(self) -> Any:
        return ["tuple", [t.to_json() for t in self.elements]]


CtyType = Primitive | Collection | Object | Tuple

STRING = Primitive("string")
NUMBER = Primitive("number")
BOOL = Primitive("bool")
DYNAMIC = Primitive("dynamic")


def object_type(attributes: dict[str, CtyType]) -> Object:
    return Object(tuple(sorted(attributes.items())))


def parse_type(spec: Any) -> CtyType:
    """A type from its JSON form, as in ``terraform providers schema -json`` and the protocol."""
    if isinstance(spec, str):
        if spec not in ("string", "number", "bool", "dynamic"):
            raise ValueError(f"unknown primitive type {spec!r}")
        return Primitive(spec)
    kind, *rest = spec
    if kind in ("list", "set", "map"):
        return Collection(kind, parse_type(rest[0]))
    if kind == "object":
        # A third element lists optional attributes of a type constraint; values don't carry it.
        return object_type({name: parse_type(t) for name, t in rest[0].items()})
    if kind == "tuple":
        return Tuple(tuple(parse_type(t) for t in rest[0]))
    raise ValueError(f"unknown type {spec!r}")


def has_dynamic(t: CtyType) -> bool:
    if isinstance(t, Primitive):
        return t == DYNAMIC
    if isinstance(t, Collection):
        return has_dynamic(t.element)
    if isinstance(t, Object):
        return any(has_dynamic(a) for _, a in t.attributes)
    return any(has_dynamic(e) for e in t.elements)


class Unknown:
    """An unknown value. Keeps the refinement payload Terraform sent so it goes back unchanged."""

    __slots__ = ("ext",)

    def __init__(self, ext: msgpack.ExtType | None = None):
        self.ext = ext

    def __repr__(self) -> str:
        return "Unknown()"


UNKNOWN = Unknown()
_PLAIN_UNKNOWN_EXT = msgpack.ExtType(UNKNOWN_EXT, b"\x00")


@dataclass(frozen=True)
class Typed:
    """The content of a ``dynamic`` attribute: a value and the concrete type it was sent with."""

    type: CtyType
    value: Any


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


# --- msgpack -----------------------------------------------------------------------------------


def _ext_hook(code: int, data: bytes) -> Unknown:
    if code not in (UNKNOWN_EXT, REFINED_UNKNOWN_EXT):
        raise ValueError(f"unexpected msgpack extension {code} in a cty value")
    return Unknown(msgpack.ExtType(code, data)) if code == REFINED_UNKNOWN_EXT else UNKNOWN


def decode_msgpack(data: bytes, t: CtyType) -> Any:
    """Decode a DynamicValue's msgpack bytes with the schema type ``t``."""
    if not data:
        return None
    raw = msgpack.unpackb(data, raw=False, ext_hook=_ext_hook, strict_map_key=False)
    return _from_raw(raw, t)


def _from_raw(raw: Any, t: CtyType) -> Any:
    if raw is None or isinstance(raw, Unknown):
        return raw
    if t == DYNAMIC:
        type_json, inner = raw
        concrete = parse_type(json.loads(type_json))
        return Typed(concrete, _from_raw(inner, concrete))
    if isinstance(t, Primitive):
        return raw
    if isinstance(t, Collection):
        if t.kind == "map":
            return {k: _from_raw(v, t.element) for k, v in raw.items()}
        return [_from_raw(v, t.element) for v in raw]
    if isinstance(t, Object):
        return {name: _from_raw(raw.get(name), at) for name, at in t.attributes}
    return [_from_raw(v, et) for v, et in zip(raw, t.elements, strict=True)]


def encode_msgpack(value: Any, t: CtyType) -> bytes:
    return msgpack.packb(_to_raw(value, t), use_bin_type=True)


def _to_raw(value: Any, t: CtyType) -> Any:
    if isinstance(value, Unknown):
        return value.ext or _PLAIN_UNKNOWN_EXT
    if value is None:
        return None
    if t == DYNAMIC:
        if not isinstance(value, Typed):
            raise TypeError(f"a dynamic value needs its concrete type, got {value!r}")
        return [json.dumps(value.type.to_json(), separators=(",", ":")).encode(), _to_raw(value.value, value.type)]
    if isinstance(t, Primitive):
        return value
    if isinstance(t, Collection):
        if t.kind == "map":
            return {k: _to_raw(value[k], t.element) for k in sorted(value)}
        return [_to_raw(v, t.element) for v in value]
    if isinstance(t, Object):
        return {name: _to_raw(value.get(name), at) for name, at in t.attributes}
    return [_to_raw(v, et) for v, et in zip(value, t.elements, strict=True)]


# --- JSON (state files: UpgradeResourceState) ----------------------------------------------------


def from_json(raw: Any, t: CtyType) -> Any:
    """A value from go-cty's JSON encoding, as Terraform stores resource attributes in state."""
    if raw is None:
        return None
    if t == DYNAMIC:
        concrete = parse_type(raw["type"])
        return Typed(concrete, from_json(raw["value"], concrete))
    if isinstance(t, Primitive):
        return raw
    if isinstance(t, Collection):
        if t.kind == "map":
            return {k: from_json(v, t.element) for k, v in raw.items()}
        return [from_json(v, t.element) for v in raw]
    if isinstance(t, Object):
        return {name: from_json(raw.get(name), at) for name, at in t.attributes}
    return [from_json(v, et) for v, et in zip(raw, t.elements, strict=True)]
