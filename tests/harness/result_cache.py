"""Results of expensive, deterministic steps of the suite kept across runs, keyed by the content
that produced them (issue #16: "cached across runs only when keyed by the content that produced
them, never a stale pass").

A key is a SHA-256 over the bytes of every file in the step's declared input folders and files
(paths and contents, ``__pycache__`` left out) plus any extra strings the step names (a tool's
version, an interpreter). Change one byte of an input and the key changes, so the step runs
again; nothing is ever invalidated by time. Each step that uses the cache also checks, whenever it
really runs, that what it read lies within its declared inputs (see tests/test_azure_tools.py),
so an input that a later change adds cannot silently stay out of the key.

Entries live in ``.stamps/test-results/`` (git-ignored). Only complete, passing results are
stored: a failure always runs again. ``pytest --no-result-cache`` (or ``SUITE_RESULT_CACHE=0``)
ignores the entries and runs every step; CI starts from a clean clone, so it always does.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE_ROOT = ROOT / ".stamps" / "test-results"
ENV_SWITCH = "SUITE_RESULT_CACHE"


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


def store(kind: str, key: str, files: dict[str, object]) -> None:
    """Write ``{file name: JSON-able value}`` as the entry, all at once (a directory renamed into
    place: a reader never sees half an entry; a racing writer's identical entry wins)."""
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


def discard(kind: str, key: str) -> None:
    shutil.rmtree(entry(kind, key), ignore_errors=True)


# Test modules with a failed test in this run (tests/conftest.py records them): a module-scoped
# result they shared is dropped from the cache, so a failure always runs again.
FAILED_MODULES: set[str] = set()


def module_failed(request) -> bool:
    return str(request.node.path) in FAILED_MODULES
