"""`make bench`: how close synthesis gets to the floor it cannot go under.

(a) floor: a Python process that only imports the cdktf core and the provider modules the app
    uses (loading the jsii assemblies is the bulk of any synth);
(b) `python main.py` on config/default.yaml (validate, build both stacks, write cdktf.out);
(c) (b) with 20 extra user node pools.
Each is a fresh process, run several times; median wall time and peak RSS of the largest
process (Python or its jsii Node child) are reported, with the ratios b/a and c/b, and written to
docs/performance.md.
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "performance.md"
TARGET_B_OVER_A = 1.15
TARGET_C_OVER_B = 1.10


def provider_modules_used() -> list[str]:
    """Every provider submodule that constructs_lib/ and stacks/ import, found in the source."""
    pattern = re.compile(r"^from toolchain\.((?:azurerm|kubernetes|helm|time)\.\w+) import", re.MULTILINE)
    found = {
        m
        for folder in ("constructs_lib", "stacks")
        for f in (ROOT / folder).rglob("*.py")
        for m in pattern.findall(f.read_text())
    }
    return sorted(found)


# The floor: cdktf core plus exactly the provider modules the app imports, nothing else.
FLOOR_IMPORTS = "import constructs, toolchain.cdk\n" + "".join(f"import toolchain.{m}\n" for m in provider_modules_used())


@dataclass(frozen=True)
class Measurement:
    seconds: float
    cpu_seconds: float  # user + system of the process and its reaped children (the jsii Node process)
    peak_rss_mib: float


@dataclass(frozen=True)
class Summary:
    label: str
    seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    samples: tuple[float, ...]


def run_once(args: list[str], env: dict[str, str]) -> Measurement:
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {process.stderr.read().decode()}")
    return Measurement(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def measure_interleaved(cases: list[tuple[str, list[str], dict[str, str]]], runs: int) -> list[Summary]:
    """Runs the cases round-robin, so that background load drifting over time hits all alike."""
    samples: dict[str, list[Measurement]] = {label: [] for label, _, _ in cases}
    for _ in range(runs):
        for label, args, env in cases:
            samples[label].append(run_once(args, env))
    summaries = []
    for label, _, _ in cases:
        taken = samples[label]
        summary = Summary(
            label=label,
            seconds=statistics.median(m.seconds for m in taken),
            cpu_seconds=statistics.median(m.cpu_seconds for m in taken),
            peak_rss_mib=statistics.median(m.peak_rss_mib for m in taken),
            samples=tuple(m.seconds for m in taken),
        )
        spread = ", ".join(f"{s:.2f}" for s in summary.samples)
        print(
            f"{label:<40} median {summary.seconds:6.2f} s wall, {summary.cpu_seconds:6.2f} s CPU"
            f"  (wall runs: {spread})  peak RSS {summary.peak_rss_mib:5.0f} MiB",
            flush=True,
        )
        summaries.append(summary)
    return summaries


PHASES = """
import time
t0 = time.perf_counter()
from pathlib import Path
from config.loader import load_config
config = load_config(Path("config/default.yaml"))
t1 = time.perf_counter()
from stacks.app import build_app
t2 = time.perf_counter()
app = build_app(config, config_file="config/default.yaml", outdir=__import__("sys").argv[1])
t3 = time.perf_counter()
app.synth()
t4 = time.perf_counter()
print(f"{t1-t0:.2f} {t2-t1:.2f} {t3-t2:.2f} {t4-t3:.2f}")
"""


def phase_breakdown(env: dict[str, str], outdir: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", PHASES, str(outdir)], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    load, imports, build, synth = (float(x) for x in out.stdout.split())
    return {
        "load + validate config": load,
        "import stacks (jsii assemblies)": imports,
        "build constructs": build,
        "synth (write JSON)": synth,
    }


def test_suite_seconds(env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - start


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


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    node_path = f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}"
    node = subprocess.run(
        ["node", "--version"], capture_output=True, text=True, env={**os.environ, "PATH": node_path}
    ).stdout.strip()
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}; Node {node}; {system}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--extra-pools", type=int, default=20)
    parser.add_argument("--no-report", action="store_true", help="print only; do not rewrite docs/performance.md")
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    args = parser.parse_args()

    env = dict(os.environ)
    env["PATH"] = f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{env['PATH']}"
    python = sys.executable
    with tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)
        synth_env = {**env, "CDKTF_OUTDIR": str(scratch_path / "out"), "AKS_CONFIG": str(ROOT / "config" / "default.yaml")}
        pools_env = {**synth_env, "AKS_CONFIG": str(many_pools_config(scratch_path, args.extra_pools))}
        # One warm-up so that the first measured run does not pay for cold file caches.
        run_once([python, "-c", FLOOR_IMPORTS], env)
        a, b, c = measure_interleaved(
            [
                ("(a) floor: import cdktf + providers", [python, "-c", FLOOR_IMPORTS], env),
                ("(b) synth default config", [python, "main.py"], synth_env),
                (f"(c) synth + {args.extra_pools} user node pools", [python, "main.py"], pools_env),
            ],
            args.runs,
        )
        phases = phase_breakdown(env, scratch_path / "phases")
    print("where (b) spends its time, in-process:", ", ".join(f"{k} {v:.2f} s" for k, v in phases.items()))
    suite = None if args.skip_tests else test_suite_seconds(env)
    if suite is not None:
        print(f"test suite (pytest, whole suite): {suite:.1f} s")

    b_over_a, c_over_b = b.seconds / a.seconds, c.seconds / b.seconds
    verdict_ba = "meets" if b_over_a <= TARGET_B_OVER_A else "MISSES"
    verdict_cb = "meets" if c_over_b <= TARGET_C_OVER_B else "MISSES"
    print(f"b/a = {b_over_a:.3f} ({verdict_ba} target <= {TARGET_B_OVER_A})")
    print(f"c/b = {c_over_b:.3f} ({verdict_cb} target <= {TARGET_C_OVER_B})")
    print(f"CPU time: b/a = {b.cpu_seconds / a.cpu_seconds:.3f}, c/b = {c.cpu_seconds / b.cpu_seconds:.3f}")
    if not args.no_report:
        write_report(args, a, b, c, phases, suite)
    return 0


def write_report(args, a: Summary, b: Summary, c: Summary, phases: dict[str, float], suite: float | None) -> None:
    text = REPORT.read_text() if REPORT.exists() else ""
    marker = "<!-- bench:start -->"
    end_marker = "<!-- bench:end -->"
    b_over_a, c_over_b = b.seconds / a.seconds, c.seconds / b.seconds
    rows = [
        (f"(a) floor: import cdktf + the {len(provider_modules_used())} provider modules the app uses", a),
        ("(b) `python main.py`: validate, build and synthesize both stacks of config/default.yaml", b),
        (f"(c) (b) with {args.extra_pools} more user node pools", c),
    ]
    table = "\n".join(
        [
            marker,
            f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `make bench` "
            f"({args.runs} interleaved runs each, median; each run a fresh process).",
            f"Machine: {machine()}.",
            "",
            "| case | wall time | CPU time | peak RSS (largest process) | wall time of each run |",
            "|---|---|---|---|---|",
            *(
                f"| {label} | {s.seconds:.2f} s | {s.cpu_seconds:.2f} s | {s.peak_rss_mib:.0f} MiB | "
                + ", ".join(f"{x:.2f}" for x in s.samples)
                + " |"
                for label, s in rows
            ),
            "",
            f"b/a = **{b_over_a:.3f}** (target <= {TARGET_B_OVER_A}); c/b = **{c_over_b:.3f}** (target <= {TARGET_C_OVER_B}). "
            f"CPU time: b/a = {b.cpu_seconds / a.cpu_seconds:.3f}, c/b = {c.cpu_seconds / b.cpu_seconds:.3f}.",
            "",
            "Where (b) spends its time (one in-process run): " + ", ".join(f"{k} {v:.2f} s" for k, v in phases.items()) + ".",
            "",
            f"Whole test suite (`pytest`, after set-up): {suite:.1f} s."
            if suite is not None
            else "Test suite not timed (--skip-tests).",
            end_marker,
        ]
    )
    if marker in text and end_marker in text:
        text = text[: text.index(marker)] + table + text[text.index(end_marker) + len(end_marker) :]
    else:
        text = text + "\n" + table + "\n"
    REPORT.write_text(text)
    print(f"wrote {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
