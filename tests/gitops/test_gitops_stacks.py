"""Properties of both stacks in GitOps mode (kubernetes_config.mode: gitops)."""

from __future__ import annotations

import json
from itertools import pairwise

import pytest
import yaml

from config.loader import load_config
from tests.conftest import ROOT
from tests.gitops.conftest import GITOPS_CONFIGS

STACK = "kubernetes-config"
FIXTURES = ROOT / "tests" / "fixtures" / "configs"
HTTPS_TOKEN = FIXTURES / "gitops-workspace-https-token.yaml"
WORKLOAD_IDENTITY = FIXTURES / "gitops-devops-workload-identity.yaml"


@pytest.fixture(scope="module")
def ssh_config():
    """The https-token fixture switched to a GitHub SSH URL with a deploy key (written inside the
    project, git-ignored: the synth fixture names configs relative to it)."""
    raw = yaml.safe_load(HTTPS_TOKEN.read_text())
    raw["gitops"] = {"repository_url": "ssh://git@github.com/contoso/aks-gitops.git", "auth": "ssh"}
    path = ROOT / ".pytest_cache" / "gitops-ssh.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    yield path
    path.unlink()


def _flux_configuration(result) -> dict:
    return result.only(STACK, "azurerm_kubernetes_flux_configuration")


@pytest.mark.parametrize("config_path", GITOPS_CONFIGS, ids=lambda p: p.stem)
def test_only_azure_resource_manager(synth, config_path):
    """No kubernetes/helm provider, no cluster read, no credentials of the cluster anywhere."""
    stack = synth(config_path).stacks[STACK]
    assert set(stack["terraform"]["required_providers"]) <= {"azurerm", "time"}
    assert set(stack["provider"]) <= {"azurerm", "time"}
    assert "azurerm_kubernetes_cluster" not in stack.get("data", {})
    assert not [t for t in stack["resource"] if t.startswith(("kubernetes_", "helm_"))]
    text = json.dumps(stack)
    for needle in ("kube_config", "kube_admin_config", "kubelogin", "client_certificate", "client_key"):
        assert needle not in text, needle


@pytest.mark.parametrize("config_path", GITOPS_CONFIGS, ids=lambda p: p.stem)
def test_flux_configuration_points_at_the_configured_repository(synth, config_path):
    config = load_config(config_path)
    result = synth(config_path)
    flux = _flux_configuration(result)
    extension = result.only(STACK, "azurerm_kubernetes_cluster_extension")
    cluster_id = (
        f"/subscriptions/{config.subscription_id}/resourceGroups/rg-{config.name}-aks"
        f"/providers/Microsoft.ContainerService/managedClusters/aks-{config.name}"
    )
    assert flux["cluster_id"] == extension["cluster_id"] == cluster_id
    assert (flux["scope"], flux["namespace"]) == ("cluster", "flux-system")
    assert (extension["extension_type"], extension["release_namespace"]) == ("microsoft.flux", "flux-system")
    assert "version" not in extension  # a new version would replace the extension and what Flux applied
    assert any(d.startswith("azurerm_kubernetes_cluster_extension.") for d in flux["depends_on"])
    git = flux["git_repository"]
    assert (git["url"], git["reference_type"], git["reference_value"]) == (
        config.gitops.repository_url,
        "branch",
        config.gitops.branch,
    )
    assert git["sync_interval_in_seconds"] == config.gitops.sync_interval_seconds
    root = config.gitops.path or f"clusters/{config.name}"
    assert [k["path"] for k in flux["kustomizations"]] == [f"{root}/{k['name']}" for k in flux["kustomizations"]]


@pytest.mark.parametrize("config_path", GITOPS_CONFIGS, ids=lambda p: p.stem)
def test_kustomizations_ordered_pruned_and_waited_for(synth, config_path):
    kustomizations = _flux_configuration(synth(config_path))["kustomizations"]
    assert [k["name"] for k in kustomizations] == ["infrastructure", "ingress", "azureml"]
    assert "depends_on" not in kustomizations[0]
    for previous, kustomization in pairwise(kustomizations):
        assert kustomization["depends_on"] == [previous["name"]]
    for kustomization in kustomizations:
        assert kustomization["garbage_collection_enabled"] is True and kustomization["wait"] is True
    # The ingress folder waits for the HelmRelease, which may take the Helm timeout itself.
    assert kustomizations[1]["timeout_in_seconds"] > 900


def test_secrets_provider_client_id_substituted_from_the_addon_identity(synth):
    result = synth(HTTPS_TOKEN)
    infrastructure = _flux_configuration(result)["kustomizations"][0]
    reference = infrastructure["post_build"]["substitute"]["SECRETS_PROVIDER_CLIENT_ID"]
    (name, identity), *_ = [
        (n, i)
        for n, i in result.stacks[STACK]["data"]["azurerm_user_assigned_identity"].items()
        if i["name"] == "azurekeyvaultsecretsprovider-aks-amlgitops"
    ]
    assert reference == f"${{data.azurerm_user_assigned_identity.{name}.client_id}}"
    assert identity["resource_group_name"] == "rg-amlgitops-aks-nodes"
    assert all("post_build" not in k for k in _flux_configuration(result)["kustomizations"][1:])


def test_https_token_from_a_sensitive_variable(synth):
    stack = synth(HTTPS_TOKEN).stacks[STACK]
    git = _flux_configuration(synth(HTTPS_TOKEN))["git_repository"]
    assert git["https_user"] == "flux"
    assert git["https_key_base64"] == "${base64encode(var.gitops_https_token)}"
    assert stack["variable"] == {
        "gitops_https_token": {
            "description": stack["variable"]["gitops_https_token"]["description"],
            "nullable": False,
            "sensitive": True,
            "type": "string",
        }
    }
    assert "provider" not in git and not {"ssh_private_key_base64", "ssh_known_hosts_base64"} & set(git)


def test_ssh_key_from_a_sensitive_variable(synth, ssh_config):
    result = synth(ssh_config)
    git = _flux_configuration(result)["git_repository"]
    variables = result.stacks[STACK]["variable"]
    assert git["ssh_private_key_base64"] == "${base64encode(var.gitops_ssh_private_key)}"
    # Exactly: base64 of the variable, and null (Flux's built-in host keys) when it is empty; a
    # raw value, a base64 of the empty string or a test on the wrong variable breaks host checking.
    assert git["ssh_known_hosts_base64"] == (
        '${var.gitops_ssh_known_hosts == "" ? null : base64encode(var.gitops_ssh_known_hosts)}'
    )
    assert variables["gitops_ssh_private_key"]["sensitive"] is True and "default" not in variables["gitops_ssh_private_key"]
    assert variables["gitops_ssh_known_hosts"]["default"] == ""  # optional: Flux knows common Git hosts
    assert not {"https_user", "https_key_base64", "provider"} & set(git)


def test_workload_identity_federated_with_the_cluster_issuer(synth):
    result = synth(WORKLOAD_IDENTITY)
    git = _flux_configuration(result)["git_repository"]
    assert git["provider"] == "Azure"
    assert not {"https_key_base64", "ssh_private_key_base64"} & set(git)
    assert "variable" not in result.stacks[STACK]
    settings = result.only(STACK, "azurerm_kubernetes_cluster_extension")["configuration_settings"]
    assert settings["workloadIdentity.enable"] == "true"
    (reference_name,) = result.stacks[STACK]["data"]["azurerm_user_assigned_identity"]
    assert settings["workloadIdentity.azureClientId"] == f"${{data.azurerm_user_assigned_identity.{reference_name}.client_id}}"

    identities = result.resources("aks-cluster", "azurerm_user_assigned_identity")
    (identity_name,) = [n for n, i in identities.items() if i["name"] == "id-amlwi-flux-source"]
    credential = result.only("aks-cluster", "azurerm_federated_identity_credential")
    (cluster_name,) = result.resources("aks-cluster", "azurerm_kubernetes_cluster")
    assert credential["issuer"] == f"${{azurerm_kubernetes_cluster.{cluster_name}.oidc_issuer_url}}"
    assert credential["subject"] == "system:serviceaccount:flux-system:source-controller"
    assert credential["audience"] == ["api://AzureADTokenExchange"]
    assert credential["parent_id"] == f"${{azurerm_user_assigned_identity.{identity_name}.id}}"


def test_no_workload_identity_resources_without_it(synth, default_synth):
    for result in (synth(HTTPS_TOKEN), default_synth):
        assert "azurerm_federated_identity_credential" not in result.stacks["aks-cluster"]["resource"]
        names = [i["name"] for i in result.resources("aks-cluster", "azurerm_user_assigned_identity").values()]
        assert not [n for n in names if "flux" in n]


def test_attach_waits_for_the_flux_configuration(synth):
    result = synth(HTTPS_TOKEN)
    (flux_name,) = result.resources(STACK, "azurerm_kubernetes_flux_configuration")
    (record,) = [
        r for r in result.resources(STACK, "terraform_data").values() if r["//"]["metadata"]["path"].endswith("/compute")
    ]
    assert f"azurerm_kubernetes_flux_configuration.{flux_name}" in record["depends_on"]
    # ... and its attach step waits until Flux reports the configuration Compliant (instance types applied).
    (attach,) = [r for r in result.resources(STACK, "terraform_data").values() if r["//"]["metadata"]["path"].endswith("/attach")]
    environment = attach["provisioner"][0]["local-exec"]["environment"]
    assert environment["FLUX_CONFIGURATION_ID"] == f"${{azurerm_kubernetes_flux_configuration.{flux_name}.id}}"
    assert environment["FLUX_API_VERSION"] == "2024-11-01"


def test_terraform_mode_has_no_flux(default_synth, standalone_synth):
    for result in (default_synth, standalone_synth):
        stack = result.stacks[STACK]
        assert "azurerm_kubernetes_flux_configuration" not in stack["resource"]
        assert "azurerm_kubernetes_cluster_extension" not in stack["resource"]
        assert "variable" not in stack
