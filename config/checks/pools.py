"""Cross-field rules: Node pools and cluster options."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from config.checks.base import Problem, is_valid, when_set
from config.lenient import InvalidFieldRead
from config.model import AppConfig

SYSTEM_POOL_MIN_PODS = 30


@when_set("cluster.node_pools")
def _pool_name_rules(config: AppConfig) -> Iterator[Problem]:
    """Pool names and rotation names share one namespace in the cluster. A name that failed its
    own validation is left out, so the others are still compared."""
    cluster = config.cluster
    candidates = [("cluster.system_pool", cluster.system_pool)] + [
        (f"cluster.node_pools[{i}]", pool) for i, pool in enumerate(cluster.node_pools)
    ]
    names: list[tuple[str, str]] = []
    for path, pool in candidates:
        if not is_valid(pool):
            continue
        if is_valid(pool.name):
            names.append((f"{path}.name", pool.name))
        with contextlib.suppress(InvalidFieldRead):
            names.append((f"{path}.temporary_name_for_rotation", pool.rotation_name))
    seen: dict[str, str] = {}
    for path, name in names:
        if name in seen:
            yield Problem(path, f"must differ from every other pool and rotation name (also used by {seen[name]})", name)
        else:
            seen[name] = path


@when_set("cluster.node_pools")
def _pool_size_rules(config: AppConfig) -> Iterator[Problem]:
    cluster = config.cluster
    pools = [("cluster.system_pool", cluster.system_pool)] + [
        (f"cluster.node_pools[{i}]", p) for i, p in enumerate(cluster.node_pools)
    ]
    for path, pool in pools:
        try:
            if pool.min_count > pool.max_count:
                yield Problem(f"{path}.min_count", f"must not exceed max_count ({pool.max_count})", pool.min_count)
        except InvalidFieldRead:
            pass
        try:
            if len(set(pool.zones)) != len(pool.zones):
                yield Problem(f"{path}.zones", "must not repeat a zone", pool.zones)
        except InvalidFieldRead:
            pass


def _system_pool_rules(config: AppConfig) -> Iterator[Problem]:
    system = config.cluster.system_pool
    if is_valid(system.max_pods) and system.max_pods < SYSTEM_POOL_MIN_PODS:
        yield Problem(
            "cluster.system_pool.max_pods", f"must be at least {SYSTEM_POOL_MIN_PODS} for a system pool (AKS)", system.max_pods
        )
    if is_valid(system.vm_size) and system.vm_size.startswith("Standard_B"):
        yield Problem(
            "cluster.system_pool.vm_size",
            "must not be a B-series (burstable) size: AKS refuses them for system pools",
            system.vm_size,
        )


@when_set("cluster.node_pools")
def _pool_label_rule(config: AppConfig) -> Iterator[Problem]:
    label_key = config.azureml.node_label.key
    for i, pool in enumerate(config.cluster.node_pools):
        if is_valid(pool) and is_valid(pool.labels) and label_key in pool.labels:
            yield Problem(
                f"cluster.node_pools[{i}].labels",
                f"must not set '{label_key}': it is azureml.node_label, applied from node_pools[].azureml",
                pool.labels,
            )


@when_set("cluster.node_pools")
def _azureml_pool_rules(config: AppConfig) -> Iterator[Problem]:
    pools = config.cluster.node_pools
    azureml_pools = [p for p in pools if p.azureml]
    if not azureml_pools:
        yield Problem("cluster.node_pools", "must contain at least one pool with azureml: true", [p.name for p in pools])
    elif all(p.taints for p in azureml_pools):
        yield Problem(
            "cluster.node_pools",
            "must contain at least one untainted pool with azureml: true: the extension's components do not tolerate taints",
            [p.name for p in azureml_pools],
        )


def _upgrade_rules(config: AppConfig) -> Iterator[Problem]:
    cluster = config.cluster
    if cluster.automatic_upgrade_channel == "node-image" and cluster.node_os_upgrade_channel != "NodeImage":
        yield Problem(
            "cluster.node_os_upgrade_channel",
            "must be NodeImage when cluster.automatic_upgrade_channel is node-image",
            cluster.node_os_upgrade_channel,
        )


def _local_account_rule(config: AppConfig) -> Iterator[Problem]:
    if config.cluster.local_account_disabled and config.azureml.workspace is None:
        yield Problem(
            "cluster.local_account_disabled",
            "true needs azureml.workspace: Azure ML reaches a cluster without local accounts only through the"
            " Trusted Access binding this project creates for the workspace",
            True,
        )


RULES = (
    _pool_name_rules,
    _pool_size_rules,
    _system_pool_rules,
    _pool_label_rule,
    _azureml_pool_rules,
    _upgrade_rules,
    _local_account_rule,
)
