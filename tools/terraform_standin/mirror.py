"""Install the stand-in providers where Terraform finds them, and run Terraform against them.

``build(root)`` writes, under ``root``:

- ``mirror/registry.terraform.io/<namespace>/<name>/<version>/linux_amd64/terraform-provider-<name>_v<version>``:
  the unpacked layout of a ``filesystem_mirror``; each file is a shell script that execs this
  virtualenv's Python on ``launcher.py``, which forks ``server.py`` for that provider from the
  zygote that ``Mirror.running()`` keeps (or execs it, without one);
- ``terraformrc``: a CLI configuration whose only installation source is that mirror, so
  ``terraform init`` never looks for a registry. (``dev_overrides`` would skip installation but
  makes ``terraform init`` fail, and the user's own ``~/.terraformrc`` is never read: Terraform
  reads only ``TF_CLI_CONFIG_FILE`` when it is set.)

``Workspace`` then runs ``init``/``validate``/``plan``/``apply`` in a copy of a synthesized stack
with the backend forced to a local file. ``python -m tools.terraform_standin`` does all of it for
stack directories given on the command line (see __main__.py).

Schema pruning: most of a Terraform command's time here is Terraform loading provider schemas,
mostly the ~1,600 azurerm and kubernetes schemas a stack never uses. ``Workspace.run`` therefore
names the types the command can need in ``STANDIN_SCHEMA_TYPES`` (``schema_types``: every
resource, data source and ephemeral type of the workspace's ``*.tf.json``, every type in its
state, and those of a saved plan it is given), and the stand-ins serve only those schemas (see
server.py). It cannot make a broken configuration pass: each listed type gets its real schema, and
a type that is needed but was not listed has no schema, which Terraform reports as an error
(``Invalid resource type``, or a missing schema for state), never as a pass. Where the types cannot
be known from the files (HCL ``*.tf``, module calls, a remote backend, ``-chdir``, ``terraform
test``) the full schemas are served; ``Workspace.prune_schemas = False`` does that too. Terraform
run any other way (``cdktf deploy``, ``make plan``) never gets the variable: ``Mirror.env`` drops it.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import shlex
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.terraform_standin import cache, schema, tls, values

ROOT = cache.ROOT
LAUNCHER = Path(__file__).resolve().parent / "launcher.py"
BACKEND_OVERRIDE = "zz_backend_override.tf.json"
MIN_TERRAFORM = (1, 5)


def platform_dir() -> str:
    machine = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine().lower(), platform.machine())
    return f"{sys.platform}_{machine}"


@dataclass(frozen=True)
class Mirror:
    root: Path
    cli_config: Path
    providers: dict[str, schema.ProviderInfo]
    schema_dir: Path

    @property
    def zygote_socket(self) -> Path:
        return zygote_socket(self.root)

    @contextlib.contextmanager
    def running(self) -> Iterator[Mirror]:
        """Keep a zygote (launcher.py) running meanwhile, so provider processes start in
        milliseconds; without it they start as plain processes."""
        arguments = [str(self.zygote_socket), str(self.schema_dir), str(self.root / "tls")]
        command = [sys.executable, "-m", "tools.terraform_standin.launcher", "serve", *arguments]
        zygote = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while not self.zygote_socket.exists():
                if zygote.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the stand-in zygote did not start (exit status {zygote.poll()})")
                time.sleep(0.02)
            yield self
        finally:
            zygote.terminate()
            zygote.wait(timeout=30)
            self.zygote_socket.unlink(missing_ok=True)

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """An environment for Terraform: the caller's, minus any TF_* setting that would change
        what Terraform reads or where (workspace, data dir, CLI args, plugin cache), plus ours.
        No plugin cache: ``init`` links the mirror's unpacked directories directly (0.05 s), a
        cache would only add a copy."""
        env = {k: v for k, v in (os.environ if base is None else base).items() if not k.startswith("TF_")}
        env.pop(schema.SCHEMA_TYPES_ENV, None)  # full schemas unless Workspace.run names the types
        env.update(
            TF_CLI_CONFIG_FILE=str(self.cli_config),
            TF_IN_AUTOMATION="1",
            TF_INPUT="0",
            CHECKPOINT_DISABLE="1",
        )
        return env


def zygote_socket(root: Path) -> Path:
    path = root / "zygote.sock"
    if len(str(path)) > 100:  # sun_path holds 108 bytes
        raise ValueError(f"{root} is too deep for a Unix socket path; build the mirror in a shorter directory")
    return path


def build(root: Path, schema_dir: Path = schema.SCHEMA_DIR) -> Mirror:
    """Write the mirror and CLI configuration under ``root`` for every vendored provider
    (``root`` short enough for a Unix socket path: see ``zygote_socket``)."""
    from tools.terraform_standin.server import StandinProvider  # compiles the protocol

    providers = schema.providers(schema_dir)
    for info in providers.values():  # fill the caches here, not in racing provider processes
        StandinProvider(info).schema_files()
        schema.split_dump(info.schema_file)
    tls.write_server_certificate(root / "tls")
    mirror = root / "mirror"
    for info in providers.values():
        directory = mirror / info.address / info.version / platform_dir()
        directory.mkdir(parents=True, exist_ok=True)
        executable = directory / f"terraform-provider-{info.name}_v{info.version}"
        # -I -S: the launcher's client half needs neither site-packages nor PYTHONPATH (see
        # launcher.py); PYTHONPATH is for the server it execs when no zygote is running.
        command = [sys.executable, "-I", "-S", str(LAUNCHER), str(zygote_socket(root)), info.name]
        command += [str(schema_dir), str(root / "tls")]
        executable.write_text(
            "#!/bin/sh\n"
            f"# Stand-in for {info.address} {info.version} (tools/terraform_standin): no remote calls.\n"
            f"PYTHONPATH={shlex.quote(str(ROOT))} exec {shlex.join(command)}\n"
        )
        executable.chmod(0o755)
    cli_config = root / "terraformrc"
    cli_config.write_text(
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {json.dumps(str(mirror))}\n"
        f"    include = {json.dumps(sorted(info.address for info in providers.values()))}\n"
        "  }\n"
        "}\n"
    )
    return Mirror(root, cli_config, providers, schema_dir)


def terraform_version(terraform: str = "terraform") -> tuple[int, int, int] | None:
    """Terraform's version, or None when it is not on PATH."""
    if shutil.which(terraform) is None:
        return None
    out = subprocess.run([terraform, "version", "-json"], capture_output=True, text=True, check=True).stdout
    return tuple(int(part) for part in json.loads(out)["terraform_version"].split("-")[0].split("."))


@dataclass
class Step:
    command: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    cpu_seconds: float  # Terraform's and its provider processes' user + system time


@dataclass
class Workspace:
    """A scratch copy of one synthesized stack that Terraform runs in against the stand-ins."""

    directory: Path
    mirror: Mirror
    variables: dict[str, str] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    # Values the stand-in data sources return (values.OBSERVED_ENV), e.g. an existing cluster's.
    observed_values: Path | None = None
    # More environment for Terraform, its providers and provisioners (e.g. the fake ARM store
    # and a PATH with the fake Azure CLI first: fake_arm.py, fake_az.py).
    env: dict[str, str] = field(default_factory=dict)
    # Serve only the schemas of the types the workspace uses (see the module docstring): off to
    # have Terraform load every schema, as a run outside Workspace does.
    prune_schemas: bool = True

    @classmethod
    def from_stack(
        cls, stack_dir: Path, directory: Path, mirror: Mirror, mutate: Callable[[dict[str, Any]], None] | None = None
    ) -> Workspace:
        """Copy ``stack_dir`` (a synthesized ``cdktf.out/<name>/stacks/<stack>``) to ``directory``, with
        local state and, if given, ``mutate(document)`` applied to its cdk.tf.json."""
        shutil.copytree(stack_dir, directory, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", "plan"))
        document = json.loads((directory / "cdk.tf.json").read_text())
        if mutate is not None:
            mutate(document)
            (directory / "cdk.tf.json").write_text(json.dumps(document, indent=2))
        override_backend(directory)
        return cls(directory, mirror, dummy_variables(document))

    def run(self, *args: str, check: bool = True) -> Step:
        env = self.mirror.env()
        env.update({f"TF_VAR_{name}": value for name, value in self.variables.items()})
        env.pop(values.OBSERVED_ENV, None)
        if self.observed_values is not None:
            env[values.OBSERVED_ENV] = str(self.observed_values)
        types = schema_types(self.directory, args) if self.prune_schemas else None
        if types is not None:
            env[schema.SCHEMA_TYPES_ENV] = json.dumps(sorted(types))
        env.update(self.env)
        command = ["terraform", *args]
        started, cpu = time.perf_counter(), _children_cpu()
        done = subprocess.run(command, cwd=self.directory, env=env, capture_output=True, text=True, timeout=300)
        step = Step(command, done.returncode, done.stdout, done.stderr, time.perf_counter() - started, _children_cpu() - cpu)
        self.steps.append(step)
        if check and done.returncode != 0:
            raise TerraformError(step)
        return step

    def init(self) -> Step:
        return self.run("init", "-input=false", "-no-color")

    def validate(self) -> dict[str, Any]:
        return json.loads(self.run("validate", "-json", "-no-color", check=False).stdout)

    def plan(self, *extra: str) -> Plan:
        """``terraform plan`` into the file ``plan``; its diagnostics from the JSON log."""
        step = self.run("plan", "-json", "-input=false", "-lock=false", "-refresh=false", "-out=plan", *extra, check=False)
        messages = [json.loads(line) for line in step.stdout.splitlines() if line.startswith("{")]
        diagnostics = [m["diagnostic"] for m in messages if m.get("type") == "diagnostic"]
        return Plan(step, diagnostics)

    def apply_plan(self) -> Step:
        """Apply the saved plan (the stand-ins make up the computed values)."""
        return self.run("apply", "-input=false", "-no-color", "-lock=false", "plan")

    def show_plan(self) -> dict[str, Any]:
        return json.loads(self.run("show", "-json", "plan").stdout)


@dataclass
class Plan:
    step: Step
    diagnostics: list[dict[str, Any]]

    @property
    def ok(self) -> bool:
        return self.step.returncode == 0

    def summaries(self, severity: str = "error") -> list[str]:
        return [d["summary"] for d in self.diagnostics if d["severity"] == severity]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # waited-for descendants, providers included
    return usage.ru_utime + usage.ru_stime


class TerraformError(AssertionError):
    def __init__(self, step: Step):
        super().__init__(f"{shlex.join(step.command)} exited {step.returncode}\n{step.stdout}\n{step.stderr}")
        self.step = step


def schema_types(directory: Path, args: Sequence[str] = ()) -> set[str] | None:
    """The resource, data source and ephemeral types ``terraform <args>`` in ``directory`` can need
    a schema for, or None when the files cannot tell (then every schema is served).

    Those of the root module's ``*.tf.json`` files, of the state its local backend names (and the
    default ``terraform.tfstate``, and ``-state=``), and of any saved plan among ``args`` (the
    configuration and state it was planned from, which ``apply``/``show`` of it use). Anything
    left out makes Terraform fail on a missing schema; listing more than needed costs only time.
    """
    # args[0] is the subcommand, or -chdir (Terraform's one global option that changes the files).
    if args and (args[0].startswith("-chdir") or args[0] == "test"):
        return None
    if any(directory.glob("*.tf")):  # HCL: not read here
        return None
    config = _config_types([(path.name, path.read_bytes()) for path in sorted(directory.glob("*.tf.json"))])
    if config is None:
        return None
    types, state_paths = config
    state_paths = [*state_paths, "terraform.tfstate", *(a.removeprefix("-state=") for a in args if a.startswith("-state="))]
    states = [(directory / path).read_bytes() for path in state_paths if (directory / path).is_file()]
    for arg in args[1:]:
        path = directory / arg
        if arg.startswith("-") or not path.is_file() or not zipfile.is_zipfile(path):
            continue
        with zipfile.ZipFile(path) as plan:  # tfconfig/m-/: the root module's files as planned
            names = plan.namelist()
            if any(n.startswith("tfconfig/") and not n.startswith("tfconfig/m-/") for n in names if n != "tfconfig/modules.json"):
                return None
            planned = _config_types(
                [(n.removeprefix("tfconfig/m-/"), plan.read(n)) for n in names if n.startswith("tfconfig/m-/")]
            )
            if planned is None:
                return None
            types |= planned[0]
            states += [plan.read(n) for n in ("tfstate", "tfstate-prev") if n in names]
    for state in states:
        try:
            types |= {r["type"] for r in json.loads(state).get("resources", [])}
        except (ValueError, KeyError, TypeError, AttributeError):
            return None  # Terraform will say what is wrong with it
    return types


def _config_types(files: Iterable[tuple[str, bytes]]) -> tuple[set[str], list[str]] | None:
    """Types declared in a root module's ``(name, content)`` JSON files, and the local state path
    its backend names; None if a file is HCL or unreadable, calls a module, or the backend is not
    local (types elsewhere)."""
    types: set[str] = set()
    backends: dict[bool, dict[str, Any]] = {}  # is an override file -> the last backend it names
    for name, content in files:
        if not name.endswith(".tf.json"):
            return None
        try:
            document = json.loads(content)
            if "module" in document:
                return None
            for kind in ("resource", "data", "ephemeral"):
                types.update(_labels(document.get(kind)))
            for check in _blocks(document.get("check")):
                for body in check.values():
                    for nested in _blocks(body):
                        types.update(_labels(nested.get("data")))
            for kind, attribute in (("import", "to"), ("removed", "from")):
                for block in _blocks(document.get(kind)):
                    address = block.get(attribute, "")
                    if isinstance(address, str) and address and not address.startswith(("module.", "data.")):
                        types.add(address.split(".")[0])
            for settings in _blocks(document.get("terraform")):
                if "cloud" in settings:
                    return None
                for backend in _blocks(settings.get("backend")):
                    stem = name.removesuffix(".tf.json")
                    backends[stem == "override" or stem.endswith("_override")] = backend
        except (ValueError, AttributeError, TypeError):
            return None  # Terraform will say what is wrong with it
    # An override file's backend replaces the others' (Terraform's override files).
    backend = backends.get(True, backends.get(False, {"local": {}}))
    if set(backend) != {"local"}:
        return None
    local = _blocks(backend["local"])
    path = local[-1].get("path", "terraform.tfstate") if local else "terraform.tfstate"
    return types, [path] if isinstance(path, str) else []


def _blocks(value: Any) -> list[dict[str, Any]]:
    """A JSON-syntax block body: an object, or a list of them (both are valid Terraform JSON)."""
    if value is None:
        return []
    blocks = value if isinstance(value, list) else [value]
    if not all(isinstance(block, dict) for block in blocks):
        raise TypeError("not a block")
    return blocks


def _labels(value: Any) -> set[str]:
    """The first labels (the types) of ``resource``/``data``/``ephemeral`` in JSON syntax."""
    return {label for block in _blocks(value) for label in block}


def override_backend(directory: Path) -> None:
    """Force local state in ``directory``: the synthesized backend (a project-relative local
    path, or azurerm, which cannot be reached here) is replaced by an override file."""
    (directory / BACKEND_OVERRIDE).write_text(
        json.dumps({"terraform": {"backend": {"local": {"path": "terraform.tfstate"}}}}, indent=2) + "\n"
    )


_DUMMIES = {"string": "standin", "number": "0", "bool": "false"}


def dummy_variables(document: dict[str, Any]) -> dict[str, str]:
    """TF_VAR_ values for the stack's variables without a default (e.g. secrets a pipeline
    provides), so plan never prompts. Values are literal for primitives and JSON otherwise."""
    dummies = {}
    for name, variable in document.get("variable", {}).items():
        if "default" in variable:
            continue
        var_type = variable.get("type", "string")
        if var_type in _DUMMIES:
            dummies[name] = _DUMMIES[var_type]
        elif var_type.startswith(("list", "set", "tuple")):
            dummies[name] = "[]"
        else:
            dummies[name] = "{}"
    return dummies
