#!/usr/bin/env python
"""Entry point for `npx cdktf synth|deploy`: validate the config, then build both stacks.

The config is loaded before any provider binding is imported: a bad config is reported in about
a second, instead of after the ~20 s it takes to load the jsii assemblies, and nothing is written.
"""

from __future__ import annotations

import sys

from config.loader import ConfigError, config_path_from_env, load_config

EXIT_BAD_CONFIG = 2


def main() -> int:
    path = config_path_from_env()
    try:
        config = load_config(path)
    except ConfigError as error:
        print(error.render(), file=sys.stderr)
        return EXIT_BAD_CONFIG

    from stacks.app import build_app  # deferred: loads the jsii provider bindings

    build_app(config, config_file=str(path)).synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
