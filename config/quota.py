"""The regional vCPU quota a config's node pools need, printed by `make validate`.

A new subscription's default quota is often smaller than a cluster's first deploy needs, and AKS
only says so when it fails to create a pool. Azure counts quota per region, in total and per VM
family; the family of each size comes from the catalogue (catalog/vm_sizes.py, spelled as
`az vm list-usage -l <region>` prints it), never from the size's name. A size the catalogue lacks
(allowed only with acknowledge_uncatalogued_vm_size) is listed as not counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from catalog.vm_sizes import lookup
from config.model import AppConfig


@dataclass(frozen=True)
class SeriesNeed:
    series: str  # the quota family as Azure's usage API spells it, e.g. "standardDDSv5Family"
    at_creation: int  # vCPUs of every pool at min_count
    at_maximum: int  # vCPUs of every pool at max_count (the autoscaler's ceiling)


def vcpus(vm_size: str) -> int | None:
    size = lookup(vm_size)
    return size.vcpus if size else None


def series(vm_size: str) -> str | None:
    """The quota family of ``vm_size``, or None when the catalogue lacks the size."""
    size = lookup(vm_size)
    return size.quota_family if size else None


def _pools(config: AppConfig) -> list:
    if config.cluster.existing_id is not None:
        return []  # an existing cluster's pools are its owners' (no system pool is created either)
    return [config.cluster.system_pool, *(config.cluster.node_pools or [])]


def vcpu_needs(config: AppConfig) -> list[SeriesNeed]:
    creation: dict[str, int] = defaultdict(int)
    maximum: dict[str, int] = defaultdict(int)
    for pool in _pools(config):
        size = lookup(pool.vm_size)
        if size is None:
            continue
        creation[size.quota_family] += size.vcpus * pool.min_count
        maximum[size.quota_family] += size.vcpus * pool.max_count
    return [SeriesNeed(name, creation[name], maximum[name]) for name in sorted(maximum)]


def uncounted_sizes(config: AppConfig) -> list[str]:
    return sorted({p.vm_size for p in _pools(config) if lookup(p.vm_size) is None})


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
    lines += [f"  {n.series}: {n.at_creation} at creation, {n.at_maximum} at maximum" for n in needs]
    unknown = uncounted_sizes(config)
    if unknown:
        lines.append(f"  not counted (not in catalog/vm_sizes.py): {', '.join(unknown)}")
    return "\n".join(lines)
