"""Builds the cdktf App with both stacks from a validated config."""

from __future__ import annotations

from config.model import AppConfig
from stacks.aks_cluster_stack import AksClusterStack
from stacks.common import add_deploy_refusal
from stacks.kubernetes_config_stack import KubernetesConfigStack
from toolchain.cdk import App


def build_app(config: AppConfig, *, config_file: str, outdir: str | None = None, deploy_refusal: str | None = None) -> App:
    """``outdir`` None: cdktf's default (cdktf.out, or CDKTF_OUTDIR when the CLI runs the app);
    main.py passes the deployment's own folder (config/layout.py). ``deploy_refusal``: a message
    every plan of both stacks fails with (the example config, config/environment.py)."""
    app = App(outdir=outdir, context={"aksConfigFile": config_file})
    cluster = AksClusterStack(app, config=config)
    kubernetes = KubernetesConfigStack(app, config=config, cluster_stack=cluster)
    if deploy_refusal:
        for stack in (cluster, kubernetes):
            add_deploy_refusal(stack, deploy_refusal)
    return app
