"""Cross-field rules: Ingress controller and TLS."""

from __future__ import annotations

from collections.abc import Iterator

from config.checks.base import MISSING, RESERVED_NAMESPACE_PREFIX, RESERVED_NAMESPACES, Problem, is_valid, when_set
from config.model import AppConfig

RESERVED_INGRESS_CLASSES = ("nginx", "azureml-nginx")


def _ingress_name_rules(config: AppConfig) -> Iterator[Problem]:
    ingress = config.ingress
    if is_valid(ingress.class_name) and ingress.class_name in RESERVED_INGRESS_CLASSES:
        yield Problem(
            "ingress.class_name",
            f"must not be one of {', '.join(RESERVED_INGRESS_CLASSES)} (used by other controllers)",
            ingress.class_name,
        )
    if is_valid(ingress.namespace) and (
        ingress.namespace in RESERVED_NAMESPACES or ingress.namespace.startswith(RESERVED_NAMESPACE_PREFIX)
    ):
        yield Problem(
            "ingress.namespace",
            f"must not be a reserved namespace ({', '.join(RESERVED_NAMESPACES)} or kube-*)",
            ingress.namespace,
        )


@when_set("network")
def _load_balancer_ip_rule(config: AppConfig) -> Iterator[Problem]:
    ip = config.ingress.load_balancer_ip
    if ip is None:
        return
    subnet = config.network.aks_subnet_cidr
    offset = int(ip) - int(subnet.network_address)
    # Azure reserves the first four addresses and the last one of every subnet.
    if ip not in subnet or offset < 4 or ip == subnet.broadcast_address:
        yield Problem("ingress.load_balancer_ip", f"must be a usable address in network.aks_subnet_cidr ({subnet})", ip)


def _tls_rules(config: AppConfig) -> Iterator[Problem]:
    tls = config.tls
    if tls.mode == "keyvault":
        if tls.key_vault_id is None:
            yield Problem("tls.key_vault_id", "is required when tls.mode is keyvault", MISSING)
        if tls.certificate_name is None:
            yield Problem("tls.certificate_name", "is required when tls.mode is keyvault", MISSING)
    else:
        for field in ("key_vault_id", "certificate_name"):
            value = getattr(tls, field)
            if is_valid(value) and value is not None:
                yield Problem(f"tls.{field}", "only applies when tls.mode is keyvault", value)


def _tls_host_rule(config: AppConfig) -> Iterator[Problem]:
    if config.tls.mode == "keyvault" and config.ingress.host is None:
        yield Problem("ingress.host", "is required when tls.mode is keyvault (the certificate's host name)", MISSING)


RULES = (
    _ingress_name_rules,
    _load_balancer_ip_rule,
    _tls_rules,
    _tls_host_rule,
)
