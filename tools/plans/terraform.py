"""Running the `terraform` CLI in a stack folder, non-interactively.

The caller's environment passes through untouched apart from the automation switches, so what
configures Terraform elsewhere configures it here: ``TF_CLI_CONFIG_FILE`` (the tests' stand-in
provider mirror, a pipeline's provider cache), ``TF_VAR_*``, ``ARM_*`` (OIDC in pipelines).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

AUTOMATION = {"TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"}


class TerraformFailed(RuntimeError):
    pass


def environment() -> dict[str, str]:
    return {**os.environ, **AUTOMATION}


def version() -> str:
    if shutil.which("terraform") is None:
        raise TerraformFailed("terraform is not on PATH (install Terraform >= 1.5; README 'Requirements')")
    out = subprocess.run(["terraform", "version", "-json"], capture_output=True, text=True, check=True, env=environment())
    return json.loads(out.stdout)["terraform_version"]


@dataclass(frozen=True)
class Terraform:
    stack_dir: Path

    def run(self, *args: str, stream: bool = False, accept: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        """Run ``terraform args`` in the stack folder. ``stream``: Terraform's output goes to the
        terminal as it comes (apply: progress); otherwise it is captured and shown only when the
        exit code is not in ``accept`` (plan output shows values; the summary does not)."""
        command = ["terraform", *args]
        sys.stdout.flush()  # our lines before Terraform's when both go to one pipe
        done = subprocess.run(
            command,
            cwd=self.stack_dir,
            env=environment(),
            stdin=subprocess.DEVNULL,
            stdout=None if stream else subprocess.PIPE,
            stderr=None if stream else subprocess.PIPE,
            text=True,
        )
        if done.returncode not in accept:
            if not stream:
                sys.stdout.write(done.stdout or "")
                sys.stderr.write(done.stderr or "")
            raise TerraformFailed(f"{shlex.join(command)} exited {done.returncode} in {self.stack_dir}")
        return done

    def init(self, *, lockfile_readonly: bool = False) -> None:
        args = ["init", "-input=false", "-no-color"]
        self.run(*args, *(["-lockfile=readonly"] if lockfile_readonly else []))

    def plan(self, plan_file: Path, *, lock: bool = True, destroy: bool = False) -> bool:
        """Save a plan; True when it has changes (``-detailed-exitcode`` 2)."""
        args = ["plan", "-input=false", "-no-color", "-detailed-exitcode", f"-out={plan_file}"]
        args += [] if lock else ["-lock=false"]
        args += ["-destroy"] if destroy else []
        return self.run(*args, accept=(0, 2)).returncode == 2

    def show(self, plan_file: Path) -> dict[str, Any]:
        return json.loads(self.run("show", "-json", "-no-color", str(plan_file)).stdout)

    def apply(self, plan_file: Path) -> None:
        self.run("apply", "-input=false", "-no-color", "-auto-approve", str(plan_file), stream=True)
