"""Results of expensive, deterministic steps of the suite kept across runs, keyed by the content
that produced them (issue #16: "cached across runs only when keyed by the content that produced
them, never a stale pass").

A key is a SHA-256 over the bytes of every file in the step's declared input folders and files
(paths and contents, ``__pycache__`` left out) plus any extra strings the step names (a tool's
version, an interpreter). Change one byte of an input and the key changes, so the step runs
again; nothing is invalidated by time. Where a step's reads can be seen, a test holds the key
complete: the tools suite records every repository file it opens on each real run and fails on
one outside its declared inputs (tests/test_azure_tools.py); the stand-in's provider processes
import no other project code (tests/terraform/test_standin_cache.py). Elsewhere the keys are
deliberately broad (a synth is keyed on every package of the app).

Entries live in ``.stamps/test-results/`` (git-ignored; entries older than a week are removed at
the start of a run). A step stores only a complete result: a tool's verdict when the tool ran to
completion and passed, a plan only when clean, a recorded sequence only once every test of its
module passed; a failure always runs again. Nothing is stored in a run during which a source file
of the checkout changed (the code already loaded could differ from the files the key is computed
from). ``pytest --no-result-cache`` (or ``SUITE_RESULT_CACHE=0``) ignores the entries and runs every
step; CI starts from a clean clone, so it always does.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE_ROOT = ROOT / ".stamps" / "test-results"
ENV_SWITCH = "SUITE_RESULT_CACHE"
# When this process started (this module is imported before any project code): a file of the
# checkout changed after it means the code already loaded may differ from the files a key is
# computed from, so nothing more is stored in this run.
STARTED_NS = time.time_ns()
# Not sources: generated, installed or this cache itself.
_NOT_SOURCES = frozenset(
    {
        ".git",
        ".stamps",
        "node_modules",
        "cdktf.out",
        "state",
        "__pycache__",
        ".pytest_cache",
        ".hypothesis",
        "mutants",
        "gitops.out",
        "smoke-results",
    }
)
MAX_AGE_DAYS = 7


def enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "1") != "0"


def _files(inputs: Iterable[Path]) -> list[Path]:
    found: set[Path] = set()
    for item in inputs:
        path = item if item.is_absolute() else ROOT / item
        if path.is_file():
            found.add(path)
        elif path.is_dir():
            found.update(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        # A declared input that does not exist is part of the key too (as absent).
    return sorted(found)


def content_key(inputs: Iterable[Path], extra: Iterable[str] = ()) -> str:
    """24 hex digits over every input file's path and content and the ``extra`` strings."""
    inputs = list(inputs)
    digest = hashlib.sha256()
    for name in sorted(str(p) for p in inputs):
        digest.update(b"input:%d:%s\n" % (len(name), name.encode()))
    for path in _files(inputs):
        relative = path.relative_to(ROOT).as_posix().encode() if path.is_relative_to(ROOT) else str(path).encode()
        content = path.read_bytes()
        digest.update(b"file:%d:%s%d:" % (len(relative), relative, len(content)) + content)
    for value in extra:
        digest.update(b"extra:%d:%s" % (len(value.encode()), value.encode()))
    return digest.hexdigest()[:24]


def tree_digest(directory: Path, ignore: Iterable[str] = ()) -> str:
    """SHA-256 over the relative paths and contents of the files under ``directory`` (for inputs
    outside the repository, e.g. a synthesized stack in the run's temporary folder, whose absolute
    path changes every run). Folders and files named in ``ignore`` are not entered, and symbolic
    links are not followed (a linked virtualenv is keyed by its pins instead)."""
    ignored = set(ignore) | {"__pycache__"}
    digest = hashlib.sha256()
    for path in sorted(_walk(directory, ignored)):
        relative = path.relative_to(directory).as_posix().encode()
        content = path.read_bytes()
        digest.update(b"%d:%s%d:" % (len(relative), relative, len(content)) + content)
    return digest.hexdigest()


def _walk(directory: Path, ignored: set[str]) -> list[Path]:
    found = []
    for folder, subfolders, files in os.walk(directory):
        subfolders[:] = [d for d in subfolders if d not in ignored and not os.path.islink(os.path.join(folder, d))]
        found += [Path(folder, f) for f in files if f not in ignored and not os.path.islink(os.path.join(folder, f))]
    return found


def read_tree(directory: Path) -> dict[str, str]:
    """The text files under ``directory`` by relative path (to store a tool's output folder)."""
    return {path.relative_to(directory).as_posix(): path.read_text() for path in sorted(_walk(directory, set()))}


def write_tree(directory: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def entry(kind: str, key: str) -> Path:
    return CACHE_ROOT / f"{kind}-{key}"


def load(kind: str, key: str, name: str = "result.json"):
    """The stored result, or None (no entry, or the cache is switched off)."""
    if not enabled():
        return None
    path = entry(kind, key) / name
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def checkout_changed_since_start() -> bool:
    """Whether a source file of the checkout was written after this process started."""
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [d for d in subfolders if d not in _NOT_SOURCES and not d.startswith(".venv")]
        for name in files:
            try:
                if os.stat(os.path.join(folder, name)).st_mtime_ns > STARTED_NS:
                    return True
            except OSError:
                continue
    return False


def store(kind: str, key: str, files: dict[str, object]) -> None:
    """Write ``{file name: JSON-able value}`` as the entry, all at once (a directory renamed into
    place: a reader never sees half an entry; a racing writer's identical entry wins). Nothing is
    stored once a source file changed during the run (``checkout_changed_since_start``)."""
    if checkout_changed_since_start():
        return
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{kind}-{key}-", dir=CACHE_ROOT))
    try:
        for name, value in files.items():
            (scratch / name).write_text(json.dumps(value, indent=1))
        target = entry(kind, key)
        if target.exists():
            shutil.rmtree(scratch)
            return
        os.rename(scratch, target)
    except OSError:
        shutil.rmtree(scratch, ignore_errors=True)


def load_or_run(kind: str, key: str, run: Callable[[], object], keep: Callable[[object], bool] = lambda result: True):
    """The stored result under ``key``, else ``run()``'s, stored when ``keep(result)`` (a passing,
    complete result: a failure always runs again)."""
    found = load(kind, key)
    if found is not None:
        return found
    result = run()
    if keep(result):
        store(kind, key, {"result.json": result})
    return result


@contextmanager
def kept_once_passed(
    request, kind: str, key: str, run: Callable[[], object], *, encode=lambda result: result, decode=lambda stored: stored
) -> Iterator[object]:
    """For a module-scoped fixture: the stored result (``decode``d), else ``run()``'s; after the
    module's tests, ``encode(result)`` is stored if they all passed, and any stored one is dropped
    if one failed."""
    stored = load(kind, key)
    result = decode(stored) if stored is not None else run()
    yield result
    if module_failed(request):
        discard(kind, key)
    elif stored is None:
        store(kind, key, {"result.json": encode(result)})


def discard(kind: str, key: str) -> None:
    shutil.rmtree(entry(kind, key), ignore_errors=True)


# Test modules with a failed test in this run (tests/conftest.py records them): a module-scoped
# result they shared is dropped from the cache, so a failure always runs again.
FAILED_MODULES: set[str] = set()


def module_failed(request) -> bool:
    return str(request.node.path) in FAILED_MODULES


def prune(max_age_days: float = MAX_AGE_DAYS) -> None:
    """Remove entries written more than ``max_age_days`` ago (a removed entry just runs again)."""
    limit = time.time() - max_age_days * 86400
    for path in CACHE_ROOT.glob("*") if CACHE_ROOT.exists() else ():
        try:
            if path.is_dir() and path.stat().st_mtime < limit:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue
