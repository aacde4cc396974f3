"""Derived files the provider processes share, under the repository's git-ignored ``.stamps/``.

Terraform starts a provider process up to nine times per stack, so anything derived from the
vendored files (compiled protocol, serialized schema, per-type schema files) is computed once and
then read. Each entry is a directory named by a content key, built in a scratch directory and
renamed into place: processes racing to build it never see half of it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE_ROOT = ROOT / ".stamps" / "terraform-standin"


def cached_dir(name: str, build: Callable[[Path], None]) -> Path:
    """``CACHE_ROOT/name``, calling ``build(directory)`` to fill it if it does not exist yet."""
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
