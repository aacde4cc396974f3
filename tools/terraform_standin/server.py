"""A stand-in Terraform provider: real plugin protocol, real schema, invented values.

Terraform starts it like any provider plugin (go-plugin): it checks the magic cookie, serves
gRPC on a loopback port with a self-signed certificate, prints the handshake line
``1|6|tcp|127.0.0.1:<port>|grpc|<certificate>`` on stdout and then answers tfplugin6 calls from
the provider's vendored schema dump. Nothing leaves the machine: ``plan`` proposes the
configuration (computed attributes unknown on create), ``apply`` fills unknowns with typed
placeholders, data sources return placeholders (or the values a test observed, see
``values.observed``). That is enough for Terraform itself to check the configuration for real:
schema validation, references, types, cycles, provider aliases, lifecycle rules, plan/apply
consistency and, with ``replacement.py``, which edits replace what.

Schema pruning: loading provider schemas is most of what a Terraform command costs here (0.7 s of
a 1.0 s ``validate``), and nearly all of it is Terraform decoding the ~1,500 azurerm and ~100
kubernetes schemas a stack never uses. When ``STANDIN_SCHEMA_TYPES`` (``schema.SCHEMA_TYPES_ENV``)
is set, a JSON list of type names the caller will need (``mirror.Workspace.run`` sets it from the
workspace's configuration and state), GetProviderSchema answers with the provider block, the
server capabilities and the real schema of each listed type this provider has, and nothing else.
Pruning cannot hide an error: a listed type gets exactly the schema the full response holds, so
Terraform checks it as before, and a type Terraform needs that was not listed (or does not exist)
has no schema at all, which Terraform reports as an error ("Invalid resource type" for
configuration, a missing-schema error for state): pruning can make a command fail, never pass.
Without the variable (``cdktf deploy``, ``make plan``, anything run outside ``Workspace.run``) the
full response is served. Both are precomputed (see ``schema_files``), so a provider process only
concatenates bytes.

Run by the wrapper scripts that ``mirror.py`` writes:
``python -m tools.terraform_standin.server azurerm <schema dir> <tls dir>``.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from concurrent import futures
from functools import cache
from pathlib import Path
from typing import Any

import grpc

from tools.terraform_standin import cty, protocol, remote, replacement, schema, tls, values
from tools.terraform_standin.cache import cached_dir

# go-plugin handshake of Terraform's provider plugins (terraform/internal/plugin/serve.go).
MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
CORE_PROTOCOL_VERSION = 1
APP_PROTOCOL_VERSION = 6

pb = protocol.load()


class StandinProvider:
    """The tfplugin6 ``Provider`` service for one provider's schema dump."""

    def __init__(self, info: schema.ProviderInfo):
        self.info = info
        self.settings = remote.ProviderSettings()  # from ConfigureProvider

    # --- schema ---------------------------------------------------------------------------------

    def block(self, kind: str, type_name: str) -> dict[str, Any] | None:
        found = self.entry(kind, type_name)
        return found["block"] if found else None

    @cache  # noqa: B019 - one provider object per process
    def entry(self, kind: str, type_name: str) -> dict[str, Any] | None:
        return schema.entry(self.info.schema_file, kind, type_name)

    @cache  # noqa: B019
    def type_of(self, kind: str, type_name: str) -> cty.Object:
        return schema.block_type(self.block(kind, type_name))

    def schema_files(self) -> Path:
        """The cache entry GetProviderSchema answers from, built once per dump and protocol
        (building azurerm's ~1,500 schemas takes a quarter of a second):

        - ``response.pb``: the full GetProviderSchema.Response;
        - ``provider.pb``: that response without its resource, data source and ephemeral maps
          (provider block, capabilities, and whatever else a future response carries);
        - ``types.pb`` + ``types.json``: per type name, a Response holding only that name's map
          entries (in every map that has it), serialized back to back, and its offset and length.

        proto3 parsers merge concatenated messages (map entries add up), so ``provider.pb`` followed
        by the parts of some names *is* the full response filtered to those names: no process
        parses or re-filters the full response.
        """

        def build(directory: Path) -> None:
            dump = schema.load_dump(self.info.schema_file)
            response = pb.GetProviderSchema.Response(server_capabilities=self.capabilities())
            schema.fill_schema(response.provider, dump["provider"])
            for kind in schema.KINDS:
                entries = getattr(response, kind)
                for type_name, entry in dump.get(kind, {}).items():
                    schema.fill_schema(entries[type_name], entry)
            (directory / "response.pb").write_bytes(response.SerializeToString())
            provider_part = pb.GetProviderSchema.Response()
            provider_part.CopyFrom(response)
            for kind in schema.KINDS:
                provider_part.ClearField(kind)
            (directory / "provider.pb").write_bytes(provider_part.SerializeToString())
            parts, index = bytearray(), {}
            for type_name in sorted({name for kind in schema.KINDS for name in getattr(response, kind)}):
                part = pb.GetProviderSchema.Response()
                for kind in schema.KINDS:
                    if type_name in getattr(response, kind):
                        getattr(part, kind)[type_name].CopyFrom(getattr(response, kind)[type_name])
                data = part.SerializeToString()
                index[type_name] = [len(parts), len(data)]
                parts += data
            (directory / "types.pb").write_bytes(parts)
            (directory / "types.json").write_text(json.dumps(index))

        inputs = (self.info.schema_file, *protocol.cache_inputs())
        return cached_dir(f"schema-{self.info.name}", build, inputs=inputs)

    def schema_response(self, type_names: list[str] | None = None) -> bytes:
        """GetProviderSchema.Response, serialized: the full one, or (``type_names``) the provider
        part plus the schemas of those names this provider has; other names are left out."""
        directory = self.schema_files()
        if type_names is None:
            return (directory / "response.pb").read_bytes()
        provider_part, parts, index = _schema_parts(directory)
        found = [index[name] for name in dict.fromkeys(type_names) if name in index]
        return provider_part + b"".join(parts[offset : offset + length] for offset, length in found)

    @staticmethod
    def capabilities():
        # get_provider_schema_optional: Terraform reuses the schema it already fetched instead of
        # asking every provider process (one per provider configuration) again.
        return pb.ServerCapabilities(plan_destroy=False, get_provider_schema_optional=True)

    # --- RPCs -----------------------------------------------------------------------------------

    def GetMetadata(self, request, context):
        def names(kind):
            return schema.type_names(self.info.schema_file, kind)

        return pb.GetMetadata.Response(
            server_capabilities=self.capabilities(),
            resources=[pb.GetMetadata.ResourceMetadata(type_name=t) for t in names(schema.RESOURCE)],
            data_sources=[pb.GetMetadata.DataSourceMetadata(type_name=t) for t in names(schema.DATA_SOURCE)],
            ephemeral_resources=[pb.GetMetadata.EphemeralMetadata(type_name=t) for t in names(schema.EPHEMERAL)],
        )

    def GetProviderSchema(self, request, context):
        return self.schema_response(requested_types())

    def ValidateProviderConfig(self, request, context):
        block = schema.provider_entry(self.info.schema_file)["block"]
        config = cty.decode_msgpack(request.config.msgpack, schema.block_type(block))
        return pb.ValidateProviderConfig.Response(diagnostics=self._deprecations(block, config))

    def ValidateResourceConfig(self, request, context):
        return self._validate(schema.RESOURCE, request)

    def ValidateDataResourceConfig(self, request, context):
        return self._validate(schema.DATA_SOURCE, request)

    def _validate(self, kind: str, request):
        block = self.block(kind, request.type_name)
        if block is None:
            return pb.DiagnosticsResponse(diagnostics=[self._unknown_type(kind, request.type_name)])
        config = cty.decode_msgpack(request.config.msgpack, self.type_of(kind, request.type_name))
        return pb.DiagnosticsResponse(diagnostics=self._deprecations(block, config))

    def ConfigureProvider(self, request, context):
        if self.info.name == "azurerm":
            t = schema.block_type(schema.provider_entry(self.info.schema_file)["block"])
            self.settings = remote.ProviderSettings.from_config(cty.decode_msgpack(request.config.msgpack, t))
        return pb.DiagnosticsResponse()

    def UpgradeResourceState(self, request, context):
        t = self.type_of(schema.RESOURCE, request.type_name)
        state = cty.from_json(json.loads(request.raw_state.json), t)
        return pb.UpgradeResourceState.Response(upgraded_state=pb.DynamicValue(msgpack=cty.encode_msgpack(state, t)))

    def ReadResource(self, request, context):
        if remote.active(self.info.name, request.type_name):
            t = self.type_of(schema.RESOURCE, request.type_name)
            current = cty.decode_msgpack(request.current_state.msgpack, t)
            if current is not None and not remote.still_exists(request.type_name, current):
                return pb.ReadResource.Response(new_state=pb.DynamicValue(msgpack=cty.encode_msgpack(None, t)))
        # Otherwise nothing exists remotely: the stored state is the truth.
        return pb.ReadResource.Response(new_state=request.current_state, private=request.private)

    def PlanResourceChange(self, request, context):
        t = self.type_of(schema.RESOURCE, request.type_name)
        proposed = cty.decode_msgpack(request.proposed_new_state.msgpack, t)
        prior = cty.decode_msgpack(request.prior_state.msgpack, t)
        response = pb.PlanResourceChange.Response(planned_private=request.prior_private)
        if proposed is None:  # destroy
            response.planned_state.msgpack = cty.encode_msgpack(None, t)
            return response
        # Computed attributes still null become unknown. On an update the proposal carries the
        # prior state's (known, non-null: see apply) values, so this only reaches new nested blocks.
        block = self.block(schema.RESOURCE, request.type_name)
        proposed, legacy = values.with_optional_computed_blocks(self.info.name, request.type_name, block, proposed, prior)
        response.legacy_type_system = legacy
        planned = values.fill_computed(block, proposed, lambda _t, _n: cty.UNKNOWN)
        if prior is not None:
            for path in replacement.requires_replace(self.info.name, request.type_name, block, prior, planned):
                response.requires_replace.append(_attribute_path(path))
        response.planned_state.msgpack = cty.encode_msgpack(planned, t)
        return response

    def ApplyResourceChange(self, request, context):
        t = self.type_of(schema.RESOURCE, request.type_name)
        planned = cty.decode_msgpack(request.planned_state.msgpack, t)
        response = pb.ApplyResourceChange.Response(
            private=request.planned_private,
            legacy_type_system=(self.info.name, request.type_name) in values.SDK_OPTIONAL_COMPUTED_BLOCKS,
        )
        if remote.active(self.info.name, request.type_name):
            prior = cty.decode_msgpack(request.prior_state.msgpack, t)
            outcome = remote.apply(self.settings, request.type_name, prior, planned)
            if outcome is not None:
                state = outcome.state
                if state is not None:
                    state = values.placeholders_for(self.info.name, request.type_name, state).replace_unknowns(state, t)
                response.new_state.msgpack = cty.encode_msgpack(state, t)
                if outcome.error:
                    response.diagnostics.append(pb.Diagnostic(severity=pb.Diagnostic.ERROR, summary=outcome.error))
                return response
        if planned is not None:
            planned = values.placeholders_for(self.info.name, request.type_name, planned).replace_unknowns(planned, t)
        response.new_state.msgpack = cty.encode_msgpack(planned, t)
        return response

    def ImportResourceState(self, request, context):
        t = self.type_of(schema.RESOURCE, request.type_name)
        state = {name: None for name, _ in t.attributes} | {"id": request.id}
        imported = pb.ImportResourceState.ImportedResource(
            type_name=request.type_name, state=pb.DynamicValue(msgpack=cty.encode_msgpack(state, t))
        )
        return pb.ImportResourceState.Response(imported_resources=[imported])

    def ReadDataSource(self, request, context):
        t = self.type_of(schema.DATA_SOURCE, request.type_name)
        config = cty.decode_msgpack(request.config.msgpack, t)
        fake = values.placeholders_for(self.info.name, request.type_name, config)
        # What a test says the real object looks like (values.observed): an existing cluster's
        # settings, which postconditions check. Placeholders fill in the rest.
        config = values.with_observed(config, values.observed(self.info.name, request.type_name, fake.label))
        block = self.block(schema.DATA_SOURCE, request.type_name)
        state = fake.replace_unknowns(values.fill_computed(block, config, fake.value), t)
        return pb.ReadDataSource.Response(state=pb.DynamicValue(msgpack=cty.encode_msgpack(state, t)))

    def GetFunctions(self, request, context):
        return pb.GetFunctions.Response()

    def StopProvider(self, request, context):
        return pb.StopProvider.Response()

    # --- helpers --------------------------------------------------------------------------------

    def _deprecations(self, block: dict[str, Any], config: Any) -> list:
        return [
            pb.Diagnostic(
                severity=pb.Diagnostic.WARNING,
                summary="Argument is deprecated",
                detail=f"{_render(path)} is deprecated in {self.info.name} {self.info.version} "
                "(the schema dump carries no deprecation message; see the provider's documentation).",
                attribute=_attribute_path(path),
            )
            for path in values.deprecated_paths(block, config)
        ]

    def _unknown_type(self, kind: str, type_name: str):
        what = "data source" if kind == schema.DATA_SOURCE else "resource"
        return pb.Diagnostic(
            severity=pb.Diagnostic.ERROR,
            summary=f"Unsupported {what} type",
            detail=f"{self.info.name} {self.info.version} has no {what} type {type_name!r}.",
        )


def requested_types() -> list[str] | None:
    """The type names the caller listed in ``STANDIN_SCHEMA_TYPES``, or None (serve them all)."""
    listed = os.environ.get(schema.SCHEMA_TYPES_ENV)
    if listed is None:
        return None
    names = json.loads(listed)
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        # Fail the RPC (Terraform reports it) rather than guess what the caller meant.
        raise ValueError(f"{schema.SCHEMA_TYPES_ENV} must be a JSON list of type names, not {listed[:200]!r}")
    return names


@cache
def _schema_parts(directory: Path) -> tuple[bytes, bytes, dict[str, list[int]]]:
    """``schema_files``' pruning inputs, read once per process; the zygote reads them before it
    forks, so its children start with them in memory. (Keyed by the entry's path, which names its
    content.)"""
    index = json.loads((directory / "types.json").read_text())
    return (directory / "provider.pb").read_bytes(), (directory / "types.pb").read_bytes(), index


def _attribute_path(path: values.Path):
    return pb.AttributePath(steps=[pb.AttributePath.Step(**{selector: key}) for selector, key in path])


def _render(path: values.Path) -> str:
    text = ""
    for selector, key in path:
        text += f".{key}" if selector == "attribute_name" else f"[{key!r}]"
    return text.lstrip(".")


# --- go-plugin plumbing --------------------------------------------------------------------------


def _rpc_handlers(provider: StandinProvider) -> grpc.GenericRpcHandler:
    requests = {
        "GetMetadata": pb.Empty,
        "GetProviderSchema": pb.Empty,
        "ValidateProviderConfig": pb.ValidateProviderConfig.Request,
        "ValidateResourceConfig": pb.ValidateConfig.Request,
        "ValidateDataResourceConfig": pb.ValidateConfig.Request,
        "UpgradeResourceState": pb.UpgradeResourceState.Request,
        "ConfigureProvider": pb.ConfigureProvider.Request,
        "ReadResource": pb.ReadResource.Request,
        "PlanResourceChange": pb.PlanResourceChange.Request,
        "ApplyResourceChange": pb.ApplyResourceChange.Request,
        "ImportResourceState": pb.ImportResourceState.Request,
        "ReadDataSource": pb.ReadDataSource.Request,
        "GetFunctions": pb.Empty,
        "StopProvider": pb.Empty,
    }
    return grpc.method_handlers_generic_handler(
        "tfplugin6.Provider",
        {
            name: grpc.unary_unary_rpc_method_handler(
                getattr(provider, name), request_deserializer=message.FromString, response_serializer=_serialize
            )
            for name, message in requests.items()
        },
    )


def _serialize(message) -> bytes:
    return message if isinstance(message, bytes) else message.SerializeToString()


def _controller_handlers(shutdown: threading.Event) -> grpc.GenericRpcHandler:
    """go-plugin's ``plugin.GRPCController``: Terraform calls Shutdown when it closes a provider
    and kills the process if it has not exited two seconds later."""

    def stop(request, context):
        shutdown.set()
        return pb.Empty()

    handler = grpc.unary_unary_rpc_method_handler(stop, request_deserializer=pb.Empty.FromString, response_serializer=_serialize)
    return grpc.method_handlers_generic_handler("plugin.GRPCController", {"Shutdown": handler})


def serve(info: schema.ProviderInfo, tls_dir: Path) -> int:
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        print(
            "This binary is a plugin. These are not meant to be executed directly.\n"
            "Please execute the program that consumes these plugins, which will\n"
            "load any plugins automatically",
            file=sys.stderr,
        )
        return 1
    offered = os.environ.get("PLUGIN_PROTOCOL_VERSIONS", str(APP_PROTOCOL_VERSION)).split(",")
    if str(APP_PROTOCOL_VERSION) not in offered:
        print(
            f"Terraform offers plugin protocol versions {offered}; this stand-in speaks {APP_PROTOCOL_VERSION}", file=sys.stderr
        )
        return 1
    # Terraform forwards Ctrl-C itself and then stops the plugin over RPC (as go-plugin does).
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    shutdown = threading.Event()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    server.add_generic_rpc_handlers([_rpc_handlers(StandinProvider(info)), _controller_handlers(shutdown)])
    handshake = [str(CORE_PROTOCOL_VERSION), str(APP_PROTOCOL_VERSION), "tcp"]
    if os.environ.get("PLUGIN_CLIENT_CERT"):  # AutoMTLS: see tls.py
        key_pem, cert_pem, certificate = tls.read_server_certificate(tls_dir)
        credentials = grpc.ssl_server_credentials([(key_pem, cert_pem)], root_certificates=None, require_client_auth=False)
        port = server.add_secure_port("127.0.0.1:0", credentials)
        handshake += [f"127.0.0.1:{port}", "grpc", certificate]
    else:
        port = server.add_insecure_port("127.0.0.1:0")
        handshake += [f"127.0.0.1:{port}", "grpc"]
    server.start()
    sys.stdout.write("|".join(handshake) + "\n")
    sys.stdout.flush()
    shutdown.wait()
    server.stop(grace=0.5).wait()
    return 0


def main(argv: list[str] | None = None) -> None:
    """``server <provider> <schema dir> <tls dir>``, as the mirror's wrapper scripts call it
    (positional: argparse alone would add a tenth to every provider start)."""
    provider, schema_dir, tls_dir = sys.argv[1:] if argv is None else argv
    status = serve(schema.providers(Path(schema_dir))[provider], Path(tls_dir))
    sys.stdout.flush()
    # Skip interpreter teardown (gRPC's threads make it slow); Terraform is waiting for the exit.
    os._exit(status)


if __name__ == "__main__":
    main()
