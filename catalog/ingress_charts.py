"""The two supported NGINX ingress controllers' charts and the controller image each pulls by
default (F5: nginx/kubernetes-ingress charts/nginx-ingress/values.yaml, `controller.image.repository:
nginx/nginx-ingress` on Docker Hub, excerpt in catalog/sources/f5-nginx-chart-values.md; the tag is
the chart's appVersion). `make images` copies these into images.registry."""

from __future__ import annotations

from dataclasses import dataclass

# Where `make images` puts a chart in images.registry (Flux reads it from there in GitOps mode).
CHART_REPOSITORY_PATH = "helm"
F5_NGINX = "f5-nginx"
COMMUNITY_INGRESS_NGINX = "community-ingress-nginx"


@dataclass(frozen=True)
class ChartSource:
    repository: str
    chart: str
    version: str
    retired: bool
    # The controller image the chart pulls by default (F5: values.yaml controller.image.repository
    # on Docker Hub, tag = the chart's appVersion); what `make images` copies into images.registry.
    image_source: str | None = None  # registry/repository
    image_repository: str | None = None
    image_tag: str | None = None


CHARTS = {
    # F5 NGINX Ingress Controller (open source), controller 5.5.4: maintained.
    F5_NGINX: ChartSource(
        repository="oci://ghcr.io/nginx/charts",
        chart="nginx-ingress",
        version="2.6.4",
        retired=False,
        image_source="docker.io/nginx/nginx-ingress",
        image_repository="nginx/nginx-ingress",
        image_tag="5.5.4",
    ),
    # kubernetes/ingress-nginx: retired in March 2026, no further CVE fixes. Opt-in only.
    COMMUNITY_INGRESS_NGINX: ChartSource(
        repository="https://kubernetes.github.io/ingress-nginx", chart="ingress-nginx", version="4.15.1", retired=True
    ),
}
