"""Rules that relate several fields, run after the per-field validation of config/model.py,
one module per concern (existing_cluster, network, api, pools, capacity, azureml, ingress, access, gitops, egress).

Each rule appends a :class:`Problem` instead of raising, so one run reports every problem.
Most rules exist because Azure or the providers only reject the combination at apply time,
tens of minutes into a deploy (README "Configuration reference" states each rule).
"""

from __future__ import annotations

from config.checks import access, api, azureml, capacity, egress, existing_cluster, gitops, ingress, network, pools
from config.checks.base import MISSING, Problem, format_value, is_valid
from config.lenient import InvalidFieldRead
from config.model import AppConfig

__all__ = ["MISSING", "RULES", "Problem", "cross_field_problems", "format_value", "is_valid"]

# Every rule, in report order. Each reads only what it needs, so that a field that failed its own
# validation silences just the rules reading it (see cross_field_problems).
RULES = (
    *existing_cluster.RULES,
    *network.RULES,
    *api.RULES,
    *pools.RULES,
    *capacity.RULES,
    *azureml.RULES,
    *ingress.RULES,
    *access.RULES,
    *gitops.RULES,
    *egress.RULES,
)


def cross_field_problems(config: AppConfig) -> list[Problem]:
    """Run every rule. ``config`` may come from config/lenient.py, with failed fields held by
    InvalidValue: a rule that reads one stops there (InvalidFieldRead), keeping the problems it
    found before, and every other rule still runs."""
    problems: list[Problem] = []
    for rule in RULES:
        try:
            for problem in rule(config):
                problem.render()  # a value taken from a failed field raises here, not at print time
                problems.append(problem)
        except InvalidFieldRead:
            continue
        except TypeError as error:
            # C functions (re.match, ...) refuse the stand-in with a TypeError instead.
            if "InvalidValue" not in str(error):
                raise
    return problems
