"""Preflight: vCPU quota per family, VM sizes in the region and zones, Kubernetes version."""

from __future__ import annotations

import pytest

from config import quota
from tests.azure_tools import arm_responses as arm
from tests.azure_tools.preflight_world import (
    SPOKE,
    WORKSPACE,
    context_for,
    healthy,
    statuses,
)
from tools.preflight import checks_compute
from tools.preflight.model import Status


# ------------------------------------------------------------------ compute
def _usage(fake, rows):
    fake.add("GET", f"/subscriptions/{SPOKE}/providers/Microsoft.Compute/locations/westeurope/usages", arm.usage(rows))


def test_quota_per_family_and_total():
    fake = healthy(WORKSPACE)
    # WORKSPACE: system 3-5 x D4ds_v5, mlcpu 3-6 x D8ds_v5 -> DDSv5 36 at creation, 68 at maximum.
    _usage(fake, {"cores": (0, 1000), "standardDDSv5Family": (0, 50), "standardNCADSA100v4Family": (0, 10)})
    findings = checks_compute.check_quota(context_for(WORKSPACE, fake))
    by_family = {f.message.split(":")[0]: f for f in findings}
    assert by_family["standardDDSv5Family"].status == Status.WARNING  # 50 free: creation fits, maximum not
    assert "36 to create, 68 at maximum" in by_family["standardDDSv5Family"].message
    assert by_family["Total Regional vCPUs"].status == Status.OK


def test_quota_too_small_to_create_is_a_blocker():
    fake = healthy(WORKSPACE)
    _usage(fake, {"cores": (990, 1000), "standardDDSv5Family": (0, 500), "standardNCADSA100v4Family": (0, 500)})
    findings = checks_compute.check_quota(context_for(WORKSPACE, fake))
    total = [f for f in findings if f.message.startswith("Total Regional vCPUs")]
    assert statuses(total) == [Status.BLOCKER] and "990/1000 used, 10 free" in total[0].message


def test_quota_family_without_usage_row_is_a_warning():
    fake = healthy(WORKSPACE)
    _usage(fake, {"cores": (0, 1000), "standardDDSv5Family": (0, 500)})
    findings = checks_compute.check_quota(context_for(WORKSPACE, fake))
    assert any(f.status == Status.WARNING and "no usage row" in f.message for f in findings)


def test_catalogued_sizes_count_against_the_catalogues_family():
    fake = healthy(WORKSPACE)
    _usage(fake, {"cores": (0, 1000), "standardDDSv5Family": (0, 500)})
    rows, unknown = checks_compute.quota_rows(context_for(WORKSPACE, fake))
    assert unknown == []
    assert [r[0] for r in rows] == sorted({n.series for n in quota.vcpu_needs(WORKSPACE)})
    assert "standardDDSv5Family" in [r[0] for r in rows]


def test_quota_family_comes_from_the_region_skus_when_the_name_does_not_tell():
    """Standard_A1's usage row is standardA0_A7Family (ListAvailableResourceSkusForARegion.json)."""
    config = WORKSPACE.model_copy(
        update={
            "cluster": WORKSPACE.cluster.model_copy(
                update={"system_pool": WORKSPACE.cluster.system_pool.model_copy(update={"vm_size": "Standard_A1"})}
            )
        }
    )
    fake = healthy(config)
    _skus(
        fake,
        arm.vm_sku("Standard_A1", "standardA0_A7Family", 1, "westeurope"),
        arm.vm_sku("Standard_D8ds_v5", "standardDDSv5Family", 8, "westeurope"),
        arm.vm_sku("Standard_NC24ads_A100_v4", "standardNCADSA100v4Family", 24, "westeurope"),
    )
    _usage(
        fake,
        {
            "cores": (0, 1000),
            "standardA0_A7Family": (0, 4),
            "standardDDSv5Family": (0, 500),
            "standardNCADSA100v4Family": (0, 500),
        },
    )
    findings = checks_compute.check_quota(context_for(config, fake))
    a_family = [f for f in findings if f.message.startswith("standardA0_A7Family")]
    assert statuses(a_family) == [Status.WARNING] and "3 to create, 5 at maximum" in a_family[0].message


def _skus(fake, *entries):
    fake.add("GET", f"/subscriptions/{SPOKE}/providers/Microsoft.Compute/skus", arm.skus(*entries))


def test_vm_size_missing_from_region():
    fake = healthy(WORKSPACE)
    _skus(
        fake,
        arm.vm_sku("Standard_D4ds_v5", "standardDDSv5Family", 4, "westeurope"),
        arm.vm_sku("Standard_D8ds_v5", "standardDDSv5Family", 8, "westeurope"),
    )
    findings = checks_compute.check_vm_sizes(context_for(WORKSPACE, fake))
    assert statuses(findings) == [Status.OK, Status.OK, Status.BLOCKER]
    assert "Standard_NC24ads_A100_v4 is not offered in westeurope" in findings[2].message


def test_vm_size_restricted_zone_and_location():
    fake = healthy(WORKSPACE)
    _skus(
        fake,
        arm.vm_sku("Standard_D4ds_v5", "f", 4, "westeurope", restrictions=[arm.zone_restriction("westeurope", ["3"])]),
        arm.vm_sku("Standard_D8ds_v5", "f", 8, "westeurope", zones=("1", "2")),
        arm.vm_sku("Standard_NC24ads_A100_v4", "f", 24, "westeurope", restrictions=[arm.location_restriction("westeurope")]),
    )
    findings = checks_compute.check_vm_sizes(context_for(WORKSPACE, fake))
    assert statuses(findings) == [Status.BLOCKER] * 3
    assert "zone(s) 3" in findings[0].message and "zone(s) 3" in findings[1].message
    assert "NotAvailableForSubscription" in findings[2].message


def test_region_skus_are_read_once_for_two_checks():
    fake = healthy(WORKSPACE)
    context = context_for(WORKSPACE, fake)
    checks_compute.check_vm_sizes(context)
    checks_compute.check_vm_sizes(context)
    assert sum("/skus" in url for _m, url in fake.requests) == 1
    assert any("%24filter=location+eq+%27westeurope%27" in url or "filter=location" in url for _m, url in fake.requests)


@pytest.mark.parametrize(
    ("versions", "preview", "expected"),
    [
        ({"1.35": ["1.35.1"]}, (), Status.OK),
        ({"1.33": ["1.33.4"], "1.34": ["1.34.2"]}, (), Status.BLOCKER),
        ({"1.35": ["1.35.1"]}, ("1.35",), Status.WARNING),
    ],
)
def test_kubernetes_version(versions, preview, expected):
    fake = healthy(WORKSPACE)
    fake.add(
        "GET",
        f"/subscriptions/{SPOKE}/providers/Microsoft.ContainerService/locations/westeurope/kubernetesVersions",
        arm.kubernetes_versions(versions, preview),
    )
    findings = checks_compute.check_kubernetes_version(context_for(WORKSPACE, fake))
    assert statuses(findings) == [expected]
    if expected == Status.BLOCKER:
        assert "offered: 1.33, 1.34" in findings[0].message
