"""Derived files the provider processes share, under the repository's git-ignored ``.stamps/``.

Terraform starts a provider process up to nine times per stack, so anything derived from the
vendored files (compiled protocol, serialized schema, per-type schema files) is computed once and
then read. Each entry is a directory named by a content key, built in a scratch directory and
renamed into place: processes racing to build it never see half of it.

The key covers everything that produces an entry: the data it is derived from (``inputs``: the
schema dump, the proto, tool versions) *and* the code that converts it, i.e. the stand-in's own
source files. A converter edited (or broken) therefore misses the cache and rebuilds, instead of
passing on an entry an older converter wrote; and an entry a broken converter wrote is never
found again once the converter is fixed. Under mutmut (``make mutation``), the active mutant is
part of the code too (``MUTANT_UNDER_TEST``): each mutant builds its own entries.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE_ROOT = ROOT / ".stamps" / "terraform-standin"
# The converter: every source file of the stand-in (Python modules and the protocol definition).
# The vendored schema dumps (schemas/) are data, keyed by the callers that read them.
SOURCE_DIR = Path(__file__).resolve().parent
SOURCE_PATTERNS = ("*.py", "proto/*.proto")
# Set by mutmut to the mutant its trampolines activate: the code that runs differs per mutant.
MUTANT_VARIABLE = "MUTANT_UNDER_TEST"

CacheInput = bytes | str | Path


@cache
def _source_digest(source_dir: Path) -> str:
    digest = hashlib.sha256()
    files = sorted({p for pattern in SOURCE_PATTERNS for p in source_dir.glob(pattern)})
    if not files:
        raise FileNotFoundError(f"no stand-in source files under {source_dir}")
    for path in files:
        relative = path.relative_to(source_dir).as_posix().encode()
        content = path.read_bytes()
        digest.update(b"%d:%s%d:" % (len(relative), relative, len(content)) + content)
    return digest.hexdigest()


def code_key() -> str:
    """Digest of the code that builds cache entries (the stand-in's source, and the active mutant)."""
    return hashlib.sha256(f"{_source_digest(SOURCE_DIR)}|{os.environ.get(MUTANT_VARIABLE, '')}".encode()).hexdigest()


def cache_key(inputs: Iterable[CacheInput]) -> str:
    """16 hex digits over the converter's code and every input (a path stands for its content)."""
    digest = hashlib.sha256(code_key().encode())
    for item in inputs:
        data = item.read_bytes() if isinstance(item, Path) else item.encode() if isinstance(item, str) else item
        digest.update(b"%d:" % len(data) + data)  # length-prefixed: ("ab", "c") != ("a", "bc")
    return digest.hexdigest()[:16]


def cached_dir(kind: str, build: Callable[[Path], None], *, inputs: Iterable[CacheInput] = ()) -> Path:
    """``CACHE_ROOT/<kind>-<key>``, calling ``build(directory)`` to fill it if it does not exist
    yet; the key covers ``inputs`` and the stand-in's code (see the module docstring)."""
    name = f"{kind}-{cache_key(inputs)}"
    target = CACHE_ROOT / name
    if target.exists():
        return target
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=CACHE_ROOT))
    try:
        build(scratch)
        os.rename(scratch, target)
    except OSError:
        shutil.rmtree(scratch, ignore_errors=True)
        if not target.exists():
            raise
        # Another process built the same entry first; it is identical.
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return target
