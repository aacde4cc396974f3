"""`python -m config.validate [FILE]`: check a config without synthesizing (exit 2 when invalid),
and print per pool its size, allocatable resources, the largest instance type one node runs and
the vCPU quota the pools need.

Used by `make synth` before the cdktf CLI starts, so a bad config stops in about a second.
"""

from __future__ import annotations

import sys
from pathlib import Path

from config.loader import ConfigError, config_path_from_env, load_config
from config.pool_report import render as render_pools
from config.quota import describe as describe_quota


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else config_path_from_env()
    try:
        config = load_config(path)
    except ConfigError as error:
        print(error.render(), file=sys.stderr)
        return 2
    print(f"{path}: valid")
    print(render_pools(config))
    print(describe_quota(config))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
