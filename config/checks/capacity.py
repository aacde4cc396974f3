"""Cross-field rules: node pools against the VM size catalogue (catalog/vm_sizes.py) — known size,
GPU flag and driver, ephemeral OS disk placement — and instance types against one node's
allocatable resources (config/allocatable.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from catalog.vm_sizes import VM_SIZES, VmSize, lookup
from config.allocatable import allocatable
from config.checks.base import Problem, is_valid, when_set
from config.lenient import InvalidFieldRead
from config.model import AppConfig
from config.quantities import memory_bytes, millicores
from config.suggest import closest

# Learn, aks-managed-gpu-nodes ("Before you begin"): "This feature requires Kubernetes version 1.34 or later."
AKS_MANAGED_GPU_MIN_MINOR = 34
GIB = 2**30


def _pools(config: AppConfig) -> list[tuple[str, object]]:
    cluster = config.cluster
    return [("cluster.system_pool", cluster.system_pool)] + [
        (f"cluster.node_pools[{i}]", pool) for i, pool in enumerate(cluster.node_pools)
    ]


def _size_of(pool) -> VmSize | None:
    with contextlib.suppress(InvalidFieldRead):
        return lookup(pool.vm_size)
    return None


@when_set("cluster.node_pools")  # an existing cluster's pools are its owners'
def _known_size_rule(config: AppConfig) -> Iterator[Problem]:
    for path, pool in _pools(config):
        if not is_valid(pool) or not is_valid(pool.vm_size):
            continue
        size = lookup(pool.vm_size)
        acknowledged = is_valid(pool.acknowledge_uncatalogued_vm_size) and pool.acknowledge_uncatalogued_vm_size
        if size is None and not acknowledged:
            suggestion = closest(pool.vm_size, VM_SIZES, cutoff=0.6)
            hint = f"did you mean '{suggestion}'? Otherwise set" if suggestion else "add it there, or set"
            yield Problem(
                f"{path}.vm_size",
                f"must be a VM size catalog/vm_sizes.py lists ({hint} acknowledge_uncatalogued_vm_size: true"
                " to skip the size checks and the quota count for it)",
                pool.vm_size,
            )
        elif size is not None and acknowledged:
            yield Problem(
                f"{path}.acknowledge_uncatalogued_vm_size",
                f"only applies to a VM size catalog/vm_sizes.py lacks; {size.name} is catalogued",
                True,
            )


@when_set("cluster.node_pools")  # an existing cluster's pools are its owners'
def _gpu_rules(config: AppConfig) -> Iterator[Problem]:
    for i, pool in enumerate(config.cluster.node_pools):
        path = f"cluster.node_pools[{i}]"
        if not is_valid(pool):
            continue
        size = _size_of(pool)
        with contextlib.suppress(InvalidFieldRead):
            if size is not None and pool.gpu and size.gpu is None:
                yield Problem(
                    f"{path}.gpu",
                    f"must be false: {size.name} has no GPU (catalog/vm_sizes.py); pick a GPU size such as"
                    " Standard_NC24ads_A100_v4 for GPU work",
                    True,
                )
            elif size is not None and size.gpu is not None and not pool.gpu:
                yield Problem(
                    f"{path}.gpu",
                    f"must be true: {size.name} has {_gpu_text(size)}; without gpu: true nothing installs the NVIDIA"
                    " device plugin and no pod can request nvidia.com/gpu",
                    False,
                )
        with contextlib.suppress(InvalidFieldRead):
            if pool.gpu_driver is not None and not pool.gpu:
                yield Problem(f"{path}.gpu_driver", "only applies to a pool with gpu: true", pool.gpu_driver)
    gpu_pools = _gpu_pools(config)
    if gpu_pools:
        first_path, first = gpu_pools[0]
        for path, pool in gpu_pools[1:]:
            if _plugin_owner(pool.gpu_driver) != _plugin_owner(first.gpu_driver):
                yield Problem(
                    f"{path}.gpu_driver",
                    f"must leave the NVIDIA device plugin to the same installer as {first_path}"
                    f" ({_plugin_owner(first.gpu_driver)}): the extension's installNvidiaDevicePlugin and"
                    " installDcgmExporter settings are cluster-wide",
                    pool.gpu_driver,
                )
    for path, pool in gpu_pools:
        with contextlib.suppress(InvalidFieldRead, ValueError):
            minor = int(config.cluster.kubernetes_version.split(".")[1])
            if pool.gpu_driver == "aks-managed" and minor < AKS_MANAGED_GPU_MIN_MINOR:
                yield Problem(
                    f"{path}.gpu_driver",
                    f"aks-managed (preview) needs Kubernetes 1.{AKS_MANAGED_GPU_MIN_MINOR} or later"
                    f" (cluster.kubernetes_version is {config.cluster.kubernetes_version})",
                    "aks-managed",
                )


def _gpu_pools(config: AppConfig) -> list[tuple[str, object]]:
    found = []
    for i, pool in enumerate(config.cluster.node_pools):
        with contextlib.suppress(InvalidFieldRead):
            if is_valid(pool) and pool.gpu and is_valid(pool.gpu_driver):
                found.append((f"cluster.node_pools[{i}]", pool))
    return found


def _plugin_owner(gpu_driver: str | None) -> str:
    """Who installs the device plugin and DCGM exporter for a GPU pool in this driver mode."""
    return {None: "the Azure ML extension", "install": "the Azure ML extension", "aks-managed": "AKS"}.get(
        gpu_driver, "you (e.g. the NVIDIA GPU Operator)"
    )


def _gpu_text(size: VmSize) -> str:
    assert size.gpu is not None
    gpu = size.gpu
    if gpu.fractional:
        return f"{gpu.count} of an {gpu.model} GPU (a vGPU slice, {gpu.driver} driver)"
    return f"{gpu.count} {gpu.model} GPU{'s' if gpu.count > 1 else ''}"


@when_set("cluster.node_pools")  # an existing cluster's pools are its owners'
def _ephemeral_os_disk_rule(config: AppConfig) -> Iterator[Problem]:
    for path, pool in _pools(config):
        with contextlib.suppress(InvalidFieldRead):
            size = _size_of(pool)
            if size is None or pool.os_disk_type != "Ephemeral":
                continue
            if not size.ephemeral_os_disk:
                yield Problem(
                    f"{path}.os_disk_type",
                    f"must be Managed: {size.name} does not support ephemeral OS disks (Learn size page)",
                    "Ephemeral",
                )
            elif pool.os_disk_size_gb > size.ephemeral_os_disk_max_gib:
                yield Problem(
                    f"{path}.os_disk_size_gb",
                    f"must fit {size.name}'s largest local disk for an ephemeral OS disk ({_disks(size)}): at most"
                    f" {size.ephemeral_os_disk_max_gib}, or set os_disk_type: Managed",
                    pool.os_disk_size_gb,
                )


def _disks(size: VmSize) -> str:
    parts = [f"temp {size.temp_disk_gib} GiB"]
    if size.cache_disk_gib:
        parts.append(f"cache {size.cache_disk_gib} GiB")
    if size.nvme_disk_gib:
        parts.append(f"NVMe {size.nvme_disk_gib} GiB")
    return ", ".join(parts)


@when_set("cluster.node_pools")  # an existing cluster's pools are its owners'
def _instance_type_capacity_rule(config: AppConfig) -> Iterator[Problem]:
    pools = {}
    for _, pool in _pools(config)[1:]:
        with contextlib.suppress(InvalidFieldRead):
            if is_valid(pool) and is_valid(pool.name):
                pools[pool.name] = pool
    for i, instance_type in enumerate(config.azureml.instance_types or []):
        path = f"azureml.instance_types[{i}]"
        with contextlib.suppress(InvalidFieldRead):
            pool = pools.get(instance_type.node_pool)
            size = _size_of(pool) if pool is not None else None
            if size is None or not pool.azureml:
                continue
            node = allocatable(size, max_pods=pool.max_pods, ml_node=True)
            where = f"one {pool.name} node ({size.name}: {node.describe()} allocatable)"
            requests, limits = instance_type.requests, instance_type.limits
            if millicores(requests.cpu) > node.cpu_millicores:
                yield Problem(f"{path}.requests.cpu", f"must fit {where}: no node could run it", requests.cpu)
            if millicores(limits.cpu) > size.vcpus * 1000:
                yield Problem(f"{path}.limits.cpu", f"must not exceed the {size.vcpus} vCPUs of {where}", limits.cpu)
            for field, quantity in (("requests", requests.memory), ("limits", limits.memory)):
                if memory_bytes(quantity) > node.memory_mib * 2**20:
                    yield Problem(f"{path}.{field}.memory", f"must fit {where}", quantity)
            if limits.gpu > node.gpus:
                yield Problem(
                    f"{path}.limits.gpu",
                    f"must not exceed the {node.gpus} GPU{'s' if node.gpus != 1 else ''} of {where}"
                    if node.gpus
                    else f"needs GPUs; {where} has none",
                    limits.gpu,
                )


RULES = (
    _known_size_rule,
    _gpu_rules,
    _ephemeral_os_disk_rule,
    _instance_type_capacity_rule,
)
