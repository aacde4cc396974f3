"""Removing azureml.workspace from a deployed config plans cleanly: Terraform plans the removal
of the attach's records, roles and binding (after the documented manual detach, README "Azure ML
integration": a destroy-time step of a resource removed from the configuration does not run),
and the aliased provider that state from earlier versions names stays declared."""

from __future__ import annotations

import copy
import os
import shutil

import yaml

from tests.conftest import ROOT
from tools.terraform_standin import fake_az, mirror
from tools.terraform_standin.fake_arm import ENV, Store

CONFIG = ROOT / "tests" / "fixtures" / "configs" / "gitops-workspace-https-token.yaml"
STACK = "kubernetes-config"


def test_removing_the_workspace_plans_the_attach_away(synth, standin_mirror, tmp_path):
    from config.loader import load_config
    from stacks.app import build_app

    workspace = mirror.Workspace.from_stack(synth(CONFIG).outdir / "stacks" / STACK, tmp_path / STACK, standin_mirror)
    # The attach step runs `az rest`: against the fake ARM here.
    store = Store.create(tmp_path / "arm.json")
    workspace.env = {ENV: str(store), "PATH": f"{fake_az.install(tmp_path / 'bin')}{os.pathsep}{os.environ['PATH']}"}
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
    assert sum(a.startswith("terraform_data.azureml_attach_") for a in removed) == 2, actions
    assert any(a.startswith("azurerm_kubernetes_cluster_trusted_access_role_binding.") for a in removed), actions
    assert not {a for a, change in actions.items() if "delete" in change and a not in removed}  # nothing replaced
