"""The per-pool capacity table `make validate` prints: size, vCPUs/memory/GPUs, allocatable
resources, the largest instance type one node runs, and the quota the pool needs."""

from __future__ import annotations

from catalog.vm_sizes import lookup
from config.allocatable import allocatable
from config.model import AppConfig

HEADERS = ("pool", "vm size", "vCPU / memory / GPU", "allocatable per node", "largest instance type", "quota (min-max)")


def rows(config: AppConfig) -> list[tuple[str, ...]]:
    table = []
    if config.cluster.existing_id is not None:
        return table  # an existing cluster's pools are its owners' (the system pool default included)
    pools = [(config.cluster.system_pool, False)] + [(p, p.azureml) for p in config.cluster.node_pools or []]
    for pool, ml_node in pools:
        size = lookup(pool.vm_size)
        if size is None:
            table.append((pool.name, pool.vm_size, "not catalogued", "-", "-", "not counted"))
            continue
        node = allocatable(size, max_pods=pool.max_pods, ml_node=ml_node)
        gpu = "-"
        if size.gpu:
            gpu = f"{size.gpu.count} {size.gpu.model}" + (f" ({size.gpu.driver} vGPU)" if size.gpu.fractional else "")
        largest = (
            f"requests cpu {node.cpu_millicores}m, memory {node.memory_mib}Mi"
            + (f", nvidia.com/gpu {node.gpus}" if node.gpus else "")
            if ml_node
            else "- (azureml: false)"
        )
        quota = f"{size.quota_family} {size.vcpus * pool.min_count}-{size.vcpus * pool.max_count}"
        table.append((pool.name, size.name, f"{size.vcpus} / {size.memory_gib:g}Gi / {gpu}", node.describe(), largest, quota))
    return table


def render(config: AppConfig) -> str:
    table = [HEADERS, *rows(config)]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADERS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in table]
    notes = [
        "allocatable: AKS reservations (Learn 'Node resource reservations') minus the extension's fluent-bit on ML"
        " nodes; AKS add-on DaemonSets are not subtracted (README 'Capacity')"
    ]
    return "\n".join([lines[0], *lines[1:], *notes])
