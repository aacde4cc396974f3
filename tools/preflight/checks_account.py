"""Who is signed in, which subscription, and the resource providers the stacks need registered."""

from __future__ import annotations

import base64
import json

from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.subscriptions import SubscriptionClient

from config.cluster_mode import tenant_id
from stacks.resource_providers import spoke_resource_providers
from tools.preflight.context import ARM_SCOPE, Context
from tools.preflight.model import Check, Finding, blocker, enum_text, ok, warning

SIGN_IN = (
    "sign in: `az login` (then `az account set -s <id>`), or set AZURE_CLIENT_ID/AZURE_TENANT_ID"
    " and a secret, certificate or federated token"
)


def token_claims(token: str) -> dict:
    """The claims of an Entra ID access token, for display only (not verified: ARM verifies it)."""
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


def check_identity(context: Context) -> list[Finding]:
    try:
        token = context.credential.get_token(ARM_SCOPE)
    except ClientAuthenticationError as error:
        return [blocker(f"no Azure credential: {str(error).splitlines()[0]}", SIGN_IN)]
    claims = token_claims(token.token)
    who = claims.get("upn") or claims.get("unique_name") or claims.get("appid") or claims.get("oid") or "unknown principal"
    kind = "user" if claims.get("upn") or claims.get("unique_name") else "service principal / managed identity"
    findings = [ok(f"signed in as {who} ({kind}, object id {claims.get('oid', '?')}, tenant {claims.get('tid', '?')})")]
    tenant = tenant_id(context.config)
    if claims.get("tid") and claims["tid"].lower() != tenant.lower():
        findings.append(
            warning(
                f"signed in to tenant {claims['tid']}, the config's cluster tenant is {tenant}",
                "sign in to the tenant the cluster's Entra ID integration uses (`az login --tenant ...`), or correct the config",
            )
        )
    return findings


def check_subscription(context: Context) -> list[Finding]:
    if context.subscription_id is None:
        return [
            blocker(
                "no subscription: the config has no subscription_id and ARM_SUBSCRIPTION_ID is not set",
                "set subscription_id in the config or `export ARM_SUBSCRIPTION_ID=$(az account show --query id -o tsv)`",
            )
        ]
    client = context.client(SubscriptionClient, tenant_level=True)
    try:
        subscription = client.subscriptions.get(context.subscription_id)
    except ClientAuthenticationError:
        raise  # not signed in: the runner says so
    except HttpResponseError as error:
        return [
            blocker(
                f"subscription {context.subscription_id} cannot be read ({_code(error)})",
                "check the id, and that the signed-in identity has a role in that subscription",
            )
        ]
    state = enum_text(subscription.state)
    described = f"subscription {subscription.display_name} ({subscription.subscription_id}), state {state}"
    if state == "Enabled":
        return [ok(described)]
    if state in ("Warned", "PastDue"):
        return [warning(described, "resolve the subscription's billing state before it is disabled")]
    return [blocker(described, "only an Enabled subscription accepts new resources")]


def check_resource_providers(context: Context) -> list[Finding]:
    client = context.client(ResourceManagementClient)
    findings = []
    missing = []
    for namespace in spoke_resource_providers(context.config):
        try:
            provider = client.providers.get(namespace)
        except ResourceNotFoundError:
            findings.append(
                blocker(f"{namespace}: unknown resource provider in this subscription", "check the cloud/subscription")
            )
            continue
        state = enum_text(provider.registration_state) or "Unknown"
        if state != "Registered":
            missing.append(f"{namespace} ({state})")
    if missing:
        findings.append(
            warning(
                f"not registered yet: {', '.join(missing)}; the deploy registers them, which needs <provider>/register/action"
                " (Owner or Contributor on the subscription)",
                "register them now with `az provider register -n <namespace>` (once per subscription),"
                " or deploy with an identity allowed to",
            )
        )
    if not findings:
        findings.append(ok(f"all {len(spoke_resource_providers(context.config))} resource providers registered"))
    return findings


def _code(error: HttpResponseError) -> str:
    code = getattr(getattr(error, "error", None), "code", None)
    return f"{error.status_code} {code}" if code else str(error.status_code)


CHECKS = (
    Check("identity", check_identity, needs_subscription=False),
    Check("subscription", check_subscription, needs_subscription=False),
    Check("resource providers", check_resource_providers),
)
