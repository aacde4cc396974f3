"""What one node of a pool offers to pods: AKS's reservation rules applied to a catalogued VM size,
minus the requests of the DaemonSets this project's extension runs on every ML node.

Sources:
- AKS reservations, Learn "Node resource reservations in AKS" (azure/aks/node-resource-reservations),
  AKS 1.29 and later: kube-reserved CPU by cores on the host (table below); memory = eviction
  threshold ``memory.available<100Mi`` + kube-reserved = the lesser of ``20 MB * max pods + 50 MB``
  and 25 % of the node's memory. MB is taken as MiB (the larger reading: a check that refuses must
  not pass a config that fails).
- The table lists 1, 2, 4, 8, 16, 32 and 64 cores. From 4 cores up every listed value is
  ``140 + 10 * (cores - 4)`` millicores; this module applies that line to core counts the table
  omits (6, 12, 20, 24, 36, 40, 48, 72, 80, 96, 128): 24 -> 340m, 48 -> 580m, 96 -> 1060m.
  Below 4 cores only 1 and 2 exist among catalogued sizes, both in the table.
- DaemonSets of the Azure ML extension on every node: Learn "Reference for configuring Kubernetes
  cluster for Azure Machine Learning" (machine-learning/reference-kubernetes, "Recommended resource
  planning"): fluent-bit, one per node, 10m CPU and 100Mi memory requested. The table names no
  other per-node component; the NVIDIA device plugin and DCGM exporter it installs on GPU nodes
  publish no requests there.
- Not subtracted, because no source publishes their requests: the AKS add-ons' own DaemonSets
  (Container Insights agent, Defender, Key Vault CSI driver, Cilium, Azure CNI, cloud node manager,
  CSI drivers). An instance type that passes these checks therefore may still not fit; one that
  fails them never fits (README "Capacity").
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from catalog.vm_sizes import VmSize

KUBE_RESERVED_CPU_MILLICORES = {1: 60, 2: 100, 4: 140, 8: 180, 16: 260, 32: 420, 64: 740}
EVICTION_THRESHOLD_MIB = 100
KUBE_RESERVED_MIB_PER_POD = 20
KUBE_RESERVED_MIB_BASE = 50
KUBE_RESERVED_MEMORY_FRACTION = Fraction(1, 4)
# (name, CPU millicores, memory MiB) requested on every ML node by the Azure ML extension.
EXTENSION_PER_NODE_DAEMONSETS = (("fluent-bit", 10, 100),)


def kube_reserved_cpu_millicores(cores: int) -> int:
    if cores in KUBE_RESERVED_CPU_MILLICORES:
        return KUBE_RESERVED_CPU_MILLICORES[cores]
    if cores > 4:
        return 140 + 10 * (cores - 4)
    # 3 cores: between the table's 2 (100m) and 4 (140m) cores; take the larger.
    return KUBE_RESERVED_CPU_MILLICORES[4]


def kube_reserved_memory_mib(memory_mib: int, max_pods: int) -> int:
    per_pods = KUBE_RESERVED_MIB_PER_POD * max_pods + KUBE_RESERVED_MIB_BASE
    return int(min(Fraction(per_pods), KUBE_RESERVED_MEMORY_FRACTION * memory_mib))


@dataclass(frozen=True)
class Allocatable:
    cpu_millicores: int
    memory_mib: int
    gpus: int

    def describe(self) -> str:
        gpus = f", {self.gpus} GPU{'s' if self.gpus != 1 else ''}" if self.gpus else ""
        return f"{self.cpu_millicores}m CPU, {self.memory_mib / 1024:.1f}Gi memory{gpus}"


def allocatable(size: VmSize, *, max_pods: int, ml_node: bool) -> Allocatable:
    """Allocatable resources of one node of ``size``, less the extension's per-node DaemonSets on
    an ML node (``ml_node``)."""
    memory_mib = int(size.memory_gib * 1024)
    cpu = size.vcpus * 1000 - kube_reserved_cpu_millicores(size.vcpus)
    memory = memory_mib - EVICTION_THRESHOLD_MIB - kube_reserved_memory_mib(memory_mib, max_pods)
    if ml_node:
        cpu -= sum(c for _, c, _ in EXTENSION_PER_NODE_DAEMONSETS)
        memory -= sum(m for _, _, m in EXTENSION_PER_NODE_DAEMONSETS)
    return Allocatable(cpu_millicores=cpu, memory_mib=memory, gpus=size.gpus)
