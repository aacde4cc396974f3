"""The Azure ML calls of a smoke run (azure-ai-ml's MLClient), behind a small interface that the
run logic uses and the tests replace."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from tools.smoke.plan import TAG_KEY, TAG_VALUE, SmokePlan

TERMINAL = {"Completed": True, "Failed": False, "Canceled": False, "NotResponding": False}


class SmokeFailure(RuntimeError):
    """A step failed; the message is what the user sees."""


@dataclass
class Leftovers:
    endpoints: list[str] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)
    models: list[tuple[str, str]] = field(default_factory=list)  # (name, version)

    def __bool__(self) -> bool:
        return bool(self.endpoints or self.jobs or self.models)


class Backend(Protocol):
    def leftovers(self, plan: SmokePlan) -> Leftovers: ...
    def submit_job(self, job) -> str: ...  # returns the job name
    def wait_job(self, name: str) -> None: ...  # until it completes; SmokeFailure otherwise
    def register_model(self, plan: SmokePlan, job_name: str) -> str: ...  # "azureml:<name>:<version>"
    def create_endpoint(self, endpoint) -> None: ...
    def create_deployment(self, plan: SmokePlan, deployment) -> None: ...  # and route all traffic to it
    def endpoint_key(self, endpoint_name: str) -> str: ...
    def invoke_sdk(self, plan: SmokePlan, request: bytes) -> bytes: ...
    def delete_endpoint(self, name: str) -> None: ...
    def archive_model(self, name: str, version: str) -> None: ...
    def archive_job(self, name: str) -> None: ...  # cancels it first if it still runs


def is_ours(tags: dict | None, plan: SmokePlan) -> bool:
    tags = tags or {}
    return tags.get(TAG_KEY) == TAG_VALUE and tags.get("deployment") == plan.deployment


class AzureMLBackend:
    """MLClient for the workspace of the plan; waits with a timeout per long-running step."""

    def __init__(self, plan: SmokePlan, credential, *, job_timeout: float = 3600, poll: float = 15, **client_kwargs) -> None:
        from azure.ai.ml import MLClient

        self.client = MLClient(credential, plan.subscription_id, plan.resource_group, plan.workspace_name, **client_kwargs)
        self.job_timeout = job_timeout
        self.poll = poll
        self.studio_urls: dict[str, str] = {}

    def leftovers(self, plan: SmokePlan) -> Leftovers:
        found = Leftovers()
        found.endpoints = [e.name for e in self.client.online_endpoints.list() if is_ours(e.tags, plan)]
        # Active (not archived) jobs of earlier runs, finished or not.
        found.jobs = [j.name for j in self.client.jobs.list() if is_ours(j.tags, plan)]
        found.models = [(m.name, m.version) for m in self.client.models.list(name=plan.model_name) if is_ours(m.tags, plan)]
        return found

    def submit_job(self, job) -> str:
        submitted = self.client.jobs.create_or_update(job)
        self.studio_urls[submitted.name] = submitted.studio_url
        return submitted.name

    def wait_job(self, name: str) -> None:
        deadline = time.monotonic() + self.job_timeout
        status = self.client.jobs.get(name).status
        while status not in TERMINAL:
            if time.monotonic() > deadline:
                raise SmokeFailure(f"job {name} still {getattr(status, 'value', status)} after {self.job_timeout:.0f}s")
            time.sleep(self.poll)
            status = self.client.jobs.get(name).status
        if not TERMINAL[status]:
            where = self.studio_urls.get(name, "the studio")
            raise SmokeFailure(f"job {name} ended {getattr(status, 'value', status)}: see {where}")

    def register_model(self, plan: SmokePlan, job_name: str) -> str:
        from azure.ai.ml.constants import AssetTypes
        from azure.ai.ml.entities import Model

        model = Model(
            name=plan.model_name,
            path=f"azureml://jobs/{job_name}/outputs/model",
            type=AssetTypes.CUSTOM_MODEL,
            description="smoke test model (y = 2x + 1); archived at the end of the run",
            tags=plan.tags,
        )
        registered = self.client.models.create_or_update(model)
        return f"azureml:{registered.name}:{registered.version}"

    def create_endpoint(self, endpoint) -> None:
        self.client.online_endpoints.begin_create_or_update(endpoint).result()

    def create_deployment(self, plan: SmokePlan, deployment) -> None:
        self.client.online_deployments.begin_create_or_update(deployment).result()
        endpoint = self.client.online_endpoints.get(plan.endpoint_name)
        endpoint.traffic = {plan.deployment_name: 100}
        self.client.online_endpoints.begin_create_or_update(endpoint).result()

    def endpoint_key(self, endpoint_name: str) -> str:
        return self.client.online_endpoints.get_keys(endpoint_name).primary_key

    def invoke_sdk(self, plan: SmokePlan, request: bytes) -> bytes:
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "request.json"
            path.write_bytes(request)
            answer = self.client.online_endpoints.invoke(
                endpoint_name=plan.endpoint_name, deployment_name=plan.deployment_name, request_file=str(path)
            )
        return answer.encode() if isinstance(answer, str) else answer

    def delete_endpoint(self, name: str) -> None:
        self.client.online_endpoints.begin_delete(name=name).result()

    def archive_model(self, name: str, version: str) -> None:
        self.client.models.archive(name=name, version=version)

    def archive_job(self, name: str) -> None:
        if self.client.jobs.get(name).status not in TERMINAL:
            self.client.jobs.begin_cancel(name).result()
        self.client.jobs.archive(name=name)
