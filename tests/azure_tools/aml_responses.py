"""Azure ML REST bodies for the fake ARM, shaped like azure-rest-api-specs examples (field names
and nesting as there; our own values), paths under
specification/machinelearningservices/resource-manager/Microsoft.MachineLearningServices/stable/2025-12-01/examples/:
Workspace/OnlineEndpoint/list.json and listKeys.json, Workspace/Job/list.json and
Workspace/Job/CommandJob/get.json, Workspace/ModelVersion/list.json and get.json (azure-ai-ml
1.35 calls older preview API versions of the same operations)."""

from __future__ import annotations

WS = (
    "/subscriptions/44444444-4444-4444-4444-444444444444/resourceGroups/rg-ml"
    "/providers/Microsoft.MachineLearningServices/workspaces/mlw-prod"
)


def online_endpoint(name: str, tags: dict) -> dict:
    return {
        "id": f"{WS}/onlineEndpoints/{name}",
        "name": name,
        "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
        "location": "westeurope",
        "tags": tags,
        "identity": {"type": "SystemAssigned"},
        "properties": {"authMode": "Key", "compute": f"{WS}/computes/aks-prod", "provisioningState": "Succeeded", "traffic": {}},
    }


def command_job(name: str, tags: dict, status: str) -> dict:
    return {
        "id": f"{WS}/jobs/{name}",
        "name": name,
        "type": "Microsoft.MachineLearningServices/workspaces/jobs",
        "properties": {
            "jobType": "Command",
            "status": status,
            "tags": tags,
            "command": "python -c pass",
            "environmentId": "azureml://registries/azureml/environments/sklearn-1.5/labels/latest",
            "computeId": f"{WS}/computes/aks-prod",
            "experimentName": "smoke-amlws",
        },
    }


def model_version(name: str, version: str, tags: dict) -> dict:
    return {
        "id": f"{WS}/models/{name}/versions/{version}",
        "name": version,
        "type": "Microsoft.MachineLearningServices/workspaces/models/versions",
        "properties": {"modelUri": "azureml://jobs/job1/outputs/model", "modelType": "custom_model", "tags": tags, "flavors": {}},
    }


def workspace() -> dict:
    return {
        "id": WS,
        "name": "mlw-prod",
        "type": "Microsoft.MachineLearningServices/workspaces",
        "location": "westeurope",
        "identity": {"type": "SystemAssigned", "principalId": "p", "tenantId": "t"},
        "properties": {
            "workspaceId": "88888888-8888-8888-8888-888888888888",
            "discoveryUrl": "https://westeurope.api.azureml.ms/discovery",
        },
    }
