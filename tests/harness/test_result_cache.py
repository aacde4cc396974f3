"""The suite's result cache (tests/harness/result_cache.py): keys follow content, never paths or
time; only what is stored comes back; the switch turns reuse off."""

from __future__ import annotations

import types

import pytest

from tests.harness import result_cache


@pytest.fixture
def cache_root(tmp_path, monkeypatch):
    monkeypatch.setattr(result_cache, "CACHE_ROOT", tmp_path / "cache")
    monkeypatch.delenv(result_cache.ENV_SWITCH, raising=False)
    return tmp_path


def test_a_key_follows_every_byte_of_its_inputs(tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "a.py").write_text("x = 1\n")
    first = result_cache.content_key([folder], extra=["tool 1.0"])
    assert result_cache.content_key([folder], extra=["tool 1.0"]) == first
    (folder / "a.py").write_text("x = 2\n")
    assert result_cache.content_key([folder], extra=["tool 1.0"]) != first
    (folder / "a.py").write_text("x = 1\n")
    assert result_cache.content_key([folder], extra=["tool 1.1"]) != first
    (folder / "b.py").write_text("")  # a new, empty file is an input too
    assert result_cache.content_key([folder], extra=["tool 1.0"]) != first


def test_a_tree_digest_ignores_its_location_and_linked_folders(tmp_path):
    for name in ("one", "two"):
        (tmp_path / name / "stacks").mkdir(parents=True)
        (tmp_path / name / "stacks" / "cdk.tf.json").write_text("{}")
    (tmp_path / "two" / ".venv").symlink_to(tmp_path / "one")
    (tmp_path / "two" / "__pycache__").mkdir()
    (tmp_path / "two" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    assert result_cache.tree_digest(tmp_path / "one") == result_cache.tree_digest(tmp_path / "two")
    (tmp_path / "two" / "stacks" / "cdk.tf.json").write_text("{ }")
    assert result_cache.tree_digest(tmp_path / "one") != result_cache.tree_digest(tmp_path / "two")


def test_stored_results_come_back_until_discarded_or_switched_off(cache_root, monkeypatch):
    assert result_cache.load("kind", "k1") is None
    result_cache.store("kind", "k1", {"result.json": {"passed": True}})
    assert result_cache.load("kind", "k1") == {"passed": True}
    assert result_cache.load("kind", "k2") is None
    monkeypatch.setenv(result_cache.ENV_SWITCH, "0")
    assert result_cache.load("kind", "k1") is None
    monkeypatch.delenv(result_cache.ENV_SWITCH)
    result_cache.discard("kind", "k1")
    assert result_cache.load("kind", "k1") is None


def test_trees_round_trip(tmp_path):
    (tmp_path / "out" / "a").mkdir(parents=True)
    (tmp_path / "out" / "a" / "b.json").write_text('{"x": 1}')
    files = result_cache.read_tree(tmp_path / "out")
    assert files == {"a/b.json": '{"x": 1}'}
    result_cache.write_tree(tmp_path / "copy", files)
    assert (tmp_path / "copy" / "a" / "b.json").read_text() == '{"x": 1}'


def test_a_failed_test_marks_its_module(monkeypatch, tmp_path):
    monkeypatch.setattr(result_cache, "FAILED_MODULES", {str(tmp_path / "test_x.py")})
    assert result_cache.module_failed(types.SimpleNamespace(node=types.SimpleNamespace(path=tmp_path / "test_x.py")))
    assert not result_cache.module_failed(types.SimpleNamespace(node=types.SimpleNamespace(path=tmp_path / "test_y.py")))


def test_nothing_is_stored_after_a_source_file_changed(cache_root, monkeypatch):
    monkeypatch.setattr(result_cache, "ROOT", cache_root)
    (cache_root / "config").mkdir()
    source = cache_root / "config" / "model.py"
    source.write_text("x = 1\n")
    monkeypatch.setattr(result_cache, "STARTED_NS", source.stat().st_mtime_ns + 1)
    result_cache.store("kind", "before", {"result.json": 1})
    assert result_cache.load("kind", "before") == 1
    source.write_text("x = 2\n")  # edited during the run
    monkeypatch.setattr(result_cache, "STARTED_NS", source.stat().st_mtime_ns - 1)
    result_cache.store("kind", "after", {"result.json": 2})
    assert result_cache.load("kind", "after") is None
