"""The pieces every cross-field rule shares: a Problem, the MISSING value, is_valid.

Each rule appends a :class:`Problem` instead of raising, so one run reports every problem.
"""

from __future__ import annotations

import functools
import re
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
        return f"{self.path}: {self.message} (got {format_value(self.value, self.path)})"


REDACTED = "<redacted>"
# A key whose value is a credential, in a field path or in a "key: value" snippet of YAML.
# The key must end in the credential word: "token" and "https_key_base64" are secret, "path" and
# "secret_rotation_interval" are not.
_SECRET_KEY = r"[\w-]*?(?:token|password|passwd|secret|credentials?|private[_-]?key|ssh[_-]?key|api[_-]?key|_pat|key_base64)"
_SECRET_PATH = re.compile(rf"(^|\.){_SECRET_KEY}( \(key\))?$", re.IGNORECASE)
_SECRET_ASSIGNMENT = re.compile(rf"\b({_SECRET_KEY})(['\"]?\s*[:=]\s*['\"]?)([^\s,}}\]'\"]+)", re.IGNORECASE)
# URL user information: everything before the '@' of http(s) URLs (a token can be the user name),
# and any user:password pair.
_URL_USERINFO = re.compile(r"\b(https?://)[^/@\s]+@|\b([a-z][a-z0-9+.-]*://)[^/@\s:]*:[^/@\s]*@", re.IGNORECASE)


def redact(text: str) -> str:
    """``text`` with every credential it may carry replaced: URL user information and the values of
    secret-looking keys. Error messages echo what the user wrote; they must never echo a secret."""
    text = _URL_USERINFO.sub(lambda m: f"{m.group(1) or m.group(2)}{REDACTED}@", text)
    return _SECRET_ASSIGNMENT.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)


def format_value(value: Any, path: str = "") -> str:
    if isinstance(value, (IPv4Network, IPv4Address)):
        value = str(value)
    if isinstance(value, list):
        value = [str(v) if isinstance(v, (IPv4Network, IPv4Address)) else v for v in value]
    if path and _SECRET_PATH.search(path) and value is not MISSING:
        return repr(REDACTED)
    text = redact(repr(value) if isinstance(value, str) else str(value))
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
