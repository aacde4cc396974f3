"""Read a config file into :class:`AppConfig`, or collect every problem with its field path.

Imports only PyYAML and pydantic, never the jsii provider bindings, so that a bad config is
reported in about a second.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from config.checks import MISSING, Problem, cross_field_problems
from config.lenient import lenient_model, model_in
from config.model import AppConfig
from config.suggest import did_you_mean

CONFIG_ENV_VAR = "AKS_CONFIG"
DEFAULT_CONFIG = Path("config/default.yaml")


class ConfigError(Exception):
    """The config could not be used; ``problems`` lists every reason."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        super().__init__(self.render())

    def render(self) -> str:
        header = f"{self.source}: {len(self.problems)} configuration problem{'s' if len(self.problems) != 1 else ''}"
        return "\n".join([header, *(p.render() for p in self.problems)])


# libyaml's parser (PyYAML's C extension, in its manylinux wheels) reads a config ~6x faster than the
# pure-Python one with the same safe constructors; the pure-Python loader is the fallback.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):
    """Safe loader that rejects duplicate mapping keys (PyYAML keeps the last one silently)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, f"found duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def config_path_from_env() -> Path:
    return Path(os.environ.get(CONFIG_ENV_VAR) or DEFAULT_CONFIG)


def load_config(path: Path) -> AppConfig:
    source = str(path)
    raw = _read_yaml(path)
    return parse_config(raw, source)


def parse_config(raw: Any, source: str = "<config>") -> AppConfig:
    if not isinstance(raw, dict):
        raise ConfigError(source, [Problem("(root)", "must be a mapping of configuration sections", type(raw).__name__)])
    try:
        config = AppConfig.model_validate(raw)
    except ValidationError as error:
        field_problems = [_problem_from_pydantic(e) for e in error.errors()]
        # Still report the cross-field problems of every field that is valid on its own: every
        # problem in one run, not one round of fixes per validation phase.
        partial = lenient_model(AppConfig, raw, [e["loc"] for e in error.errors()])
        raise ConfigError(source, field_problems + cross_field_problems(partial)) from None
    problems = cross_field_problems(config)
    if problems:
        raise ConfigError(source, problems)
    return config


def _read_yaml(path: Path) -> Any:
    source = str(path)
    if not path.exists():
        raise ConfigError(source, [Problem("(file)", f"does not exist (set {CONFIG_ENV_VAR} to a config file)", source)])
    if path.is_dir():
        raise ConfigError(source, [Problem("(file)", "is a directory, expected a YAML file", source)])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(source, [Problem("(file)", f"cannot be read: {error}", source)]) from None
    if not text.strip():
        raise ConfigError(source, [Problem("(file)", "is empty, expected a YAML mapping", "")])
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise ConfigError(source, [Problem(f"(yaml {where})", f"invalid YAML: {error.problem}", _snippet(text, mark))]) from None
    except yaml.YAMLError as error:
        raise ConfigError(source, [Problem("(yaml)", f"invalid YAML: {error}", MISSING)]) from None


def _snippet(text: str, mark: Any) -> str:
    if mark is None:
        return ""
    lines = text.splitlines()
    return lines[mark.line].strip() if mark.line < len(lines) else ""


def _keys_at(loc: tuple) -> list[str]:
    """The keys the model at ``loc`` (a pydantic error location) accepts, or [] when unknown."""
    model: Any = AppConfig
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return []
        model = model_in(model.model_fields[part].annotation)
    return list(model.model_fields) if model is not None else []


def _pydantic_message(error: dict) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    match kind:
        case "extra_forbidden":
            suggestion = did_you_mean(str(error["loc"][-1]), _keys_at(error["loc"][:-1]))
            return f"unknown key (README 'Configuration reference' lists the keys){suggestion}"
        case "missing":
            return "is required"
        case "value_error" | "assertion_error":
            return error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        case "greater_than_equal":
            return f"must be at least {ctx['ge']}"
        case "less_than_equal":
            return f"must be at most {ctx['le']}"
        case "too_short":
            return f"must have at least {ctx['min_length']} item(s)"
        case "too_long":
            return f"must have at most {ctx['max_length']} item(s)"
        case "string_too_long":
            return f"must be at most {ctx['max_length']} characters"
        case "ip_v4_network":
            return "must be an IPv4 network in CIDR form with no host bits set, e.g. 10.0.0.0/16"
        case "ip_v4_address":
            return "must be an IPv4 address, e.g. 10.0.1.4"
        case "literal_error":
            return f"must be one of {ctx['expected']}"
        case "union_tag_invalid":
            return f"must be one of {ctx['expected_tags']}"
        case "bool_parsing" | "bool_type":
            return "must be true or false"
        case "int_parsing" | "int_type" | "int_from_float":
            return "must be a whole number"
        case "string_type":
            return "must be a string (quote it in YAML)"
        case "list_type":
            return "must be a list"
        case "dict_type" | "model_type" | "model_attributes_type":
            return "must be a mapping"
    return error["msg"]


def _problem_from_pydantic(error: dict) -> Problem:
    value = MISSING if error["type"] == "missing" else error.get("input")
    return Problem(_format_loc(error["loc"]), _pydantic_message(error), value)


def _format_loc(loc: tuple) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            # Discriminated unions add the tag ("local"/"azurerm") and typed wrappers add class
            # names; neither is a key the user wrote.
            if part in ("local", "azurerm") and path == "state":
                continue
            if part == "[key]":  # pydantic's marker for a mapping key (not its value)
                path += " (key)"
                continue
            path += f".{part}" if path else str(part)
    return path or "(root)"
