"""AKS's reservation rule as config/allocatable.py applies it (Learn "Node resource reservations")."""

from __future__ import annotations

import pytest

from catalog.vm_sizes import VM_SIZES
from config.allocatable import KUBE_RESERVED_CPU_MILLICORES, allocatable, kube_reserved_cpu_millicores, kube_reserved_memory_mib


@pytest.mark.parametrize(("cores", "millicores"), sorted(KUBE_RESERVED_CPU_MILLICORES.items()))
def test_table_values(cores, millicores):
    assert kube_reserved_cpu_millicores(cores) == millicores


@pytest.mark.parametrize(("cores", "millicores"), [(24, 340), (48, 580), (96, 1060), (128, 1380), (6, 160)])
def test_core_counts_the_table_omits_follow_its_line(cores, millicores):
    assert kube_reserved_cpu_millicores(cores) == millicores


def test_memory_reservation_examples_from_learn():
    # "8 GB memory, 30 pods: 20 MB * 30 + 50 MB = 650 MB"; "4 GB, 70 pods: 25% = 1000 MB" (1024 MiB here).
    assert kube_reserved_memory_mib(8 * 1024, 30) == 650
    assert kube_reserved_memory_mib(4 * 1024, 70) == 1024


def test_allocatable_of_an_ml_node():
    node = allocatable(VM_SIZES["Standard_D16ds_v5"], max_pods=110, ml_node=True)
    # 16000m - 260m kube-reserved - 10m fluent-bit; 65536Mi - 100 - 2250 (20*110+50) - 100 fluent-bit
    assert (node.cpu_millicores, node.memory_mib, node.gpus) == (15730, 63086, 0)
    assert allocatable(VM_SIZES["Standard_NC24ads_A100_v4"], max_pods=110, ml_node=False).gpus == 1
