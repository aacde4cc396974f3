"""Exact problem lines, in-process: what a user reads for the most common mistakes, word for word.
test_bad_configs.py runs every case through the real entry point but checks only the field paths
(and a subprocess is invisible to `make mutation`); here a changed or emptied message fails."""

from __future__ import annotations

import pytest

from config.checks.gitops import _repository_host
from config.loader import ConfigError, load_config
from tests.config.test_bad_configs import CASES, write_case

NOTHING_THERE = "unknown key (check the spelling; README 'Configuration reference' lists the keys)"
EXPECTED = {
    "yaml-syntax": ["(yaml line 3, column 7): invalid YAML: mapping values are not allowed here (got 'tags: x')"],
    "yaml-duplicate-key": ["(yaml line 2, column 1): invalid YAML: found duplicate key 'name' (got 'name: other')"],
    "yaml-not-mapping": ["(root): must be a mapping of configuration sections (got 'list')"],
    "empty-file": ["(file): is empty, expected a YAML mapping (got '')"],
    "unknown-top-level-key": [f"clustr: {NOTHING_THERE} (got {{}})"],
    "pool-unknown-key": [f"cluster.node_pools[0].count: {NOTHING_THERE} (got 3)"],
    "missing-network": ["network: is required (got nothing)"],
    "tag-key-invalid": ["tags.a/b (key): must be an Azure tag name: 1-512 characters, none of < > % & \\ ? / (got 'a/b')"],
    "protect-not-bool": ["protect: must be true or false (got 'maybe')"],
    "state-backend-unknown": ["state: must be one of 'local', 'azurerm' (got {'backend': 's3'})"],
    "hub-firewall-ip-invalid": ["hub.firewall_private_ip: must be an IPv4 address, e.g. 10.0.1.4 (got '10.0.1.400')"],
    "vnet-cidr-host-bits": [
        "network.vnet_cidr: must be an IPv4 network in CIDR form with no host bits set, e.g. 10.0.0.0/16 (got '10.20.0.1/16')"
    ],
    "entra-no-admin-groups": ["cluster.entra.admin_group_object_ids: must have at least 1 item(s) (got [])"],
    "sku-tier-lowercase": ["cluster.sku_tier: must be one of 'Standard', 'Premium' or 'Free' (got 'standard')"],
    "kubernetes-version-float": ["cluster.kubernetes_version: must be a string (quote it in YAML) (got 1.3)"],
    "ingress-single-replica": ["ingress.replicas: must be at least 2 (got 1)"],
    "ingress-sources-null": ["ingress.allowed_source_cidrs: must be a list (got None)"],
    "gitops-sync-interval-too-short": ["gitops.sync_interval_seconds: must be at least 60 (got 10)"],
    "instance-type-unknown-pool": [
        "azureml.instance_types[0].node_pool: must name a pool in cluster.node_pools (mlcpu) (got 'nopool')"
    ],
    "instance-type-non-azureml-pool": [
        "azureml.instance_types[0].node_pool: must name a pool with azureml: true (Azure ML schedules only there) (got 'batch')"
    ],
    "instance-type-gpu-on-cpu-pool": [
        "azureml.instance_types[0].limits.gpu: needs a pool with gpu: true; mlcpu has none (got 1)"
    ],
    "instance-type-requests-above-limits": [
        "azureml.instance_types[0].requests.cpu: must not exceed limits.cpu (2) (got '3')",
        "azureml.instance_types[0].requests.memory: must not exceed limits.memory (8Gi) (got '16Gi')",
    ],
    "instance-type-larger-than-a-node": [
        "azureml.instance_types[0].requests.cpu: must be below the vCPUs of one mlcpu node (Standard_D8ds_v5: 8;"
        " allocatable CPU is less): no node could run it (got '12')"
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_problem_lines_word_for_word(name, tmp_path):
    (case,) = [c for c in CASES if c.name == name]
    with pytest.raises(ConfigError) as error:
        load_config(write_case(case, tmp_path))
    assert [p.render() for p in error.value.problems] == EXPECTED[name]
    count = len(EXPECTED[name])
    assert error.value.render().splitlines()[0].endswith(f": {count} configuration problem{'s' if count > 1 else ''}")


def test_missing_file_and_directory(tmp_path):
    for path, message in (
        (tmp_path / "nope.yaml", "does not exist (set AKS_CONFIG to a config file)"),
        (tmp_path, "is a directory, expected a YAML file"),
    ):
        with pytest.raises(ConfigError) as error:
            load_config(path)
        assert [p.render() for p in error.value.problems] == [f"(file): {message} (got '{path}')"]


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://dev.azure.com/contoso/platform/_git/aks", "dev.azure.com"),
        ("https://Contoso.VisualStudio.com/platform/_git/aks", "contoso.visualstudio.com"),
        ("https://git.contoso.com:8443/aks.git", "git.contoso.com"),
        ("ssh://git@ssh.dev.azure.com/v3/contoso/platform/aks", "ssh.dev.azure.com"),
        ("ssh://git@github.com:22/contoso/aks.git", "github.com"),
        ("git@github.com:contoso/aks.git", "github.com"),
        ("git@SSH.dev.azure.com:v3/contoso/platform/aks", "ssh.dev.azure.com"),
    ],
)
def test_repository_host(url, host):
    assert _repository_host(url) == host
