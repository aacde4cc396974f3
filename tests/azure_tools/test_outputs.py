"""`make outputs`: the allowlist, the messages without state, and the end-to-end command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from config.layout import stack_dir
from config.loader import load_config
from stacks.outputs import KUBERNETES_CONFIG_OUTPUTS, kubernetes_config_output_values, scoring_base_url
from tools import outputs

ROOT = Path(__file__).resolve().parents[2]
WORKSPACE_PATH = ROOT / "tests/fixtures/configs/azureml-workspace.yaml"
WORKSPACE = load_config(WORKSPACE_PATH)
DEFAULT = load_config(ROOT / "config/default.yaml")
STANDALONE = load_config(ROOT / "config/standalone.yaml")
LB_ROUTER = load_config(ROOT / "tests/fixtures/configs/gpu-loadbalancer-router.yaml")


def terraform_answer(stdout: str = "", returncode: int = 0, stderr: str = ""):
    calls = []

    def run(args, cwd):
        calls.append((list(args), Path(cwd)))
        return subprocess.CompletedProcess(args, returncode, stdout, stderr)

    run.calls = calls
    return run


def synthesized(tmp_path: Path, config) -> Path:
    for stack in ("aks-cluster", "kubernetes-config"):
        stack_dir(config.name, stack, tmp_path).mkdir(parents=True)
    return tmp_path


# ------------------------------------------------------------------ values of kubernetes-config
def test_values_with_a_workspace():
    values = kubernetes_config_output_values(WORKSPACE)
    assert values == {
        "ingress_host": "aml.ws.contoso.internal",
        "ingress_private_ip": "10.60.3.250",
        "scoring_base_url": "https://aml.ws.contoso.internal/aml/",
        "inference_router_service_type": "clusterIP",
        "compute_name": "aks-prod",
        "compute_id": f"{WORKSPACE.azureml.workspace.id}/computes/aks-prod",
        "compute_namespace": "azureml-workloads",
        "instance_type_names": ["defaultinstancetype", "gpu-a100"],
    }


def test_values_without_workspace_and_with_fixed_ip():
    values = kubernetes_config_output_values(DEFAULT)
    assert values["ingress_private_ip"] == "10.20.3.250"
    assert not {"compute_name", "compute_id", "instance_type_names"} & set(values)


def test_scoring_url_follows_tls_and_router():
    assert scoring_base_url(STANDALONE) == "http://aml.dev.contoso.internal/aml/"  # tls.mode: none
    assert scoring_base_url(LB_ROUTER) is None  # clients use the internal-LB router directly
    assert "scoring_base_url" not in kubernetes_config_output_values(LB_ROUTER)


def test_every_value_is_an_allowlisted_output():
    for config in (WORKSPACE, DEFAULT, STANDALONE, LB_ROUTER):
        assert set(kubernetes_config_output_values(config)) <= {s.name for s in KUBERNETES_CONFIG_OUTPUTS}


# ------------------------------------------------------------------ reading state
def test_allowlist_drops_unknown_and_sensitive_outputs():
    raw = {
        "cluster_name": {"value": "aks-amlws", "type": "string", "sensitive": False},
        "kube_admin_config": {"value": "apiVersion: v1 ... client-key-data", "type": "string", "sensitive": True},
        "cluster_id": {"value": "/subscriptions/x", "type": "string", "sensitive": True},
        "something_else": {"value": "x", "type": "string", "sensitive": False},
    }
    assert outputs.allowed_outputs("aks-cluster", raw) == {"cluster_name": "aks-amlws"}


def test_reads_terraform_output_json_in_each_stack_folder(tmp_path):
    root = synthesized(tmp_path, WORKSPACE)
    body = json.dumps({"compute_name": {"value": "aks-prod", "type": "string", "sensitive": False}})
    run = terraform_answer(body)
    result = outputs.read_stack_outputs(WORKSPACE, "kubernetes-config", root=root, run=run, terraform_found=True)
    assert result.ok and result.values == {"compute_name": "aks-prod"}
    assert run.calls == [(["output", "-json", "-no-color"], stack_dir("amlws", "kubernetes-config", root))]


def test_not_synthesized_says_what_to_do(tmp_path):
    result = outputs.read_stack_outputs(WORKSPACE, "aks-cluster", root=tmp_path, run=terraform_answer(), terraform_found=True)
    assert not result.ok
    assert "cdktf.out/amlws/stacks/aks-cluster does not exist" in result.problem and "make synth" in result.problem


def test_not_initialised_shows_terraforms_error(tmp_path):
    root = synthesized(tmp_path, WORKSPACE)
    stderr = (
        'Warning: Unable to open CLI configuration file\n\nError: Backend initialization required, please run "terraform init"\n'
    )
    result = outputs.read_stack_outputs(
        WORKSPACE, "aks-cluster", root=root, run=terraform_answer("", 1, stderr), terraform_found=True
    )
    assert "Error: Backend initialization required" in result.problem and "init" in result.problem


def test_no_state_yet(tmp_path):
    root = synthesized(tmp_path, WORKSPACE)
    result = outputs.read_stack_outputs(WORKSPACE, "aks-cluster", root=root, run=terraform_answer("{}"), terraform_found=True)
    assert result.problem.startswith("no outputs in the state of aks-cluster")


def test_terraform_missing(tmp_path):
    root = synthesized(tmp_path, WORKSPACE)
    result = outputs.read_stack_outputs(WORKSPACE, "aks-cluster", root=root, run=terraform_answer(), terraform_found=False)
    assert "terraform is not on PATH" in result.problem


def test_main_json_and_exit_status(tmp_path, capsys):
    root = synthesized(tmp_path, WORKSPACE)
    body = json.dumps(
        {"cluster_name": {"value": "aks-amlws", "sensitive": False}, "compute_name": {"value": "aks-prod", "sensitive": False}}
    )
    status = outputs.main(["--config", str(WORKSPACE_PATH), "--json"], root=root, run=terraform_answer(body))
    document = json.loads(capsys.readouterr().out)
    if status == 1:  # terraform absent on this machine: the message says so
        assert "terraform is not on PATH" in document["aks-cluster"]["problem"]
        pytest.skip("terraform is not on PATH")
    assert status == 0
    assert document["aks-cluster"]["outputs"] == {"cluster_name": "aks-amlws"}
    assert document["kubernetes-config"]["outputs"] == {"compute_name": "aks-prod"}


# `python -m tools.outputs` with the project root replaced by an empty folder.
SCRIPT = (
    "import sys; from pathlib import Path; from tools import outputs;"
    " sys.exit(outputs.main(['--config', '{config}'], root=Path('{root}')))"
)


def test_command_without_state_prints_a_clear_message(tmp_path):
    """The real command, as `make outputs` runs it, in a checkout with nothing synthesized."""
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(config=WORKSPACE_PATH, root=tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    assert "Outputs of deployment amlws" in completed.stdout
    assert "cdktf.out/amlws/stacks/kubernetes-config does not exist (not synthesized here)" in completed.stdout
    assert "Traceback" not in completed.stderr
