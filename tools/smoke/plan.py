"""What a smoke run does, from the config and the stacks' outputs: no Azure call here.

Names carry a run id so that two runs never collide; every object gets the same tags, so a later
run finds and removes what an interrupted one left behind.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from config.azure_ids import parse_resource_id
from config.cluster_mode import node_pools
from config.model import AppConfig
from stacks import outputs as stack_outputs

TAG_KEY = "smoke-test"
TAG_VALUE = "aks-azureml"
# Microsoft's curated scikit-learn environment (Learn, "Tutorial: train a model", and
# "curated environments"): a prebuilt image from the azureml registry, so nothing is built
# (a private registry may not allow a build). It has Python, numpy and the inference server.
DEFAULT_ENVIRONMENT = "azureml://registries/azureml/environments/sklearn-1.5/labels/latest"
# azure-ai-ml refuses a registry reference for a Kubernetes deployment ("Registry reference for
# environments is not supported for K8SDeployment", KubernetesOnlineDeploymentSchema): the same
# curated environment as every workspace lists it (curated environments carry the AzureML- prefix).
DEFAULT_DEPLOYMENT_ENVIRONMENT = "azureml:AzureML-sklearn-1.5@latest"


@dataclass(frozen=True)
class InstanceType:
    name: str
    gpu: bool


@dataclass(frozen=True)
class SmokePlan:
    deployment: str  # config.name
    run_id: str
    subscription_id: str
    resource_group: str
    workspace_name: str
    compute_name: str
    compute_namespace: str
    instance_types: tuple[InstanceType, ...]  # the ones jobs run on
    skipped_gpu: tuple[str, ...]
    endpoint_name: str
    deployment_name: str
    model_name: str
    environment: str
    deployment_environment: str
    router: str  # clusterIP or loadBalancer
    scoring_base_url: str | None
    sources: dict[str, str] = field(default_factory=dict)  # fact -> "outputs" or "config"

    @property
    def tags(self) -> dict[str, str]:
        return {TAG_KEY: TAG_VALUE, "deployment": self.deployment, "smoke-run": self.run_id}

    @property
    def deployment_instance_type(self) -> str:
        return self.instance_types[0].name

    @property
    def scoring_url(self) -> str | None:
        return scoring_url(self.scoring_base_url, self.endpoint_name) if self.scoring_base_url else None


class PlanError(ValueError):
    """The config cannot be smoke-tested (e.g. no workspace); the message says why."""


PLACEHOLDER = "<azureml.workspace.id or --workspace-id>"


def scoring_url(base_url: str, endpoint_name: str) -> str:
    """`<base>api/v1/endpoint/<name>/score`: the ingress strips its path prefix before azureml-fe,
    whose scoring path is /api/v1/endpoint/<endpoint>/score (README "Steps", 5)."""
    return f"{base_url.rstrip('/')}/api/v1/endpoint/{endpoint_name}/score"


def _instance_types(config: AppConfig) -> list[InstanceType]:
    pools = {p.name: p for p in node_pools(config)}
    if config.azureml.instance_types is not None:
        return [
            InstanceType(t.name, gpu=t.limits.gpu > 0 or bool(pools.get(t.node_pool) and pools[t.node_pool].gpu))
            for t in config.azureml.instance_types
        ]
    # Derived ones (stacks/outputs.instance_type_names): defaultinstancetype on the first pool
    # that gets one, then one per such pool.
    targets = [pools[name] for name in stack_outputs.default_instance_type_pools(config)]
    names = stack_outputs.instance_type_names(config)
    return [InstanceType(name, gpu=pool.gpu) for name, pool in zip(names, [targets[0], *targets], strict=True)]


def new_run_id() -> str:
    return secrets.token_hex(3)


def build_plan(
    config: AppConfig,
    outputs: dict[str, object] | None = None,
    *,
    include_gpu: bool = False,
    run_id: str | None = None,
    environment: str = DEFAULT_ENVIRONMENT,
    deployment_environment: str = DEFAULT_DEPLOYMENT_ENVIRONMENT,
    workspace_id: str | None = None,
    compute_name: str | None = None,
    placeholders: bool = False,
) -> SmokePlan:
    """The plan; ``outputs`` are kubernetes-config's (tools/outputs.py), preferred over the config.

    Without ``azureml.workspace`` (a cluster attached by hand) the workspace and compute come from
    ``workspace_id`` / ``compute_name``; ``placeholders`` (dry run) names what is missing instead
    of refusing."""
    workspace = config.azureml.workspace
    workspace_id = workspace.id if workspace else workspace_id
    compute_name = workspace.compute_name if workspace else compute_name
    if workspace_id is None or compute_name is None:
        if not placeholders:
            raise PlanError(
                "no workspace: set azureml.workspace, or for a cluster attached by hand pass"
                " --workspace-id <workspace resource id> --compute-name <compute name>"
            )
        workspace_id = workspace_id or PLACEHOLDER
        compute_name = compute_name or "<compute: azureml.workspace.compute_name or --compute-name>"
    if not (config.azureml.enable_training and config.azureml.enable_inference):
        raise PlanError(
            "the smoke test runs a job and an endpoint: azureml.enable_training and enable_inference must both be true"
        )
    outputs = outputs or {}
    derived = stack_outputs.kubernetes_config_output_values(config)
    sources: dict[str, str] = {}

    def fact(name: str):
        if name in outputs:
            sources[name] = "outputs"
            return outputs[name]
        sources[name] = "config"
        return derived.get(name)

    known = {t.name: t for t in _instance_types(config)} if workspace else {}
    # Attached by hand: Azure ML's own default instance type, created at attach (Learn,
    # how-to-manage-kubernetes-instance-types).
    names = fact("instance_type_names") or [stack_outputs.DEFAULT_INSTANCE_TYPE]
    types = [known.get(n, InstanceType(n, gpu=False)) for n in names]
    chosen = tuple(t for t in types if include_gpu or not t.gpu)
    if not any(not t.gpu for t in chosen):
        raise PlanError("no CPU instance type: the endpoint and the first job need one (azureml.instance_types)")
    if workspace_id == PLACEHOLDER:
        subscription_id, resource_group, workspace_name = "<subscription>", "<resource group>", PLACEHOLDER
    else:
        try:
            parsed = parse_resource_id(workspace_id)
        except ValueError as error:
            raise PlanError(f"--workspace-id {workspace_id}: {error}") from error
        subscription_id, resource_group, workspace_name = parsed.subscription_id, parsed.resource_group, parsed.name
    run_id = run_id or new_run_id()
    return SmokePlan(
        deployment=config.name,
        run_id=run_id,
        subscription_id=subscription_id,
        resource_group=resource_group,
        workspace_name=workspace_name,
        compute_name=str(fact("compute_name") or compute_name),
        compute_namespace=str(fact("compute_namespace") or "(chosen at attach)"),
        # CPU first: the model job and the endpoint use the first one.
        instance_types=tuple(sorted(chosen, key=lambda t: t.gpu)),
        skipped_gpu=tuple(t.name for t in types if t.gpu and not include_gpu),
        endpoint_name=f"smk-{config.name}-{run_id}",
        deployment_name="smoke",
        model_name=f"smoke-{config.name}",
        environment=environment,
        deployment_environment=deployment_environment,
        router=str(fact("inference_router_service_type")),
        scoring_base_url=fact("scoring_base_url"),
        sources=sources,
    )


def describe(plan: SmokePlan) -> list[str]:
    """The plan in words (`make smoke ARGS=--dry-run`)."""
    src = plan.sources
    lines = [
        f"Smoke test of deployment {plan.deployment} (run {plan.run_id}), workspace {plan.workspace_name}"
        f" in {plan.resource_group} ({plan.subscription_id})",
        f"compute {plan.compute_name} [{src.get('compute_name')}],"
        f" namespace {plan.compute_namespace} [{src.get('compute_namespace')}]",
        f"environments (curated, no image build): jobs {plan.environment}, endpoint {plan.deployment_environment}",
        f"tags {plan.tags}",
        f"0. remove leftovers: endpoints, jobs and models tagged {TAG_KEY}={TAG_VALUE}, deployment={plan.deployment}",
    ]
    step = 1
    for instance_type in plan.instance_types:
        kind = "GPU" if instance_type.gpu else "CPU"
        source = src.get("instance_type_names")
        lines.append(f"{step}. command job on instance type {instance_type.name} ({kind}) [{source}]")
        step += 1
    if plan.skipped_gpu:
        lines.append(f"   (GPU instance types {', '.join(plan.skipped_gpu)} skipped: pass --include-gpu)")
    lines.append(f"{step}. register model {plan.model_name} from the first job's output")
    lines.append(f"{step + 1}. Kubernetes online endpoint {plan.endpoint_name} (key auth)")
    lines.append(f"{step + 2}. deployment {plan.deployment_name} on {plan.deployment_instance_type}, 1 instance, all traffic")
    if plan.router == "clusterIP":
        if plan.scoring_url:
            lines.append(f"{step + 3}. POST {plan.scoring_url} with the endpoint key [{src.get('scoring_base_url')}]")
        else:
            lines.append(f"{step + 3}. invoke through the ingress: no host or fixed IP known, pass --scoring-base-url")
    else:
        lines.append(f"{step + 3}. invoke through the SDK (internal-LB router: its scoring URI is reachable in the network)")
    lines.append(f"{step + 4}. clean up: delete the endpoint (and deployment), archive the model and the jobs")
    return lines
