"""Terraform in the loop: the real ``terraform`` CLI validates and plans every synthesized stack
against stand-in providers (tools/terraform_standin) that serve the real providers' schemas.

Each stack of each config is copied, its backend forced to local state, then initialised,
validated and planned once per session (fixture ``planned_stack``); the tests read the results.
Terraform >= 1.5 must be on PATH: without it these tests skip, and fail when ``CI`` is set.

The vendored schemas are those of the providers the cdktf 0.21 bindings wrap, and the stand-in's
packages are in requirements-dev.txt (the cdktf virtualenv): on another toolchain only
test_toolchain_guard.py is collected, and it skips saying why.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import toolchain
from tests.conftest import EXAMPLE_CONFIGS, FIXTURE_CONFIGS, ROOT, STACK_NAMES
from tests.harness import result_cache
from tests.harness.profile import phase

GUARD = "test_toolchain_guard.py"
if toolchain.NAME == toolchain.CDKTF:
    collect_ignore = [GUARD]
    from tools.terraform_standin import mirror
else:
    collect_ignore = [p.name for p in Path(__file__).parent.glob("test_*.py") if p.name != GUARD]

CASES = [(config, stack) for config in [*EXAMPLE_CONFIGS, *FIXTURE_CONFIGS] for stack in STACK_NAMES]


# What the stand-in data sources return for a config's objects that exist outside it (an existing
# cluster, cluster.existing_id): tests/fixtures/standin/<config name>.json, if there is one.
OBSERVED_DIR = ROOT / "tests" / "fixtures" / "standin"


def observed_values(config: Path) -> Path | None:
    path = OBSERVED_DIR / f"{config.stem}.json"
    return path if path.exists() else None


def case_id(case: tuple[Path, str]) -> str:
    config, stack = case
    return f"{config.relative_to(ROOT).with_suffix('')}:{stack}"


@pytest.fixture(scope="session")
def terraform() -> tuple[int, ...]:
    version = mirror.terraform_version()
    if version is None:
        problem = "terraform is not on PATH"
    elif version < mirror.MIN_TERRAFORM:
        problem = f"terraform {'.'.join(map(str, version))} is older than 1.5"
    else:
        return version
    if os.environ.get("CI"):
        pytest.fail(f"{problem}: CI must run the Terraform-in-the-loop tests (install Terraform >= 1.5)")
    pytest.skip(f"{problem}: Terraform-in-the-loop tests need Terraform >= 1.5 on PATH")


@pytest.fixture(scope="session")
def standin_mirror(terraform, tmp_path_factory) -> Iterator[mirror.Mirror]:
    """One filesystem mirror of stand-in providers, and one zygote, per session (per xdist worker)."""
    with phase("terraform", "build the stand-in provider mirror and start the zygote"):
        built = mirror.build(tmp_path_factory.mktemp("terraform-standin"))
    with built.running() as running:
        yield running


@dataclass
class PlannedStack:
    config: Path
    stack: str
    document: dict[str, Any]
    workspace: mirror.Workspace
    validation: dict[str, Any]
    plan: mirror.Plan
    plan_json: dict[str, Any] | None

    @property
    def name(self) -> str:
        return case_id((self.config, self.stack))


# What decides the result of ``planned_stack``, besides the synthesized stack and the observed
# values it is keyed on: Terraform reads only the working directory, its CLI configuration and
# the providers, i.e. the stand-in's code, protocol and vendored schemas (which import nothing else
# of the project: tests/terraform/test_standin_cache.py) run on the pinned Python packages; and
# this file holds the recipe (init, validate, plan, show).
PLAN_INPUTS = (
    Path("tools/terraform_standin"),
    Path("tests/terraform/conftest.py"),
    Path("requirements.txt"),
    Path("requirements-dev.txt"),
    Path("constraints.txt"),
)
PLAN_CACHE = "terraform-plan"


def _plan_key(stack_dir: Path, observed: Path | None, terraform_version: tuple[int, ...]) -> str:
    extra = [
        result_cache.tree_digest(stack_dir, ignore=(".terraform", "plan", "terraform.tfstate")),
        observed.read_text() if observed else "no observed values",
        f"terraform {terraform_version} {shutil.which('terraform')}",
        sys.version,
    ]
    return result_cache.content_key(PLAN_INPUTS, extra)


def _cached_plan(key: str, directory: Path, standin_mirror) -> tuple | None:
    stored = result_cache.load(PLAN_CACHE, key)
    if stored is None:
        return None
    workspace = mirror.Workspace(directory, standin_mirror, steps=[mirror.Step(**step) for step in stored["steps"]])
    plan = mirror.Plan(mirror.Step(**stored["plan_step"]), stored["plan_diagnostics"])
    return workspace, stored["validation"], plan, stored["plan_json"]


PLAN_TESTS = ROOT / "tests" / "terraform" / "test_validate_and_plan.py"


@pytest.fixture(scope="session", params=CASES, ids=case_id)
def planned_stack(request, synth, standin_mirror, terraform, tmp_path_factory) -> Iterator[PlannedStack]:
    """init, validate -json, plan and show -json of one synthesized stack, once per session; a
    clean result is kept across runs keyed by everything that decides it (``_plan_key``,
    tests/harness/result_cache.py), a failing one always runs again."""
    config, stack = request.param
    result = synth(config)
    source = result.outdir / "stacks" / stack
    directory = tmp_path_factory.mktemp("tf") / stack
    key = _plan_key(source, observed_values(config), terraform)
    cached = _cached_plan(key, directory, standin_mirror)
    if cached is not None:
        workspace, validation, plan, plan_json = cached
        yield PlannedStack(config, stack, result.stacks[stack], workspace, validation, plan, plan_json)
        if str(PLAN_TESTS) in result_cache.FAILED_MODULES:  # a failure always runs again
            result_cache.discard(PLAN_CACHE, key)
        return
    with phase("terraform", f"init + validate + plan + show: {case_id(request.param)}"):
        workspace = mirror.Workspace.from_stack(source, directory, standin_mirror)
        workspace.observed_values = observed_values(config)
        workspace.init()
        validation = workspace.validate()
        plan = workspace.plan()
        plan_json = workspace.show_plan() if plan.ok else None
    clean = validation.get("valid") and not validation.get("diagnostics") and plan.ok and not plan.diagnostics
    if clean and plan_json is not None:
        result_cache.store(
            PLAN_CACHE,
            key,
            {
                "result.json": {
                    "steps": [dataclasses.asdict(step) for step in workspace.steps],
                    "validation": validation,
                    "plan_step": dataclasses.asdict(plan.step),
                    "plan_diagnostics": plan.diagnostics,
                    "plan_json": plan_json,
                }
            },
        )
    yield PlannedStack(config, stack, result.stacks[stack], workspace, validation, plan, plan_json)
    if str(PLAN_TESTS) in result_cache.FAILED_MODULES:
        result_cache.discard(PLAN_CACHE, key)


@pytest.fixture(scope="session")
def mutated_stack(synth, standin_mirror, tmp_path_factory) -> Callable[..., mirror.Workspace]:
    """mutated_stack(config, stack, mutate) -> an initialised workspace whose cdk.tf.json is the
    synthesized document after ``mutate(document)`` (which edits it in place); its data sources
    return ``observed`` (a JSON file, see tools/terraform_standin/values.py), by default the
    config's own observed values."""

    def build(
        config: Path, stack: str, mutate: Callable[[dict[str, Any]], None] | None = None, observed: Path | None = None
    ) -> mirror.Workspace:
        source = synth(config).outdir / "stacks" / stack
        directory = tmp_path_factory.mktemp("tf-mutated") / stack
        with phase("terraform", f"init of a mutated copy of {config.stem}:{stack} ({getattr(mutate, '__name__', 'edit')})"):
            workspace = mirror.Workspace.from_stack(source, directory, standin_mirror, mutate)
            workspace.observed_values = observed or observed_values(config)
            workspace.init()
        return workspace

    return build
