"""Removing azureml.workspace from a deployed config plans cleanly: the attach resources'
provider stays declared, so Terraform can plan their removal (after the documented manual
detach, README "Azure ML integration"), instead of failing with "Provider configuration not
present"."""

from __future__ import annotations

import copy
import shutil

import yaml

from tests.conftest import ROOT
from tools.terraform_standin import mirror

CONFIG = ROOT / "tests" / "fixtures" / "configs" / "gitops-workspace-https-token.yaml"
STACK = "kubernetes-config"


def test_removing_the_workspace_plans_the_attach_away(synth, standin_mirror, tmp_path):
    from config.loader import load_config
    from stacks.app import build_app

    workspace = mirror.Workspace.from_stack(synth(CONFIG).outdir / "stacks" / STACK, tmp_path / STACK, standin_mirror)
    workspace.init()
    assert workspace.plan().ok
    workspace.apply_plan()

    edited = copy.deepcopy(yaml.safe_load(CONFIG.read_text()))
    edited["azureml"].pop("workspace")
    edited["azureml"].pop("instance_types", None)
    (tmp_path / "edited.yaml").write_text(yaml.safe_dump(edited))
    build_app(load_config(tmp_path / "edited.yaml"), config_file="edited.yaml", outdir=str(tmp_path / "out")).synth()
    shutil.copy(tmp_path / "out" / "stacks" / STACK / "cdk.tf.json", workspace.directory / "cdk.tf.json")

    plan = workspace.plan()
    assert plan.ok, plan.diagnostics
    actions = {c["address"]: c["change"]["actions"] for c in workspace.show_plan()["resource_changes"]}
    removed = {address for address, change in actions.items() if change == ["delete"]}
    assert any(a.startswith("azurerm_resource_group_template_deployment.") for a in removed), actions
    assert any(a.startswith("azurerm_kubernetes_cluster_trusted_access_role_binding.") for a in removed), actions
    assert not {a for a, change in actions.items() if "delete" in change and a not in removed}  # nothing replaced
