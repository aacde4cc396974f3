"""The stand-in provider on its own: value encoding, schema conversion, plan/apply/read rules,
and the go-plugin handshake Terraform relies on."""

from __future__ import annotations

import base64
import json
import os
import re
import select
import subprocess
import time
from collections.abc import Iterator

import grpc
import msgpack
import pytest

from tests.terraform.conftest import CASES
from tools.terraform_standin import cty, mirror, schema, server, values

pb = server.pb
PROVIDERS = schema.providers()


def standin(name: str) -> server.StandinProvider:
    return server.StandinProvider(PROVIDERS[name])


def dynamic(value, t) -> pb.DynamicValue:
    return pb.DynamicValue(msgpack=cty.encode_msgpack(value, t))


def empty_object(t: cty.Object, **known) -> dict:
    return {name: None for name, _ in t.attributes} | known


# --- cty -----------------------------------------------------------------------------------------


def test_msgpack_round_trip_keeps_unknowns_refinements_and_dynamic_types():
    t = cty.object_type(
        {
            "name": cty.STRING,
            "count": cty.NUMBER,
            "tags": cty.Collection("map", cty.STRING),
            "ids": cty.Collection("set", cty.STRING),
            "manifest": cty.DYNAMIC,
            "later": cty.STRING,
            "refined": cty.STRING,
        }
    )
    refined = msgpack.ExtType(cty.REFINED_UNKNOWN_EXT, msgpack.packb({1: False}))
    raw = msgpack.packb(
        {
            "name": "a",
            "count": 3,
            "tags": {"b": "2", "a": "1"},
            "ids": ["x"],
            "manifest": [b'["object",{"kind":"string"}]', {"kind": "Secret"}],
            "later": msgpack.ExtType(0, b"\x00"),
            "refined": refined,
        },
        use_bin_type=True,
    )
    value = cty.decode_msgpack(raw, t)
    assert value["manifest"] == cty.Typed(cty.object_type({"kind": cty.STRING}), {"kind": "Secret"})
    assert cty.is_unknown(value["later"]) and cty.is_unknown(value["refined"])
    again = msgpack.unpackb(cty.encode_msgpack(value, t), raw=False)
    assert again["refined"] == refined  # Terraform's refinements come back unchanged
    assert again["later"] == msgpack.ExtType(0, b"\x00")
    assert again["manifest"][0] == b'["object",{"kind":"string"}]'
    assert list(again["tags"]) == ["a", "b"]  # go-cty's order
    decoded = cty.decode_msgpack(cty.encode_msgpack(value, t), t)
    assert {k: v for k, v in decoded.items() if k not in ("later", "refined")} == {
        k: v for k, v in value.items() if k not in ("later", "refined")
    }


def test_state_json_decodes_with_the_schema_type():
    t = standin("kubernetes").type_of(schema.RESOURCE, "kubernetes_manifest")
    state = cty.from_json({"manifest": {"value": {"kind": "X"}, "type": ["object", {"kind": "string"}]}, "id": None}, t)
    assert state["manifest"] == cty.Typed(cty.object_type({"kind": cty.STRING}), {"kind": "X"})
    assert state["object"] is None


# --- schema --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_get_provider_schema_serves_the_whole_dump(name):
    response = pb.GetProviderSchema.Response.FromString(standin(name).GetProviderSchema(pb.Empty(), None))
    dump = schema.load_dump(PROVIDERS[name].schema_file)
    assert set(response.resource_schemas) == set(dump["resource_schemas"])
    assert set(response.data_source_schemas) == set(dump.get("data_source_schemas", {}))
    assert set(response.ephemeral_resource_schemas) == set(dump.get("ephemeral_resource_schemas", {}))
    assert response.server_capabilities.get_provider_schema_optional


def test_schema_messages_carry_types_flags_nesting_and_item_limits():
    response = pb.GetProviderSchema.Response.FromString(standin("azurerm").GetProviderSchema(pb.Empty(), None))
    cluster = response.resource_schemas["azurerm_kubernetes_cluster"].block
    attributes = {a.name: a for a in cluster.attributes}
    assert attributes["name"].required and json.loads(attributes["name"].type) == "string"
    assert attributes["kube_config"].computed and attributes["kube_config"].sensitive
    assert json.loads(attributes["kube_config"].type)[0] == "list"
    pool = next(b for b in cluster.block_types if b.type_name == "default_node_pool")
    assert (pool.nesting, pool.min_items, pool.max_items) == (pb.Schema.NestedBlock.LIST, 1, 1)
    timeouts = next(b for b in cluster.block_types if b.type_name == "timeouts")
    assert timeouts.nesting == pb.Schema.NestedBlock.SINGLE
    helm = pb.GetProviderSchema.Response.FromString(standin("helm").GetProviderSchema(pb.Empty(), None))
    kubernetes = next(a for a in helm.provider.block.attributes if a.name == "kubernetes")
    assert kubernetes.nested_type.nesting == pb.Schema.Object.SINGLE and not kubernetes.type
    assert any(a.name == "exec" and a.nested_type.attributes for a in kubernetes.nested_type.attributes)
    write_only = [a.name for s in helm.resource_schemas.values() for a in s.block.attributes if a.write_only]
    assert write_only, "helm 3.1.1 declares write-only attributes"


# --- plan, apply, read ---------------------------------------------------------------------------


def test_plan_create_makes_null_computed_attributes_unknown_and_apply_fills_them():
    provider = standin("azurerm")
    t = provider.type_of(schema.RESOURCE, "azurerm_resource_group")
    config = empty_object(t, name="rg-x", location="westeurope")
    planned = cty.decode_msgpack(
        provider.PlanResourceChange(
            pb.PlanResourceChange.Request(
                type_name="azurerm_resource_group",
                prior_state=dynamic(None, t),
                proposed_new_state=dynamic(config, t),
                config=dynamic(config, t),
            ),
            None,
        ).planned_state.msgpack,
        t,
    )
    assert cty.is_unknown(planned["id"]) and planned["tags"] is None  # optional only: stays null
    assert planned["name"] == "rg-x"
    applied = cty.decode_msgpack(
        provider.ApplyResourceChange(
            pb.ApplyResourceChange.Request(type_name="azurerm_resource_group", planned_state=dynamic(planned, t)), None
        ).new_state.msgpack,
        t,
    )
    assert applied["id"].startswith("/subscriptions/") and applied["id"].endswith("/resource_group/rg-x")
    assert {k: v for k, v in applied.items() if k != "id"} == {k: v for k, v in planned.items() if k != "id"}


def test_data_source_read_is_wholly_known_with_one_element_lists_and_base64_certificates():
    provider = standin("azurerm")
    t = provider.type_of(schema.DATA_SOURCE, "azurerm_kubernetes_cluster")
    config = empty_object(t, name="aks-x", resource_group_name="rg-x")
    response = provider.ReadDataSource(
        pb.ReadDataSource.Request(type_name="azurerm_kubernetes_cluster", config=dynamic(config, t)), None
    )
    state = cty.decode_msgpack(response.state.msgpack, t)
    assert not any(cty.is_unknown(v) for v in _leaves(state))
    (kube_config,) = state["kube_config"]
    assert base64.b64decode(kube_config["cluster_ca_certificate"], validate=True)
    assert kube_config["host"]
    assert state["name"] == "aks-x"


def _leaves(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


def test_every_base64decode_in_the_stacks_reads_a_base64_placeholder(synth):
    """The stand-in only knows which attributes hold base64 from BASE64_ATTRIBUTES: a stack that
    decodes another attribute would fail at plan; this names it first."""
    decoded = set()
    for config, stack in CASES:
        text = json.dumps(synth(config).stacks[stack])
        decoded |= set(re.findall(r"base64decode\([^)]*\.(\w+)\)", text))
    assert decoded <= values.BASE64_ATTRIBUTES, decoded - values.BASE64_ATTRIBUTES


def test_validate_warns_about_deprecated_arguments():
    provider = standin("azurerm")
    block = schema.provider_entry(PROVIDERS["azurerm"].schema_file)["block"]
    t = schema.block_type(block)
    config = empty_object(t, skip_provider_registration=True, features=[empty_object(t.attribute_types()["features"].element)])
    response = provider.ValidateProviderConfig(pb.ValidateProviderConfig.Request(config=dynamic(config, t)), None)
    (warning,) = response.diagnostics
    assert warning.severity == pb.Diagnostic.WARNING and "skip_provider_registration" in warning.detail
    assert warning.attribute.steps[0].attribute_name == "skip_provider_registration"


# --- go-plugin handshake -------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["exec", "zygote"])
def plugin_command(request, tmp_path_factory) -> Iterator[list[str]]:
    """The helm stand-in's wrapper, run as Terraform runs it: started plainly ("exec") or forked
    by a zygote (launcher.py), which is how the suite runs it."""
    built = mirror.build(tmp_path_factory.mktemp("handshake"))
    info = built.providers["helm"]
    directory = built.root / "mirror" / info.address / info.version / mirror.platform_dir()
    command = [str(directory / f"terraform-provider-helm_v{info.version}")]
    if request.param == "exec":
        yield command
    else:
        with built.running():
            yield command


PLUGIN_ENV = {server.MAGIC_COOKIE_KEY: server.MAGIC_COOKIE_VALUE, "PLUGIN_CLIENT_CERT": "-", "PLUGIN_PROTOCOL_VERSIONS": "5,6"}


def test_plugin_refuses_to_run_without_the_magic_cookie(plugin_command):
    env = {k: v for k, v in os.environ.items() if k != server.MAGIC_COOKIE_KEY}
    done = subprocess.run(plugin_command, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 1 and "This binary is a plugin" in done.stderr


def _handshake(process: subprocess.Popen) -> tuple[str, str]:
    ready, _, _ = select.select([process.stdout], [], [], 30)
    assert ready, "no handshake within 30 s"
    core, app, network, address, protocol, certificate = process.stdout.readline().strip().split("|")
    assert (core, app, network, protocol) == ("1", "6", "tcp", "grpc")
    assert address.startswith("127.0.0.1:")
    assert not certificate.endswith("=")  # go-plugin decodes with base64.RawStdEncoding
    return address, certificate


def _channel(address: str, certificate: str) -> grpc.Channel:
    """A client that trusts exactly the handshake's certificate for "localhost", as go-plugin's."""
    der = base64.b64decode(certificate + "=" * (-len(certificate) % 4))
    pem = b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(der) + b"-----END CERTIFICATE-----\n"
    credentials = grpc.ssl_channel_credentials(root_certificates=pem)
    return grpc.secure_channel(address, credentials, options=[("grpc.ssl_target_name_override", "localhost")])


def test_handshake_tls_rpc_and_shutdown(plugin_command):
    """What go-plugin's client does: read the handshake line, call the provider over TLS, then
    Shutdown; the process must exit promptly (Terraform kills it 2 s after Shutdown)."""
    process = subprocess.Popen(plugin_command, env=os.environ | PLUGIN_ENV, stdout=subprocess.PIPE, text=True)
    try:
        with _channel(*_handshake(process)) as channel:
            call = channel.unary_unary("/tfplugin6.Provider/GetProviderSchema", lambda m: m.SerializeToString(), lambda b: b)
            response = pb.GetProviderSchema.Response.FromString(call(pb.Empty(), timeout=30))
            assert "helm_release" in response.resource_schemas
            shutdown = channel.unary_unary("/plugin.GRPCController/Shutdown", lambda m: m.SerializeToString(), lambda b: b)
            started = time.monotonic()
            shutdown(pb.Empty(), timeout=30)
        assert process.wait(timeout=10) == 0
        assert time.monotonic() - started < 1.5
    finally:
        process.kill()
        process.wait()


def test_a_killed_plugin_stops_serving(plugin_command):
    """Terraform kills plugins that hang; a server forked by the zygote must not outlive its wrapper."""
    process = subprocess.Popen(plugin_command, env=os.environ | PLUGIN_ENV, stdout=subprocess.PIPE, text=True)
    address, certificate = _handshake(process)
    with _channel(address, certificate) as channel:
        call = channel.unary_unary("/tfplugin6.Provider/GetProviderSchema", lambda m: m.SerializeToString(), lambda b: b)
        call(pb.Empty(), timeout=30)  # serving
        process.kill()
        process.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                call(pb.Empty(), timeout=1)
            except grpc.RpcError:
                return
            time.sleep(0.1)
    raise AssertionError(f"the server at {address} still answers after its wrapper was killed")
