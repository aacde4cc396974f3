"""images.registry: the kubelet identity pulls from the registry (AcrPull), the controller image
comes from it (by digest when given) in both delivery modes, and Flux reads the chart from it."""

from __future__ import annotations

from tests.conftest import ROOT
from tests.gitops.conftest import rendered

LOCKDOWN = ROOT / "tests" / "fixtures" / "configs" / "gitops-gpu-workspace-lockdown.yaml"
REGISTRY_ID = (
    "/subscriptions/44444444-4444-4444-4444-444444444444/resourceGroups/rg-ml"
    "/providers/Microsoft.ContainerRegistry/registries/crlockimages"
)


def test_kubelet_identity_holds_acr_pull_on_the_registry(synth, default_synth):
    assignments = synth(LOCKDOWN).resources("aks-cluster", "azurerm_role_assignment").values()
    (pull,) = [a for a in assignments if a["role_definition_name"] == "AcrPull"]
    assert pull["scope"] == REGISTRY_ID
    assert "kubelet_identity[0].object_id" in pull["principal_id"]
    defaults = default_synth.resources("aks-cluster", "azurerm_role_assignment").values()
    assert not [a for a in defaults if a["role_definition_name"] == "AcrPull"]


def test_flux_reads_the_chart_and_the_image_from_the_registry():
    objects = rendered(LOCKDOWN).objects()
    (repository,) = [o for o in objects if o["kind"] == "HelmRepository"]
    assert repository["spec"] == {
        "url": "oci://crlockimages.azurecr.io/helm",
        "interval": repository["spec"]["interval"],
        "type": "oci",
        "provider": "azure",
    }
    (release,) = [o for o in objects if o["kind"] == "HelmRelease"]
    image = release["spec"]["values"]["controller"]["image"]
    assert image["repository"] == "crlockimages.azurecr.io/nginx/nginx-ingress"
    assert image["digest"] == "sha256:4f1c0e7b9a2d3c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6"
