"""Azure VM sizes the configuration checks know: vCPUs, memory, GPUs, local disks, ephemeral OS disk
support and the quota family, each entry with its source.

Sources (re-read them before changing a row):

- Quota family names, exactly as Azure's resource-SKU and usage APIs spell them (``az vm list-usage``
  prints the same ``name.value``): Azure/karpenter-provider-azure at 352646f5,
  ``pkg/providers/instancetype/known_skus.yaml`` (generated from the resource-SKU API, "family").
- vCPUs, memory (GiB), temp disk (GiB), GPUs and ephemeral OS disk support: the Learn size pages,
  MicrosoftDocs/azure-compute-docs ``articles/virtual-machines/sizes/<category>/<series>-series.md``
  (tabs "Basics", "Local storage", "Accelerators", "Feature support"), as named per series below.
- Cache disk (GiB) and the ephemeral OS disk placements, where a resource-SKU dump has them:
  Azure/karpenter-provider-azure ``pkg/fake/zz_generated.sku.southcentralus.go`` (generated
  2025-06-03; ``CachedDiskBytes``, ``MaxResourceVolumeMB``, ``NvmeDiskSizeInMiB``,
  ``SupportedEphemeralOSDiskPlacements``). Learn's current pages no longer list cache sizes, so a
  size without a dump row has ``cache_disk_gib=None`` (unknown, treated as absent: the ephemeral OS
  disk check then uses the temp/NVMe disk only, which can only make it stricter).

How to regenerate or extend: run ``az vm list-skus -l <region> --resource-type virtualMachines -o json``
and take, per size, ``family`` and the capabilities ``vCPUs``, ``MemoryGB``, ``MaxResourceVolumeMB``
(temp disk), ``CachedDiskBytes``, ``NvmeDiskSizeInMiB``, ``EphemeralOSDiskSupported``,
``SupportedEphemeralOSDiskPlacements`` and ``GPUs``; GPU model, fraction and driver come from the
size's Learn page. Add the row to the series table below with its source; tests/catalog checks
every size used in config/, the fixtures and the README is here.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

GpuDriverKind = Literal["CUDA", "GRID"]

_LEARN = "Learn size page MicrosoftDocs/azure-compute-docs articles/virtual-machines/sizes/"
_KARPENTER_FAMILIES = "family: Azure/karpenter-provider-azure pkg/providers/instancetype/known_skus.yaml"
_KARPENTER_SKU_DUMP = "disks: Azure/karpenter-provider-azure pkg/fake/zz_generated.sku.southcentralus.go"


@dataclass(frozen=True)
class Gpu:
    """GPUs of one VM: ``count`` may be a fraction (a vGPU slice of one physical GPU)."""

    count: Fraction
    model: str
    memory_gb: int  # accelerator memory of the whole VM (Learn "Accelerator-Memory (GB)")
    driver: GpuDriverKind  # CUDA (datacenter) or GRID (virtual GPU; fractional sizes)

    @property
    def fractional(self) -> bool:
        return self.count < 1

    @property
    def schedulable(self) -> int:
        """``nvidia.com/gpu`` a node advertises: whole GPUs, or one device for a vGPU slice."""
        return max(1, int(self.count))


@dataclass(frozen=True)
class VmSize:
    name: str
    vcpus: int
    memory_gib: float
    quota_family: str
    temp_disk_gib: int  # the resource ("temp") disk; 0 when the size has none
    ephemeral_os_disk: bool  # Learn "Feature support: Ephemeral OS Disk"
    source: str
    cache_disk_gib: int | None = None  # None: no source lists one
    nvme_disk_gib: int = 0  # local NVMe disks that can hold an ephemeral OS disk
    gpu: Gpu | None = None

    @property
    def gpus(self) -> int:
        return self.gpu.schedulable if self.gpu else 0

    @property
    def ephemeral_os_disk_max_gib(self) -> int:
        """The largest ephemeral OS disk the size can place (cache, temp or NVMe disk); 0 when it
        supports none. AKS: "the OS disk must fit in the VM cache" or temp/NVMe storage (Learn, AKS
        concepts-storage "Ephemeral OS disk"; Azure VMs ephemeral-os-disks "Size requirements")."""
        if not self.ephemeral_os_disk:
            return 0
        return max(self.cache_disk_gib or 0, self.temp_disk_gib, self.nvme_disk_gib)


def _series(
    page: str,
    family: str,
    rows: list[tuple],
    *,
    ephemeral: bool,
    gpu: tuple[str, GpuDriverKind] | None = None,
) -> dict[str, VmSize]:
    """Rows: (name, vCPUs, memory GiB, temp disk GiB[, GPUs, GPU memory GB][, extra fields])."""
    sizes = {}
    for row in rows:
        name, vcpus, memory, temp, *rest = row
        extra = rest.pop() if rest and isinstance(rest[-1], dict) else {}
        gpu_spec = None
        if gpu:
            count, gpu_memory = rest
            gpu_spec = Gpu(count=Fraction(count), model=gpu[0], memory_gb=gpu_memory, driver=gpu[1])
        source = f"{_LEARN}{page}; {_KARPENTER_FAMILIES}"
        if "cache_disk_gib" in extra or "nvme_disk_gib" in extra:
            source += f"; {_KARPENTER_SKU_DUMP}"
        sizes[name] = VmSize(
            name=name,
            vcpus=vcpus,
            memory_gib=memory,
            quota_family=family,
            temp_disk_gib=temp,
            ephemeral_os_disk=ephemeral,
            source=source,
            gpu=gpu_spec,
            **extra,
        )
    return sizes


VM_SIZES: dict[str, VmSize] = {
    # ------------------------------------------------------------------ general purpose
    **_series(
        "general-purpose/ddsv5-series.md",
        "standardDDSv5Family",
        [
            ("Standard_D2ds_v5", 2, 8, 75),
            ("Standard_D4ds_v5", 4, 16, 150),
            ("Standard_D8ds_v5", 8, 32, 300),
            ("Standard_D16ds_v5", 16, 64, 600),
            ("Standard_D32ds_v5", 32, 128, 1200),
            ("Standard_D48ds_v5", 48, 192, 1800),
            ("Standard_D64ds_v5", 64, 256, 2400),
            ("Standard_D96ds_v5", 96, 384, 3600),
        ],
        ephemeral=True,
    ),
    # Ddsv6: the local disks are NVMe (SKU dump: SupportedEphemeralOSDiskPlacements NvmeDisk).
    **_series(
        "general-purpose/ddsv6-series.md",
        "StandardDdsv6Family",
        [
            ("Standard_D2ds_v6", 2, 8, 0, {"nvme_disk_gib": 110}),
            ("Standard_D4ds_v6", 4, 16, 0, {"nvme_disk_gib": 220}),
            ("Standard_D8ds_v6", 8, 32, 0, {"nvme_disk_gib": 440}),
            ("Standard_D16ds_v6", 16, 64, 0, {"nvme_disk_gib": 880}),
            ("Standard_D32ds_v6", 32, 128, 0, {"nvme_disk_gib": 1760}),
            ("Standard_D48ds_v6", 48, 192, 0, {"nvme_disk_gib": 2640}),
            ("Standard_D64ds_v6", 64, 256, 0, {"nvme_disk_gib": 3520}),
            ("Standard_D96ds_v6", 96, 384, 0, {"nvme_disk_gib": 5280}),
            ("Standard_D128ds_v6", 128, 512, 0, {"nvme_disk_gib": 7040}),
        ],
        ephemeral=True,
    ),
    # ------------------------------------------------------------------ memory optimized
    **_series(
        "memory-optimized/edsv5-series.md",
        "standardEDSv5Family",
        [
            ("Standard_E2ds_v5", 2, 16, 75),
            ("Standard_E4ds_v5", 4, 32, 150),
            ("Standard_E8ds_v5", 8, 64, 300),
            ("Standard_E16ds_v5", 16, 128, 600),
            ("Standard_E20ds_v5", 20, 160, 750),
            ("Standard_E32ds_v5", 32, 256, 1200),
            ("Standard_E48ds_v5", 48, 384, 1800),
            ("Standard_E64ds_v5", 64, 512, 2400),
            ("Standard_E96ds_v5", 96, 672, 3600),
        ],
        ephemeral=True,
    ),
    # Edsv6: Learn's feature table says "Ephemeral OS Disk: Not Supported".
    **_series(
        "memory-optimized/edsv6-series.md",
        "StandardEdsv6Family",
        [
            ("Standard_E2ds_v6", 2, 16, 0, {"nvme_disk_gib": 110}),
            ("Standard_E4ds_v6", 4, 32, 0, {"nvme_disk_gib": 220}),
            ("Standard_E8ds_v6", 8, 64, 0, {"nvme_disk_gib": 440}),
            ("Standard_E16ds_v6", 16, 128, 0, {"nvme_disk_gib": 880}),
            ("Standard_E20ds_v6", 20, 160, 0, {"nvme_disk_gib": 1100}),
            ("Standard_E32ds_v6", 32, 256, 0, {"nvme_disk_gib": 1760}),
            ("Standard_E48ds_v6", 48, 384, 0, {"nvme_disk_gib": 2640}),
            ("Standard_E64ds_v6", 64, 512, 0, {"nvme_disk_gib": 3520}),
            ("Standard_E96ds_v6", 96, 768, 0, {"nvme_disk_gib": 5280}),
        ],
        ephemeral=False,
    ),
    # ------------------------------------------------------------------ compute optimized
    **_series(
        "compute-optimized/fsv2-series.md",
        "standardFSv2Family",
        [
            ("Standard_F2s_v2", 2, 4, 16),
            ("Standard_F4s_v2", 4, 8, 32),
            ("Standard_F8s_v2", 8, 16, 64),
            ("Standard_F16s_v2", 16, 32, 128, {"cache_disk_gib": 256}),
            ("Standard_F32s_v2", 32, 64, 256),
            ("Standard_F48s_v2", 48, 96, 384),
            ("Standard_F64s_v2", 64, 128, 512),
            ("Standard_F72s_v2", 72, 144, 576),
        ],
        ephemeral=True,
    ),
    # ------------------------------------------------------------------ GPU (NVIDIA)
    # NC A100 v4: one NVIDIA A100 80GB per 24 vCPUs; SKU dump for NC24ads: cache 256 GiB, NVMe 894 GiB.
    **_series(
        "gpu-accelerated/nca100v4-series.md",
        "StandardNCADSA100v4Family",
        [
            ("Standard_NC24ads_A100_v4", 24, 220, 64, 1, 80, {"cache_disk_gib": 256, "nvme_disk_gib": 894}),
            ("Standard_NC48ads_A100_v4", 48, 440, 128, 2, 160),
            ("Standard_NC96ads_A100_v4", 96, 880, 256, 4, 320),
        ],
        ephemeral=True,
        gpu=("NVIDIA A100 80GB", "CUDA"),
    ),
    **_series(
        "gpu-accelerated/ncadsh100v5-series.md",
        "StandardNCadsH100v5Family",
        [
            ("Standard_NC40ads_H100_v5", 40, 320, 3576, 1, 94),
            ("Standard_NC80adis_H100_v5", 80, 640, 7152, 2, 188),
        ],
        ephemeral=True,
        gpu=("NVIDIA H100 NVL 94GB", "CUDA"),
    ),
    # The usage API spells this family with spaces.
    **_series(
        "gpu-accelerated/ncast4v3-series.md",
        "Standard NCASv3_T4 Family",
        [
            ("Standard_NC4as_T4_v3", 4, 28, 176, 1, 16),
            ("Standard_NC8as_T4_v3", 8, 56, 352, 1, 16),
            ("Standard_NC16as_T4_v3", 16, 110, 352, 1, 16, {"cache_disk_gib": 144}),
            ("Standard_NC64as_T4_v3", 64, 440, 2816, 4, 64),
        ],
        ephemeral=True,
        gpu=("NVIDIA Tesla T4 16GB", "CUDA"),
    ),
    # NVads A10 v5: fractional A10 GPUs (vGPU slices of 1/6, 1/3, 1/2) need NVIDIA's GRID driver.
    **_series(
        "gpu-accelerated/nvadsa10v5-series.md",
        "StandardNVADSA10v5Family",
        [
            ("Standard_NV6ads_A10_v5", 6, 55, 180, Fraction(1, 6), 4),
            ("Standard_NV12ads_A10_v5", 12, 110, 360, Fraction(1, 3), 8),
            ("Standard_NV18ads_A10_v5", 18, 220, 720, Fraction(1, 2), 12),
            ("Standard_NV36ads_A10_v5", 36, 440, 1440, 1, 24),
            ("Standard_NV36adms_A10_v5", 36, 880, 2880, 1, 24),
            ("Standard_NV72ads_A10_v5", 72, 880, 2880, 2, 48),
        ],
        ephemeral=True,
        gpu=("NVIDIA A10 24GB", "GRID"),
    ),
    # ND H100 v5: 8 H100 80GB; temp disk 1024 GiB plus 8 NVMe disks (28 TiB in total).
    **_series(
        "gpu-accelerated/ndh100v5-series.md",
        "standardNDSH100v5Family",
        [("Standard_ND96isr_H100_v5", 96, 1900, 1024, 8, 640, {"nvme_disk_gib": 28 * 1024})],
        ephemeral=True,
        gpu=("NVIDIA H100 80GB", "CUDA"),
    ),
}


def lookup(name: str) -> VmSize | None:
    """The catalogue entry of ``name``; Azure size names are case-insensitive."""
    return VM_SIZES.get(name) or next((s for s in VM_SIZES.values() if s.name.lower() == name.lower()), None)
