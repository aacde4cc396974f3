"""Which cluster a config describes: one created here, or an existing one (cluster.existing_id).

No provider bindings: the stacks, the config checks, `make egress`, `make preflight` and
`make smoke` all ask the same questions here.
"""

from __future__ import annotations

from config.model import AppConfig, ExistingClusterConfig


def existing_cluster(config: AppConfig) -> ExistingClusterConfig | None:
    """The existing cluster's settings with cluster.existing_id (bring your own cluster), else None."""
    return config.cluster.existing if config.cluster.existing_id is not None else None


def tenant_id(config: AppConfig) -> str:
    """The cluster's Entra ID tenant: the existing cluster's, or cluster.entra's."""
    existing = existing_cluster(config)
    if existing is not None:
        return existing.tenant_id
    assert config.cluster.entra, "guaranteed by config/checks/ for a created cluster"
    return config.cluster.entra.tenant_id


def node_pools(config: AppConfig) -> list:
    """The pools this config knows: the node pools created here, or the existing cluster's Azure ML
    pools (cluster.existing.azureml_node_pools; both carry `name` and `gpu`)."""
    existing = existing_cluster(config)
    if existing is not None:
        return list(existing.azureml_node_pools)
    return list(config.cluster.node_pools or [])
