"""Calls the endpoint through this project's private ingress, as a client in the network would.

Studio's Test button and `az ml online-endpoint invoke` use the scoring URI Azure ML reports,
which for a cluster-IP router is the router's cluster IP (unreachable outside the cluster,
AML-Kubernetes issue #282); the ingress URL is what clients use (README "Steps", 5).
"""

from __future__ import annotations

import json

import requests

from tools.smoke.backend import SmokeFailure
from tools.smoke.specs import EXPECTED


def invoke_ingress(
    url: str, key: str, body: bytes, deployment: str, *, session: requests.Session | None = None, verify=True
) -> bytes:
    session = session or requests.Session()
    headers = {
        "Authorization": f"Bearer {key}",
        "Content-Type": "application/json",
        # azureml-fe routes to this deployment whatever the traffic split.
        "azureml-model-deployment": deployment,
    }
    try:
        response = session.post(url, data=body, headers=headers, timeout=60, verify=verify)
    except requests.RequestException as error:
        raise SmokeFailure(f"POST {url} failed: {error} (run from a machine that resolves and reaches the ingress)") from error
    if response.status_code != 200:
        raise SmokeFailure(f"POST {url} answered {response.status_code}: {response.text[:300]}")
    return response.content


def check_answer(answer: bytes) -> None:
    try:
        value = json.loads(answer)
        if isinstance(value, str):  # the inference server may return the JSON-encoded result as a string
            value = json.loads(value)
    except ValueError as error:
        raise SmokeFailure(f"the endpoint did not answer JSON: {answer[:200]!r}") from error
    if value != EXPECTED:
        raise SmokeFailure(f"the endpoint answered {value}, expected {EXPECTED}")
