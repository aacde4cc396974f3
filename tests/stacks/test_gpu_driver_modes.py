"""gpu_driver per pool -> the node pool's gpu_driver attribute, the AKS-managed GPU tag and the
extension's installNvidiaDevicePlugin / installDcgmExporter (README "GPU pools")."""

from __future__ import annotations

import copy

import pytest
import yaml

from config.loader import parse_config
from config.naming import derive_names
from constructs_lib.azureml_extension.settings import extension_settings
from tests.conftest import ROOT

BASE = yaml.safe_load((ROOT / "config" / "default.yaml").read_text())
CPU = {"name": "mlcpu", "vm_size": "Standard_D8ds_v5", "min_count": 3, "max_count": 6}
GPU = {"name": "mlgpu", "vm_size": "Standard_NC24ads_A100_v4", "min_count": 0, "max_count": 2, "gpu": True}


def _config(**gpu_fields):
    raw = copy.deepcopy(BASE)
    raw["cluster"]["node_pools"] = [CPU, {**GPU, **gpu_fields}]
    return parse_config(raw)


@pytest.mark.parametrize(
    ("gpu_driver", "attribute", "managed", "extension_installs"),
    [
        (None, None, False, "True"),  # unset: nothing written, existing pools are not replaced
        ("install", "Install", False, "True"),
        ("aks-managed", None, True, "False"),  # AKS installs the plugin and exporter (preview)
        ("none", "None", False, "False"),  # the NVIDIA GPU Operator does
    ],
)
def test_driver_modes(gpu_driver, attribute, managed, extension_installs):
    from stacks.construct_props import azureml_extension_props, node_pool_spec  # props of jsii constructs

    config = _config(**({"gpu_driver": gpu_driver} if gpu_driver else {}))
    spec = node_pool_spec(config, config.cluster.node_pools[1])
    assert (spec.gpu_driver, spec.managed_gpu) == (attribute, managed)
    assert node_pool_spec(config, config.cluster.node_pools[0]).gpu_driver is None
    settings = extension_settings(azureml_extension_props(config, derive_names(config), cluster_id="/id"))
    assert settings["installNvidiaDevicePlugin"] == settings["installDcgmExporter"] == extension_installs


def test_managed_gpu_tag_on_the_synthesized_pool(synth, tmp_path):
    from constructs_lib.aks_cluster.construct import MANAGED_GPU_TAG

    raw = copy.deepcopy(BASE)
    raw["cluster"]["node_pools"] = [CPU, {**GPU, "gpu_driver": "aks-managed"}]
    path = tmp_path / "managed-gpu.yaml"
    path.write_text(yaml.safe_dump(raw))
    from stacks.app import build_app

    build_app(parse_config(raw), config_file="managed-gpu.yaml", outdir=str(tmp_path / "out")).synth()
    import json

    stack = json.loads((tmp_path / "out" / "stacks" / "aks-cluster" / "cdk.tf.json").read_text())
    pools = {p["name"]: p for p in stack["resource"]["azurerm_kubernetes_cluster_node_pool"].values()}
    assert pools["mlgpu"]["tags"][MANAGED_GPU_TAG] == "true"
    assert "gpu_driver" not in pools["mlgpu"] and MANAGED_GPU_TAG not in pools["mlcpu"]["tags"]
