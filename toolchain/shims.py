"""The few places where the two toolchains' provider majors differ, as small values and functions
that the call sites use. Each says why; docs/toolchain.md lists the resulting differences in the
synthesized JSON and tests/test_toolchain_equivalence.py holds them to exactly that list.

    toolchain   azurerm   kubernetes   helm
    cdktf 0.21  4.55.0    2.38.0       3.1.1   (default; every shim below is a no-op here)
    cdktn 0.24  5.10.0    3.4.0        3.3.0

Under cdktf every function returns exactly what the code passed before the shim existed, so the
default toolchain's output stays byte-identical (the snapshots prove it).
"""

from __future__ import annotations

from typing import Any

from toolchain import CDKTN, NAME

AZURERM_MAJOR = 5 if NAME == CDKTN else 4
KUBERNETES_MAJOR = 3 if NAME == CDKTN else 2

# azurerm 5: AKS node provisioning mode. "Manual" is what every cluster built by azurerm 4 has
# (AKS's default: node pools are managed explicitly, no node auto-provisioning / Karpenter).
NODE_PROVISIONING_MODE = "Manual"


def kubernetes_cluster_arguments() -> dict[str, Any]:
    """Extra ``KubernetesCluster`` arguments.

    azurerm 5 made the ``node_provisioning_profile`` block required (5.0 upgrade guide,
    "azurerm_kubernetes_cluster"); azurerm 4.55 has no such block. Its ``mode`` is set explicitly
    to ``Manual``, the AKS default a 4.x-built cluster already has, so no node auto-provisioning is
    switched on. Not ForceNew (an in-place update if the API ever reported another value).
    """
    if AZURERM_MAJOR < 5:
        return {}
    from toolchain.azurerm.kubernetes_cluster import KubernetesClusterNodeProvisioningProfile

    return {"node_provisioning_profile": KubernetesClusterNodeProvisioningProfile(mode=NODE_PROVISIONING_MODE)}


def private_dns_zone_link_target(*, zone_id: str, zone_name: str, resource_group_name: str) -> dict[str, str]:
    """How ``PrivateDnsZoneVirtualNetworkLink`` names its zone.

    azurerm 4: ``resource_group_name`` + ``private_dns_zone_name``. azurerm 5 removed both in favour
    of ``private_dns_zone_id`` (5.0 upgrade guide). ForceNew, but the 5.x provider reads it from the
    link's own id on refresh, so an existing link plans no change (see docs/toolchain.md).
    """
    if AZURERM_MAJOR >= 5:
        return {"private_dns_zone_id": zone_id}
    return {"resource_group_name": resource_group_name, "private_dns_zone_name": zone_name}


def single_block(value: Any) -> Any:
    """A nested block with at most one element (e.g. ``NamespaceV1`` ``metadata``).

    kubernetes 2.x bindings type such a block as one object; the kubernetes 3.4 bindings
    (``cdktn-provider-kubernetes`` 17) type it as a list. Terraform JSON reads a block given as an
    object or as a one-element array the same way, so the plan is unchanged.
    """
    return [value] if KUBERNETES_MAJOR >= 3 else value


def federated_identity_credential_parent(*, identity_id: str, resource_group_name: str) -> dict[str, str]:
    """How ``FederatedIdentityCredential`` names its user-assigned identity.

    azurerm 4: ``parent_id`` + ``resource_group_name``. azurerm 5 replaced both with
    ``user_assigned_identity_id`` (azurerm v5.12.0 docs, r/federated_identity_credential). Used only
    by GitOps mode with workload identity (constructs_lib/gitops_delivery).
    """
    if AZURERM_MAJOR >= 5:
        return {"user_assigned_identity_id": identity_id}
    return {"parent_id": identity_id, "resource_group_name": resource_group_name}
