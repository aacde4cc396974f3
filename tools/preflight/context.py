"""What every check reads: the config, the subscription, and management clients built on demand.

Clients are created once per (client class, subscription) and shared by the checks, which run in
threads; azure-core's pipelines are safe to share. ``client_kwargs`` reach every client: the
tests pass ``transport=`` (a fake HTTP transport) and nothing else changes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from config.model import AppConfig
from config.naming import Names, derive_names

T = TypeVar("T")
ARM_SCOPE = "https://management.azure.com/.default"


@dataclass
class Context:
    config: AppConfig
    credential: Any  # azure.core.credentials.TokenCredential
    subscription_id: str | None
    client_kwargs: dict[str, Any] = field(default_factory=dict)
    # A pipeline's read-only plan identity is signed in (--identity plan): write permissions it
    # lacks are expected, and reported as warnings for the apply identity.
    plan_identity: bool = False
    names: Names = field(init=False)
    _clients: dict[tuple, Any] = field(default_factory=dict, init=False, repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self.names = derive_names(self.config)

    def client(self, client_class: Callable[..., T], subscription_id: str | None = None, *, tenant_level: bool = False) -> T:
        """A management client for ``subscription_id`` (default: the deployment's); ``tenant_level``
        for clients that take no subscription (SubscriptionClient)."""
        subscription = None if tenant_level else (subscription_id or self.subscription_id)
        key = (client_class, subscription)
        with self._lock:
            if key not in self._clients:
                if tenant_level:
                    self._clients[key] = client_class(self.credential, **self.client_kwargs)
                else:
                    self._clients[key] = client_class(self.credential, subscription, **self.client_kwargs)
            return self._clients[key]

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once for all checks (e.g. the region's resource SKUs, read by two checks)."""
        with self._lock:
            event = self._cache.get(key)
            if event is None:
                event = self._cache[key] = _Once()
                owner = True
            else:
                owner = False
        if owner:
            try:
                event.value = compute()
            except BaseException as error:  # re-raised in every check that asked
                event.error = error
            event.done.set()
        event.done.wait()
        if event.error is not None:
            raise event.error
        return event.value


class _Once:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


def deployment_subscription(config: AppConfig, environ: dict[str, str] | None = None) -> str | None:
    """The spoke subscription: the config's, else ARM_SUBSCRIPTION_ID (what the azurerm provider reads)."""
    environ = os.environ if environ is None else environ
    return config.subscription_id or environ.get("ARM_SUBSCRIPTION_ID") or None
