"""Regional vCPU quota, VM sizes in the region and zones, and the Kubernetes version."""

from __future__ import annotations

from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.containerservice import ContainerServiceClient

from config import quota
from tools.preflight.context import Context
from tools.preflight.model import Check, Finding, blocker, enum_text, ok, warning

QUOTA_REQUEST = (
    "request more in the portal (Quotas > Compute, region {location}) or `az quota update`; see README 'Empty subscription'"
)
TOTAL_REGIONAL = "cores"  # the usage row "Total Regional vCPUs"


def _existing_cluster(context: Context) -> str | None:
    if context.config.cluster.existing_id is not None:
        return "cluster.existing_id: the existing cluster's pools, sizes and version are its owners'"
    return None


def _pools(context: Context):
    return [context.config.cluster.system_pool, *context.config.cluster.node_pools]


def _sku_vcpus(sku) -> int | None:
    for capability in sku.capabilities or []:
        if capability.name == "vCPUs" and capability.value and capability.value.isdigit():
            return int(capability.value)
    return None


def quota_rows(context: Context) -> tuple[list[tuple[str, int, int]], list[str]]:
    """(quota family, vCPUs at creation, vCPUs at maximum) per family the pools count against, and
    the sizes nothing tells the family of.

    Catalogued sizes: the catalogue's family, spelled as the usage API does (config/quota.py).
    A size the catalogue lacks (allowed with `acknowledge_uncatalogued_vm_size`): the family and
    vCPUs the region's resource SKUs give it (a SKU's ``family`` is its usage row, e.g.
    Standard_A1 -> standardA0_A7Family)."""
    rows = {n.series: [n.at_creation, n.at_maximum] for n in quota.vcpu_needs(context.config)}
    unknown = []
    skus = region_skus(context)
    for pool in _pools(context):
        if quota.series(pool.vm_size) is not None:
            continue
        sku = skus.get(pool.vm_size.lower())
        vcpus = _sku_vcpus(sku) if sku else None
        if sku is None or not sku.family or vcpus is None:
            unknown.append(pool.vm_size)
            continue
        row = rows.setdefault(sku.family, [0, 0])
        row[0] += vcpus * pool.min_count
        row[1] += vcpus * pool.max_count
    return [(family, *row) for family, row in sorted(rows.items())], unknown


def _usage(context: Context) -> dict[str, object]:
    client = context.client(ComputeManagementClient)
    return {u.name.value.lower(): u for u in client.usage.list(context.config.location) if u.name and u.name.value}


def check_quota(context: Context) -> list[Finding]:
    location = context.config.location
    usage = _usage(context)
    rows, unknown = quota_rows(context)
    findings: list[Finding] = [
        warning(f"{size}: neither the catalogue nor the region's SKUs give its quota family", "check its quota by hand")
        for size in unknown
    ]
    rows.append((TOTAL_REGIONAL, sum(r[1] for r in rows), sum(r[2] for r in rows)))
    for family, at_creation, at_maximum in rows:
        row = usage.get(family.lower())
        label = "Total Regional vCPUs" if family == TOTAL_REGIONAL else family
        if row is None:
            findings.append(
                warning(f"{label}: no usage row in {location}", f"compare by hand: `az vm list-usage -l {location} -o table`")
            )
            continue
        free = row.limit - row.current_value
        text = (
            f"{label}: {row.current_value}/{row.limit} used, {free} free;"
            f" pools need {at_creation} to create, {at_maximum} at maximum"
        )
        if free < at_creation:
            findings.append(blocker(text, QUOTA_REQUEST.format(location=location)))
        elif free < at_maximum:
            findings.append(warning(text + " (the autoscaler stops short of max_count)", QUOTA_REQUEST.format(location=location)))
        else:
            findings.append(ok(text))
    return findings


def region_skus(context: Context) -> dict[str, object]:
    """The region's virtual machine SKUs by lower-case name (read once for all checks)."""

    def read():
        client = context.client(ComputeManagementClient)
        skus = client.resource_skus.list(filter=f"location eq '{context.config.location}'")
        return {s.name.lower(): s for s in skus if s.resource_type == "virtualMachines" and s.name}

    return context.once("region_skus", read)


def sku_problems(sku, location: str, zones: list[str]) -> tuple[str | None, list[str]]:
    """(why the size cannot be used in the region at all, zones of ``zones`` it is not offered in)."""
    for restriction in sku.restrictions or []:
        if restriction.type == "Location" and location.lower() in [v.lower() for v in restriction.values_property or []]:
            return f"restricted in {location} ({enum_text(restriction.reason_code)})", []
    offered: set[str] = set()
    for info in sku.location_info or []:
        if (info.location or "").lower() == location.lower():
            offered |= set(info.zones or [])
    for restriction in sku.restrictions or []:
        if restriction.type == "Zone" and restriction.restriction_info:
            offered -= set(restriction.restriction_info.zones or [])
    return None, [z for z in zones if z not in offered]


def check_vm_sizes(context: Context) -> list[Finding]:
    location = context.config.location
    skus = region_skus(context)
    findings = []
    for pool in _pools(context):
        sku = skus.get(pool.vm_size.lower())
        where = f"pool {pool.name}: {pool.vm_size}"
        if sku is None:
            findings.append(blocker(f"{where} is not offered in {location}", "choose a size `az vm list-skus -l <region>` lists"))
            continue
        unusable, missing_zones = sku_problems(sku, location, list(pool.zones))
        if unusable:
            findings.append(blocker(f"{where} is {unusable}", "choose another size, or ask support to lift the restriction"))
        elif missing_zones:
            findings.append(
                blocker(
                    f"{where} is not offered in zone(s) {', '.join(missing_zones)} of {location}",
                    "set the pool's zones to those `az vm list-skus -l <region> --size <size> --zone` shows",
                )
            )
        else:
            findings.append(ok(f"{where} offered in {location}, zones {', '.join(pool.zones) or 'none requested'}"))
    return findings


def check_kubernetes_version(context: Context) -> list[Finding]:
    wanted = context.config.cluster.kubernetes_version
    client = context.client(ContainerServiceClient)
    # `values_property`: the model is a mapping, so the JSON field `values` is renamed in Python.
    versions = client.managed_clusters.list_kubernetes_versions(context.config.location).values_property or []
    minors = {v.version: v for v in versions if v.version}
    minor = ".".join(wanted.split(".")[:2])
    offered = ", ".join(sorted(minors, key=lambda v: [int(p) for p in v.split(".")]))
    found = minors.get(minor)
    if found is None:
        return [
            blocker(
                f"Kubernetes {wanted} is not offered in {context.config.location} (offered: {offered})",
                "set cluster.kubernetes_version to an offered version (`az aks get-versions -l <region>`)",
            )
        ]
    if wanted != minor and wanted not in (found.patch_versions or {}):
        patches = ", ".join(sorted(found.patch_versions or {}))
        return [
            blocker(
                f"patch {wanted} is not offered (offered for {minor}: {patches})",
                "use the minor version alone or an offered patch",
            )
        ]
    if found.is_preview:
        return [
            warning(f"Kubernetes {minor} is a preview version in {context.config.location}", "use a generally available version")
        ]
    return [ok(f"Kubernetes {wanted} offered in {context.config.location}")]


CHECKS = (
    Check("vCPU quota", check_quota, skip_reason=_existing_cluster),
    Check("VM sizes and zones", check_vm_sizes, skip_reason=_existing_cluster),
    Check("Kubernetes version", check_kubernetes_version, skip_reason=_existing_cluster),
)
