"""Cross-field rules: GitOps mode (Flux)."""

from __future__ import annotations

from collections.abc import Iterator

from config.checks.base import MISSING, Problem
from config.model import AppConfig

AZURE_DEVOPS_HOSTS = ("dev.azure.com", "ssh.dev.azure.com", ".visualstudio.com")


def _repository_host(url: str) -> str:
    if url.startswith(("https://", "ssh://")):
        return url.split("://", 1)[1].split("/", 1)[0].split("@")[-1].split(":")[0].lower()
    return url.split("@", 1)[1].split(":", 1)[0].lower()  # scp-like git@host:org/repo


def _gitops_section_rules(config: AppConfig) -> Iterator[Problem]:
    mode = config.kubernetes_config.mode
    if mode == "gitops" and config.gitops is None:
        yield Problem("gitops", "is required when kubernetes_config.mode is gitops (repository_url at least)", MISSING)
    if mode == "terraform" and config.gitops is not None:
        yield Problem("gitops", "only applies when kubernetes_config.mode is gitops", "gitops")


def _gitops_auth_rules(config: AppConfig) -> Iterator[Problem]:
    gitops = config.gitops
    if gitops is None:
        return
    url, auth = gitops.repository_url, gitops.auth
    ssh_url = not url.startswith("https://")
    host = _repository_host(url)
    azure_devops = host.endswith(AZURE_DEVOPS_HOSTS) or host in AZURE_DEVOPS_HOSTS
    if ssh_url and auth != "ssh":
        yield Problem("gitops.auth", "must be ssh for an SSH repository URL", auth)
    if not ssh_url and auth == "ssh":
        yield Problem("gitops.auth", "ssh needs an SSH repository URL (ssh://... or git@host:...)", auth)
    if azure_devops and auth == "none":
        yield Problem("gitops.auth", "must not be none: Azure DevOps always authenticates Git clients", auth)
    if auth == "workload-identity" and not (azure_devops and not ssh_url):
        yield Problem(
            "gitops.auth",
            "workload-identity works with Azure DevOps HTTPS repositories (Flux provider Azure) only",
            auth,
        )
    if gitops.https_user is not None and auth != "https-token":
        yield Problem("gitops.https_user", "only applies with gitops.auth: https-token", gitops.https_user)
    if gitops.https_user is None and auth == "https-token":
        # azurerm sends the token only together with a user name (https_user requires https_key_base64).
        yield Problem(
            "gitops.https_user",
            "is required with gitops.auth: https-token (the user name sent with the token; Azure DevOps accepts any)",
            MISSING,
        )


# Every rule, in report order. Each reads only what it needs, so that a field that failed its own


RULES = (
    _gitops_section_rules,
    _gitops_auth_rules,
)
