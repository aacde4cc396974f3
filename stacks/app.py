"""Builds the cdktf App with both stacks from a validated config."""

from __future__ import annotations

from config.model import AppConfig
from stacks.aks_cluster_stack import AksClusterStack
from stacks.kubernetes_config_stack import KubernetesConfigStack
from toolchain.cdk import App


def build_app(config: AppConfig, *, config_file: str, outdir: str | None = None) -> App:
    # outdir None: cdktf's default (cdktf.out, or CDKTF_OUTDIR when the CLI runs the app).
    app = App(outdir=outdir, context={"aksConfigFile": config_file})
    cluster = AksClusterStack(app, config=config)
    KubernetesConfigStack(app, config=config, cluster_stack=cluster)
    return app
