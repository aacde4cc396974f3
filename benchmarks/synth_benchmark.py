"""`make bench`: how close synthesis gets to the floor it cannot go under, per toolchain.

For every installed toolchain (cdktf 0.21, the default, and CDK Terrain 0.24 when .venv-cdktn
and its CLI are installed: `make setup-cdktn`):
(a) floor: a Python process that only imports the CDK core and the provider modules the app uses
    (loading the jsii assemblies is the bulk of any synth);
(b) `python main.py` on config/default.yaml (validate, build both stacks, write cdktf.out);
(c) (b) with 20 extra user node pools.
Each is a fresh process, run several times, all cases of all toolchains interleaved; median wall
time, CPU time, peak RSS of the largest process (Python or its jsii Node child) and peak RSS of the
whole process tree (sampled) are reported, with the ratios b/a and c/b, and written to the marked
section of docs/performance.md (the rest of that file is left as it is).
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

import toolchain
from benchmarks import suite_profile
from toolchain.precompile import provider_modules_used

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "performance.md"
MARKER, END_MARKER = "<!-- bench:start -->", "<!-- bench:end -->"
TARGET_B_OVER_A = 1.15
TARGET_C_OVER_B = 1.10
LABELS = {toolchain.CDKTF: "cdktf 0.21", toolchain.CDKTN: "cdktn 0.24"}


# The floor: the CDK core plus exactly the provider modules the app imports, nothing else.
FLOOR_IMPORTS = "import constructs, toolchain.cdk\n" + "".join(f"import toolchain.{m}\n" for m in provider_modules_used())


@dataclass(frozen=True)
class Measurement:
    seconds: float
    cpu_seconds: float  # user + system of the process and its reaped children (the jsii Node process)
    peak_rss_mib: float  # largest single process
    peak_tree_rss_mib: float  # Python + Node together, sampled


@dataclass(frozen=True)
class Summary:
    label: str
    seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    peak_tree_rss_mib: float
    samples: tuple[float, ...]


@dataclass(frozen=True)
class Case:
    toolchain: str
    key: str  # "a", "b" or "c"
    label: str
    args: list[str]
    env: dict[str, str]


def _tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def run_once(args: list[str], env: dict[str, str]) -> Measurement:
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_tree = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peak_tree[0] = max(peak_tree[0], _tree_rss_kib(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {process.stderr.read().decode()}")
    return Measurement(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, peak_tree[0] / 1024)


def measure_interleaved(cases: list[Case], runs: int) -> dict[tuple[str, str], Summary]:
    """Runs the cases round-robin, so that background load drifting over time hits all alike."""
    samples: dict[tuple[str, str], list[Measurement]] = {(c.toolchain, c.key): [] for c in cases}
    for _ in range(runs):
        for case in cases:
            samples[(case.toolchain, case.key)].append(run_once(case.args, case.env))
    summaries = {}
    for case in cases:
        taken = samples[(case.toolchain, case.key)]
        summary = Summary(
            label=case.label,
            seconds=statistics.median(m.seconds for m in taken),
            cpu_seconds=statistics.median(m.cpu_seconds for m in taken),
            peak_rss_mib=statistics.median(m.peak_rss_mib for m in taken),
            peak_tree_rss_mib=statistics.median(m.peak_tree_rss_mib for m in taken),
            samples=tuple(m.seconds for m in taken),
        )
        spread = ", ".join(f"{s:.2f}" for s in summary.samples)
        print(
            f"{LABELS[case.toolchain]:<11} {case.label:<36} median {summary.seconds:6.2f} s wall,"
            f" {summary.cpu_seconds:6.2f} s CPU"
            f"  (wall runs: {spread})  peak RSS {summary.peak_rss_mib:5.0f} MiB largest process,"
            f" {summary.peak_tree_rss_mib:5.0f} MiB all",
            flush=True,
        )
        summaries[(case.toolchain, case.key)] = summary
    return summaries


PHASES = """
import sys, time
t0 = time.perf_counter()
from pathlib import Path
from config.loader import load_config
config = load_config(Path("config/default.yaml"))
t1 = time.perf_counter()
from stacks.app import build_app
t2 = time.perf_counter()
app = build_app(config, config_file="config/default.yaml", outdir=sys.argv[1])
t3 = time.perf_counter()
app.synth()
t4 = time.perf_counter()
print(f"{t1-t0:.2f} {t2-t1:.2f} {t3-t2:.2f} {t4-t3:.2f}")
"""


def phase_breakdown(python: str, env: dict[str, str], outdir: Path) -> dict[str, float]:
    out = subprocess.run([python, "-c", PHASES, str(outdir)], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    load, imports, build, synth = (float(x) for x in out.stdout.split())
    return {
        "load + validate config": load,
        "import stacks (jsii assemblies)": imports,
        "build constructs": build,
        "synth (write JSON)": synth,
    }


def many_pools_config(directory: Path, extra_pools: int) -> Path:
    raw = yaml.safe_load((ROOT / "config" / "default.yaml").read_text())
    raw = copy.deepcopy(raw)
    raw["cluster"]["node_pools"] += [
        {"name": f"pool{i:02d}", "vm_size": "Standard_D4ds_v5", "min_count": 0, "max_count": 3, "azureml": False}
        for i in range(extra_pools)
    ]
    path = directory / "many-pools.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def machine(env: dict[str, str]) -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, env=env).stdout.strip()
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}; Node {node}; {system}"


def toolchain_env(name: str, base: dict[str, str]) -> dict[str, str]:
    environment = toolchain.ENVIRONMENTS[name]
    return {**base, "TOOLCHAIN": name, "PATH": f"{environment.node_bin}{os.pathsep}{base['PATH']}"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--extra-pools", type=int, default=20)
    parser.add_argument("--no-report", action="store_true", help="print only; do not rewrite docs/performance.md")
    parser.add_argument(
        "--suite-report-only",
        action="store_true",
        help="rewrite only the suite section of docs/performance.md (keep the synth figures of an earlier run)",
    )
    parser.add_argument("--skip-tests", action="store_true", help="do not profile the test suite")
    parser.add_argument(
        "--suite-modes",
        default=",".join(suite_profile.MODES),
        help="which suite runs to profile, in order, comma-separated: serial (one process), parallel-cold and parallel "
        "(make test without and with the result cache), check-cold and check (make check, likewise)",
    )
    parser.add_argument(
        "--pytest-parallel", default="-n 2 --dist loadgroup", help="make test's pytest options (the Makefile passes them)"
    )
    args = parser.parse_args()

    base = {k: v for k, v in os.environ.items() if k not in ("TOOLCHAIN", "AKS_CONFIG", "CDKTF_OUTDIR")}
    names = [n for n, e in toolchain.ENVIRONMENTS.items() if e.installed() or n == toolchain.NAME]
    absent = [n for n in toolchain.ENVIRONMENTS if n not in names]
    for name in absent:
        print(f"{LABELS[name]}: not installed ({toolchain.ENVIRONMENTS[name].venv}); `make setup-{name}` to include it")
    cases: list[Case] = []
    phases: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)
        pools_config = many_pools_config(scratch_path, args.extra_pools)
        for name in names:
            env = toolchain_env(name, base)
            python = str(toolchain.ENVIRONMENTS[name].python)
            synth_env = {
                **env,
                "CDKTF_OUTDIR": str(scratch_path / f"out-{name}"),
                "AKS_CONFIG": str(ROOT / "config" / "default.yaml"),
            }
            cases += [
                Case(name, "a", "(a) floor: import CDK + providers", [python, "-c", FLOOR_IMPORTS], env),
                Case(name, "b", "(b) synth default config", [python, "main.py"], synth_env),
                Case(
                    name,
                    "c",
                    f"(c) synth + {args.extra_pools} user node pools",
                    [python, "main.py"],
                    {**synth_env, "AKS_CONFIG": str(pools_config)},
                ),
            ]
            # One warm-up so that the first measured run does not pay for cold file caches.
            run_once([python, "-c", FLOOR_IMPORTS], env)
        summaries = measure_interleaved(cases, args.runs)
        for name in names:
            env = toolchain_env(name, base)
            phases[name] = phase_breakdown(str(toolchain.ENVIRONMENTS[name].python), env, scratch_path / f"phases-{name}")
            print(
                f"{LABELS[name]}: where (b) spends its time, in-process:",
                ", ".join(f"{k} {v:.2f} s" for k, v in phases[name].items()),
            )
    suite = None
    suite_runs: list[suite_profile.SuiteRun] = []
    if not args.skip_tests:
        modes = [m for m in args.suite_modes.split(",") if m]
        suite_runs = suite_profile.measure(
            modes, args.pytest_parallel, toolchain_env(toolchain.NAME, base), str(toolchain.ENVIRONMENTS[toolchain.NAME].python)
        )
        suite_profile.dump(suite_runs, ROOT / ".stamps" / "suite-bench.json")  # to re-render: python -m benchmarks.suite_profile
        main_run = next((r for r in suite_runs if r.mode == "parallel"), suite_runs[0] if suite_runs else None)
        suite = (main_run.seconds, main_run.exit_status, main_run.command) if main_run else None
    for name in names:
        a, b, c = (summaries[(name, k)] for k in "abc")
        print(
            f"{LABELS[name]}: b/a = {b.seconds / a.seconds:.3f} (target <= {TARGET_B_OVER_A}), "
            f"c/b = {c.seconds / b.seconds:.3f} (target <= {TARGET_C_OVER_B}); "
            f"CPU time: b/a = {b.cpu_seconds / a.cpu_seconds:.3f}, c/b = {c.cpu_seconds / b.cpu_seconds:.3f}"
        )
    if not args.no_report:
        machine_line = machine(toolchain_env(toolchain.NAME, base))
        if not args.suite_report_only:
            write_report(args, names, absent, summaries, phases, suite, machine_line)
        if suite_runs:
            floor = summaries[(toolchain.NAME, "a")]
            section = suite_profile.render(
                suite_runs,
                floor.seconds,
                f"{LABELS[toolchain.NAME]}, median of {args.runs} runs",
                time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                machine_line,
            )
            suite_profile.write_section(REPORT, section)
            print(f"wrote the suite section of {REPORT.relative_to(ROOT)}")
    return 0


def report_section(args, names, absent, summaries, phases, suite, machine_line: str) -> str:
    rows = []
    for name in names:
        a, b, c = (summaries[(name, k)] for k in "abc")
        described = [
            (f"(a) floor: import {name} + the {len(provider_modules_used())} provider modules the app uses", a),
            ("(b) `python main.py`: validate, build and synthesize both stacks of config/default.yaml", b),
            (f"(c) (b) with {args.extra_pools} more user node pools", c),
        ]
        rows += [
            f"| {LABELS[name]} | {label} | {s.seconds:.2f} s | {s.cpu_seconds:.2f} s | {s.peak_rss_mib:.0f} MiB | "
            f"{s.peak_tree_rss_mib:.0f} MiB | " + ", ".join(f"{x:.2f}" for x in s.samples) + " |"
            for label, s in described
        ]
    ratios = []
    for n in names:
        a, b, c = (summaries[(n, k)] for k in "abc")
        ratios.append(
            f"- {LABELS[n]}: b/a = **{b.seconds / a.seconds:.3f}** (target <= {TARGET_B_OVER_A}); "
            f"c/b = **{c.seconds / b.seconds:.3f}** (target <= {TARGET_C_OVER_B}). "
            f"CPU time: b/a = {b.cpu_seconds / a.cpu_seconds:.3f}, c/b = {c.cpu_seconds / b.cpu_seconds:.3f}."
        )
    if len(names) == 2:
        f_a, n_a = summaries[(toolchain.CDKTF, "a")], summaries[(toolchain.CDKTN, "a")]
        f_b, n_b = summaries[(toolchain.CDKTF, "b")], summaries[(toolchain.CDKTN, "b")]
        ratios.append(
            f"- cdktn / cdktf: floor {n_a.seconds / f_a.seconds:.2f}x wall time, synth {n_b.seconds / f_b.seconds:.2f}x; "
            f"peak RSS of all processes during synth {n_b.peak_tree_rss_mib:.0f} vs {f_b.peak_tree_rss_mib:.0f} MiB."
        )
    phase_lines = [f"- {LABELS[n]}: " + ", ".join(f"{k} {v:.2f} s" for k, v in phases[n].items()) + "." for n in names]
    return "\n".join(
        [
            MARKER,
            f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `make bench` "
            f"({args.runs} interleaved runs each, median; each run a fresh process).",
            f"Machine: {machine_line}.",
            *(f"\n**{LABELS[n]} not measured**: its environment is not installed (`make setup-{n}`)." for n in absent),
            "",
            "| toolchain | case | wall time | CPU time | peak RSS, largest process | peak RSS, all processes "
            "| wall time of each run |",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
            *ratios,
            "",
            "Where (b) spends its time (one in-process run):",
            *phase_lines,
            "",
            (
                f"Whole test suite (`{suite[2] if len(suite) > 2 else 'pytest'}` on {LABELS[toolchain.NAME]}, after set-up):"
                f" {suite[0]:.1f} s"
                + ("" if suite[1] == 0 else f" (it FAILED, exit status {suite[1]})")
                + "; its profile is in the suite section below."
            )
            if suite is not None
            else "Test suite not timed (--skip-tests).",
            END_MARKER,
        ]
    )


def write_report(args, names, absent, summaries, phases, suite, machine_line: str) -> None:
    """Rewrites only the section between the bench markers; everything else in the file stays."""
    section = report_section(args, names, absent, summaries, phases, suite, machine_line)
    text = REPORT.read_text() if REPORT.exists() else "# Performance\n"
    if MARKER in text and END_MARKER in text:
        start, end = text.index(MARKER), text.index(END_MARKER) + len(END_MARKER)
        text = text[:start] + section + text[end:]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    REPORT.write_text(text)
    print(f"wrote the bench section of {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
