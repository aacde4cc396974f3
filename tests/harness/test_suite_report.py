"""`make bench`'s suite section is computed from the measured runs (benchmarks/suite_profile.py)."""

from __future__ import annotations

from benchmarks import suite_profile as bench


def run(mode: str, seconds: float, cpu: float, passed: int, profile: dict | None = None) -> bench.SuiteRun:
    return bench.SuiteRun(
        mode=mode,
        command=f"pytest {mode}",
        seconds=seconds,
        cpu_seconds=cpu,
        peak_tree_rss_mib=3000.0,
        peak_jsii_kernels=2,
        exit_status=0,
        counts={"passed": passed, "skipped": 1},
        load_before=1.0,
        load_after=1.5,
        profile=profile or {},
    )


PROFILE = {
    "events": [
        {"kind": "jsii load", "name": "import stacks.app (cdktf)", "worker": "gw0", "start": 0, "wall": 14.0, "cpu": 15.0},
        {"kind": "synth", "name": "config/default.yaml (cdktf)", "worker": "gw0", "start": 0, "wall": 0.5, "cpu": 0.5},
        {"kind": "synth", "name": "config/standalone.yaml (cdktf)", "worker": "gw1", "start": 0, "wall": 0.7, "cpu": 0.6},
    ],
    "tests": [
        {"nodeid": f"tests/test_a.py::test_{i}", "file": "tests/test_a.py", "worker": "gw0", "markers": [], "wall": i, "cpu": i}
        for i in range(25)
    ],
}


def test_ratios_and_verdicts_come_from_the_measurements():
    runs = [
        run("serial", 150.0, 160.0, 500),
        run("parallel-cold", 60.0, 175.0, 500, PROFILE),
        run("parallel", 30.0, 80.0, 500),
        run("check-cold", 14.0, 20.0, 300),
        run("check", 4.0, 3.9, 300),
    ]
    text = bench.render(runs, 12.0, "cdktf 0.21", "now", "test machine")
    assert "`make test`, cold, = **5.0x** the synth floor: meets the target of at most 6x" in text
    assert "`make test`, cache reused, = **2.5x** the synth floor: meets" in text
    assert "2.50x faster in wall time; CPU time +15.0 s" in text  # serial vs the cold parallel run
    assert "`make check`, cold, took **14.0 s**: misses the target of under 10 s" in text
    assert "`make check`, cache reused, took **4.0 s**: meets the target of under 10 s" in text
    assert "| synth | 2 | 1.2 s | 1.1 s |" in text
    assert "| tests/test_a.py | 25 | 300.0 s | 300.0 s |" in text
    slowest = text.split("The 20 slowest tests:")[1]
    assert "test_24`" in slowest and "test_5`" in slowest and "test_4`" not in slowest


def test_a_slow_run_is_called_a_miss():
    text = bench.render([run("parallel", 90.0, 175.0, 500), run("check", 12.0, 11.0, 300)], 12.0, "cdktf", "now", "m")
    assert "**7.5x** the synth floor: misses" in text
    assert "took **12.0 s**: misses" in text
    assert "cold" not in text.split("Synth floor")[1]  # no verdict on a run that was not measured


def test_pytest_summary_lines_are_read():
    assert bench.counts_from("x\n===== 3 failed, 560 passed, 7 skipped in 90.12s (0:01:30) =====\n") == {
        "failed": 3,
        "passed": 560,
        "skipped": 7,
    }
    assert bench.counts_from("....\n278 passed, 2 skipped in 60.72s (0:01:00)\n") == {"passed": 278, "skipped": 2}
    assert bench.counts_from("no summary") == {}


def test_only_the_suite_section_is_rewritten(tmp_path):
    report = tmp_path / "performance.md"
    report.write_text(f"# Performance\n\nkept\n\n{bench.MARKER}\nold\n{bench.END_MARKER}\n\nalso kept\n")
    bench.write_section(report, f"{bench.MARKER}\nnew\n{bench.END_MARKER}")
    assert report.read_text() == f"# Performance\n\nkept\n\n{bench.MARKER}\nnew\n{bench.END_MARKER}\n\nalso kept\n"


def test_check_runs_in_one_process_and_the_cold_runs_reuse_nothing():
    assert bench.mode_args("check", "-n 2 --dist loadgroup") == ["--inner-loop", "-p", "no:xdist", "-q"]
    assert bench.mode_args("check-cold", "-n 2") == ["--inner-loop", "-p", "no:xdist", "-q", "--no-result-cache"]
    assert bench.mode_args("parallel-cold", "-n 2") == ["-n", "2", "--no-result-cache"]
    assert bench.mode_args("serial", "-n 2") == ["-p", "no:xdist", "--no-result-cache"]
