"""The pieces every cross-field rule shares: a Problem, the MISSING value, is_valid.

Each rule appends a :class:`Problem` instead of raising, so one run reports every problem.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from config.lenient import InvalidValue

# Namespaces owned by Kubernetes, AKS add-ons or the Azure ML extension.
RESERVED_NAMESPACES = ("default", "azureml", "gatekeeper-system", "calico-system", "tigera-operator", "flux-system")
RESERVED_NAMESPACE_PREFIX = "kube-"


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    value: Any

    def render(self) -> str:
        return f"{self.path}: {self.message} (got {format_value(self.value)})"


def format_value(value: Any) -> str:
    if isinstance(value, (IPv4Network, IPv4Address)):
        value = str(value)
    if isinstance(value, list):
        value = [str(v) if isinstance(v, (IPv4Network, IPv4Address)) else v for v in value]
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 120 else text[:117] + "..."


class _Missing:
    """The value of a required key that is absent; renders as "(got nothing)"."""

    def __str__(self) -> str:
        return "nothing"


MISSING = _Missing()


def is_valid(value: Any) -> bool:
    """False for a field that failed its own validation (see config/lenient.py)."""
    return not isinstance(value, InvalidValue)


Rule = Callable[[Any], Iterator[Problem]]


def when_set(*paths: str) -> Callable[[Rule], Rule]:
    """A rule about sections that only a created cluster has (``network``, ``cluster.node_pools``,
    ...): it runs when each of them is set. Whether they must be set is the concern of
    config/checks/existing_cluster.py, which says so once."""

    def decorate(rule: Rule) -> Rule:
        @functools.wraps(rule)
        def guarded(config: Any) -> Iterator[Problem]:
            for path in paths:
                node = config
                for part in path.split("."):
                    node = getattr(node, part)
                if node is None:
                    return
            yield from rule(config)

        return guarded

    return decorate
