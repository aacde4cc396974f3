"""Runs the checks concurrently and renders the results (rich table, or JSON for pipelines)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

from tools.preflight import checks_access, checks_account, checks_azureml, checks_compute, checks_network
from tools.preflight.checks_account import SIGN_IN
from tools.preflight.context import Context
from tools.preflight.model import Check, CheckResult, Finding, Status, blocker

ALL_CHECKS: tuple[Check, ...] = (
    *checks_account.CHECKS,
    *checks_compute.CHECKS,
    *checks_network.CHECKS,
    *checks_access.CHECKS,
    *checks_azureml.CHECKS,
)


def _error_finding(error: Exception) -> Finding:
    if isinstance(error, ClientAuthenticationError):
        return blocker(f"not signed in: {str(error).splitlines()[0]}", SIGN_IN)
    if isinstance(error, HttpResponseError):
        code = getattr(getattr(error, "error", None), "code", None) or error.reason
        message = (getattr(getattr(error, "error", None), "message", None) or str(error)).splitlines()[0]
        if error.status_code == 403:
            return blocker(
                f"cannot read what this check needs ({code}): {message}", "give the signed-in identity Reader on that scope"
            )
        return blocker(
            f"Azure answered {error.status_code} {code}: {message}", "run again; if it persists, check the id in the config"
        )
    return blocker(f"check failed: {type(error).__name__}: {error}", "report this as a bug in tools/preflight")


def run_check(check: Check, context: Context) -> CheckResult:
    started = time.monotonic()
    reason = check.skip_reason(context)
    if reason is None and check.needs_subscription and context.subscription_id is None:
        reason = "no subscription to check (see the subscription check)"
    if reason:
        return CheckResult(check.name, (Finding(Status.SKIPPED, reason),), 0.0)
    try:
        findings = tuple(check.run(context))
    except Exception as error:  # every check's failure is a finding; the others still run
        findings = (_error_finding(error),)
    return CheckResult(check.name, findings, time.monotonic() - started)


def run_checks(context: Context, checks: Sequence[Check] = ALL_CHECKS, *, workers: int | None = None) -> list[CheckResult]:
    """All checks at once, one thread each (they wait on the network, not the CPU); results in
    the order of ``checks``."""
    with ThreadPoolExecutor(max_workers=workers or len(checks), thread_name_prefix="preflight") as pool:
        futures = [pool.submit(run_check, check, context) for check in checks]
        return [f.result() for f in futures]


STYLE = {Status.OK: "green", Status.SKIPPED: "dim", Status.WARNING: "yellow", Status.BLOCKER: "bold red"}


def render_table(results: Sequence[CheckResult], console) -> None:
    from rich.table import Table

    table = Table(title="Preflight", show_lines=True)
    table.add_column("check")
    table.add_column("status")
    table.add_column("finding")
    table.add_column("what to do")
    for result in results:
        for index, finding in enumerate(result.findings):
            table.add_row(
                result.name if index == 0 else "",
                f"[{STYLE[finding.status]}]{finding.status.label}[/]",
                finding.message,
                finding.action,
            )
    console.print(table)
    counts = {status: sum(1 for r in results if r.status == status) for status in Status}
    console.print(
        f"{counts[Status.BLOCKER]} blocker(s), {counts[Status.WARNING]} warning(s),"
        f" {counts[Status.OK]} ok, {counts[Status.SKIPPED]} skipped"
    )


def exit_status(results: Sequence[CheckResult]) -> int:
    return 1 if any(r.status == Status.BLOCKER for r in results) else 0
