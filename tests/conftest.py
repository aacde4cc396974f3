"""Shared fixtures: every example config is synthesized once per test run (the jsii import is the
expensive part), with the same code path as `npx cdktf synth` (App.synth into a directory).

Toolchain: the session runs on whichever toolchain the interpreter selects (``toolchain.NAME``;
`make test` uses .venv and cdktf, `TOOLCHAIN=cdktn make test` uses .venv-cdktn). Under cdktn,
``Synthesized.stacks`` holds the output mapped back to the cdktf form through the listed
differences (toolchain/differences.py, strict), so every property and snapshot test checks the
same documents under both; ``Synthesized.native`` and the files in ``outdir`` are what the
toolchain itself wrote. Tests that only make sense on cdktf use ``requires_cdktf_toolchain``.

Speed (docs/performance.md, issue #16), all automatic for new tests and fixtures:
- every test is marked ``jsii`` when it (its module, function or any fixture it uses) loads jsii,
  ``terraform`` when it uses the ``terraform`` fixture (tests/harness/classify.py);
  ``pytest --inner-loop`` (`make check`) runs only the rest and refuses any jsii import;
- under pytest-xdist (`make test`: ``-n 2 --dist loadgroup``) the synth of a config is shared by
  the workers through the run's temporary folder (one synth per config per run), and tests that
  share an expensive session- or module-scoped fixture run on one worker (``xdist_group``), so it
  is computed once; the longest work is scheduled first;
- ``--suite-profile=PATH`` writes the suite profile that `make bench` reports
  (tests/harness/profile.py).
"""

from __future__ import annotations

import fcntl
import gc
import importlib.abc
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

import toolchain
from tests.harness import classify, profile, result_cache
from tests.harness.profile import phase
from toolchain.differences import as_cdktf

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIGS = sorted((ROOT / "config").glob("*.yaml"))
FIXTURE_CONFIGS = sorted((ROOT / "tests" / "fixtures" / "configs").glob("*.yaml"))
STACK_NAMES = ("aks-cluster", "kubernetes-config")
# What a workspace attached behind a hub must state (config/checks/egress.py): its id GUID, storage
# account and container registry.
_ML_GROUP = "/subscriptions/44444444-4444-4444-4444-444444444444/resourceGroups/rg-ml/providers"
WORKSPACE_DETAILS = {
    "workspace_guid": "66666666-6666-6666-6666-666666666666",
    "storage_account_id": f"{_ML_GROUP}/Microsoft.Storage/storageAccounts/stmlprod",
    "container_registry_id": f"{_ML_GROUP}/Microsoft.ContainerRegistry/registries/crmlprod",
}

# jsii and the CLI run on the toolchain's pinned Node 22 (npm package "node"): node_modules/.bin
# for cdktf, toolchains/cdktn/node_modules/.bin for cdktn.
TOOLCHAIN_ENV = toolchain.ENVIRONMENTS[toolchain.NAME]
os.environ["PATH"] = f"{TOOLCHAIN_ENV.node_bin}{os.pathsep}{os.environ['PATH']}"
os.environ.setdefault("CHECKPOINT_DISABLE", "1")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# For tests that only hold for the default toolchain's output (Terraform validate/plan against the
# azurerm 4.55 / kubernetes 2.38 / helm 3.1.1 schemas): `pytestmark = requires_cdktf_toolchain`.
requires_cdktf_toolchain = pytest.mark.skipif(
    toolchain.NAME != toolchain.CDKTF,
    reason=f"checks cdktf 0.21 output (azurerm 4.55 / kubernetes 2.38 schemas); running on {toolchain.NAME}",
)


@dataclass(frozen=True)
class Synthesized:
    config_path: Path
    outdir: Path
    stacks: dict[str, dict]  # in the cdktf form under either toolchain (see the module docstring)
    manifest: dict
    native: dict[str, dict]  # the stacks exactly as this toolchain wrote them

    def resources(self, stack: str, resource_type: str) -> dict[str, dict]:
        return self.stacks[stack].get("resource", {}).get(resource_type, {})

    def only(self, stack: str, resource_type: str) -> dict:
        found = self.resources(stack, resource_type)
        assert len(found) == 1, f"expected one {resource_type} in {stack}, found {sorted(found)}"
        return next(iter(found.values()))


@cache
def _app_key() -> str:
    """What every synth of this toolchain reads besides its config: the project's packages, the
    toolchain's pins, the recipe (this file) and the Python and Node (jsii's) it runs on. Hashed
    once per process, not once per config."""
    return result_cache.content_key(
        [*APP_PACKAGES, *TOOLCHAIN_PINS[toolchain.NAME], Path("tests/conftest.py")],
        extra=[toolchain.NAME, sys.version, node_version()],
    )


@cache
def _synth(config_path: Path, outroot: Path) -> Synthesized:
    """Synthesizes ``config_path`` into ``outroot`` once per run: ``outroot`` is shared by the
    xdist workers, and a lock per config lets the first worker write it while the others wait and
    then read the files."""
    outdir = outroot / f"{config_path.parent.name}-{config_path.stem}"
    done = outroot / f"{outdir.name}.done"
    with open(outroot / f"{outdir.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            # What a synth reads: the project's packages, the config and the toolchain's pins; a
            # synth kept under that key is written back without loading jsii (result_cache).
            key = result_cache.content_key([config_path.relative_to(ROOT)], extra=[_app_key()])
            cached = result_cache.load(f"synth-{toolchain.NAME}", key)
            if cached is not None:
                result_cache.write_tree(outdir, cached)
            else:
                _load_jsii()
                from config.loader import load_config
                from stacks.app import build_app

                with phase("synth", f"{config_path.relative_to(ROOT)} ({toolchain.NAME})"):
                    config = load_config(config_path)
                    build_app(config, config_file=str(config_path.relative_to(ROOT)), outdir=str(outdir)).synth()
                result_cache.store(f"synth-{toolchain.NAME}", key, {"result.json": result_cache.read_tree(outdir)})
            done.write_text(f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')} {time.time()}\n")
    native = {name: json.loads((outdir / "stacks" / name / "cdk.tf.json").read_text()) for name in STACK_NAMES}
    manifest = json.loads((outdir / "manifest.json").read_text())
    if toolchain.NAME == toolchain.CDKTF:
        return Synthesized(config_path, outdir, native, manifest, native)
    stacks = {name: as_cdktf("stack", doc)[0] for name, doc in native.items()}
    return Synthesized(config_path, outdir, stacks, as_cdktf("manifest", manifest)[0], native)


def _load_jsii() -> None:
    """The app's imports (jsii, cdktf and the provider assemblies), timed as their own phase."""
    if "stacks.app" not in sys.modules:
        with phase("jsii load", f"import stacks.app ({toolchain.NAME})"):
            import stacks.app  # noqa: F401


@pytest.fixture(scope="session")
def synth_root(tmp_path_factory) -> Path:
    """A scratch folder of this process (tests synthesize their variants into it)."""
    return tmp_path_factory.mktemp("synth")


@pytest.fixture(scope="session")
def shared_synth_root(tmp_path_factory) -> Path:
    """Where ``synth`` writes: one folder per run, the same for every xdist worker (the parent of
    their base folders)."""
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "synth-shared"
    root.mkdir(exist_ok=True)
    return root


@pytest.fixture(scope="session")
def synth(shared_synth_root):
    """synth(path) -> Synthesized, once per run (shared by the xdist workers)."""

    def run(config_path: Path) -> Synthesized:
        return _synth(Path(config_path).resolve(), shared_synth_root)

    return run


@pytest.fixture(scope="session")
def default_synth(synth) -> Synthesized:
    return synth(ROOT / "config" / "default.yaml")


@pytest.fixture(scope="session")
def standalone_synth(synth) -> Synthesized:
    return synth(ROOT / "config" / "standalone.yaml")


OTHER_TOOLCHAIN = toolchain.CDKTN if toolchain.NAME == toolchain.CDKTF else toolchain.CDKTF
# The project's packages (what toolchain.synth_configs can import), and each toolchain's pins.
# (benchmarks/ measures the app and is never imported by it.)
APP_PACKAGES = sorted(
    p.relative_to(ROOT) for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name not in ("tests", "benchmarks")
)
TOOLCHAIN_PINS = {
    toolchain.CDKTN: (Path("requirements-cdktn.txt"), Path("constraints-cdktn.txt"), Path("toolchains/cdktn/package-lock.json")),
    toolchain.CDKTF: (Path("requirements.txt"), Path("constraints.txt"), Path("package-lock.json")),
}


@dataclass(frozen=True)
class OtherSynth:
    root: Path | None  # toolchain.synth_configs.outdir_for(root, config) per config; None: not installed
    problem: str = ""


@pytest.fixture(scope="session")
def other_toolchain_synth(shared_synth_root) -> OtherSynth:
    """Every example and fixture config synthesized by the other toolchain (cdktn under cdktf) in
    one subprocess, once per run: the xdist workers share it through the run's folder (the first
    to need it writes it under a lock). A successful synth is kept across runs keyed by what it
    reads: the project's packages, the configs and that toolchain's pins (result_cache)."""
    other = toolchain.ENVIRONMENTS[OTHER_TOOLCHAIN]
    if not other.installed():
        return OtherSynth(
            None, f"the {OTHER_TOOLCHAIN} environment is not installed ({other.venv}, {other.node_dir}/node_modules)"
        )
    configs = EXAMPLE_CONFIGS + FIXTURE_CONFIGS
    outroot = shared_synth_root / f"other-{OTHER_TOOLCHAIN}"
    done = shared_synth_root / f"other-{OTHER_TOOLCHAIN}.done"
    with open(shared_synth_root / f"other-{OTHER_TOOLCHAIN}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            return OtherSynth(outroot)
        node = subprocess.run([str(other.node_bin / "node"), "--version"], capture_output=True, text=True).stdout
        key = result_cache.content_key(
            [*APP_PACKAGES, *(p.relative_to(ROOT) for p in configs), *TOOLCHAIN_PINS[OTHER_TOOLCHAIN], Path("tests/conftest.py")],
            extra=[OTHER_TOOLCHAIN, subprocess.run([str(other.python), "-VV"], capture_output=True, text=True).stdout, node],
        )
        outroot.mkdir(exist_ok=True)  # cdktn's App creates only the last level of its outdir
        cached = result_cache.load(f"synth-{OTHER_TOOLCHAIN}", key)
        if cached is not None:
            result_cache.write_tree(outroot, cached)
        else:
            env = {k: v for k, v in os.environ.items() if k not in ("AKS_CONFIG", "CDKTF_OUTDIR")}
            env.update(TOOLCHAIN=OTHER_TOOLCHAIN, CHECKPOINT_DISABLE="1", PATH=f"{other.node_bin}{os.pathsep}{env['PATH']}")
            with phase("synth", f"{len(configs)} configs on {OTHER_TOOLCHAIN}, one subprocess (jsii load included)"):
                completed = subprocess.run(
                    [str(other.python), "-m", "toolchain.synth_configs", str(outroot), *map(str, configs)],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=900,
                )
            assert completed.returncode == 0, f"{OTHER_TOOLCHAIN} synth failed:\n{completed.stdout}{completed.stderr}"
            result_cache.store(f"synth-{OTHER_TOOLCHAIN}", key, {"result.json": result_cache.read_tree(outroot)})
        done.write_text("ok\n")
    return OtherSynth(outroot)


# What a scratch copy of the project needs to run the app and the CLI (tests that must not touch
# the checkout's cdktf.out or state/): the CLI's files and every Python package but the tests.
APP_FILES = ("cdktf.json", "main.py", "package.json")


def scratch_project(directory: Path) -> Path:
    """Copy the app into ``directory`` (virtualenv and node_modules linked, not copied)."""
    directory.mkdir(parents=True, exist_ok=True)
    for item in APP_FILES:
        shutil.copy(ROOT / item, directory / item)
    for folder in sorted(p for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name != "tests"):
        shutil.copytree(folder, directory / folder.name, ignore=shutil.ignore_patterns("__pycache__"))
    (directory / TOOLCHAIN_ENV.venv).symlink_to(ROOT / TOOLCHAIN_ENV.venv)
    (directory / "node_modules").symlink_to(ROOT / "node_modules")
    return directory


# `make synth`'s CLI command for the session's toolchain: `npx cdktf synth` (cdktf.json runs
# `.venv/bin/python main.py`), or `cdktn synth --app ".venv-cdktn/bin/python main.py"`.
CLI_SYNTH = {
    toolchain.CDKTF: ["npx", "--no-install", "cdktf", "synth"],
    toolchain.CDKTN: [
        str(toolchain.ENVIRONMENTS[toolchain.CDKTN].node_bin / "cdktn"),
        "synth",
        "--app",
        f"{toolchain.ENVIRONMENTS[toolchain.CDKTN].venv}/bin/python main.py",
    ],
}


def cli_env(**extra: str) -> dict[str, str]:
    """The environment of a CLI run: no AKS_CONFIG or CDKTF_OUTDIR from the caller, the toolchain's
    Node first on PATH, no checkpoint call, plain output (CI=1: the CLI's renderer draws no spinner)."""
    env = {k: v for k, v in os.environ.items() if k not in ("AKS_CONFIG", "CDKTF_OUTDIR")}
    env.update(
        PATH=f"{TOOLCHAIN_ENV.node_bin}{os.pathsep}{env['PATH']}",
        CHECKPOINT_DISABLE="1",
        TOOLCHAIN=toolchain.NAME,
        CI="1",
        FORCE_COLOR="0",
    )
    env.update(extra)
    return env


@dataclass(frozen=True)
class CliSynth:
    project: Path
    completed: subprocess.CompletedProcess


@pytest.fixture(scope="session")
def cli_default_synth(tmp_path_factory) -> CliSynth:
    """`make synth`'s CLI command on the default config with no AKS_CONFIG set (the example), in a
    scratch project, once per session."""
    from tests.harness.profile import phase

    project = scratch_project(tmp_path_factory.mktemp("cli-synth"))
    # The CLI sees only the scratch project, the linked virtualenv and node_modules (keyed by their
    # pins) and the Node and Python it runs on: a successful run is kept under that key.
    key = result_cache.content_key(
        (*CLI_INPUTS[toolchain.NAME], Path("tests/conftest.py")),  # the recipe: the command and cli_env()
        extra=[result_cache.tree_digest(project), *CLI_SYNTH[toolchain.NAME], toolchain.NAME, sys.version, node_version()],
    )
    cached = result_cache.load("cli-synth", key)
    if cached is not None:
        result_cache.write_tree(project / "cdktf.out", cached["cdktf.out"])
        return CliSynth(project, subprocess.CompletedProcess(CLI_SYNTH[toolchain.NAME], 0, cached["stdout"], cached["stderr"]))
    with phase("cli", f"{' '.join(CLI_SYNTH[toolchain.NAME][:4])}: config/default.yaml"):
        completed = subprocess.run(
            CLI_SYNTH[toolchain.NAME], cwd=project, env=cli_env(), capture_output=True, text=True, timeout=600
        )
    if completed.returncode == 0:
        written = {"cdktf.out": result_cache.read_tree(project / "cdktf.out")}
        result_cache.store("cli-synth", key, {"result.json": {**written, "stdout": completed.stdout, "stderr": completed.stderr}})
    return CliSynth(project, completed)


# What the CLI synth's scratch project links to, by toolchain: the Python and npm pins.
CLI_INPUTS = {
    toolchain.CDKTF: (Path("requirements.txt"), Path("constraints.txt"), Path("package-lock.json")),
    toolchain.CDKTN: (
        Path("requirements-cdktn.txt"),
        Path("constraints-cdktn.txt"),
        Path("package-lock.json"),
        Path("toolchains/cdktn/package-lock.json"),
    ),
}


@cache
def node_version() -> str:
    return subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout.strip()


CHECKOV_CANARY = Path("_canary", "leaked.txt")
CHECKOV_ARGUMENTS = ("terraform_json secrets", "--enable-secret-scan-all-files")
CHECKOV_INPUTS = (Path("tests/checkov_runner.py"), Path("requirements-checkov.txt"), Path("constraints-checkov.txt"))


@pytest.fixture(scope="session")
def checkov_scan(synth, tmp_path_factory) -> dict:
    """One Checkov run over everything synthesized from every example and fixture config, with
    both frameworks the suite uses: ``terraform_json`` (the security gate, tests/test_checkov.py)
    and ``secrets`` over every file (tests/test_no_secrets.py). Returns {"root": scanned folder,
    which holds ``<config stem>/`` = that config's output folder, "reports": Checkov's reports}."""
    from tests.checkov_runner import run_checkov

    root = tmp_path_factory.mktemp("checkov-all")
    for config_path in EXAMPLE_CONFIGS + FIXTURE_CONFIGS:
        shutil.copytree(synth(config_path).outdir, root / config_path.stem)
    # Checkov leaves a framework with no failure out of its --quiet report: the canary (AWS's
    # documented example key) proves the secrets scan ran over this folder.
    (root / CHECKOV_CANARY.parent).mkdir()
    (root / CHECKOV_CANARY).write_text("aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n")
    # Checkov's result depends only on the scanned files, its pinned version and this call: kept
    # across runs under that key (tests/harness/result_cache.py).
    key = result_cache.content_key(CHECKOV_INPUTS, extra=[result_cache.tree_digest(root), *CHECKOV_ARGUMENTS])

    def scan() -> list[dict]:
        with phase("checkov", f"terraform_json + secrets over {len(EXAMPLE_CONFIGS + FIXTURE_CONFIGS)} configs' output"):
            return run_checkov(root, *CHECKOV_ARGUMENTS)

    return {"root": root, "reports": result_cache.load_or_run("checkov", key, scan)}


# --- Classification, the inner loop and scheduling (issue #16) -----------------------------------

# Session fixtures every xdist worker may hold its own instance of: the synths behind them are
# shared through the run's folder (``_synth``), the rest is cheap set-up. Any *other* session- or
# module-scoped fixture of the project is taken to be expensive: the tests using it run on one
# worker, so it is computed once per run.
PER_WORKER_FIXTURES = frozenset(
    {
        "synth_root",
        "shared_synth_root",
        "synth",
        "default_synth",
        "standalone_synth",
        "other_toolchain_synth",
        "terraform",
        "standin_mirror",
        "mutated_stack",
        "twin_directory",
    }
)
INNER_LOOP_EXCLUDES = ("jsii", "terraform", "slow", "process")
IN_PROCESS_JSII = "jsii-in-process"


def pytest_addoption(parser: pytest.Parser) -> None:
    profile.addoption(parser)
    parser.addoption(
        "--inner-loop",
        action="store_true",
        default=False,
        help="run only tests that need no jsii load, no Terraform and no external tool (`make check`); "
        "a jsii import then fails the test that makes it",
    )
    parser.addoption(
        "--no-result-cache",
        action="store_true",
        default=False,
        help="run every cached step again (tests/harness/result_cache.py); same as SUITE_RESULT_CACHE=0",
    )


class _JsiiRefused(importlib.abc.MetaPathFinder):
    """In ``--inner-loop`` runs: makes an unclassified jsii import fail loudly instead of quietly
    costing ~15 s."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "jsii":
            raise ImportError(
                "this test loads jsii, which `make check` (pytest --inner-loop) must not: mark it "
                "`@pytest.mark.jsii` (tests/harness/classify.py did not see the import)"
            )
        return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "jsii: loads jsii (set automatically, tests/harness/classify.py)")
    config.addinivalue_line("markers", "terraform: runs the terraform CLI (set automatically for the `terraform` fixture)")
    config.addinivalue_line("markers", "xdist_group(name): run on one xdist worker with the rest of its group")
    config.addinivalue_line("markers", "spawns_jsii: starts a jsii process of its own (a CLI synth, the other toolchain)")
    config.addinivalue_line(
        "markers", "process: starts a process (a CLI end to end, a script, a tool; set automatically, tests/harness/classify.py)"
    )
    config.pluginmanager.register(profile.SuiteProfile(), "suite-profile")
    if config.getoption("--no-result-cache"):
        os.environ[result_cache.ENV_SWITCH] = "0"  # xdist workers get the option too
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        result_cache.prune()
    if config.getoption("--inner-loop"):
        sys.meta_path.insert(0, _JsiiRefused())
        sys.addaudithook(_refuse_unclassified_process)
        # The snapshot tests are not run here: their snapshots are not "unused".
        config.option.warn_unused_snapshots = True


_PROCESS_EVENTS = frozenset({"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty"})
_RUNNING_IN_INNER_LOOP = [False]  # set while a test of an --inner-loop run executes
_REFUSED_PROCESSES: list[str] = []


def _refuse_unclassified_process(event: str, args: tuple) -> None:
    """In ``--inner-loop`` runs: a test that starts a process the analysis did not see fails
    loudly (the inner loop runs no process; `make test` runs those tests)."""
    if _RUNNING_IN_INNER_LOOP[0] and event in _PROCESS_EVENTS:
        _REFUSED_PROCESSES.append(event)  # the session fails too, even if a test swallowed the error
        raise RuntimeError(
            f"this test starts a process ({event}), which `make check` (pytest --inner-loop) does not run: "
            "mark it `@pytest.mark.process` (tests/harness/classify.py did not see it)"
        )


def _starts_process(item: pytest.Item) -> bool:
    function = getattr(item, "function", None)
    if function is not None and classify.function_starts_process(function):
        return True
    return any(classify.function_starts_process(definition.func) for _, definition in _fixture_defs(item))


def _module_left_out(path: Path) -> bool:
    return path.suffix == ".py" and path.name.startswith("test_") and classify.file_needs_jsii(path)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """In ``--inner-loop`` runs, test modules whose import loads jsii are not even imported."""
    if config.getoption("--inner-loop") and _module_left_out(collection_path):
        return True
    return None


def _fixture_defs(item: pytest.Item):
    info = getattr(item, "_fixtureinfo", None)
    for name in getattr(item, "fixturenames", ()):
        definitions = info.name2fixturedefs.get(name) if info else None
        if definitions:
            yield name, definitions[-1]


# The fixtures that give a test synthesized JSON: from the result cache when nothing it depends on
# changed, so a test that needs jsii only through them may not load it at all.
SYNTH_FIXTURES = frozenset({"synth", "default_synth", "standalone_synth"})


# Tests marked ``jsii`` in their source (a load the static analysis cannot see, e.g. through
# importlib), as opposed to the marker collection adds.
_EXPLICIT_JSII: set[str] = set()


def _needs_jsii(item: pytest.Item, *, besides_synth: bool = False) -> bool:
    """Whether the test can load jsii; with ``besides_synth``, other than through SYNTH_FIXTURES."""
    if item.nodeid in _EXPLICIT_JSII or (item.get_closest_marker("jsii") and not besides_synth):
        return True
    if classify.file_needs_jsii(item.path):
        return True
    function = getattr(item, "function", None)
    if function is not None and classify.function_needs_jsii(function):
        return True
    for name, definition in _fixture_defs(item):
        if besides_synth and name in SYNTH_FIXTURES:
            continue
        if classify.function_needs_jsii(definition.func):
            return True
    # Fixtures named by a parameter and fetched with request.getfixturevalue(name).
    callspec = getattr(item, "callspec", None)
    for value in callspec.params.values() if callspec else ():
        if isinstance(value, str) and value.isidentifier():
            definitions = item.session._fixturemanager.getfixturedefs(value, item) or ()
            if any(classify.function_needs_jsii(d.func) for d in definitions):
                return True
    return False


def _xdist_group(item: pytest.Item) -> str | None:
    """Tests that start a jsii process of their own (``spawns_jsii``) share one group, so that at
    most one such process runs beside the workers' own. Else the expensive shared fixture this
    test depends on, if any: session-scoped ones first (per parameter for a parametrized one),
    then module-scoped ones (the module). Else, when it builds constructs in-process, the one
    group of those (``IN_PROCESS_JSII``)."""
    if item.get_closest_marker("spawns_jsii"):
        return "spawns_jsii"
    if "snapshot" in getattr(item, "fixturenames", ()):
        return None  # syrupy reads the node id: a group suffix would change the snapshot's name
    session, module = [], []
    for name, definition in _fixture_defs(item):
        if name in PER_WORKER_FIXTURES or not classify.is_project_code(definition.func):
            continue
        if definition.scope == "session":
            callspec = getattr(item, "callspec", None)
            index = callspec.indices.get(name) if callspec else None
            # No "]" in a group name: xdist reads "...]@group" as a parameter id that contains "@".
            session.append(name if index is None else f"{name}:{index}")
        elif definition.scope == "module":
            module.append("module:" + item.nodeid.split("::", 1)[0])
    if session:
        return sorted(session)[0]
    if module:
        return sorted(module)[0]
    # Tests that build constructs in-process run on one worker: on an unchanged tree the synths come
    # from the result cache, and the other worker then never pays the ~15 s jsii load.
    return IN_PROCESS_JSII if _needs_jsii(item, besides_synth=True) else None


def _apply_xdist_groups(items: list[pytest.Item], groups: dict[str, str | None]) -> None:
    """What pytest-xdist's ``--dist loadgroup`` does to each grouped test's node id (appends
    ``@<group>``, which its scheduler splits on), done here because xdist 3.8 sets ``item._nodeid``,
    which pytest 9 no longer reads (it keeps the id in ``item._id``): without this every group is
    silently spread over the workers. xdist's own hook runs after this one and then appends the
    same suffix again on a pytest that still reads ``_nodeid``; the scheduler reads the last."""
    from _pytest.nodeid import coerce_node_id

    for item in items:
        group = groups[item.nodeid]
        if group and not item.nodeid.endswith(f"@{group}"):
            item._id = coerce_node_id(f"{item.nodeid}@{group}")


def _expected_cost(items: list[pytest.Item]) -> dict[str, float]:
    """Seconds per test from the last profiled run, if any (only to order the work: a stale
    figure can make a run slower, never let a test pass)."""
    try:
        profile = json.loads((ROOT / ".stamps" / "suite-profile.json").read_text())
    except (OSError, ValueError):
        return {}
    return {t["nodeid"]: float(t["wall"]) for t in profile.get("tests", [])}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    _EXPLICIT_JSII.update(item.nodeid for item in items if item.get_closest_marker("jsii"))
    for item in items:
        if _needs_jsii(item) and not item.get_closest_marker("jsii"):
            item.add_marker(pytest.mark.jsii)
        if "terraform" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("terraform"):
            item.add_marker(pytest.mark.terraform)
        if not item.get_closest_marker("process") and _starts_process(item):
            item.add_marker(pytest.mark.process)
    if config.getoption("--inner-loop"):
        kept = [i for i in items if not any(i.get_closest_marker(m) for m in INNER_LOOP_EXCLUDES)]
        deselected = [i for i in items if i not in kept]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
        items[:] = kept
        return
    original_ids = [item.nodeid for item in items]
    groups = {item.nodeid: _xdist_group(item) for item in items}
    # A fixture's group that holds a test building constructs in-process joins that group whole:
    # the fixture is still computed once, and jsii is still loaded by one worker only.
    with_jsii = {
        group
        for item in items
        if (group := groups[item.nodeid]) not in (None, "spawns_jsii", IN_PROCESS_JSII) and _needs_jsii(item, besides_synth=True)
    }
    groups = {nodeid: IN_PROCESS_JSII if group in with_jsii else group for nodeid, group in groups.items()}
    for item in items:
        if groups[item.nodeid]:
            item.add_marker(pytest.mark.xdist_group(groups[item.nodeid]))
    if getattr(config.option, "loadgroup", False):
        _apply_xdist_groups(items, groups)
    # Longest work first, so that no worker is left with one long group at the end: by the last
    # profiled run's time where there is one, else external tools (slow), then groups by size.
    cost = _expected_cost(items)
    group_cost: dict[str, float] = {}
    slow_groups: set[str] = set()
    for item, original in zip(items, original_ids, strict=True):
        key = groups[original] or original
        if original in cost:
            guess = cost[original]
        elif item.get_closest_marker("slow") and key not in slow_groups:
            guess = 30.0  # an external tool's run, once per group (its tests share it)
            slow_groups.add(key)
        else:
            guess = 1.0 if item.get_closest_marker("jsii") else 0.1
        group_cost[key] = group_cost.get(key, 0.0) + guess
    position = {id(item): index for index, item in enumerate(items)}
    group_of = {id(item): groups[original] for item, original in zip(items, original_ids, strict=True)}
    items.sort(
        key=lambda i: (-group_cost[group_of[id(i)] or original_ids[position[id(i)]]], group_of[id(i)] or "", position[id(i)])
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    outcome = yield
    if outcome.get_result().failed:
        result_cache.FAILED_MODULES.add(str(item.path))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem):
    """Names, in the suite profile, the test during which this worker first loaded jsii (the
    classification and grouping above decide which worker should: `make bench` shows the result)."""
    loaded_before = classify.jsii_loaded()
    started = time.perf_counter()
    _RUNNING_IN_INNER_LOOP[0] = item.config.getoption("--inner-loop")
    try:
        yield
    finally:
        _RUNNING_IN_INNER_LOOP[0] = False
    if not loaded_before and classify.jsii_loaded():
        # The bindings are ~1.2 million long-lived objects; every full garbage collection walked
        # them all (0.7 s each, several times per run). Freezing moves them out of its sight.
        gc.freeze()
        group = item.get_closest_marker("xdist_group")
        where = f"{item.nodeid} (group {group.args[0] if group else 'none'})"
        profile.record("jsii first loaded by", where, time.perf_counter() - started)


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    if config.getoption("--inner-loop"):
        left_out = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").rglob("test_*.py") if _module_left_out(p))
        terminalreporter.write_line(
            "inner loop: jsii imports and process starts refused; left to `make test` (they need jsii, Terraform, "
            "an external tool or a process): "
            f"the deselected tests and {len(left_out)} modules whose imports load jsii ({', '.join(left_out) or 'none'})"
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus) -> None:
    if session.config.getoption("--inner-loop") and classify.jsii_loaded():
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print("\nERROR: jsii was loaded during an --inner-loop run (see the failing test)", file=sys.stderr)
    if _REFUSED_PROCESSES:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(f"\nERROR: a test started a process during an --inner-loop run ({_REFUSED_PROCESSES[0]})", file=sys.stderr)
