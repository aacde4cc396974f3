"""What the commands refuse before Terraform runs: no synth output, no saved plan, a plan applied
already, a stale plan, protected resources on destroy. (The end-to-end runs with Terraform are in
tests/terraform/test_saved_plans.py.)"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tools.plans import FAILED, REFUSED
from tools.plans import commands as cmd
from tools.plans.record import PlanRecord, input_hashes, sha256


@pytest.fixture
def deployment(tmp_path) -> cmd.Deployment:
    root = tmp_path / "cdktf.out" / "amltest"
    for stack in ("aks-cluster", "kubernetes-config"):
        (root / "stacks" / stack).mkdir(parents=True)
        document = {"resource": {"azurerm_resource_group": {"rg": {"name": "rg-a", "lifecycle": {"prevent_destroy": True}}}}}
        (root / "stacks" / stack / "cdk.tf.json").write_text(json.dumps(document))
        (root / "stacks" / stack / ".terraform.lock.hcl").write_text("# lock\n")
    return cmd.Deployment("amltest", root, "config/test.yaml")


def output() -> tuple[cmd.Output, io.StringIO]:
    stream = io.StringIO()
    return cmd.Output(stream=stream), stream


def save_plan(deployment: cmd.Deployment, stack: str, /, **changes) -> PlanRecord:
    paths = deployment.paths(stack)
    paths.plans_dir.mkdir(exist_ok=True)
    paths.plan.write_bytes(b"saved plan")
    record = PlanRecord(
        deployment=deployment.name,
        stack=stack,
        inputs=input_hashes(deployment.stack_dir(stack)),
        plan_sha256=sha256(paths.plan),
        changes=True,
        terraform_version="1.11.4",
        summary={"stack": stack, "changes": [], "drift": [], "outputs": []},
    )
    for key, value in changes.items():
        setattr(record, key, value)
    record.write(paths.record)
    return record


def test_commands_need_the_synth_output(tmp_path):
    empty = cmd.Deployment("amltest", tmp_path / "nowhere", "config/test.yaml")
    for command in (cmd.plan, cmd.apply, cmd.drift):
        out, stream = output()
        assert command(empty, ["aks-cluster"], out) == FAILED
        assert "run `make synth AKS_CONFIG=config/test.yaml` first" in stream.getvalue()


def test_apply_refuses_without_a_saved_plan(deployment):
    out, stream = output()
    assert cmd.apply(deployment, ["aks-cluster"], out) == REFUSED
    assert "aks-cluster: no saved plan in" in stream.getvalue()
    assert "Refused: nothing was applied." in stream.getvalue()


def test_apply_refuses_an_applied_plan_and_a_foreign_one(deployment):
    save_plan(deployment, "aks-cluster", applied_at="2026-12-04T10:00:00+00:00")
    save_plan(deployment, "kubernetes-config", deployment="amlother")
    out, stream = output()
    assert cmd.apply(deployment, ["aks-cluster", "kubernetes-config"], out) == REFUSED
    text = stream.getvalue()
    assert "aks-cluster: its saved plan was applied at 2026-12-04T10:00:00+00:00" in text
    assert "kubernetes-config: the saved plan is for deployment 'amlother', not 'amltest'" in text


def test_apply_refuses_a_replaced_plan_file(deployment):
    save_plan(deployment, "aks-cluster")
    deployment.paths("aks-cluster").plan.write_bytes(b"another plan")
    out, stream = output()
    assert cmd.apply(deployment, ["aks-cluster"], out) == REFUSED
    assert "is missing or not the one recorded" in stream.getvalue()


def test_apply_checks_every_stack_before_applying_any(deployment):
    save_plan(deployment, "aks-cluster")
    save_plan(deployment, "kubernetes-config")
    (deployment.stack_dir("kubernetes-config") / "cdk.tf.json").write_text("{}")
    out, stream = output()
    # aks-cluster's plan is fine, but nothing runs (Terraform would fail on the fake plan file).
    assert cmd.apply(deployment, ["aks-cluster", "kubernetes-config"], out) == REFUSED
    assert "kubernetes-config: cdk.tf.json changed since the plan" in stream.getvalue()
    assert PlanRecord.read(deployment.paths("aks-cluster").record).applied_at is None


def test_a_fresh_checkout_restores_the_planned_lock_file(deployment):
    save_plan(deployment, "aks-cluster")
    lock = deployment.stack_dir("aks-cluster") / ".terraform.lock.hcl"
    deployment.paths("aks-cluster").lock.write_bytes(lock.read_bytes())
    lock.unlink()
    record, problems = cmd.check_saved_plan(deployment, "aks-cluster")
    assert record is not None and problems == []
    assert lock.read_text() == "# lock\n"


def test_destroy_refuses_protected_resources_in_reverse_order(deployment):
    out, stream = output()
    assert cmd.destroy(deployment, ["aks-cluster", "kubernetes-config"], out, confirm=lambda _: True) == REFUSED
    text = stream.getvalue()
    assert "kubernetes-config: azurerm_resource_group.rg" in text
    assert "set `protect: false` in config/test.yaml" in text
    assert text.index("kubernetes-config: azurerm") < text.index("aks-cluster: azurerm")
    assert not any(Path(deployment.root).rglob(".terraform"))
