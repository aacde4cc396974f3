"""A fake credential and a fake HTTP layer for the Azure SDK clients: no network, no real sign-in.

Only the bottom of the stack is replaced: the clients, their pipelines (auth policy, retries,
error mapping, paging, deserialization into the SDK's own models) and azure-core's
RequestsTransport run for real; a requests adapter answers each request from a route table.
"""

from __future__ import annotations

import base64
import io
import json
import re
import threading
import time
from dataclasses import dataclass, field

import requests
from azure.core.credentials import AccessToken
from azure.core.pipeline.transport import RequestsTransport
from requests.adapters import HTTPAdapter
from urllib3.response import HTTPResponse


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class FakeCredential:
    """Implements TokenCredential.get_token with an unsigned, JWT-shaped dummy (never a real token)."""

    def __init__(self, claims: dict | None = None, error: Exception | None = None) -> None:
        self.claims = claims or {
            "oid": "00000000-0000-0000-0000-0000000000aa",
            "tid": "22222222-2222-2222-2222-222222222222",
            "upn": "deployer@example.test",
        }
        self.error = error
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **_kwargs) -> AccessToken:
        self.scopes.append(scopes)
        if self.error:
            raise self.error
        return AccessToken(f"{_b64({'alg': 'none'})}.{_b64(self.claims)}.dummy", int(time.time()) + 3600)


@dataclass
class Route:
    method: str
    path: str  # regex matched against the URL path (case-insensitive), fully
    body: object = None
    status: int = 200
    query: dict[str, str] = field(default_factory=dict)  # required query parameters (substring match)


def arm_error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


class _Adapter(HTTPAdapter):
    """requests' own adapter, except that the urllib3 response comes from the fake instead of a socket."""

    def __init__(self, fake: FakeArm) -> None:
        super().__init__()
        self.fake = fake

    def send(self, request, **_kwargs):
        status, body = self.fake.answer(request)
        data = b"" if body is None else json.dumps(body).encode()
        raw = HTTPResponse(
            body=io.BytesIO(data),
            headers={"Content-Type": "application/json; charset=utf-8", "Content-Length": str(len(data))},
            status=status,
            reason="OK" if status < 400 else "Error",
            preload_content=False,
            decode_content=False,
        )
        return self.build_response(request, raw)


class FakeArm:
    """Answers ARM requests from routes; records every request; optional latency per request."""

    def __init__(self, routes: list[Route] | None = None, *, latency: float = 0.0) -> None:
        self.routes = list(routes or [])
        self.latency = latency
        self.requests: list[tuple[str, str]] = []
        self.bodies: list[tuple[dict, object]] = []
        self.unmatched: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    def add(self, method: str, path: str, body: object = None, status: int = 200, **query: str) -> None:
        self.routes.insert(0, Route(method, path, body, status, query))

    def session(self) -> requests.Session:
        """A requests session whose HTTP(S) answers come from this fake."""
        session = requests.Session()
        session.mount("https://", _Adapter(self))
        session.mount("http://", _Adapter(self))
        return session

    def transport(self) -> RequestsTransport:
        return RequestsTransport(session=self.session(), session_owner=False)

    def client_kwargs(self) -> dict:
        # One transport per client (each client closes its own); no retries of deliberate failures.
        return {"transport": self.transport(), "retry_total": 0}

    def answer(self, request) -> tuple[int, object]:
        url = requests.utils.urlparse(request.url)
        query = requests.utils.unquote(url.query)
        with self._lock:
            self.requests.append((request.method, request.url))
            self.bodies.append((request.headers, request.body))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency:
                time.sleep(self.latency)
            for route in self.routes:
                if (
                    route.method == request.method
                    and re.fullmatch(route.path, url.path, re.IGNORECASE)
                    and all(f"{k}={v}" in query for k, v in route.query.items())
                ):
                    return route.status, route.body
            with self._lock:
                self.unmatched.append(f"{request.method} {url.path}?{query}")
            return 404, arm_error("NoRouteInTest", f"no fake route for {request.method} {url.path}")
        finally:
            with self._lock:
                self.in_flight -= 1
