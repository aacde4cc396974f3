"""Phase selection and the hash record that makes a saved plan stale."""

from __future__ import annotations

import pytest

from config.layout import STACK_NAMES
from tools.plans.phases import PHASES, phase_of, select
from tools.plans.record import changed_inputs, input_hashes


def test_phases_cover_the_stacks_in_deploy_order():
    assert [s for p in sorted(PHASES) for s in PHASES[p]] == list(STACK_NAMES)
    assert (phase_of("aks-cluster"), phase_of("kubernetes-config")) == (1, 2)


@pytest.mark.parametrize(
    ("phase", "stack", "expected"),
    [
        (None, None, ["aks-cluster", "kubernetes-config"]),
        (1, None, ["aks-cluster"]),
        (2, None, ["kubernetes-config"]),
        (None, "kubernetes-config", ["kubernetes-config"]),
        (2, "kubernetes-config", ["kubernetes-config"]),
    ],
)
def test_select(phase, stack, expected):
    assert select(phase=phase, stack=stack) == expected


@pytest.mark.parametrize(
    ("phase", "stack", "message"),
    [
        (3, None, "phase 3: expected one of 1, 2"),
        (None, "aks", "stack 'aks': expected one of aks-cluster, kubernetes-config"),
        (1, "kubernetes-config", "stack 'kubernetes-config' is in phase 2, not phase 1"),
    ],
)
def test_select_rejects_unknown_choices(phase, stack, message):
    with pytest.raises(ValueError, match=message):
        select(phase=phase, stack=stack)


def test_input_hashes_cover_terraform_inputs_only(tmp_path):
    (tmp_path / "cdk.tf.json").write_text("{}")
    (tmp_path / "override.tf").write_text("")
    (tmp_path / ".terraform.lock.hcl").write_text("# lock")
    (tmp_path / "notes.txt").write_text("not read by Terraform")
    (tmp_path / ".terraform").mkdir()
    assert set(input_hashes(tmp_path)) == {"cdk.tf.json", "override.tf", ".terraform.lock.hcl"}


def test_changed_inputs_names_each_difference(tmp_path):
    (tmp_path / "cdk.tf.json").write_text("{}")
    (tmp_path / ".terraform.lock.hcl").write_text("# lock")
    before = input_hashes(tmp_path)
    assert changed_inputs(before, input_hashes(tmp_path)) == []
    (tmp_path / "cdk.tf.json").write_text('{"resource": {}}')
    (tmp_path / ".terraform.lock.hcl").unlink()
    (tmp_path / "extra.tf.json").write_text("{}")
    problems = changed_inputs(before, input_hashes(tmp_path))
    assert [p.split(" ")[0:2] for p in problems] == [
        [".terraform.lock.hcl", "is"],
        ["cdk.tf.json", "changed"],
        ["extra.tf.json", "is"],
    ]
    assert "is gone since the plan" in problems[0] and "is new since the plan" in problems[2]
