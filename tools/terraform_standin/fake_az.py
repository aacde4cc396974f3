"""A fake Azure CLI for tests: ``az rest`` against the fake ARM store (fake_arm.py).

Only what the attach and detach steps call: ``az rest --method <m> --url <url> [--body <json>]
[--query <a.b.c>] [--output json|tsv|none]``. Like the real CLI it prints the response (or the
``--query`` result) on stdout and, on an error response, ``ERROR: <Reason>({"error": ...})`` on
stderr with exit status 1. ``--query`` takes a dotted path only (the real one takes JMESPath).

``install(bin_dir)`` writes ``az`` and a no-op ``sleep`` there: put ``bin_dir`` first on PATH
so that the steps' polling runs without waiting (the number of polls is what tests look at).
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

from tools.terraform_standin.fake_arm import ArmError, Store

ROOT = Path(__file__).resolve().parents[2]
OPTIONS = {"--method": "method", "-m": "method", "--url": "url", "-u": "url", "--body": "body", "-b": "body"}
OPTIONS |= {"--query": "query", "--output": "output", "-o": "output"}


def _query(value: Any, path: str | None) -> Any:
    if not path:
        return value
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _render(value: Any, output: str) -> str:
    if output == "none":
        return ""
    if output == "tsv":
        if value is None:
            return ""
        return value if isinstance(value, str) else json.dumps(value)
    return json.dumps(value, indent=2)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] != "rest":
        print(f"ERROR: the fake az implements only `az rest` (called with {shlex.join(args)})", file=sys.stderr)
        return 2
    # No argparse: this runs once per poll, and importing it costs more than the call.
    options = {"method": "get", "url": None, "body": None, "query": None, "output": "json"}
    rest = args[1:]
    while rest:
        flag, *rest = rest
        if flag not in OPTIONS or not rest:
            print(f"ERROR: the fake az rest does not take {flag!r} here", file=sys.stderr)
            return 2
        options[OPTIONS[flag]], *rest = rest
    if not options["url"]:
        print("ERROR: the following arguments are required: --url/--uri/-u", file=sys.stderr)
        return 2
    body = json.loads(options["body"]) if options["body"] else None
    try:
        with Store.open() as store:
            response = store.request(options["method"], options["url"], body)
    except ArmError as error:
        print(f"ERROR: {error.az_message()}", file=sys.stderr)
        return 1
    text = _render(_query(response, options["query"]), options["output"])
    if text:
        print(text)
    return 0


def install(bin_dir: Path) -> Path:
    """Write ``az`` (this module) and a no-op ``sleep`` into ``bin_dir``; returns ``bin_dir``."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    az = bin_dir / "az"
    # -I -S: standard library only, nothing from site-packages or the caller's PYTHONPATH.
    start = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from tools.terraform_standin.fake_az import main; sys.exit(main())"
    az.write_text(
        "#!/bin/sh\n# Fake Azure CLI (tools/terraform_standin/fake_az.py): the fake ARM store, no network.\n"
        f'exec {shlex.quote(sys.executable)} -I -S -c {shlex.quote(start)} "$@"\n'
    )
    sleep = bin_dir / "sleep"
    sleep.write_text("#!/bin/sh\n# Tests count polls, they do not wait for them.\nexit 0\n")
    for script in (az, sleep):
        script.chmod(0o755)
    return bin_dir


if __name__ == "__main__":
    sys.exit(main())
