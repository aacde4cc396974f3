"""A fake Azure Resource Manager for the stand-ins: the remote side that create, read and delete
of the Azure ML attach's resources go through, so that tests can make an apply fail, apply again,
prune a deployment record or destroy after a failure, and see what Terraform really does.

Off unless ``STANDIN_ARM_STORE`` names a JSON file (tests create it with ``Store.create``). The
file holds the remote objects, the faults to inject and a log of every call. Two clients use it:
the stand-in azurerm provider (server.py, for the resource types in ``PROVIDER_TYPES``) and the
fake Azure CLI (fake_az.py: ``az rest``), which the attach and detach steps call. Processes share
it under an exclusive ``flock``.

What it models, and from which source (only what the attach's lifecycle depends on):

- ``azurerm_resource_group_template_deployment`` (azurerm ``internal/services/resource/
  resource_group_template_deployment_resource.go``): create first GETs the deployment and fails
  with "already exists - to be managed via Terraform this resource needs to be imported" when a
  record of that name exists (v4.55.0 ~l.147-156, v5.2.0 l.159); a failed deployment stays in the
  resource group's history. v4.55.0 calls ``d.SetId`` only after ``WaitForCompletionRef``
  succeeded (~l.200-206): a failed create leaves nothing in state. v5.2.0 (the newest 5.x tag in
  reach; the cdktn bindings pin 5.10.0) calls ``d.SetId`` (l.205) *before* waiting (l.208): the
  SDK then saves the object and Terraform marks it tainted. Which one applies is
  ``config.azurerm_version`` in the store (the stand-in always serves the 4.55.0 *schema*; only
  this behaviour follows the version). Read: a missing record removes the resource from state.
  Delete with ``features.template_deployment.delete_nested_items_during_deletion`` (default true)
  DELETEs what the template deployed without ``underlyingResourceAction``.
- ``azurerm_kubernetes_cluster_trusted_access_role_binding`` (v4.55.0 ..._resource.go:
  ``RoleBindingsCreateOrUpdate`` without polling): the binding is stored ``Updating`` and becomes
  ``Succeeded`` after ``config.binding_ready_after_reads`` GETs.
- ``azurerm_kubernetes_flux_configuration`` (v4.55.0 kubernetes_flux_configuration_resource.go,
  kubernetesconfiguration 2024-11-01: ``CreateOrUpdateThenPoll`` waits for provisioning, not for
  Flux): ``complianceState`` is ``Pending`` until ``config.flux_compliant_after_reads`` GETs.
- Kubernetes compute (azure-rest-api-specs machinelearningservices stable/2025-12-01: PUT
  createOrUpdate, DELETE requires ``underlyingResourceAction=Detach|Delete``): a PUT creates it
  ``Creating``; it turns ``Succeeded`` after ``config.compute_ready_after_reads`` GETs, or
  ``Failed`` when a ``provision`` fault matches or when a Trusted Access binding of its workspace
  on its cluster exists but is not ``Succeeded`` yet (Azure/AML-Kubernetes
  docs/azureml-aks-ta-support.md: computes created before the binding is ready do not work).
  A PUT on an existing compute is refused: Azure ML fails in-place updates of this compute
  (Microsoft's edge-ai module replaces it for that reason); the exact error is not documented,
  so the message here is ours. Only API versions in ``API_VERSIONS`` are accepted.

Faults (``Store.inject``): ``{"op": "PUT"|"GET"|"DELETE"|"provision", "match": <substring of the
id, case-insensitive>, "times": n, "status": <HTTP status>, "code": ..., "message": ...}``.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ENV = "STANDIN_ARM_STORE"
ARM = "https://management.azure.com"

COMPUTE_TYPE = "Microsoft.MachineLearningServices/workspaces/computes"
# API versions the fake accepts, per resource kind: the ones this project sends and has a source
# for (compute: azure-rest-api-specs stable/2025-12-01; trusted access: azurerm v4.55.0 imports
# go-azure-sdk containerservice/2025-07-01/trustedaccess). Anything else is refused, as ARM
# refuses an API version a resource provider does not offer.
API_VERSIONS = {
    "compute": ("2025-12-01",),
    "binding": ("2025-07-01",),
    "flux": ("2024-11-01",),
    "deployment": ("2020-06-01",),
}

PROVIDER_TYPES = (
    "azurerm_resource_group_template_deployment",
    "azurerm_kubernetes_cluster_trusted_access_role_binding",
    "azurerm_kubernetes_flux_configuration",
)

DEFAULT_CONFIG = {
    "azurerm_version": "4.55.0",
    "compute_ready_after_reads": 1,
    "compute_gone_after_reads": 1,
    "binding_ready_after_reads": 0,
    "flux_compliant_after_reads": 0,
}

_COMPUTE = re.compile(r"/providers/Microsoft\.MachineLearningServices/workspaces/[^/]+/computes/[^/]+$", re.I)
_BINDING = re.compile(r"/providers/Microsoft\.ContainerService/managedClusters/[^/]+/trustedAccessRoleBindings/[^/]+$", re.I)
_FLUX = re.compile(r"/providers/Microsoft\.KubernetesConfiguration/fluxConfigurations/[^/]+$", re.I)
_DEPLOYMENT = re.compile(r"/resourceGroups/[^/]+/providers/Microsoft\.Resources/deployments/[^/]+$", re.I)


class ArmError(Exception):
    """An ARM error response: HTTP status and the body's ``error`` object."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message

    @property
    def reason(self) -> str:
        return {400: "Bad Request", 404: "Not Found", 409: "Conflict", 429: "Too Many Requests"}.get(
            self.status, "Internal Server Error"
        )

    def az_message(self) -> str:
        """What ``az rest`` prints for an error response (``<reason>({...body...})``)."""
        return f"{self.reason}({json.dumps({'error': {'code': self.code, 'message': self.message}})})"


def key(resource_id: str) -> str:
    return resource_id.rstrip("/").lower()


def kind_of(resource_id: str) -> str:
    for kind, pattern in (("compute", _COMPUTE), ("binding", _BINDING), ("flux", _FLUX), ("deployment", _DEPLOYMENT)):
        if pattern.search(resource_id):
            return kind
    return "other"


def major(version: str) -> int:
    return int(version.split(".")[0])


class Store:
    """The store's JSON document, loaded and saved under an exclusive lock (``Store.open``)."""

    def __init__(self, path: Path, data: dict[str, Any]):
        self.path, self.data = path, data

    # --- file -----------------------------------------------------------------------------------

    @staticmethod
    def create(path: Path, **config: Any) -> Path:
        unknown = set(config) - set(DEFAULT_CONFIG)
        if unknown:
            raise ValueError(f"unknown store settings {sorted(unknown)}; known: {sorted(DEFAULT_CONFIG)}")
        document = {"config": DEFAULT_CONFIG | config, "resources": {}, "deployments": {}, "faults": [], "calls": []}
        path.write_text(json.dumps(document, indent=2))
        return path

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path | str | None = None) -> Iterator[Store]:
        path = Path(path or os.environ[ENV])
        with open(path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            store = cls(path, json.loads(path.read_text()))
            try:
                yield store
            except ArmError:
                # An error response still has its effects (a read that finds a deletion
                # finished, the call log), as on the real service.
                path.write_text(json.dumps(store.data, indent=2))
                raise
            path.write_text(json.dumps(store.data, indent=2))

    @classmethod
    def read(cls, path: Path) -> dict[str, Any]:
        with cls.open(path) as store:
            return copy.deepcopy(store.data)

    @classmethod
    def inject(cls, path: Path, **fault: Any) -> None:
        with cls.open(path) as store:
            store.data["faults"].append({"times": 1} | fault)

    @classmethod
    def prune_deployment(cls, path: Path, name: str) -> None:
        """What ARM does to the oldest records beyond 700 deployments per resource group (Learn,
        "Automatic deletions from deployment history")."""
        with cls.open(path) as store:
            store.data["deployments"] = {
                k: v for k, v in store.data["deployments"].items() if not k.endswith(f"/deployments/{name.lower()}")
            }

    @property
    def config(self) -> dict[str, Any]:
        return self.data["config"]

    # --- bookkeeping ----------------------------------------------------------------------------

    def _log(self, client: str, method: str, resource_id: str, query: dict[str, str], outcome: str) -> None:
        self.data["calls"].append({"client": client, "method": method, "id": resource_id, "query": query, "outcome": outcome})

    def _fault(self, op: str, resource_id: str) -> dict[str, Any] | None:
        for fault in self.data["faults"]:
            if fault["op"] == op and fault["match"].lower() in resource_id.lower() and fault["times"] > 0:
                fault["times"] -= 1
                return fault
        return None

    def _raise_fault(self, op: str, resource_id: str) -> None:
        fault = self._fault(op, resource_id)
        if fault:
            raise ArmError(fault.get("status", 500), fault.get("code", "InjectedFault"), fault.get("message", "injected"))

    # --- ARM REST (az rest) -------------------------------------------------------------------

    def request(self, method: str, url: str, body: dict[str, Any] | None = None, client: str = "az") -> dict[str, Any] | None:
        """One REST call as ``az rest`` makes it; returns the response body or raises ArmError."""
        parts = urlsplit(url)
        if parts.scheme and f"{parts.scheme}://{parts.netloc}" != ARM:
            raise ArmError(400, "UnsupportedHost", f"the fake ARM serves {ARM} only, not {parts.netloc}")
        resource_id = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        method = method.upper()
        try:
            result = self._dispatch(method, resource_id, query, body)
        except ArmError as error:
            self._log(client, method, resource_id, query, f"{error.status} {error.code}")
            raise
        self._log(client, method, resource_id, query, "ok")
        return result

    def _dispatch(self, method: str, resource_id: str, query: dict[str, str], body: dict[str, Any] | None) -> Any:
        kind = kind_of(resource_id)
        version = query.get("api-version")
        if not version:
            raise ArmError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required")
        if kind in API_VERSIONS and version not in API_VERSIONS[kind]:
            raise ArmError(400, "NoRegisteredProviderFound", f"No registered resource provider found for API version '{version}'")
        self._raise_fault(method, resource_id)
        if method == "GET":
            return self.get(resource_id)
        if method == "PUT" and kind == "compute":
            return self.put_compute(resource_id, body or {})
        if method == "DELETE" and kind == "compute":
            return self.delete_compute(resource_id, query)
        raise ArmError(405, "MethodNotAllowed", f"the fake ARM does not model {method} on {kind} resources")

    def get(self, resource_id: str) -> dict[str, Any]:
        entry = self.data["resources"].get(key(resource_id))
        if entry is None:
            raise ArmError(404, "ResourceNotFound", f"The Resource '{resource_id}' was not found.")
        properties = entry["body"].setdefault("properties", {})
        if entry.get("pending_reads", 0) > 0:
            entry["pending_reads"] -= 1
        elif entry.get("settles_to_compliance"):
            properties["complianceState"] = entry.pop("settles_to_compliance")
        elif entry.get("settles_to"):
            if entry["settles_to"] == "gone":
                del self.data["resources"][key(resource_id)]
                raise ArmError(404, "ResourceNotFound", f"The Resource '{resource_id}' was not found.")
            properties["provisioningState"] = entry.pop("settles_to")
            if entry.get("errors"):
                properties["provisioningErrors"] = entry["errors"]
        return copy.deepcopy(entry["body"])

    def put_compute(self, resource_id: str, body: dict[str, Any]) -> dict[str, Any]:
        if key(resource_id) in self.data["resources"]:
            raise ArmError(
                409, "Conflict", "Compute already exists; Kubernetes compute cannot be updated in place (fake ARM model)"
            )
        properties = copy.deepcopy(body.get("properties", {}))
        if properties.get("computeType") != "Kubernetes" or not properties.get("resourceId"):
            raise ArmError(400, "BadRequest", "properties.computeType Kubernetes and properties.resourceId are required")
        final, errors = "Succeeded", []
        if self._fault("provision", resource_id):
            final, errors = "Failed", [{"error": {"code": "InjectedFault", "message": "attach failed"}}]
        workspace_id = resource_id.rsplit("/computes/", 1)[0]
        binding = self._binding_for(properties["resourceId"], workspace_id)
        if binding is not None and binding["body"]["properties"].get("provisioningState") != "Succeeded":
            final = "Failed"
            errors = [{"error": {"code": "TrustedAccessNotReady", "message": "the Trusted Access binding is not ready"}}]
        properties["provisioningState"] = "Creating"
        stored = {"id": resource_id, "name": resource_id.rsplit("/", 1)[1]} | body | {"properties": properties}
        self.data["resources"][key(resource_id)] = {
            "body": stored,
            "pending_reads": self.config["compute_ready_after_reads"],
            "settles_to": final,
            "errors": errors,
        }
        return copy.deepcopy(stored)

    def delete_compute(self, resource_id: str, query: dict[str, str]) -> None:
        action = query.get("underlyingResourceAction")
        if action not in ("Detach", "Delete"):
            raise ArmError(400, "BadRequest", "underlyingResourceAction (Detach or Delete) is required to delete a compute")
        entry = self.data["resources"].get(key(resource_id))
        if entry is None:
            raise ArmError(404, "ResourceNotFound", f"The Resource '{resource_id}' was not found.")
        entry["body"]["properties"]["provisioningState"] = "Deleting"
        entry["pending_reads"] = self.config["compute_gone_after_reads"]
        entry["settles_to"] = "gone"
        return None

    def _binding_for(self, cluster_id: str, workspace_id: str) -> dict[str, Any] | None:
        prefix = key(cluster_id) + "/trustedaccessrolebindings/"
        for resource_key, entry in self.data["resources"].items():
            source = entry["body"].get("properties", {}).get("sourceResourceId", "")
            if resource_key.startswith(prefix) and source.lower() == workspace_id.lower():
                return entry
        return None

    def compute(self, resource_id: str) -> dict[str, Any] | None:
        """The compute's body as stored (no read counted), or None."""
        entry = self.data["resources"].get(key(resource_id))
        return copy.deepcopy(entry["body"]) if entry else None

    # --- provider side --------------------------------------------------------------------------

    def create_binding(self, resource_id: str, source_resource_id: str, roles: list[str]) -> None:
        self._raise_fault("PUT", resource_id)
        ready_after = self.config["binding_ready_after_reads"]
        body = {
            "id": resource_id,
            "properties": {
                "sourceResourceId": source_resource_id,
                "roles": roles,
                "provisioningState": "Updating" if ready_after else "Succeeded",
            },
        }
        self.data["resources"][key(resource_id)] = {
            "body": body,
            "pending_reads": max(ready_after - 1, 0),
            "settles_to": "Succeeded" if ready_after else None,
        }
        self._log("azurerm", "PUT", resource_id, {}, "ok")

    def create_flux_configuration(self, resource_id: str) -> None:
        """azurerm polls the configuration's provisioning (CreateOrUpdateThenPoll), not Flux's
        compliance: it reports Pending until ``config.flux_compliant_after_reads`` GETs."""
        ready_after = self.config["flux_compliant_after_reads"]
        body = {"id": resource_id, "properties": {"provisioningState": "Succeeded",
                                                  "complianceState": "Pending" if ready_after else "Compliant"}}  # fmt: skip
        self.data["resources"][key(resource_id)] = {"body": body, "pending_reads": max(ready_after - 1, 0)}
        if ready_after:
            self.data["resources"][key(resource_id)]["settles_to_compliance"] = "Compliant"
        self._log("azurerm", "PUT", resource_id, {}, "ok")

    def exists(self, resource_id: str) -> bool:
        return key(resource_id) in self.data["resources"]

    def delete(self, resource_id: str) -> None:
        self.data["resources"].pop(key(resource_id), None)
        self._log("azurerm", "DELETE", resource_id, {}, "ok")

    def deploy_template(
        self, deployment_id: str, template: dict[str, Any], parameters: dict[str, Any], subscription_id: str
    ) -> dict[str, Any]:
        """A template deployment as azurerm creates one; returns its outputs or raises ArmError
        (the record stays in the history either way, as ARM keeps failed deployments)."""
        if key(deployment_id) in self.data["deployments"]:
            raise ArmError(
                409,
                "ImportAsExists",
                f"A resource with the ID {deployment_id!r} already exists - to be managed via Terraform this resource"
                " needs to be imported into the State. Please see the resource documentation for"
                ' "azurerm_resource_group_template_deployment" for more information.',
            )
        record = {"id": deployment_id, "provisioningState": "Running", "resources": []}
        self.data["deployments"][key(deployment_id)] = record
        self._log("azurerm", "PUT", deployment_id, {}, "ok")
        values = {name: p.get("value") for name, p in parameters.items()}
        resource_group = deployment_id.split("/resourceGroups/")[1].split("/")[0]
        outputs = {}
        try:
            for resource in template.get("resources", []):
                if resource["type"] != COMPUTE_TYPE:
                    raise ArmError(400, "Unsupported", f"the fake ARM deploys only {COMPUTE_TYPE}")
                workspace, compute = resource["name"].split("/")
                compute_id = (
                    f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}"
                    f"/providers/Microsoft.MachineLearningServices/workspaces/{workspace}/computes/{compute}"
                )
                body = _evaluate({"location": resource.get("location"), "properties": resource["properties"]}, values)
                self.request("PUT", f"{compute_id}?api-version={resource['apiVersion']}", body, client="arm-deployment")
                record["resources"].append(compute_id)
                state = "Creating"
                while state == "Creating":  # ARM's own polling of the deployed resource
                    state = self.get(compute_id)["properties"]["provisioningState"]
                if state != "Succeeded":
                    raise ArmError(400, "DeploymentFailed", f"The resource {compute_id} provisioning state is {state}")
            for name, output in template.get("outputs", {}).items():
                outputs[name] = {
                    "type": output["type"],
                    "value": _evaluate(output["value"], values, subscription_id, resource_group),
                }
        except ArmError:
            record["provisioningState"] = "Failed"
            raise
        record["provisioningState"] = "Succeeded"
        return outputs

    def deployment(self, deployment_id: str) -> dict[str, Any] | None:
        fault = self._fault("GET", deployment_id)
        if fault and fault.get("status", 404) == 404:
            return None
        return self.data["deployments"].get(key(deployment_id))

    def delete_deployment(self, deployment_id: str, *, delete_nested: bool) -> None:
        record = self.data["deployments"].get(key(deployment_id))
        if record and delete_nested:
            for resource_id in record["resources"]:  # a plain DELETE, as azurerm's cleanup sends it
                self.request("DELETE", f"{resource_id}?api-version={API_VERSIONS['compute'][0]}", client="arm-deployment")
        self.data["deployments"].pop(key(deployment_id), None)
        self._log("azurerm", "DELETE", deployment_id, {}, "ok")


_PARAMETER = re.compile(r"^\[parameters\('(?P<name>\w+)'\)\]$")
_RESOURCE_ID = re.compile(r"^\[resourceId\('(?P<type>[^']+)',\s*'(?P<parent>[^']+)',\s*'(?P<name>[^']+)'\)\]$")


def _evaluate(value: Any, parameters: dict[str, Any], subscription_id: str = "", resource_group: str = "") -> Any:
    """The two template expressions the attach's template uses: ``[parameters('x')]`` and
    ``[resourceId('<type>', '<parent>', '<name>')]``; other strings are literals."""
    if isinstance(value, dict):
        return {k: _evaluate(v, parameters, subscription_id, resource_group) for k, v in value.items()}
    if isinstance(value, list):
        return [_evaluate(v, parameters, subscription_id, resource_group) for v in value]
    if isinstance(value, str):
        if match := _PARAMETER.match(value):
            return parameters[match["name"]]
        if match := _RESOURCE_ID.match(value):
            namespace, parent_type, child_type = match["type"].split("/")
            return (
                f"/subscriptions/{subscription_id}/resourceGroups/{resource_group}/providers/{namespace}"
                f"/{parent_type}/{match['parent']}/{child_type}/{match['name']}"
            )
        if value.startswith("[") and not value.startswith("[["):
            raise ArmError(400, "InvalidTemplate", f"the fake ARM does not evaluate {value!r}")
    return value
