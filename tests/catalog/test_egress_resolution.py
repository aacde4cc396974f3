"""The egress list of every config and fixture: conditions applied, nothing broader than
documented, and the locked-down fixture's list in full."""

from __future__ import annotations

from pathlib import Path

import pytest

import catalog.egress as egress
from catalog.egress import Endpoint, documented_pattern, resolve
from config.egress import egress_context, egress_rules, git_host_and_port
from config.loader import load_config
from tests.conftest import EXAMPLE_CONFIGS, FIXTURE_CONFIGS, ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "configs"
LOCKDOWN = FIXTURES / "gitops-gpu-workspace-lockdown.yaml"
API_SERVER_LINES = {("*.hcp.westeurope.azmk8s.io", 443), ("AzureCloud.westeurope", 1194), ("AzureCloud.westeurope", 9000)}


def lines(config) -> set[tuple[str, int]]:
    return {(rule.destination, rule.port) for rule in egress_rules(config)}


@pytest.mark.parametrize("path", EXAMPLE_CONFIGS + FIXTURE_CONFIGS, ids=lambda p: p.stem)
def test_every_line_is_traced_and_never_open(path: Path):
    rules = egress_rules(load_config(path))
    assert rules
    names = [rule.name for rule in rules]
    assert len(names) == len(set(names)) and all(len(n) <= 80 for n in names)
    for rule in rules:
        assert rule.destination not in egress.OPEN_DESTINATIONS and "/" not in rule.destination
        assert rule.entries, rule
        for entry in rule.entries:
            documented = entry.documented_as.removesuffix(f":{entry.port}")
            if entry.narrowed:
                assert "*" not in rule.destination
            else:
                assert documented_pattern(documented).fullmatch(rule.destination), (rule.destination, documented)


def test_private_cluster_has_no_api_server_lines_and_a_public_one_has():
    private = load_config(EXAMPLE_CONFIGS[0])
    assert private.cluster.api.private
    assert not {d for d, _ in lines(private)} & {d for d, _ in API_SERVER_LINES}
    public = load_config(FIXTURES / "community-ingress-public-api.yaml")
    assert not public.cluster.api.private
    region = public.location
    assert {(d.replace("westeurope", region), p) for d, p in API_SERVER_LINES} <= lines(public)


def test_gpu_lines_only_with_gpu_pools():
    gpu = {("nvidia.github.io", 443), ("us.download.nvidia.com", 443), ("download.docker.com", 443)}
    config = load_config(LOCKDOWN)
    assert gpu <= lines(config)
    cpu_only = config.model_copy(
        update={"cluster": config.cluster.model_copy(update={"node_pools": [p for p in config.cluster.node_pools if not p.gpu]})}
    )
    assert not gpu & lines(cpu_only)


def test_flux_lines_only_in_gitops_mode():
    gitops = load_config(LOCKDOWN)
    assert ("ssh.dev.azure.com", 22) in lines(gitops)
    public_chart = gitops.model_copy(update={"images": None})
    assert {("ghcr.io", 443), ("pkg-containers.githubusercontent.com", 443)} <= lines(public_chart)
    (git_rule,) = [r for r in egress_rules(gitops) if r.destination == "ssh.dev.azure.com"]
    assert (git_rule.kind, git_rule.protocol) == ("network", "TCP")
    https = load_config(FIXTURES / "gitops-workspace-https-token.yaml")
    assert ("dev.azure.com", 443) in lines(https)
    terraform_mode = load_config(ROOT / "config" / "default.yaml")
    flux_features = {"Flux Git host", "Flux chart source"}
    assert not any(flux_features & set(r.features) for r in egress_rules(terraform_mode))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://dev.azure.com/contoso/p/_git/r", ("dev.azure.com", 443)),
        ("https://git.example.com:8443/org/repo", ("git.example.com", 8443)),
        ("ssh://git@ssh.dev.azure.com/v3/contoso/p/r", ("ssh.dev.azure.com", 22)),
        ("git@github.com:org/repo.git", ("github.com", 22)),
    ],
)
def test_git_host_and_port(url, expected):
    assert git_host_and_port(url) == expected


def test_private_endpoints_remove_the_lines_they_serve():
    config = load_config(LOCKDOWN)
    served = {
        ("3f2b9c1d-5e6a-4b7c-8d9e-0a1b2c3d4e5f.workspace.westeurope.api.azureml.ms", 443),
        ("stmllock.blob.core.windows.net", 443),
        ("crmllock.azurecr.io", 443),
        ("crmllock.westeurope.data.azurecr.io", 443),
    }
    assert not served & lines(config)
    public = config.model_copy(update={"network": config.network.model_copy(update={"private_endpoints": []})})
    assert served <= lines(public)
    vault = ("kv-hub-certs.vault.azure.net", 443)
    assert vault in lines(config)
    with_vault_endpoint = config.model_copy(
        update={"network": config.network.model_copy(update={"private_endpoints": ["key_vault"]})}
    )
    assert vault not in lines(with_vault_endpoint)


def test_workspace_region_follows_workspace_location():
    config = load_config(LOCKDOWN)
    workspace = config.azureml.workspace.model_copy(update={"location": "northeurope"})
    moved = config.model_copy(
        update={
            "azureml": config.azureml.model_copy(update={"workspace": workspace}),
            "network": config.network.model_copy(update={"private_endpoints": []}),
        }
    )
    assert {("northeurope.api.azureml.ms", 443), ("crmllock.northeurope.data.azurecr.io", 443)} <= lines(moved)
    assert ("westeurope.dp.kubernetesconfiguration.azure.com", 443) in lines(moved)  # the cluster's region


def test_private_registry_replaces_docker_hub_and_ghcr():
    config = load_config(LOCKDOWN)
    public = {("registry-1.docker.io", 443), ("auth.docker.io", 443), ("ghcr.io", 443)}
    assert not public & lines(config)
    assert public <= lines(config.model_copy(update={"images": None}))
    assert ("crlockimages.azurecr.io", 443) not in lines(config.model_copy(update={"images": None}))


def test_lockdown_fixture_list_in_full():
    """What a hub team is handed for the locked-down fixture (review a change to it as a firewall change)."""
    assert lines(load_config(LOCKDOWN)) == {
        ("mcr.microsoft.com", 443),
        ("*.data.mcr.microsoft.com", 443),
        ("mcr-0001.mcr-msedge.net", 443),
        ("management.azure.com", 443),
        ("login.microsoftonline.com", 443),
        ("packages.microsoft.com", 443),
        ("acs-mirror.azureedge.net", 443),
        ("packages.aks.azure.com", 443),
        ("nvidia.github.io", 443),
        ("us.download.nvidia.com", 443),
        ("download.docker.com", 443),
        ("AzureMonitor", 443),
        ("*.ods.opinsights.azure.com", 443),
        ("*.oms.opinsights.azure.com", 443),
        ("dc.services.visualstudio.com", 443),
        ("*.monitoring.azure.com", 443),
        ("global.handler.control.monitor.azure.com", 443),
        ("*.ingest.monitor.azure.com", 443),
        ("westeurope.handler.control.monitor.azure.com", 443),
        ("*.cloud.defender.microsoft.com", 443),
        ("data.policy.core.windows.net", 443),
        ("store.policy.core.windows.net", 443),
        ("kv-hub-certs.vault.azure.net", 443),
        ("westeurope.dp.kubernetesconfiguration.azure.com", 443),
        ("*.ingestion.msftcloudes.com", 443),
        ("*.microsoftmetrics.com", 443),
        ("*.kusto.windows.net", 443),
        ("*.table.core.windows.net", 443),
        ("*.queue.core.windows.net", 443),
        ("westeurope.experiments.azureml.net", 443),
        ("westeurope.api.azureml.ms", 443),
        ("pypi.org", 443),
        ("archive.ubuntu.com", 80),
        ("security.ubuntu.com", 80),
        ("ppa.launchpad.net", 80),
        ("ssh.dev.azure.com", 22),
        # images.registry: the controller image and the chart come from the deployment's own ACR.
        ("crlockimages.azurecr.io", 443),
        ("crlockimages.westeurope.data.azurecr.io", 443),
    }


@pytest.mark.parametrize("destination", ["*", "0.0.0.0/0", "*.com", "*.{region}.example.net"])
def test_an_open_or_undocumented_wildcard_destination_is_refused(monkeypatch, destination):
    bad = Endpoint(destination, "fqdn", "Https", 443, "x", "aks-outbound-rules", "s", "*.data.mcr.microsoft.com")
    monkeypatch.setattr(egress, "ENDPOINTS", (*egress.ENDPOINTS, bad))
    with pytest.raises(ValueError, match=r"would allow everything|wildcard the source does not document"):
        resolve(egress_context(load_config(LOCKDOWN)))
