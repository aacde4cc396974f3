"""The job, endpoint and deployment of a smoke run, as Azure ML YAML documents (the same schema
`az ml ... create -f` reads), loaded into SDK entities with azure-ai-ml's public loaders."""

from __future__ import annotations

import io
import json
from pathlib import Path

import yaml

from tools.smoke.plan import InstanceType, SmokePlan

SCORE_DIR = Path(__file__).with_name("score")
MODEL = {"slope": 2, "intercept": 1}
REQUEST = {"data": [1, 2, 3]}
EXPECTED = [MODEL["slope"] * x + MODEL["intercept"] for x in REQUEST["data"]]
# Writes the tiny model the endpoint serves; needs nothing but Python (no code upload for the job).
WRITE_MODEL = (
    'python -c "import json, os, sys; d = sys.argv[1]; os.makedirs(d, exist_ok=True);'
    f" json.dump({MODEL!r}, open(os.path.join(d, 'model.json'), 'w'))\" ${{{{outputs.model}}}}"
)
SCHEMAS = "https://azuremlschemas.azureedge.net/latest"


def job_spec(plan: SmokePlan, instance_type: InstanceType) -> dict:
    return {
        "$schema": f"{SCHEMAS}/commandJob.schema.json",
        "type": "command",
        "display_name": f"smoke {plan.deployment} {instance_type.name}",
        "experiment_name": f"smoke-{plan.deployment}",
        "command": WRITE_MODEL,
        "environment": plan.environment,
        "compute": f"azureml:{plan.compute_name}",
        "resources": {"instance_type": instance_type.name},
        "outputs": {"model": {"type": "uri_folder"}},
        "tags": plan.tags,
    }


def endpoint_spec(plan: SmokePlan) -> dict:
    return {
        "$schema": f"{SCHEMAS}/kubernetesOnlineEndpoint.schema.json",
        "name": plan.endpoint_name,
        "compute": f"azureml:{plan.compute_name}",
        "auth_mode": "key",
        "description": f"smoke test of {plan.deployment}, run {plan.run_id}; deleted at the end of the run",
        "tags": plan.tags,
    }


def deployment_spec(plan: SmokePlan, model: str) -> dict:
    """``model``: the registered model, `azureml:<name>:<version>`."""
    return {
        "$schema": f"{SCHEMAS}/kubernetesOnlineDeployment.schema.json",
        "name": plan.deployment_name,
        "type": "kubernetes",
        "endpoint_name": plan.endpoint_name,
        "model": model,
        "code_configuration": {"code": str(SCORE_DIR), "scoring_script": "score.py"},
        "environment": plan.deployment_environment,
        "instance_type": plan.deployment_instance_type,
        "instance_count": 1,
        "tags": plan.tags,
    }


def _stream(document: dict) -> io.StringIO:
    return io.StringIO(yaml.safe_dump(document, sort_keys=False))


def load_job_spec(plan: SmokePlan, instance_type: InstanceType):
    from azure.ai.ml import load_job

    return load_job(_stream(job_spec(plan, instance_type)))


def load_endpoint_spec(plan: SmokePlan):
    from azure.ai.ml import load_online_endpoint

    return load_online_endpoint(_stream(endpoint_spec(plan)))


def load_deployment_spec(plan: SmokePlan, model: str):
    from azure.ai.ml import load_online_deployment

    return load_online_deployment(_stream(deployment_spec(plan, model)), relative_origin=str(SCORE_DIR.parent))


def request_body() -> bytes:
    return json.dumps(REQUEST).encode()
