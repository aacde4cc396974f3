"""Cross-field rules: Monitoring and cluster access."""

from __future__ import annotations

from collections.abc import Iterator

from config.checks.base import Problem
from config.model import AppConfig


def _monitoring_rules(config: AppConfig) -> Iterator[Problem]:
    monitoring = config.monitoring
    if monitoring.log_analytics_workspace_location and not monitoring.log_analytics_workspace_id:
        yield Problem(
            "monitoring.log_analytics_workspace_location",
            "only applies with monitoring.log_analytics_workspace_id (a created workspace is in location)",
            monitoring.log_analytics_workspace_location,
        )


def _admin_login_rules(config: AppConfig) -> Iterator[Problem]:
    auth = config.kubernetes_auth
    if auth.login != "admin":
        if auth.acknowledge_admin_over_public_api:
            yield Problem(
                "kubernetes_auth.acknowledge_admin_over_public_api", "only applies with kubernetes_auth.login: admin", True
            )
        return
    if config.cluster.local_account_disabled:
        yield Problem("kubernetes_auth.login", "admin needs local accounts (cluster.local_account_disabled: false)", "admin")
    if not config.cluster.api.private and not auth.acknowledge_admin_over_public_api:
        yield Problem(
            "kubernetes_auth.login",
            "admin against a public API server sends the cluster's admin client certificate (not Entra ID) over the"
            " internet; prefer azurecli/workloadidentity/spn/msi, or set"
            " kubernetes_auth.acknowledge_admin_over_public_api: true to accept it",
            "admin",
        )


RULES = (
    _monitoring_rules,
    _admin_login_rules,
)
