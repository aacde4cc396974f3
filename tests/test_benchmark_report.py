"""`make bench` rewrites only its own section of docs/performance.md (others append theirs)."""

from __future__ import annotations

import argparse

import toolchain
from benchmarks import synth_benchmark as bench


def summaries(names):
    return {
        (name, key): bench.Summary(f"({key})", seconds, seconds, 800.0, 1400.0, (seconds,))
        for name in names
        for key, seconds in (("a", 10.0), ("b", 10.5), ("c", 10.6))
    }


def write(tmp_path, monkeypatch, text: str, names: list[str], absent: list[str]) -> str:
    report = tmp_path / "performance.md"
    report.write_text(text)
    monkeypatch.setattr(bench, "REPORT", report)
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    args = argparse.Namespace(runs=1, extra_pools=20)
    phases = {name: {"import stacks (jsii assemblies)": 1.0} for name in names}
    bench.write_report(args, names, absent, summaries(names), phases, (12.0, 0), "test machine")
    return report.read_text()


def test_only_the_marked_section_is_rewritten(tmp_path, monkeypatch):
    before = (
        "# Performance\n\nprose\n\n<!-- bench:start -->\nold numbers\n<!-- bench:end -->\n\n## Terraform validate/plan\n\nkept\n"
    )
    after = write(tmp_path, monkeypatch, before, [toolchain.CDKTF, toolchain.CDKTN], [])
    assert after.startswith("# Performance\n\nprose\n\n<!-- bench:start -->\n")
    assert after.endswith("<!-- bench:end -->\n\n## Terraform validate/plan\n\nkept\n")
    assert "old numbers" not in after
    assert "| cdktf 0.21 |" in after and "| cdktn 0.24 |" in after
    assert "cdktn / cdktf: floor" in after


def test_a_missing_toolchain_is_reported(tmp_path, monkeypatch):
    after = write(tmp_path, monkeypatch, "# Performance\n", [toolchain.CDKTF], [toolchain.CDKTN])
    assert after.startswith("# Performance\n")
    assert "**cdktn 0.24 not measured**" in after and "`make setup-cdktn`" in after
