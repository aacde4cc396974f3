"""'Did you mean' suggestions for names the user typed (regions, VM sizes, config keys)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(value: str, candidates: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The candidate nearest to ``value`` (case-insensitive), or None when nothing is close."""
    by_lower = {c.lower(): c for c in candidates}
    match = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=cutoff)
    return by_lower[match[0]] if match else None


def did_you_mean(value: str, candidates: Iterable[str]) -> str:
    """ "; did you mean 'x'?" or the empty string."""
    match = closest(value, candidates)
    return f"; did you mean '{match}'?" if match else ""
