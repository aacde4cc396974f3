"""The automatic classification behind `make check` and `make test`'s scheduling (tests/conftest.py)."""

from __future__ import annotations

import pytest

import constructs_lib.nginx_ingress as ingress  # a lazy package: importing it loads no jsii
from tests import conftest
from tests.harness import classify


@pytest.mark.parametrize(
    ("module", "loads_jsii"),
    [
        ("stacks.app", True),
        ("toolchain.cdk", True),
        ("constructs_lib.azureml_attach", False),  # a lazy package (constructs_lib/_exports.py)
        ("constructs_lib.azureml_attach.construct", True),
        ("constructs_lib.azureml_attach.scripts", False),
        ("config.model", False),
        ("config.loader", False),
        ("toolchain", False),
        ("tests.config.test_bad_configs", False),
    ],
)
def test_module_imports_are_followed(module, loads_jsii):
    assert classify.module_needs_jsii(module) is loads_jsii


def _pure():
    return sorted([2, 1])


def _imports_a_lazy_construct():
    from constructs_lib.azureml_attach import AzureMLComputeAttach

    return AzureMLComputeAttach


def _imports_a_lazy_script():
    from constructs_lib.azureml_attach import ATTACH_SCRIPT

    return ATTACH_SCRIPT


def _names_a_lazy_construct_through_its_package():
    return ingress.NginxIngress


def _names_a_lazy_helper_through_its_package():
    return ingress.prefix_route


def _builds():
    from stacks.app import build_app

    return build_app


def _calls_a_builder():
    return _builds()


def _imports_a_builder_function():
    from tests.stacks.test_state_safety import variant_of

    return variant_of


@pytest.mark.parametrize(
    ("function", "loads_jsii"),
    [
        (_pure, False),
        (_builds, True),
        (_calls_a_builder, True),
        (_imports_a_builder_function, True),
        (_imports_a_lazy_construct, True),
        (_imports_a_lazy_script, False),
        (_names_a_lazy_construct_through_its_package, True),
        (_names_a_lazy_helper_through_its_package, False),
    ],
)
def test_function_bodies_and_what_they_call_are_followed(function, loads_jsii):
    assert classify.function_needs_jsii(function) is loads_jsii


def _runs_a_process():
    import subprocess

    return subprocess.run(["true"], check=False)


def _calls_a_process_helper():
    from tests.pipelines.conftest import run

    return run


def _builds_a_completed_process_record():
    import subprocess

    return subprocess.CompletedProcess(["x"], 0)


@pytest.mark.parametrize(
    ("function", "starts"),
    [(_pure, False), (_runs_a_process, True), (_calls_a_process_helper, True), (_builds_a_completed_process_record, False)],
)
def test_process_starts_are_found_through_the_functions_called(function, starts):
    assert classify.function_starts_process(function) is starts


def test_lazy_exports_are_read_from_the_map_without_importing():
    exports = classify.lazy_exports_of("constructs_lib.nginx_ingress")
    assert exports["NginxIngress"] == "constructs_lib.nginx_ingress.construct"
    assert exports["prefix_route"] == "constructs_lib.nginx_ingress.controllers"
    assert classify.lazy_exports_of("config.model") == {}


def test_the_inner_loop_refuses_a_jsii_import():
    guard = conftest._JsiiRefused()
    assert guard.find_spec("yaml") is None
    with pytest.raises(ImportError, match="make check"):
        guard.find_spec("jsii")


def test_collected_tests_are_marked_and_grouped(request):
    """Every test of this session that uses a synth or Terraform carries the marker that keeps it
    out of `make check`; tests sharing an expensive fixture share an xdist group, and under
    ``--dist loadgroup`` their node ids carry it, which is what xdist's scheduler reads."""
    loadgroup = getattr(request.config.option, "loadgroup", False)
    for item in request.session.items:
        marks = [m.args[0] for m in item.iter_markers("xdist_group")]
        if loadgroup and marks:
            assert item.nodeid.endswith(f"@{marks[0]}"), item.nodeid
        names = set(item.fixturenames)
        if names & {"synth", "default_synth", "standalone_synth", "planned_stack", "mutated_stack"}:
            assert item.get_closest_marker("jsii"), item.nodeid
        if "terraform" in names:
            assert item.get_closest_marker("terraform"), item.nodeid
        if item.get_closest_marker("spawns_jsii"):
            assert conftest._xdist_group(item) == "spawns_jsii", item.nodeid
        elif "checkov_scan" in names:
            assert conftest._xdist_group(item) == "checkov_scan", item.nodeid
        elif "planned_stack" in names:
            group = conftest._xdist_group(item)
            assert group.startswith("planned_stack:") and "]" not in group, item.nodeid
        elif names <= conftest.PER_WORKER_FIXTURES | {"request", "tmp_path", "tmp_path_factory", "monkeypatch", "capsys"}:
            assert conftest._xdist_group(item) is None, item.nodeid


def test_the_inner_loop_refuses_a_process_start_and_fails_the_session(monkeypatch):
    monkeypatch.setattr(conftest, "_RUNNING_IN_INNER_LOOP", [True])
    monkeypatch.setattr(conftest, "_REFUSED_PROCESSES", [])
    conftest._refuse_unclassified_process("open", ("x",))  # not a process start
    for _ in range(2):  # refused every time, not only once
        with pytest.raises(RuntimeError, match="make check"):
            conftest._refuse_unclassified_process("subprocess.Popen", ("true",))
    assert conftest._REFUSED_PROCESSES == ["subprocess.Popen", "subprocess.Popen"]
