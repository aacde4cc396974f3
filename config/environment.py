"""Which deployment a command acts on, said before it acts, and the refusal to deploy the example.

Every synth and every `make` target that touches Terraform prints :func:`banner` first (config
file, deployment name, subscription, backend and state keys, output folder, toolchain), so that a
log always names the environment it belongs to. :func:`example_reasons` says why a config must not
be deployed: no config was named (``AKS_CONFIG`` unset, so the example is used), the file is one of
the examples shipped in ``config/``, or it still holds placeholder ids (a GUID that is one digit
repeated, as the examples use). Synthesis and tests keep working on the example; deploying it is
refused by `make` (tools/environment.py) and, for the cdktf CLI, by a Terraform precondition that
fails the plan (stacks/common.py, ``example_config_guard``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config.layout import OUTPUT_ROOT, PROJECT_ROOT, STACK_NAMES
from config.loader import CONFIG_ENV_VAR, DEFAULT_CONFIG
from config.model import AppConfig, AzurermState

# The examples shipped in config/; users copy one (e.g. to config/prod.yaml) and deploy the copy.
EXAMPLE_FILES = tuple(PROJECT_ROOT / "config" / name for name in ("default.yaml", "standalone.yaml"))
# 00000000-0000-0000-0000-000000000000, 11111111-1111-1111-1111-111111111111, ...: placeholders.
PLACEHOLDER_GUID = re.compile(r"(?i)\b([0-9a-f])\1{7}-\1{4}-\1{4}-\1{4}-\1{12}\b")


@dataclass(frozen=True)
class ConfigChoice:
    """The config file a command uses and whether the user named it (``AKS_CONFIG``)."""

    path: Path
    named: bool

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ConfigChoice:
        value = (os.environ if environ is None else environ).get(CONFIG_ENV_VAR, "")
        return cls(Path(value), True) if value else cls(DEFAULT_CONFIG, False)

    def display(self) -> str:
        return str(self.path) if self.named else f"{self.path} (no {CONFIG_ENV_VAR} set: the example)"


def state_key(config: AppConfig, stack_name: str) -> str:
    return f"{config.name}/{stack_name}.tfstate"


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def placeholder_ids(config: AppConfig) -> list[str]:
    """Every placeholder GUID in the config (inside resource ids too), in order, once each."""
    found = [m.group(0) for text in _strings(config.model_dump(mode="json")) for m in PLACEHOLDER_GUID.finditer(text)]
    return list(dict.fromkeys(found))


def _is_shipped_example(path: Path) -> bool:
    resolved = (path if path.is_absolute() else PROJECT_ROOT / path).resolve()
    return resolved in {example.resolve() for example in EXAMPLE_FILES}


def example_reasons(config: AppConfig, choice: ConfigChoice) -> list[str]:
    """Why this config must not be deployed; empty when it may be."""
    reasons = []
    if not choice.named:
        reasons.append(f"no config was named ({CONFIG_ENV_VAR} is unset), so the example {DEFAULT_CONFIG} is used")
    elif _is_shipped_example(choice.path):
        reasons.append(f"{choice.path} is an example shipped with the project")
    placeholders = placeholder_ids(config)
    if placeholders:
        shown = ", ".join(placeholders[:3]) + (", ..." if len(placeholders) > 3 else "")
        reasons.append(f"it still holds placeholder ids ({shown})")
    return reasons


def refusal_message(reasons: list[str]) -> str:
    return (
        "Refusing to deploy: "
        + "; ".join(reasons)
        + f". Copy config/default.yaml (or config/standalone.yaml) to a file of your own, replace the example ids,"
        f" and name it: {CONFIG_ENV_VAR}=config/<env>.yaml (README, How to deploy)."
    )


def backend_lines(config: AppConfig) -> list[str]:
    state = config.state
    if isinstance(state, AzurermState):
        where = f"azurerm: storage account {state.storage_account_name}, container {state.container_name}"
        if state.subscription_id:
            where += f", subscription {state.subscription_id}"
        keys = [f"{stack}: {state_key(config, stack)}" for stack in STACK_NAMES]
    else:
        where = "local"
        keys = [f"{stack}: {state.directory}/{state_key(config, stack)}" for stack in STACK_NAMES]
    return [f"backend       {where}", *(f"state         {key}" for key in keys)]


def banner(config: AppConfig, choice: ConfigChoice, *, toolchain: str, output_dir: str | None = None) -> str:
    subscription = config.subscription_id or "from ARM_SUBSCRIPTION_ID at deploy time"
    lines = [
        f"config        {choice.display()}",
        f"deployment    {config.name} ({config.location})",
        f"subscription  {subscription}",
        *backend_lines(config),
        f"output        {output_dir or f'{OUTPUT_ROOT}/{config.name}'}",
        f"toolchain     {toolchain}",
    ]
    reasons = example_reasons(config, choice)
    if reasons:
        lines.append("deploy        refused: " + "; ".join(reasons))
    width = max(len(line) for line in lines)
    rule = "-" * min(width, 100)
    return "\n".join([rule, *lines, rule])
