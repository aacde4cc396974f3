"""The regional vCPU quota a config's node pools need, printed by `make validate`.

A new subscription's default quota is often smaller than a cluster's first deploy needs, and AKS
only says so when it fails to create a pool. The vCPU count comes from the VM size name (Azure's
naming: the number after the family letters, e.g. Standard_D8ds_v5 -> 8, Standard_NC24ads_A100_v4
-> 24); Azure counts quota per region and per VM family (compare with `az vm list-usage -l <region>`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from config.model import AppConfig

_SIZE = re.compile(r"Standard_(?P<family>[A-Za-z]+?)(?P<vcpus>\d+)(?P<rest>.*)")


@dataclass(frozen=True)
class SeriesNeed:
    series: str  # e.g. "Dds_v5": the size name without its vCPU count
    at_creation: int  # vCPUs of every pool at min_count
    at_maximum: int  # vCPUs of every pool at max_count (the autoscaler's ceiling)


def vcpus(vm_size: str) -> int | None:
    match = _SIZE.fullmatch(vm_size)
    return int(match["vcpus"]) if match else None


def series(vm_size: str) -> str:
    match = _SIZE.fullmatch(vm_size)
    if not match:
        return vm_size
    rest = match["rest"].lstrip("-0123456789")  # constrained sizes such as E16-4ds_v5
    return f"{match['family']}{rest}"


def vcpu_needs(config: AppConfig) -> list[SeriesNeed]:
    pools = [config.cluster.system_pool, *(config.cluster.node_pools or [])]
    creation: dict[str, int] = defaultdict(int)
    maximum: dict[str, int] = defaultdict(int)
    for pool in pools:
        per_node = vcpus(pool.vm_size) or 0
        creation[series(pool.vm_size)] += per_node * pool.min_count
        maximum[series(pool.vm_size)] += per_node * pool.max_count
    return [SeriesNeed(name, creation[name], maximum[name]) for name in sorted(maximum)]


def describe(config: AppConfig) -> str:
    if config.cluster.node_pools is None:
        return "vCPU quota: nothing to create (cluster.existing_id: the existing cluster's pools are its owners')"
    needs = vcpu_needs(config)
    total_creation = sum(n.at_creation for n in needs)
    total_maximum = sum(n.at_maximum for n in needs)
    lines = [
        f"vCPU quota needed in {config.location}: {total_creation} to create the cluster (pools at min_count),"
        f" {total_maximum} at the autoscalers' maximum (plus upgrade surge)"
    ]
    lines += [f"  {n.series} series: {n.at_creation} at creation, {n.at_maximum} at maximum" for n in needs]
    unknown = sorted({p.vm_size for p in [config.cluster.system_pool, *config.cluster.node_pools] if vcpus(p.vm_size) is None})
    if unknown:
        lines.append(f"  not counted (vCPUs not in the size name): {', '.join(unknown)}")
    return "\n".join(lines)
