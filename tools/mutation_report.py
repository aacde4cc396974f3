"""Write the result of the last `mutmut run` as a Markdown report (`make mutation`).

    python -m tools.mutation_report --out docs/mutation-report.md     (in .venv-mutation)

Reads mutmut's results through its own CLI (``mutmut results --all true``, ``mutmut show``):
per module the mutants and how each ended, the kill rate, and the diff of every mutant that was
not killed. docs/mutation.md explains the accepted survivors.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

# mutmut's verdicts (mutmut/stats.py status_by_exit_code) that count as caught.
CAUGHT = ("killed", "timeout", "caught by type check")
NOT_CHECKED = "not checked"
# "config.checks.api.x__public_api_rules__mutmut_3" -> module "config.checks.api",
# function "_public_api_rules" (methods: "Class.xǁClassǁmethod__mutmut_1").
_MUTANT = re.compile(r"^(?P<module>[\w.]+?)\.(?:x_(?P<function>\w+?)|(?P<cls>\w+)\.xǁ\w+ǁ(?P<method>\w+?))__mutmut_\d+$")


def _mutmut(*args: str) -> str:
    mutmut = Path(sys.executable).with_name("mutmut")
    return subprocess.run([str(mutmut), *args], check=True, capture_output=True, text=True).stdout


def parse_results(text: str) -> dict[str, str]:
    """``mutmut results --all true`` output -> mutant name -> status."""
    results = {}
    for line in text.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and name:
            results[name] = status
    return results


def module_of(mutant: str) -> str:
    match = _MUTANT.match(mutant)
    return match["module"] if match else mutant.rsplit(".", 1)[0]


def function_of(mutant: str) -> str:
    match = _MUTANT.match(mutant)
    if not match:
        return mutant
    return match["function"] or f"{match['cls']}.{match['method']}"


def kill_rate(counts: Counter) -> float:
    total = sum(counts.values())
    return 100.0 * sum(counts[s] for s in CAUGHT) / total if total else 0.0


def render(results: dict[str, str], diffs: dict[str, str]) -> str:
    """The report; mutants a bounded run did not check (``make mutation ARGS=...``) are counted
    apart, not as survivors."""
    unchecked = [name for name, status in results.items() if status == NOT_CHECKED]
    results = {name: status for name, status in results.items() if status != NOT_CHECKED}
    by_module: dict[str, Counter] = {}
    for name, status in results.items():
        by_module.setdefault(module_of(name), Counter())[status] += 1
    overall = sum(by_module.values(), Counter())
    lines = [
        "# Mutation report",
        "",
        "Written by `make mutation` (tools/mutation_report.py) from the last mutmut run; what is measured and",
        "why each survivor is accepted: [mutation.md](mutation.md).",
        "",
        f"**{len(results)} mutants, {sum(overall[s] for s in CAUGHT)} killed: kill rate {kill_rate(overall):.1f}%**"
        f" (survived {overall['survived']}, no tests {overall['no tests']}, timeout {overall['timeout']},"
        f" other {sum(overall.values()) - sum(overall[s] for s in (*CAUGHT, 'survived', 'no tests'))})",
        "",
        *([f"Not checked in this run (outside its ARGS): {len(unchecked)} mutants of other modules.", ""] if unchecked else []),
        "| module | mutants | killed | survived | no tests | kill rate |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for module, counts in sorted(by_module.items()):
        caught = sum(counts[s] for s in CAUGHT)
        lines.append(
            f"| `{module}` | {sum(counts.values())} | {caught} | {counts['survived']} | {counts['no tests']}"
            f" | {kill_rate(counts):.1f}% |"
        )
    lines += ["", "## Mutants not killed", ""]
    remaining = sorted(name for name, status in results.items() if status not in CAUGHT)
    if not remaining:
        lines.append("None.")
    for name in remaining:
        lines += [f"### `{name}` ({results[name]})", "", "```diff", diffs.get(name, "").strip(), "```", ""]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.mutation_report", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    results = parse_results(_mutmut("results", "--all", "true"))
    if not results:
        print("no mutmut results: run `make mutation`", file=sys.stderr)
        return 1
    diffs = {}
    for name, status in results.items():
        if status not in (*CAUGHT, NOT_CHECKED):
            shown = _mutmut("show", name)
            diffs[name] = "\n".join(line for line in shown.splitlines() if not line.startswith("# "))
    args.out.write_text(render(results, diffs))
    overall = Counter(status for status in results.values() if status != NOT_CHECKED)
    print(f"{sum(overall.values())} mutants checked, kill rate {kill_rate(overall):.1f}%: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
