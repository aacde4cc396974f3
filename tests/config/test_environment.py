"""config/environment.py: the banner and the refusal to deploy the example (no jsii, no Terraform)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from config.environment import ConfigChoice, banner, example_reasons, placeholder_ids, refusal_message
from config.loader import load_config, parse_config
from tests.conftest import ROOT

DEFAULT = yaml.safe_load((ROOT / "config" / "default.yaml").read_text())
REAL_IDS = {
    "11111111-1111-1111-1111-111111111111": "6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b",
    "22222222-2222-2222-2222-222222222222": "8e7d6c5b-4a39-4281-9f0e-1d2c3b4a5968",
    "33333333-3333-3333-3333-333333333333": "0a1b2c3d-4e5f-4061-8273-9485a6b7c8d9",
}


def real_config(**changes) -> dict:
    """config/default.yaml with its placeholder GUIDs replaced, as a user's copy would be."""
    text = yaml.safe_dump(DEFAULT)
    for placeholder, real in REAL_IDS.items():
        text = text.replace(placeholder, real)
    raw = yaml.safe_load(text)
    raw.update(changes)
    return raw


def test_placeholder_ids_are_found_inside_resource_ids():
    config = load_config(ROOT / "config" / "default.yaml")
    assert placeholder_ids(config) == list(REAL_IDS)


def test_a_users_copy_has_no_placeholders():
    assert placeholder_ids(parse_config(real_config())) == []


@pytest.mark.parametrize("guid", ["00000000-0000-0000-0000-000000000000", "AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA"])
def test_every_repeated_digit_guid_is_a_placeholder(guid):
    raw = real_config(subscription_id=guid)
    assert placeholder_ids(parse_config(raw)) == [guid]


def test_a_guid_with_one_digit_changed_is_not_a_placeholder():
    raw = real_config(subscription_id="00000000-0000-0000-0000-000000000001")
    assert placeholder_ids(parse_config(raw)) == []


def test_choice_from_env():
    assert ConfigChoice.from_env({}) == ConfigChoice(Path("config/default.yaml"), named=False)
    assert ConfigChoice.from_env({"AKS_CONFIG": ""}).named is False
    assert ConfigChoice.from_env({"AKS_CONFIG": "envs/prod.yaml"}) == ConfigChoice(Path("envs/prod.yaml"), named=True)


def test_unnamed_example_is_refused_for_both_reasons():
    config = load_config(ROOT / "config" / "default.yaml")
    reasons = example_reasons(config, ConfigChoice.from_env({}))
    assert reasons[0] == "no config was named (AKS_CONFIG is unset), so the example config/default.yaml is used"
    assert reasons[1].startswith("it still holds placeholder ids (11111111-1111-1111-1111-111111111111, ")
    assert len(reasons) == 2


@pytest.mark.parametrize("example", ["config/default.yaml", "config/standalone.yaml", str(ROOT / "config" / "standalone.yaml")])
def test_naming_a_shipped_example_is_refused(example):
    config = load_config(ROOT / example)
    reasons = example_reasons(config, ConfigChoice(Path(example), named=True))
    assert f"{example} is an example shipped with the project" in reasons


def test_a_named_copy_without_placeholders_may_be_deployed():
    config = parse_config(real_config())
    assert example_reasons(config, ConfigChoice(Path("config/prod.yaml"), named=True)) == []


def test_a_named_copy_that_kept_a_placeholder_is_refused():
    raw = real_config()
    raw["cluster"] = copy.deepcopy(raw["cluster"])
    raw["cluster"]["entra"]["tenant_id"] = "22222222-2222-2222-2222-222222222222"
    reasons = example_reasons(parse_config(raw), ConfigChoice(Path("envs/prod.yaml"), named=True))
    assert reasons == ["it still holds placeholder ids (22222222-2222-2222-2222-222222222222)"]


def test_refusal_message_says_what_to_do():
    message = refusal_message(["no config was named"])
    assert message.startswith("Refusing to deploy: no config was named. Copy config/default.yaml")
    assert "AKS_CONFIG=config/<env>.yaml" in message


def test_banner_names_the_deployment_its_state_and_toolchain():
    config = parse_config(real_config(name="amltest", subscription_id="6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b"))
    text = banner(config, ConfigChoice(Path("envs/test.yaml"), named=True), toolchain="cdktn")
    lines = text.splitlines()
    assert lines[0] == lines[-1] and set(lines[0]) == {"-"}
    assert lines[1:-1] == [
        "config        envs/test.yaml",
        "deployment    amltest (westeurope)",
        "subscription  6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b",
        "backend       azurerm: storage account sthubtfstate, container tfstate, subscription "
        "6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b",
        "state         aks-cluster: amltest/aks-cluster.tfstate",
        "state         kubernetes-config: amltest/kubernetes-config.tfstate",
        "output        cdktf.out/amltest",
        "toolchain     cdktn",
    ]


def test_banner_of_local_state_names_the_files():
    config = parse_config(real_config(name="amldev", state={"backend": "local"}))
    text = banner(config, ConfigChoice(Path("envs/dev.yaml"), named=True), toolchain="cdktf")
    assert "backend       local" in text
    assert "state         aks-cluster: state/amldev/aks-cluster.tfstate" in text
    assert "refused" not in text


def test_banner_of_the_example_says_deploy_is_refused():
    config = load_config(ROOT / "config" / "default.yaml")
    text = banner(config, ConfigChoice.from_env({}), toolchain="cdktf")
    assert "config        config/default.yaml (no AKS_CONFIG set: the example)" in text
    assert "deploy        refused: no config was named" in text
