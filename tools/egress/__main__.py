"""`make egress [FORMAT=table|json|az|csv] [AKS_CONFIG=...]`: print the hub firewall's egress rules
for one deployment, every line with the feature that needs it and its source.

    python -m tools.egress [--config FILE] [--format table|json|az|csv]

A bad config is reported like `make validate` (every problem, exit 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from catalog.egress import notes
from config.azure_ids import parse_resource_id
from config.egress import egress_context, egress_rules, node_subnet_cidr
from config.loader import ConfigError, config_path_from_env, load_config
from config.model import AppConfig
from tools.egress.render import FORMATS, EgressList

EXIT_BAD_CONFIG = 2
NO_HUB_NOTE = (
    "no hub: this deployment's egress leaves through the AKS load balancer, not a firewall; the list is what a "
    "firewall in front of it would have to allow"
)


def egress_list(config: AppConfig) -> EgressList:
    policy = parse_resource_id(config.hub.firewall_policy_id) if config.hub and config.hub.firewall_policy_id else None
    extra = () if config.hub else (NO_HUB_NOTE,)
    return EgressList(
        deployment=config.name,
        source_addresses=(node_subnet_cidr(config),),
        rules=tuple(egress_rules(config)),
        notes=(*extra, *notes(egress_context(config))),
        policy_resource_group=policy.resource_group if policy else None,
        policy_name=policy.name if policy else None,
        priority=config.hub.egress_rule_collection_group_priority if config.hub else 500,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.egress", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=None, help="config file (default: $AKS_CONFIG or config/default.yaml)")
    parser.add_argument("--format", choices=sorted(FORMATS), default="table")
    args = parser.parse_args(argv)
    path = args.config or config_path_from_env()
    try:
        config = load_config(path)
    except ConfigError as error:
        print(error.render(), file=sys.stderr)
        return EXIT_BAD_CONFIG
    sys.stdout.write(FORMATS[args.format](egress_list(config)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
