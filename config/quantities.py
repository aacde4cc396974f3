"""Kubernetes resource quantities, as far as config validation compares them: CPU in
millicores and memory in bytes (the suffixes config/model.py accepts)."""

from __future__ import annotations

from decimal import Decimal

_MEMORY_SUFFIXES = {
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
}


def millicores(cpu: str) -> Decimal:
    return Decimal(cpu[:-1]) if cpu.endswith("m") else Decimal(cpu) * 1000


def memory_bytes(memory: str) -> Decimal:
    for suffix in sorted(_MEMORY_SUFFIXES, key=len, reverse=True):
        if memory.endswith(suffix):
            return Decimal(memory[: -len(suffix)]) * _MEMORY_SUFFIXES[suffix]
    return Decimal(memory)
