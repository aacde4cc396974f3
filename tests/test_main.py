"""main.py's choice of output folder and its pointer manifest (no jsii)."""

from __future__ import annotations

import json

import pytest

import main
from config.layout import PROJECT_ROOT, output_dir
from config.loader import parse_config
from tests.config.test_environment import real_config

LOCAL = parse_config(real_config(name="amldev", state={"backend": "local"}))
AZURE = parse_config(real_config(name="amlprod"))


def test_default_output_is_the_deployments_folder_with_a_pointer(monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)
    assert main.resolve_output(LOCAL, None) == (output_dir("amldev"), PROJECT_ROOT / "cdktf.out")
    assert main.resolve_output(LOCAL, "cdktf.out") == (output_dir("amldev"), PROJECT_ROOT / "cdktf.out")


def test_output_named_after_the_deployment_is_used_as_it_is(monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)
    assert main.resolve_output(LOCAL, "cdktf.out/amldev") == (output_dir("amldev"), None)


def test_local_state_refuses_a_folder_it_cannot_be_found_from(tmp_path):
    with pytest.raises(main.OutputFolderError, match=r"with local state it must be cdktf\.out/amldev"):
        main.resolve_output(LOCAL, str(tmp_path / "out"))


def test_remote_state_may_synthesize_anywhere(tmp_path):
    assert main.resolve_output(AZURE, str(tmp_path)) == (tmp_path / "amlprod", tmp_path)


def test_pointer_manifest_prefixes_every_path(tmp_path):
    own = tmp_path / "amlprod"
    own.mkdir()
    stack = {
        "name": "aks-cluster",
        "workingDirectory": "stacks/aks-cluster",
        "synthesizedStackPath": "stacks/aks-cluster/cdk.tf.json",
        "stackMetadataPath": "stacks/aks-cluster/metadata.json",
        "dependencies": [],
    }
    (own / "manifest.json").write_text(json.dumps({"version": "0.21.0", "stacks": {"aks-cluster": stack}}))
    main.write_pointer_manifest(tmp_path, own)
    pointer = json.loads((tmp_path / "manifest.json").read_text())
    assert pointer["stacks"]["aks-cluster"] == {
        **stack,
        "workingDirectory": "amlprod/stacks/aks-cluster",
        "synthesizedStackPath": "amlprod/stacks/aks-cluster/cdk.tf.json",
        "stackMetadataPath": "amlprod/stacks/aks-cluster/metadata.json",
    }
    assert json.loads((own / "manifest.json").read_text())["stacks"]["aks-cluster"] == stack
