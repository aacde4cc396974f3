"""The smoke run: steps in order, clean-up in reverse whatever happens (failure, Ctrl-C), a
summary with each step's time and a JUnit XML report."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tools.smoke import specs
from tools.smoke.backend import Backend, SmokeFailure
from tools.smoke.invoke import check_answer
from tools.smoke.plan import SmokePlan

PASSED, FAILED, SKIPPED, INTERRUPTED = "passed", "failed", "skipped", "interrupted"


@dataclass
class StepResult:
    name: str
    status: str
    seconds: float = 0.0
    message: str = ""


class Interrupted(Exception):
    pass


class SmokeRun:
    """``invoke_ingress(url, key, body, deployment) -> bytes`` calls the private ingress."""

    def __init__(
        self,
        plan: SmokePlan,
        backend: Backend,
        *,
        invoke_ingress: Callable[[str, str, bytes, str], bytes],
        on_step: Callable[[str, str], None] = lambda _name, _event: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.plan = plan
        self.backend = backend
        self.invoke_ingress = invoke_ingress
        self.on_step = on_step
        self.clock = clock
        self.results: list[StepResult] = []
        # Clean-up actions, pushed before the object they remove is created (a create that fails
        # half-way still leaves an object); run last-in first-out.
        self.cleanup: list[tuple[str, Callable[[], None]]] = []
        self.stopped: str | None = None

    # ------------------------------------------------------------------ steps
    def step(self, name: str, action: Callable[[], object]) -> object:
        if self.stopped:
            self.results.append(StepResult(name, SKIPPED, 0.0, f"not run: {self.stopped}"))
            return None
        self.on_step(name, "start")
        started = self.clock()
        try:
            value = action()
        except KeyboardInterrupt:
            self.results.append(StepResult(name, INTERRUPTED, self.clock() - started, "interrupted (Ctrl-C)"))
            self.stopped = "interrupted"
            self.on_step(name, INTERRUPTED)
            return None
        except Exception as error:  # every failure becomes the step's result; clean-up still runs
            message = str(error) if isinstance(error, SmokeFailure) else f"{type(error).__name__}: {error}"
            self.results.append(StepResult(name, FAILED, self.clock() - started, message))
            self.stopped = f"{name} failed"
            self.on_step(name, FAILED)
            return None
        self.results.append(StepResult(name, PASSED, self.clock() - started))
        self.on_step(name, PASSED)
        return value

    def run(self) -> list[StepResult]:
        plan, backend = self.plan, self.backend
        try:
            self.step("remove leftovers of earlier runs", self._remove_leftovers)
            job_names: list[str] = []
            for instance_type in plan.instance_types:
                job = specs.load_job_spec(plan, instance_type)
                name = self.step(f"command job on {instance_type.name}", lambda job=job: self._job(job))
                if name:
                    job_names.append(str(name))
            model = self.step("register the model", lambda: self._model(job_names[0]))
            self.step(f"create endpoint {plan.endpoint_name}", self._endpoint)
            self.step(
                f"create deployment {plan.deployment_name}",
                lambda: backend.create_deployment(plan, specs.load_deployment_spec(plan, str(model))),
            )
            self.step("invoke the endpoint", self._invoke)
        except KeyboardInterrupt:  # between steps
            self.stopped = "interrupted"
        finally:
            self._clean_up()
        return self.results

    # ------------------------------------------------------------------ actions
    def _remove_leftovers(self) -> None:
        found = self.backend.leftovers(self.plan)
        for name in found.endpoints:
            self.backend.delete_endpoint(name)
        for name, version in found.models:
            self.backend.archive_model(name, version)
        for name in found.jobs:
            self.backend.archive_job(name)

    def _job(self, job) -> str:
        name = self.backend.submit_job(job)
        # Pushed before the wait: an interrupted wait still cancels and archives the job.
        self.cleanup.append((f"archive job {name}", lambda: self.backend.archive_job(name)))
        self.backend.wait_job(name)
        return name

    def _model(self, job_name: str) -> str:
        model = self.backend.register_model(self.plan, job_name)
        _, name, version = model.split(":")
        self.cleanup.append((f"archive model {name}:{version}", lambda: self.backend.archive_model(name, version)))
        return model

    def _endpoint(self) -> None:
        name = self.plan.endpoint_name
        self.cleanup.append((f"delete endpoint {name}", lambda: self.backend.delete_endpoint(name)))
        self.backend.create_endpoint(specs.load_endpoint_spec(self.plan))

    def _invoke(self) -> None:
        plan, body = self.plan, specs.request_body()
        if plan.router == "loadBalancer":
            answer = self.backend.invoke_sdk(plan, body)
        else:
            if not plan.scoring_url:
                raise SmokeFailure("no scoring URL: the config has no ingress.host or load_balancer_ip; pass --scoring-base-url")
            key = self.backend.endpoint_key(plan.endpoint_name)
            answer = self.invoke_ingress(plan.scoring_url, key, body, plan.deployment_name)
        check_answer(answer)

    def _clean_up(self) -> None:
        while self.cleanup:
            name, action = self.cleanup.pop()
            self.on_step(name, "start")
            started = self.clock()
            try:
                action()
            except Exception as error:
                self.results.append(StepResult(f"clean up: {name}", FAILED, self.clock() - started, str(error)))
                self.on_step(name, FAILED)
            else:
                self.results.append(StepResult(f"clean up: {name}", PASSED, self.clock() - started))
                self.on_step(name, PASSED)


def succeeded(results: list[StepResult]) -> bool:
    return bool(results) and all(r.status in (PASSED,) for r in results)


def junit_xml(results: list[StepResult], plan: SmokePlan) -> bytes:
    suite = ElementTree.Element(
        "testsuite",
        name=f"smoke.{plan.deployment}",
        tests=str(len(results)),
        failures=str(sum(r.status in (FAILED, INTERRUPTED) for r in results)),
        skipped=str(sum(r.status == SKIPPED for r in results)),
        time=f"{sum(r.seconds for r in results):.3f}",
    )
    for result in results:
        case = ElementTree.SubElement(
            suite, "testcase", classname=f"smoke.{plan.deployment}", name=result.name, time=f"{result.seconds:.3f}"
        )
        if result.status in (FAILED, INTERRUPTED):
            ElementTree.SubElement(case, "failure", message=result.message).text = result.message
        elif result.status == SKIPPED:
            ElementTree.SubElement(case, "skipped", message=result.message)
    return ElementTree.tostring(suite, encoding="utf-8", xml_declaration=True)


def write_junit(results: list[StepResult], plan: SmokePlan, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(junit_xml(results, plan))
