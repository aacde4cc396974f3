"""A config built field by field from a file that failed validation, so that the cross-field
rules can still run on every field that is valid on its own.

Each field that failed (or is missing, or sits in a list or mapping that failed) holds an
:class:`InvalidValue`. Reading it in any way raises :class:`InvalidFieldRead`; the rule runner in
``config/checks/`` catches that and skips just that rule. A bad ``name`` therefore no longer
hides "subnet outside VNet", and a bad pool ``vm_size`` no longer hides "router HA needs 3 nodes".
"""

from __future__ import annotations

import types
from collections.abc import Iterable
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError

Loc = tuple[str | int, ...]


class InvalidFieldRead(Exception):
    """A rule read a field that failed its own validation."""


class InvalidValue:
    """Stands in for a field that failed validation; any use of it raises InvalidFieldRead."""

    __slots__ = ("path",)

    def __init__(self, path: Loc) -> None:
        object.__setattr__(self, "path", path)

    def __repr__(self) -> str:
        return f"<invalid {'.'.join(map(str, self.path))}>"

    def __getattr__(self, name: str) -> Any:
        raise InvalidFieldRead(self.path)

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise InvalidFieldRead(self.path)

    # Operators look their method up on the type, past __getattr__: refuse each one explicitly.
    __str__ = __format__ = __iter__ = __len__ = __bool__ = __contains__ = __getitem__ = _refuse
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __hash__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __int__ = __index__ = __float__ = _refuse


def lenient_model(model: type[BaseModel], raw: Any, error_locs: Iterable[Loc], prefix: Loc = ()) -> BaseModel | InvalidValue:
    """``model`` built from ``raw`` with every field under an error location replaced by an
    InvalidValue; ``error_locs`` are pydantic error locations relative to the root."""
    locs = [tuple(loc) for loc in error_locs]
    if not isinstance(raw, dict) or prefix in locs:
        return InvalidValue(prefix)
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        loc = (*prefix, name)
        if name not in raw:
            values[name] = InvalidValue(loc) if field.is_required() else field.get_default(call_default_factory=True)
            continue
        values[name] = _lenient_value(field.annotation, field.metadata, raw[name], locs, loc)
    return model.model_construct(_fields_set={name for name in model.model_fields if name in raw}, **values)


def _lenient_value(annotation: Any, metadata: list, raw: Any, locs: list[Loc], loc: Loc) -> Any:
    below = [e for e in locs if e[: len(loc)] == loc]
    if raw is not None:
        # ``X | None`` given a value is an X (pydantic reports its errors at the same locations).
        annotation = _without_none(annotation)
    if not below:
        annotated = Annotated[annotation, *metadata] if metadata else annotation
        try:
            return TypeAdapter(annotated).validate_python(raw)
        except ValidationError:  # a rule that only the model-level validator checks
            return InvalidValue(loc)
    if loc in below:  # the value as a whole is wrong (type, length, missing)
        return InvalidValue(loc)
    model = _model_in(annotation)
    if model is not None and isinstance(raw, dict):
        return lenient_model(model, raw, below, loc)
    item_model = _model_in(get_args(annotation)[0]) if get_origin(annotation) is list else None
    if item_model is not None and isinstance(raw, list):
        return [lenient_model(item_model, item, below, (*loc, i)) for i, item in enumerate(raw)]
    # Scalars, lists of scalars, mappings and unions: usable only when wholly valid.
    return InvalidValue(loc)


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class of ``Model``, ``Model | None`` or ``list[Model]``, else None."""
    if get_origin(annotation) is list:
        return model_in(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        others = [a for a in get_args(annotation) if a is not type(None)]
        if len(others) == 1:
            return model_in(others[0])
    return _model_in(annotation)


def _without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class of ``Model`` or ``Model | None``, else None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        models = [a for a in get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        others = [a for a in get_args(annotation) if a is not type(None) and a not in models]
        if len(models) == 1 and not others:
            return models[0]
    return None
