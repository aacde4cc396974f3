"""`make smoke`: plan, specs (through azure-ai-ml's public loaders), URL building, the run logic
with its clean-up order, the ingress call over a fake HTTP layer, JUnit, and the dry run."""

from __future__ import annotations

import importlib.util
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from azure.ai.ml.entities import Command, KubernetesOnlineDeployment, KubernetesOnlineEndpoint

from config.loader import load_config
from tests.azure_tools.fakes import FakeArm
from tools.smoke import __main__ as smoke_main
from tools.smoke import specs
from tools.smoke.backend import Leftovers, SmokeFailure
from tools.smoke.invoke import invoke_ingress
from tools.smoke.plan import TAG_KEY, PlanError, build_plan, describe, scoring_url
from tools.smoke.run import FAILED, INTERRUPTED, PASSED, SKIPPED, SmokeRun, junit_xml, succeeded

ROOT = Path(__file__).resolve().parents[2]
ALL_CONFIGS = sorted((ROOT / "config").glob("*.yaml")) + sorted((ROOT / "tests/fixtures/configs").glob("*.yaml"))
WITH_WORKSPACE = [p for p in ALL_CONFIGS if load_config(p).azureml.workspace]
WORKSPACE_PATH = ROOT / "tests/fixtures/configs/azureml-workspace.yaml"
WORKSPACE = load_config(WORKSPACE_PATH)
LB_ROUTER = load_config(ROOT / "tests/fixtures/configs/gpu-loadbalancer-router.yaml")
WS_ID = WORKSPACE.azureml.workspace.id


def test_there_are_fixtures_with_a_workspace():
    assert len(WITH_WORKSPACE) >= 2


# ------------------------------------------------------------------ specs, for every fixture with a workspace
@pytest.mark.parametrize("config_path", WITH_WORKSPACE, ids=lambda p: p.stem)
def test_specs_load_with_the_sdk_loaders(config_path):
    config = load_config(config_path)
    plan = build_plan(config, include_gpu=True, run_id="abc123")
    workspace = config.azureml.workspace
    for instance_type in plan.instance_types:
        job = specs.load_job_spec(plan, instance_type)
        assert isinstance(job, Command)
        assert job.compute == workspace.compute_name
        assert job.resources.instance_type == instance_type.name
        assert job.environment == plan.environment and job.environment.startswith("azureml://registries/azureml/")
        assert job.tags[TAG_KEY] == "aks-azureml" and job.tags["smoke-run"] == "abc123"
        assert "model" in job.outputs and "${{outputs.model}}" in job.command
    endpoint = specs.load_endpoint_spec(plan)
    assert isinstance(endpoint, KubernetesOnlineEndpoint)
    assert (endpoint.name, endpoint.compute, endpoint.auth_mode) == (plan.endpoint_name, workspace.compute_name, "key")
    deployment = specs.load_deployment_spec(plan, f"azureml:{plan.model_name}:3")
    assert isinstance(deployment, KubernetesOnlineDeployment)
    assert deployment.endpoint_name == plan.endpoint_name and deployment.instance_count == 1
    assert deployment.instance_type == plan.deployment_instance_type
    assert not next(t for t in plan.instance_types if t.name == deployment.instance_type).gpu
    assert (Path(deployment.code_configuration.code) / deployment.code_configuration.scoring_script).is_file()


def test_the_sdk_refuses_a_registry_environment_for_kubernetes_deployments():
    """Why the endpoint uses the workspace's name of the curated environment."""
    plan = build_plan(
        WORKSPACE, run_id="abc123", deployment_environment="azureml://registries/azureml/environments/sklearn-1.5/labels/latest"
    )
    with pytest.raises(Exception, match="Registry reference for environments is not supported"):
        specs.load_deployment_spec(plan, "azureml:m:1")


def test_endpoint_names_fit_azure_ml_rules():
    for path in WITH_WORKSPACE:
        name = build_plan(load_config(path), run_id="ffffff").endpoint_name
        assert 3 <= len(name) <= 32 and name[0].isalpha() and name.replace("-", "").isalnum()


def test_score_script_serves_the_jobs_model(tmp_path, monkeypatch):
    model_dir = tmp_path / "model" / "INPUT_model"
    model_dir.mkdir(parents=True)
    (model_dir / "model.json").write_text(json.dumps(specs.MODEL))
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(tmp_path / "model"))
    spec = importlib.util.spec_from_file_location("score", specs.SCORE_DIR / "score.py")
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    score.init()
    assert score.run(specs.request_body().decode()) == specs.EXPECTED == [3, 5, 7]


# ------------------------------------------------------------------ plan and URLs
@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("https://aml.example/aml/", "https://aml.example/aml/api/v1/endpoint/ep/score"),
        ("https://aml.example/aml", "https://aml.example/aml/api/v1/endpoint/ep/score"),
        ("http://10.1.2.3/ml/x/", "http://10.1.2.3/ml/x/api/v1/endpoint/ep/score"),
    ],
)
def test_scoring_url(base, expected):
    assert scoring_url(base, "ep") == expected


def test_outputs_win_over_the_config():
    outputs = {
        "scoring_base_url": "https://other.example/aml/",
        "compute_name": "from-state",
        "instance_type_names": ["defaultinstancetype"],
    }
    plan = build_plan(WORKSPACE, outputs, run_id="abc123")
    assert plan.scoring_url == "https://other.example/aml/api/v1/endpoint/smk-amlws-abc123/score"
    assert plan.compute_name == "from-state"
    assert plan.sources["compute_name"] == "outputs" and plan.sources["compute_namespace"] == "config"


def test_gpu_instance_types_only_with_the_flag():
    plan = build_plan(WORKSPACE, run_id="abc123")
    assert [t.name for t in plan.instance_types] == ["defaultinstancetype"] and plan.skipped_gpu == ("gpu-a100",)
    with_gpu = build_plan(WORKSPACE, include_gpu=True, run_id="abc123")
    assert [(t.name, t.gpu) for t in with_gpu.instance_types] == [("defaultinstancetype", False), ("gpu-a100", True)]


def test_load_balancer_router_is_invoked_through_the_sdk():
    lines = describe(build_plan(LB_ROUTER, workspace_id=WS_ID, compute_name="aks-gpu", run_id="abc123"))
    assert any("through the SDK" in line for line in lines)
    assert not any("POST" in line for line in lines)


def test_no_workspace_is_refused_unless_dry_run():
    default = load_config(ROOT / "config/default.yaml")
    with pytest.raises(PlanError, match="--workspace-id"):
        build_plan(default)
    plan = build_plan(default, placeholders=True, run_id="abc123")
    assert "--workspace-id" in plan.workspace_name
    attached = build_plan(default, workspace_id=WS_ID, compute_name="byhand", run_id="abc123")
    assert (attached.workspace_name, attached.compute_name) == ("mlw-prod", "byhand")
    assert [t.name for t in attached.instance_types] == ["defaultinstancetype"]


# ------------------------------------------------------------------ run logic
class FakeBackend:
    def __init__(
        self, *, fail: str | None = None, interrupt: str | None = None, leftovers: Leftovers | None = None, answer=b"[3, 5, 7]"
    ):
        self.calls: list[tuple] = []
        self.fail, self.interrupt = fail, interrupt
        self._leftovers = leftovers or Leftovers()
        self.answer = answer
        self.jobs = 0

    def _call(self, name, *args):
        self.calls.append((name, *args))
        if self.interrupt == name:
            raise KeyboardInterrupt
        if self.fail == name:
            raise SmokeFailure(f"{name} broke")

    def leftovers(self, plan):
        self._call("leftovers")
        return self._leftovers

    def submit_job(self, job):
        self.jobs += 1
        self._call("submit_job", job.resources.instance_type)
        return f"job{self.jobs}"

    def wait_job(self, name):
        self._call("wait_job", name)

    def register_model(self, plan, job_name):
        self._call("register_model", job_name)
        return f"azureml:{plan.model_name}:7"

    def create_endpoint(self, endpoint):
        self._call("create_endpoint", endpoint.name)

    def create_deployment(self, plan, deployment):
        self._call("create_deployment", deployment.name, deployment.model)

    def endpoint_key(self, name):
        self._call("endpoint_key", name)
        return "key-123"

    def invoke_sdk(self, plan, request):
        self._call("invoke_sdk", plan.endpoint_name)
        return self.answer

    def delete_endpoint(self, name):
        self._call("delete_endpoint", name)

    def archive_model(self, name, version):
        self._call("archive_model", name, version)

    def archive_job(self, name):
        self._call("archive_job", name)


def ingress_fake(answer: object = (3, 5, 7), status: int = 200) -> FakeArm:
    fake = FakeArm()
    fake.add("POST", r"/aml/api/v1/endpoint/[^/]+/score", list(answer) if isinstance(answer, tuple) else answer, status=status)
    return fake


def run(plan, backend, fake: FakeArm):
    session = fake.session()
    return SmokeRun(plan, backend, invoke_ingress=lambda u, k, b, d: invoke_ingress(u, k, b, d, session=session)).run()


def names(results):
    return [(r.name, r.status) for r in results]


def test_successful_run_and_clean_up_order():
    plan = build_plan(WORKSPACE, include_gpu=True, run_id="abc123")
    backend, fake = FakeBackend(), ingress_fake()
    results = run(plan, backend, fake)
    assert succeeded(results), names(results)
    assert [c[0] for c in backend.calls] == [
        "leftovers",
        "submit_job",
        "wait_job",
        "submit_job",
        "wait_job",
        "register_model",
        "create_endpoint",
        "create_deployment",
        "endpoint_key",
        # clean-up: last created first
        "delete_endpoint",
        "archive_model",
        "archive_job",
        "archive_job",
    ]
    assert backend.calls[5] == ("register_model", "job1")
    assert backend.calls[7] == ("create_deployment", "smoke", "smoke-amlws:7")
    assert backend.calls[-2:] == [("archive_job", "job2"), ("archive_job", "job1")]
    # The ingress call: the URL from the plan, the endpoint key, the deployment header, the request.
    (method, url), (headers, body) = fake.requests[0], fake.bodies[0]
    assert (method, url) == ("POST", "https://aml.ws.contoso.internal/aml/api/v1/endpoint/smk-amlws-abc123/score")
    assert headers["Authorization"] == "Bearer key-123" and headers["azureml-model-deployment"] == "smoke"
    assert json.loads(body) == specs.REQUEST


def test_failure_skips_the_rest_and_cleans_up_what_exists():
    plan = build_plan(WORKSPACE, run_id="abc123")
    backend = FakeBackend(fail="create_deployment")
    results = run(plan, backend, ingress_fake())
    assert names(results) == [
        ("remove leftovers of earlier runs", PASSED),
        ("command job on defaultinstancetype", PASSED),
        ("register the model", PASSED),
        ("create endpoint smk-amlws-abc123", PASSED),
        ("create deployment smoke", FAILED),
        ("invoke the endpoint", SKIPPED),
        ("clean up: delete endpoint smk-amlws-abc123", PASSED),
        ("clean up: archive model smoke-amlws:7", PASSED),
        ("clean up: archive job job1", PASSED),
    ]
    assert results[4].message == "create_deployment broke"
    assert not succeeded(results)


def test_a_failed_endpoint_create_is_still_deleted():
    plan = build_plan(WORKSPACE, run_id="abc123")
    backend = FakeBackend(fail="create_endpoint")
    run(plan, backend, ingress_fake())
    assert ("delete_endpoint", "smk-amlws-abc123") in backend.calls


def test_ctrl_c_cleans_up():
    plan = build_plan(WORKSPACE, run_id="abc123")
    backend = FakeBackend(interrupt="create_endpoint")
    results = run(plan, backend, ingress_fake())
    statuses = dict(names(results))
    assert statuses["create endpoint smk-amlws-abc123"] == INTERRUPTED
    assert statuses["create deployment smoke"] == SKIPPED
    assert [c[0] for c in backend.calls][-3:] == ["delete_endpoint", "archive_model", "archive_job"]


def test_ctrl_c_while_a_job_runs_still_archives_it():
    plan = build_plan(WORKSPACE, run_id="abc123")
    backend = FakeBackend(interrupt="wait_job")
    results = run(plan, backend, ingress_fake())
    assert dict(names(results))["command job on defaultinstancetype"] == INTERRUPTED
    assert backend.calls[-1] == ("archive_job", "job1")
    assert "create_endpoint" not in [c[0] for c in backend.calls]


def test_leftovers_are_removed_first():
    plan = build_plan(WORKSPACE, run_id="abc123")
    leftovers = Leftovers(endpoints=["smk-amlws-old"], jobs=["oldjob"], models=[("smoke-amlws", "2")])
    backend = FakeBackend(leftovers=leftovers)
    run(plan, backend, ingress_fake())
    assert backend.calls[1:4] == [
        ("delete_endpoint", "smk-amlws-old"),
        ("archive_model", "smoke-amlws", "2"),
        ("archive_job", "oldjob"),
    ]


def test_wrong_answer_or_http_error_fails_the_invoke_step():
    plan = build_plan(WORKSPACE, run_id="abc123")
    results = run(plan, FakeBackend(), ingress_fake(answer=(0, 0, 0)))
    invoke = next(r for r in results if r.name == "invoke the endpoint")
    assert invoke.status == FAILED and "expected [3, 5, 7]" in invoke.message
    results = run(plan, FakeBackend(), ingress_fake(answer={"error": "no"}, status=502))
    invoke = next(r for r in results if r.name == "invoke the endpoint")
    assert invoke.status == FAILED and "answered 502" in invoke.message


def test_load_balancer_router_uses_the_sdk_not_the_ingress():
    plan = build_plan(LB_ROUTER, workspace_id=WS_ID, compute_name="aks-gpu", run_id="abc123")
    backend, fake = FakeBackend(answer=b'"[3, 5, 7]"'), ingress_fake()
    results = run(plan, backend, fake)
    assert succeeded(results) and ("invoke_sdk", "smk-amlgpu-abc123") in backend.calls and not fake.requests


def test_junit_report():
    plan = build_plan(WORKSPACE, run_id="abc123")
    results = run(plan, FakeBackend(fail="wait_job"), ingress_fake())
    suite = ElementTree.fromstring(junit_xml(results, plan))
    assert suite.get("name") == "smoke.amlws" and int(suite.get("tests")) == len(results)
    assert suite.get("failures") == "1" and int(suite.get("skipped")) == 4
    failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["command job on defaultinstancetype"]


# ------------------------------------------------------------------ command line
def test_dry_run_prints_the_plan_without_azure(capsys):
    status = smoke_main.main(["--config", str(WORKSPACE_PATH), "--dry-run"], outputs={})
    out = capsys.readouterr().out
    assert status == 0
    assert "Kubernetes online endpoint smk-amlws-" in out and "POST https://aml.ws.contoso.internal/aml/api/v1/endpoint/" in out


def test_full_run_through_main_writes_junit(tmp_path, capsys):
    junit = tmp_path / "junit.xml"
    fake = ingress_fake()
    status = smoke_main.main(
        ["--config", str(WORKSPACE_PATH), "--junit", str(junit)], backend=FakeBackend(), session=fake.session(), outputs={}
    )
    assert status == 0, capsys.readouterr().out
    assert ElementTree.parse(junit).getroot().get("failures") == "0"
    assert "Smoke test amlws" in capsys.readouterr().out
