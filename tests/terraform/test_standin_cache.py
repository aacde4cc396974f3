"""The stand-in's shared cache (tools/terraform_standin/cache.py) is keyed on everything that
produces an entry: its data (schema dump, proto, tool versions) and the converter's code. A
converter changed after an entry was written must miss it, or a broken converter passes on a warm
cache and a cold run caches its broken result for the fixed one."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from tools.terraform_standin import cache, protocol, schema, server

PROVIDERS = schema.providers()
SMALL = PROVIDERS["time"]  # the smallest vendored dump: its schema response builds in milliseconds


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """An empty cache root and a copy of the stand-in's source to edit, both under tmp_path."""
    monkeypatch.setattr(cache, "CACHE_ROOT", tmp_path / "cache")
    source = tmp_path / "source"
    shutil.copytree(cache.SOURCE_DIR, source, ignore=shutil.ignore_patterns("__pycache__", "schemas"))
    monkeypatch.setattr(cache, "SOURCE_DIR", source)
    monkeypatch.delenv(cache.MUTANT_VARIABLE, raising=False)
    return source


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def test_an_entry_is_built_once_and_then_reused(isolated):
    built = []
    first = cache.cached_dir("demo", built.append, inputs=("a",))
    again = cache.cached_dir("demo", built.append, inputs=("a",))
    assert first == again and built == [built[0]]
    assert first.name.startswith("demo-") and first.parent == cache.CACHE_ROOT


def test_the_key_covers_each_input_its_content_and_their_boundaries(isolated, tmp_path):
    data = tmp_path / "dump.bin"
    data.write_bytes(b"one")
    keys = {
        cache.cache_key(()),
        cache.cache_key(("ab", "c")),
        cache.cache_key(("a", "bc")),
        cache.cache_key(("c", "ab")),
        cache.cache_key((b"ab", "d")),
        cache.cache_key((data,)),
    }
    assert len(keys) == 6
    assert cache.cache_key(("ab", "c")) == cache.cache_key((b"ab", b"c"))  # text and bytes alike
    before = cache.cache_key((data,))
    data.write_bytes(b"two")
    assert cache.cache_key((data,)) != before  # a path stands for its content, not its name


def test_a_changed_converter_misses_the_cache_and_rebuilds(isolated):
    """The regression the issue found: the converter broken on a warm cache still passed."""
    built: list[Path] = []
    before = cache.cached_dir("schema-time", built.append, inputs=("dump",))
    edit(isolated / "schema.py", 'message.version = schema.get("version", 0)', "message.version = 0")
    cache._source_digest.cache_clear()
    after = cache.cached_dir("schema-time", built.append, inputs=("dump",))
    assert after != before and after.exists()
    assert len(built) == 2  # built again, not read from the entry the old converter wrote


@pytest.mark.parametrize("changed", ["schema.py", "server.py", "cty.py", "protocol.py", "cache.py", "proto/tfplugin6.proto"])
def test_every_source_file_of_the_stand_in_is_part_of_the_key(isolated, changed):
    before = cache.code_key()
    with (isolated / changed).open("a") as handle:
        handle.write("\n// changed\n" if changed.endswith(".proto") else "\n# changed\n")
    cache._source_digest.cache_clear()
    assert cache.code_key() != before


def test_each_mutant_gets_its_own_entries(isolated, monkeypatch):
    """Under `make mutation` the source is the same for every mutant; which one runs is not."""
    plain = cache.code_key()
    monkeypatch.setenv(cache.MUTANT_VARIABLE, "tools.terraform_standin.schema.x_fill_schema__mutmut_1")
    first = cache.code_key()
    monkeypatch.setenv(cache.MUTANT_VARIABLE, "tools.terraform_standin.schema.x_fill_schema__mutmut_2")
    assert len({plain, first, cache.code_key()}) == 3


def _schema_entry(info: schema.ProviderInfo) -> Path:
    server.StandinProvider(info).schema_response()
    (entry,) = cache.CACHE_ROOT.glob(f"schema-{info.name}-*")
    return entry


def test_schema_response_is_keyed_on_the_converter_and_the_dump(isolated, tmp_path):
    before = _schema_entry(SMALL)
    response = (before / "response.pb").read_bytes()
    shutil.rmtree(cache.CACHE_ROOT)
    # The converter changed: a new entry, built by the (here unchanged) running code.
    edit(isolated / "server.py", "plan_destroy=False", "plan_destroy=False ")
    cache._source_digest.cache_clear()
    changed_code = _schema_entry(SMALL)
    assert changed_code.name != before.name and (changed_code / "response.pb").read_bytes() == response
    shutil.rmtree(cache.CACHE_ROOT)
    # The dump changed: a new entry too.
    dump = schema.load_dump(SMALL.schema_file)
    other = tmp_path / "time.json.gz"
    with gzip.open(other, "wt", encoding="utf-8") as handle:
        json.dump({**dump, "provider": {"version": 1, "block": {}}}, handle)
    changed_dump = _schema_entry(schema.ProviderInfo(SMALL.name, SMALL.namespace, SMALL.version, other))
    assert changed_dump.name not in (before.name, changed_code.name)


def test_split_dump_is_keyed_on_the_converter_and_the_dump(isolated):
    split = schema.split_dump.__wrapped__  # the per-process memo would hide the cache
    before = split(SMALL.schema_file)
    assert before.name.startswith("split-time-") and (before / "provider.json").exists()
    edit(isolated / "schema.py", "(directory / kind).mkdir()", "(directory / kind).mkdir(exist_ok=False)")
    cache._source_digest.cache_clear()
    after = split(SMALL.schema_file)
    assert after != before and after.exists() and before.exists()


def test_compiled_protocol_is_keyed_on_the_converter_the_proto_and_the_versions(isolated):
    proto, versions = protocol.cache_inputs()
    assert proto == protocol.PROTO and versions.startswith("grpcio-tools==") and " protobuf==" in versions
    compiled = []
    first = cache.cached_dir("protocol", compiled.append, inputs=protocol.cache_inputs())
    edit(isolated / "protocol.py", '"--python_out', '"--python_out')  # unchanged text: same key
    cache._source_digest.cache_clear()
    assert cache.cached_dir("protocol", compiled.append, inputs=protocol.cache_inputs()) == first
    edit(isolated / "protocol.py", "protoc failed", "protoc failed:")
    cache._source_digest.cache_clear()
    assert cache.cached_dir("protocol", compiled.append, inputs=protocol.cache_inputs()) != first
    assert len(compiled) == 2


# --- building an entry: atomic, and nothing left behind ------------------------------------------


def test_entries_are_built_in_a_scratch_directory_beside_them(isolated, monkeypatch):
    """Built in CACHE_ROOT (a rename within one filesystem is atomic) under a hidden name, in a
    cache root whose parents may not exist yet."""
    monkeypatch.setattr(cache, "CACHE_ROOT", cache.CACHE_ROOT / "deeper" / "still")
    seen = []
    target = cache.cached_dir("demo", seen.append, inputs=("x",))
    (scratch,) = seen
    assert scratch.parent == cache.CACHE_ROOT and scratch.name.startswith(f".{target.name}-")
    assert not scratch.exists() and target.is_dir()


def test_a_failed_build_leaves_nothing(isolated):
    def broken(directory: Path) -> None:
        (directory / "half.json").write_text("{")
        raise RuntimeError("converter failed")

    with pytest.raises(RuntimeError, match="converter failed"):
        cache.cached_dir("demo", broken, inputs=("x",))
    assert list(cache.CACHE_ROOT.iterdir()) == []  # neither an entry nor a scratch directory
    built = cache.cached_dir("demo", lambda d: (d / "ok").write_text("1"), inputs=("x",))
    assert (built / "ok").read_text() == "1"  # the next call builds it


def test_a_racing_process_that_built_first_wins(isolated):
    """Terraform starts provider processes in parallel: the loser of the rename keeps the winner's
    identical entry and removes its own scratch directory."""
    name = f"demo-{cache.cache_key(('x',))}"

    def build_while_another_process_finishes(directory: Path) -> None:
        (directory / "mine").write_text("loser")
        winner = cache.CACHE_ROOT / name
        winner.mkdir()
        (winner / "mine").write_text("winner")
        (winner / "more").write_text("x")  # not empty: the rename onto it fails

    target = cache.cached_dir("demo", build_while_another_process_finishes, inputs=("x",))
    assert target.name == name and (target / "mine").read_text() == "winner"
    assert [p.name for p in cache.CACHE_ROOT.iterdir()] == [name]


def test_a_rename_that_fails_for_another_reason_is_raised(isolated, monkeypatch):
    def refuse(source, target):
        raise PermissionError("read-only cache")

    monkeypatch.setattr(cache.os, "rename", refuse)
    with pytest.raises(PermissionError):
        cache.cached_dir("demo", lambda d: None, inputs=("x",))
    assert list(cache.CACHE_ROOT.iterdir()) == []


def test_the_stand_in_imports_nothing_else_of_the_project():
    """The suite keeps clean `planned_stack` results keyed on tools/terraform_standin (see
    tests/terraform/conftest.py PLAN_INPUTS): that key is complete only while the provider
    processes (launcher.py, server.py and what they import) run no other project code."""
    import ast

    top_level = {p.name for p in cache.ROOT.iterdir() if (p / "__init__.py").exists()}
    pending, seen, outside = ["launcher", "server"], set(), []
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        for node in ast.walk(ast.parse((cache.SOURCE_DIR / f"{module}.py").read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                base = node.module or ""
                names = [f"{base}.{alias.name}" for alias in node.names] if base == "tools.terraform_standin" else [base]
            for name in names:
                if name.startswith("tools.terraform_standin."):
                    pending.append(name.split(".")[2])
                elif name.split(".")[0] in top_level:
                    outside.append(f"{module}.py: {name}")
    assert {"launcher", "server", "schema", "values"} <= seen, seen
    assert not outside, outside
