"""The README is the front door: its configuration reference lists every config key, names no
key that does not exist, and its example error report is what the tool prints."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from typing import get_args, get_origin

from pydantic import BaseModel

from config.model import AppConfig
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def _models_in(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def _is_list(annotation) -> bool:
    return get_origin(annotation) is list or any(get_origin(a) is list for a in get_args(annotation))


def config_keys(model: type[BaseModel] = AppConfig, prefix: str = "") -> Iterator[str]:
    """Every leaf key as a dotted path; list items as ``[]``."""
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        models = _models_in(field.annotation)
        if not models:
            yield path
        for sub in models:
            if _is_list(field.annotation):
                yield path  # the list itself is documented too
            yield from config_keys(sub, f"{path}[]." if _is_list(field.annotation) else f"{path}.")


def reference_sections() -> dict[str, str]:
    """'### heading' -> body, inside '## Configuration reference'."""
    reference = README.split("## Configuration reference", 1)[1].split("\n## ", 1)[0]
    chunks = reference.split("\n### ")[1:]
    return {chunk.split("\n", 1)[0]: chunk for chunk in chunks}


def _section_for(top: str, sections: dict[str, str]) -> list[str]:
    return [body for heading, body in sections.items() if f"`{top}`" in heading] or [sections["Root"]]


def test_every_config_key_is_in_the_reference():
    sections = reference_sections()
    missing = []
    for key in sorted(set(config_keys())):
        top, _, rest = key.partition(".")
        relative = rest or top
        bodies = _section_for(top, sections) if rest else [sections["Root"], *_section_for(top, sections)]
        if not any(f"`{relative}`" in body for body in bodies):
            missing.append(key)
    assert not missing, f"README 'Configuration reference' does not list: {missing}"


def test_reference_names_no_key_that_does_not_exist():
    known = set(config_keys())
    known_relative = {k.partition(".")[2] or k for k in known} | {k.rsplit(".", 1)[-1] for k in known}
    known_relative |= set(AppConfig.model_fields)  # "(`tls`)" names the section of a key
    unknown = []
    for body in reference_sections().values():
        for row in re.findall(r"^\| ([^|]+) \|", body, re.MULTILINE):
            for token in re.findall(r"`([^`]+)`", row):
                if token not in known_relative and token not in known:
                    unknown.append(token)
    assert not unknown, f"README names keys the config does not have: {sorted(set(unknown))}"


def test_example_error_report_is_what_the_tool_prints():
    match = re.search(r"<!-- readme-example: (\S+) -->\n```\n(.*?)```", README, re.DOTALL)
    assert match, "README lost its example error report"
    example_file, shown = match.groups()
    completed = subprocess.run(
        [sys.executable, "-m", "config.validate", example_file], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 2
    assert completed.stderr == shown


def test_layout_names_every_stack_module_and_construct_folder():
    layout = README.split("## Layout", 1)[1].split("\n## ", 1)[0]
    modules = {p.name for p in (ROOT / "stacks").glob("*.py") if p.name != "__init__.py"}
    folders = {p.name for p in (ROOT / "constructs_lib").iterdir() if p.is_dir() and not p.name.startswith("_")}
    missing = sorted(m for m in modules | folders if f"`{m}`" not in layout)
    assert not missing, f"README 'Layout' does not mention: {missing}"
