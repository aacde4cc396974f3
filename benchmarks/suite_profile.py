"""The test suite's profile for `make bench` (issue #16): the suite run three ways, each a fresh
process tree measured from outside (wall, CPU of the whole tree, peak memory, peak number of jsii
kernels alive at once), with the per-phase and per-test figures the suite records itself
(``pytest --suite-profile``, tests/harness/profile.py):

- ``serial``: one pytest process, as `make test` ran before issue #16 (same code and tests), every
  step run (``--no-result-cache``);
- ``parallel-cold``: `make test`'s command (pytest-xdist, ``PYTEST_PARALLEL`` in the Makefile) with
  every cached step run again (``--no-result-cache``): a fresh clone, or CI;
- ``parallel``: `make test`'s command as a contributor runs it again: the steps whose inputs did
  not change come from the result cache (tests/harness/result_cache.py) the cold run filled;
- ``check-cold`` / ``check``: `make check` (``pytest --inner-loop``), likewise.

``write_section`` renders the marked "suite" section of docs/performance.md from these measurements
and the synth floor (a) measured in the same `make bench` run; nothing in it is typed by hand.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER, END_MARKER = "<!-- suite:start -->", "<!-- suite:end -->"
MODES = ("serial", "parallel-cold", "parallel", "check-cold", "check")
NO_CACHE = "--no-result-cache"
TARGET_TEST_OVER_FLOOR = 6.0
TARGET_CHECK_SECONDS = 10.0
# pytest's closing line: "=== 3 failed, 560 passed in 90.12s (0:01:30) ===", without the "="s under -q.
SUMMARY = re.compile(r"^(=+ )?(?P<body>\d+ [^=]*(passed|failed|errors?|skipped|deselected)[^=]*) in (?P<seconds>[0-9.]+)s.*$")


@dataclass
class SuiteRun:
    mode: str
    command: str
    seconds: float
    cpu_seconds: float
    peak_tree_rss_mib: float
    peak_jsii_kernels: int
    exit_status: int
    counts: dict[str, int]
    load_before: float
    load_after: float
    profile: dict = field(default_factory=dict)


def _tree(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def _sample(pids: list[int]) -> tuple[int, int]:
    """(resident KiB of all the processes, how many of them are jsii kernels)."""
    rss = kernels = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
                    break
            if b"jsii-runtime" in Path(f"/proc/{pid}/cmdline").read_bytes():
                kernels += 1
        except (OSError, ValueError):
            continue
    return rss, kernels


def counts_from(output: str) -> dict[str, int]:
    """pytest's closing line, e.g. "== 3 failed, 560 passed, 7 skipped in 90.12s ==" -> counts."""
    for line in reversed(output.splitlines()):
        match = SUMMARY.match(line.strip())
        if match:
            return {word: int(number) for number, word in re.findall(r"(\d+) (\w+)", match["body"])}
    return {}


def run_suite(mode: str, args: list[str], env: dict[str, str], python: str) -> SuiteRun:
    with tempfile.TemporaryDirectory() as scratch:
        profile_path = Path(scratch) / "profile.json"
        command = [python, "-m", "pytest", "-p", "no:cacheprovider", *args, f"--suite-profile={profile_path}"]
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        log = Path(scratch) / "out.txt"
        with log.open("w") as out:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
            peak = {"rss": 0, "kernels": 0}
            done = threading.Event()

            def sample() -> None:
                while not done.wait(0.25):
                    rss, kernels = _sample(_tree(process.pid))
                    peak["rss"], peak["kernels"] = max(peak["rss"], rss), max(peak["kernels"], kernels)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - start
            done.set()
            sampler.join()
        output = log.read_text()
        profile = json.loads(profile_path.read_text()) if profile_path.exists() else {}
    return SuiteRun(
        mode=mode,
        command=shlex.join(["pytest", *args]),
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_tree_rss_mib=peak["rss"] / 1024,
        peak_jsii_kernels=peak["kernels"],
        exit_status=os.waitstatus_to_exitcode(status),
        counts=counts_from(output),
        load_before=load_before,
        load_after=os.getloadavg()[0],
        profile=profile,
    )


def mode_args(mode: str, parallel: str) -> list[str]:
    """pytest's arguments for each run (`make check` runs in one process, as the Makefile does)."""
    words = shlex.split(parallel)
    check = ["--inner-loop", "-p", "no:xdist", "-q"]
    return {
        "serial": ["-p", "no:xdist", NO_CACHE],
        "parallel-cold": [*words, NO_CACHE],
        "parallel": words,
        "check-cold": [*check, NO_CACHE],
        "check": check,
    }[mode]


def measure(modes: list[str], parallel: str, env: dict[str, str], python: str) -> list[SuiteRun]:
    runs = []
    for mode in modes:
        run = run_suite(mode, mode_args(mode, parallel), env, python)
        print(
            f"suite {mode:<8} {run.seconds:7.1f} s wall, {run.cpu_seconds:7.1f} s CPU, peak {run.peak_tree_rss_mib:5.0f} MiB,"
            f" {run.peak_jsii_kernels} jsii kernels at once, exit {run.exit_status}, {run.counts}",
            flush=True,
        )
        runs.append(run)
    return runs


# --- the write-up -------------------------------------------------------------------------------


def _phase_totals(events: list[dict]) -> list[tuple[str, int, float, float]]:
    totals: dict[str, list[float]] = {}
    for event in events:
        entry = totals.setdefault(event["kind"], [0, 0.0, 0.0])
        entry[0] += 1
        entry[1] += event["wall"]
        entry[2] += event["cpu"]
    return sorted(((k, int(v[0]), v[1], v[2]) for k, v in totals.items()), key=lambda row: -row[2])


def _file_totals(tests: list[dict]) -> list[tuple[str, int, float, float]]:
    totals: dict[str, list[float]] = {}
    for test in tests:
        entry = totals.setdefault(test["file"], [0, 0.0, 0.0])
        entry[0] += 1
        entry[1] += test["wall"]
        entry[2] += test["cpu"]
    return sorted(((k, int(v[0]), v[1], v[2]) for k, v in totals.items()), key=lambda row: -row[2])


def _counts(run: SuiteRun) -> str:
    return ", ".join(f"{n} {word}" for word, n in sorted(run.counts.items())) or "no summary line"


def render(runs: list[SuiteRun], floor_seconds: float | None, floor_label: str, measured_at: str, machine: str) -> str:
    by_mode = {run.mode: run for run in runs}
    lines = [
        MARKER,
        f"Measured {measured_at} by `make bench`; machine: {machine}. Load average (1 min) at the start and end"
        " of each run is listed: figures taken while other work shares the 2 cores are slower than on a quiet machine.",
        "",
        "| run | command | wall time | CPU time (whole process tree) | wall / synth floor (a) | peak RSS, all processes "
        "| jsii kernels at once (peak) | result | load average |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    described = {
        "serial": "whole suite, one process, nothing cached (how `make test` ran before #16)",
        "parallel-cold": "`make test`, cold: both cores, nothing cached (a fresh clone, CI)",
        "parallel": "`make test` again, unchanged tree: both cores, cached steps reused",
        "check-cold": "`make check`, cold: the inner loop, nothing cached",
        "check": "`make check` again, unchanged tree",
    }
    for run in runs:
        ratio = f"{run.seconds / floor_seconds:.1f}x" if floor_seconds else "n/a"
        lines.append(
            f"| {described[run.mode]} | `{run.command}` | {run.seconds:.1f} s | {run.cpu_seconds:.1f} s | {ratio} "
            f"| {run.peak_tree_rss_mib:.0f} MiB | {run.peak_jsii_kernels} | {_counts(run)}"
            + ("" if run.exit_status == 0 else f" (exit status {run.exit_status})")
            + f" | {run.load_before:.1f} -> {run.load_after:.1f} |"
        )
    lines.append("")
    if floor_seconds:
        lines.append(f"Synth floor (a) in this run: {floor_seconds:.2f} s ({floor_label}).")
    for mode, label in (("parallel-cold", "`make test`, cold,"), ("parallel", "`make test`, cache reused,")):
        if mode in by_mode and floor_seconds:
            ratio = by_mode[mode].seconds / floor_seconds
            verdict = "meets" if ratio <= TARGET_TEST_OVER_FLOOR else "misses"
            lines.append(
                f"- {label} = **{ratio:.1f}x** the synth floor: {verdict} the target of at most {TARGET_TEST_OVER_FLOOR:g}x."
            )
    parallel_mode = "parallel-cold" if "parallel-cold" in by_mode else "parallel"
    if "serial" in by_mode and parallel_mode in by_mode:
        serial, parallel = by_mode["serial"], by_mode[parallel_mode]
        lines.append(
            f"- both cores vs one process: {serial.seconds / parallel.seconds:.2f}x faster in wall time; CPU time "
            f"{parallel.cpu_seconds - serial.cpu_seconds:+.1f} s (the second worker's jsii load and scheduling)."
        )
        if serial.counts.get("passed") != parallel.counts.get("passed"):
            lines.append(f"- **the two runs passed different numbers of tests**: {_counts(serial)} vs {_counts(parallel)}.")
    for mode, label in (("check-cold", "`make check`, cold,"), ("check", "`make check`, cache reused,")):
        if mode in by_mode:
            check = by_mode[mode]
            verdict = "meets" if check.seconds < TARGET_CHECK_SECONDS else "misses"
            lines.append(f"- {label} took **{check.seconds:.1f} s**: {verdict} the target of under {TARGET_CHECK_SECONDS:g} s.")
    profiled = by_mode.get("parallel-cold") or by_mode.get("parallel") or (runs[0] if runs else None)
    if profiled and profiled.profile:
        events, tests = profiled.profile.get("events", []), profiled.profile.get("tests", [])
        lines += [
            "",
            f"Where the `{profiled.mode}` run spends its time, by phase (timed inside the test processes; under xdist the"
            " phases of the two workers overlap, so the sums exceed the wall time; the stand-in provider processes"
            " forked by the zygote are not counted in CPU):",
            "",
            "| phase | count | wall time, sum | CPU time, sum |",
            "|---|---|---|---|",
            *(f"| {kind} | {count} | {wall:.1f} s | {cpu:.1f} s |" for kind, count, wall, cpu in _phase_totals(events)),
            "",
            "Each phase:",
            "",
            "| phase | what | worker | wall time | CPU time |",
            "|---|---|---|---|---|",
            *(
                f"| {e['kind']} | {e['name']} | {e['worker']} | {e['wall']:.2f} s | {e['cpu']:.2f} s |"
                for e in sorted(events, key=lambda e: (e["kind"], -e["wall"]))
            ),
            "",
            "By test file (setup, call and teardown of its tests, including the shared fixtures they were first to need):",
            "",
            "| file | tests | wall time | CPU time |",
            "|---|---|---|---|",
            *(f"| {file} | {count} | {wall:.1f} s | {cpu:.1f} s |" for file, count, wall, cpu in _file_totals(tests)),
            "",
            "The 20 slowest tests:",
            "",
            "| test | worker | wall time | CPU time |",
            "|---|---|---|---|",
            *(
                f"| `{t['nodeid']}` | {t['worker']} | {t['wall']:.2f} s | {t['cpu']:.2f} s |"
                for t in sorted(tests, key=lambda t: -t["wall"])[:20]
            ),
        ]
    lines.append(END_MARKER)
    return "\n".join(lines)


def write_section(report: Path, section: str) -> None:
    """Rewrites only the suite section; everything else in the file stays."""
    text = report.read_text() if report.exists() else "# Performance\n"
    if MARKER in text and END_MARKER in text:
        start, end = text.index(MARKER), text.index(END_MARKER) + len(END_MARKER)
        text = text[:start] + section + text[end:]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    report.write_text(text)


def dump(runs: list[SuiteRun], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(r) for r in runs], indent=1))


if __name__ == "__main__":  # re-render from a dump: python -m benchmarks.suite_profile DUMP FLOOR_SECONDS
    loaded = [SuiteRun(**r) for r in json.loads(Path(sys.argv[1]).read_text())]
    print(render(loaded, float(sys.argv[2]), "given", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "given"))
