"""Schema pruning (tools/terraform_standin/server.py, mirror.py): with ``STANDIN_SCHEMA_TYPES``
the stand-ins serve only the listed types' schemas, exactly as the full response holds them;
``Workspace.run`` lists every type its configuration, state and saved plan name; and pruning can
make Terraform fail on a missing schema but never pass a configuration the full schema rejects."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tools.terraform_standin import mirror, schema, server

pb = server.pb
PROVIDERS = schema.providers()

# Per provider: resources, a data source, a name that is both, and one that exists nowhere.
LISTED = {
    "azurerm": [
        "azurerm_kubernetes_cluster",  # a resource and a data source
        "azurerm_resource_group",  # likewise
        "azurerm_user_assigned_identity",
        "azurerm_client_config",  # data source only
        "azurerm_key_vault_secret",  # resource, data source and ephemeral
        "kubernetes_namespace_v1",  # another provider's
        "azurerm_no_such_thing",
    ],
    "kubernetes": [
        "kubernetes_namespace_v1",
        "kubernetes_manifest",
        "kubernetes_secret_v1",  # a resource and a data source
        "kubernetes_all_namespaces",  # data source only
        "azurerm_resource_group",
        "kubernetes_no_such_thing",
    ],
}


def served(name: str, monkeypatch, listed: Any = None) -> pb.GetProviderSchema.Response:
    if listed is None:
        monkeypatch.delenv(schema.SCHEMA_TYPES_ENV, raising=False)
    else:
        monkeypatch.setenv(schema.SCHEMA_TYPES_ENV, listed if isinstance(listed, str) else json.dumps(listed))
    return pb.GetProviderSchema.Response.FromString(server.StandinProvider(PROVIDERS[name]).GetProviderSchema(pb.Empty(), None))


def filtered(full: pb.GetProviderSchema.Response, names: list[str]) -> pb.GetProviderSchema.Response:
    expected = pb.GetProviderSchema.Response()
    expected.CopyFrom(full)
    for kind in schema.KINDS:
        entries = getattr(expected, kind)
        for type_name in [t for t in entries if t not in names]:
            del entries[type_name]
    return expected


# --- the provider side ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LISTED))
def test_the_pruned_response_is_the_full_one_filtered_to_the_listed_types(name, monkeypatch):
    full = served(name, monkeypatch)
    pruned = served(name, monkeypatch, LISTED[name])
    assert pruned == filtered(full, LISTED[name])
    dump = schema.load_dump(PROVIDERS[name].schema_file)
    for kind in schema.KINDS:  # exactly the listed names this provider has, in each map
        assert set(getattr(pruned, kind)) == set(LISTED[name]) & set(dump.get(kind, {}))
    assert pruned.data_source_schemas and pruned.resource_schemas
    assert not any(t.endswith("no_such_thing") for kind in schema.KINDS for t in getattr(pruned, kind))
    assert pruned.provider == full.provider and pruned.provider.block.attributes
    assert pruned.server_capabilities == full.server_capabilities
    assert pruned.server_capabilities.get_provider_schema_optional


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_listing_every_type_gives_the_full_response_and_listing_none_the_provider_alone(name, monkeypatch):
    full = served(name, monkeypatch)
    every = sorted({t for kind in schema.KINDS for t in getattr(full, kind)})
    assert served(name, monkeypatch, every) == full
    assert served(name, monkeypatch, [*every, *every]) == full  # a name listed twice is served once
    assert served(name, monkeypatch, []) == filtered(full, [])


def test_without_the_variable_the_full_response_is_served_byte_for_byte(monkeypatch):
    provider = server.StandinProvider(PROVIDERS["azurerm"])
    monkeypatch.delenv(schema.SCHEMA_TYPES_ENV, raising=False)
    assert provider.GetProviderSchema(pb.Empty(), None) == (provider.schema_files() / "response.pb").read_bytes()


@pytest.mark.parametrize("listed", ['"azurerm_resource_group"', '{"azurerm_resource_group": 1}', "[1]", "not json"])
def test_a_malformed_list_fails_the_call_instead_of_serving_a_guess(listed, monkeypatch):
    with pytest.raises(ValueError):
        served("azurerm", monkeypatch, listed)


# --- which types a workspace lists ---------------------------------------------------------------


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))


def state(*types: str) -> dict[str, Any]:
    return {"version": 4, "resources": [{"mode": "managed", "type": t, "name": "x", "instances": []} for t in types]}


def test_schema_types_reads_the_configuration_and_the_state_its_backend_names(tmp_path):
    write_json(
        tmp_path / "ws" / "cdk.tf.json",
        {
            "//": {"metadata": {}},
            "terraform": {"backend": {"azurerm": {"key": "remote"}}},
            "resource": {"azurerm_resource_group": {"a": {}}, "time_sleep": {"b": {}}},
            "data": {"azurerm_client_config": {"c": {}}},
            "ephemeral": [{"azurerm_key_vault_secret": {"d": {}}}],
            "check": {"health": {"data": {"kubernetes_namespace_v1": {"e": {}}}, "assert": [{}]}},
            "import": [{"to": "azurerm_user_assigned_identity.f", "id": "/x"}],
        },
    )
    # An override file's backend replaces the primary's, as Terraform merges them.
    write_json(tmp_path / "ws" / "zz_backend_override.tf.json", {"terraform": {"backend": {"local": {"path": "../s/t.tfstate"}}}})
    write_json(tmp_path / "s" / "t.tfstate", state("azurerm_subnet"))
    write_json(tmp_path / "ws" / "terraform.tfstate", state("azurerm_route"))
    assert mirror.schema_types(tmp_path / "ws") == {
        "azurerm_resource_group",
        "time_sleep",
        "azurerm_client_config",
        "azurerm_key_vault_secret",
        "kubernetes_namespace_v1",
        "azurerm_user_assigned_identity",
        "azurerm_subnet",
        "azurerm_route",
    }


@pytest.mark.parametrize(
    ("files", "args"),
    [
        ({"main.tf": ""}, ()),
        ({"main.tf.json": {"module": {"m": {"source": "./m"}}}}, ()),
        ({"main.tf.json": {"terraform": {"backend": {"azurerm": {}}}}}, ()),
        ({"main.tf.json": {"terraform": {"cloud": {}}}}, ()),
        ({"main.tf.json": {"resource": {}}, "terraform.tfstate": "{"}, ()),
        ({"main.tf.json": {"resource": {}}}, ("-chdir=elsewhere", "plan")),
        ({"main.tf.json": {"resource": {}}}, ("test",)),
    ],
    ids=["hcl", "module call", "remote backend", "cloud", "unreadable state", "chdir", "terraform test"],
)
def test_schema_types_serves_everything_when_the_files_cannot_tell(tmp_path, files, args):
    for name, content in files.items():
        (tmp_path / name).write_text(content if isinstance(content, str) else json.dumps(content))
    assert mirror.schema_types(tmp_path, args) is None


def test_run_names_the_types_and_nothing_else_does(tmp_path, monkeypatch):
    write_json(tmp_path / "main.tf.json", {"resource": {"time_sleep": {"a": {}}, "azurerm_subnet": {"b": {}}}})
    seen = []

    def fake_run(command, **kwargs):
        seen.append(kwargs["env"].get(schema.SCHEMA_TYPES_ENV))
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(mirror.subprocess, "run", fake_run)
    monkeypatch.setenv(schema.SCHEMA_TYPES_ENV, '["inherited"]')
    built = mirror.Mirror(tmp_path, tmp_path / "terraformrc", {}, schema.SCHEMA_DIR)
    assert schema.SCHEMA_TYPES_ENV not in built.env()  # CLI-driven runs get every schema
    workspace = mirror.Workspace(tmp_path, built)
    workspace.run("validate")
    workspace.prune_schemas = False
    workspace.run("validate")
    assert seen == ['["azurerm_subnet", "time_sleep"]', None]


# --- with Terraform ------------------------------------------------------------------------------

GROUP = {"azurerm_resource_group": {"main": {"name": "rg-x", "location": "westeurope"}}}
IDENTITY = {
    "azurerm_user_assigned_identity": {
        "main": {"name": "id-x", "location": "westeurope", "resource_group_name": "${azurerm_resource_group.main.name}"}
    }
}


def stack(built: mirror.Mirror, resources: dict[str, Any]) -> dict[str, Any]:
    version = built.providers["azurerm"].version
    return {
        "terraform": {"required_providers": {"azurerm": {"source": "hashicorp/azurerm", "version": version}}},
        "provider": {"azurerm": [{"features": [{}], "subscription_id": "00000000-0000-0000-0000-000000000000"}]},
        "resource": resources,
    }


@pytest.fixture
def workspace(standin_mirror, tmp_path) -> mirror.Workspace:
    """An initialised workspace of a resource group and an identity (azurerm), pruning on."""
    write_json(tmp_path / "ws" / "main.tf.json", stack(standin_mirror, GROUP | IDENTITY))
    workspace = mirror.Workspace(tmp_path / "ws", standin_mirror)
    assert workspace.prune_schemas
    workspace.init()
    return workspace


def set_resources(workspace: mirror.Workspace, resources: dict[str, Any]) -> None:
    write_json(workspace.directory / "main.tf.json", stack(workspace.mirror, resources))


def error_summaries(validation: dict[str, Any]) -> list[str]:
    return [d["summary"] for d in validation["diagnostics"] if d["severity"] == "error"]


def test_a_type_the_provider_lacks_is_still_an_invalid_resource_type(workspace):
    set_resources(workspace, GROUP | {"azurerm_resource_groupp": {"typo": {"name": "rg-y", "location": "westeurope"}}})
    assert mirror.schema_types(workspace.directory) == {"azurerm_resource_group", "azurerm_resource_groupp"}
    validation = workspace.validate()
    assert not validation["valid"]
    assert error_summaries(validation) == ["Invalid resource type"]
    assert "azurerm_resource_groupp" in validation["diagnostics"][0]["detail"]


def test_a_needed_type_left_out_of_the_list_fails_loudly_never_passes(workspace):
    """What a too-short list would do: Terraform has no schema for the type and says so."""
    assert workspace.validate()["valid"]
    workspace.env = {schema.SCHEMA_TYPES_ENV: json.dumps(["azurerm_resource_group"])}
    validation = workspace.validate()
    assert not validation["valid"] and error_summaries(validation) == ["Invalid resource type"]
    assert "azurerm_user_assigned_identity" in validation["diagnostics"][0]["detail"]


def test_state_holding_a_type_no_longer_configured_plans_its_destroy(workspace):
    assert workspace.plan().ok
    workspace.apply_plan()
    set_resources(workspace, GROUP)  # the identity leaves the configuration; its state remains
    assert "azurerm_user_assigned_identity" in mirror.schema_types(workspace.directory)
    plan = workspace.plan()
    assert plan.ok, plan.diagnostics
    actions = {c["address"]: c["change"]["actions"] for c in workspace.show_plan()["resource_changes"]}
    assert actions == {"azurerm_resource_group.main": ["no-op"], "azurerm_user_assigned_identity.main": ["delete"]}
    destroy = workspace.plan("-destroy")
    assert destroy.ok, destroy.diagnostics
    assert {c["change"]["actions"][0] for c in workspace.show_plan()["resource_changes"]} == {"delete"}
    # Listing only the configuration's types would lose the state's: a loud failure, not a pass.
    workspace.env = {schema.SCHEMA_TYPES_ENV: json.dumps(["azurerm_resource_group"])}
    assert not workspace.plan().ok


def test_a_saved_plan_is_shown_with_the_types_it_was_planned_with(workspace):
    assert workspace.plan().ok
    set_resources(workspace, GROUP)  # after planning: the plan still creates the identity
    assert "azurerm_user_assigned_identity" in mirror.schema_types(workspace.directory, ("show", "-json", "plan"))
    actions = {c["address"]: c["change"]["actions"] for c in workspace.show_plan()["resource_changes"]}
    assert actions == {"azurerm_resource_group.main": ["create"], "azurerm_user_assigned_identity.main": ["create"]}
