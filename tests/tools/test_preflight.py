"""Each preflight check's decision against response bodies shaped like the REST specs' examples,
parsed by the SDK's own models; only the HTTP layer is fake (tests/tools/fakes.py)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from azure.core.exceptions import ClientAuthenticationError

from config.loader import load_config
from tests.tools import arm_responses as arm
from tests.tools.fakes import FakeCredential
from tests.tools.preflight_world import SECRETS_OBJECT_ID, SPOKE, context_for, healthy
from tools.preflight import __main__ as preflight_main
from tools.preflight import checks_access, checks_account, checks_azureml, checks_compute, checks_network
from tools.preflight.model import Check, Status
from tools.preflight.runner import ALL_CHECKS, exit_status, run_check, run_checks

ROOT = Path(__file__).resolve().parents[2]
WORKSPACE = load_config(ROOT / "tests/fixtures/configs/azureml-workspace.yaml")
DEFAULT = load_config(ROOT / "config/default.yaml")
STANDALONE = load_config(ROOT / "config/standalone.yaml")
HUB = WORKSPACE.hub.vnet_id


def statuses(findings) -> list[Status]:
    return [f.status for f in findings]


def by_name(results) -> dict:
    return {r.name: r for r in results}


# ------------------------------------------------------------------ whole run
@pytest.mark.parametrize("config", [WORKSPACE, DEFAULT, STANDALONE], ids=["workspace", "default", "standalone"])
def test_healthy_subscription_has_no_blocker(config):
    fake = healthy(config)
    results = run_checks(context_for(config, fake))
    assert not fake.unmatched
    assert [r.name for r in results] == [c.name for c in ALL_CHECKS]
    assert {r.name: r.status for r in results if r.status == Status.BLOCKER} == {}
    assert exit_status(results) == 0
    # Permissions are never "ok": deny assignments and conditions are invisible to that API.
    assert by_name(results)["permissions of the deploying identity"].status == Status.WARNING


def test_only_reads():
    fake = healthy(WORKSPACE)
    run_checks(context_for(WORKSPACE, fake))
    assert {method for method, _url in fake.requests} <= {"GET", "HEAD"}


def test_checks_run_concurrently():
    latency = 0.25
    fake = healthy(WORKSPACE, latency=latency)
    started = time.monotonic()
    run_checks(context_for(WORKSPACE, fake))
    elapsed = time.monotonic() - started
    serial = latency * len(fake.requests)
    assert fake.max_in_flight >= 4, "requests of different checks overlap"
    assert elapsed < serial / 2, f"{elapsed:.1f}s for {len(fake.requests)} requests of {latency}s each"


def test_one_thread_is_serial_for_comparison():
    latency = 0.05
    fake = healthy(WORKSPACE, latency=latency)
    run_checks(context_for(WORKSPACE, fake), workers=1)
    assert fake.max_in_flight == 1


def test_a_failing_check_does_not_stop_the_others():
    def broken(_context):
        raise RuntimeError("boom")

    fake = healthy(WORKSPACE)
    results = run_checks(context_for(WORKSPACE, fake), [Check("broken", broken), *ALL_CHECKS[:2]])
    assert results[0].status == Status.BLOCKER and "RuntimeError: boom" in results[0].findings[0].message
    assert results[1].status == Status.OK and results[2].status == Status.OK


# ------------------------------------------------------------------ identity and subscription
def test_identity_names_the_principal_and_warns_on_another_tenant():
    fake = healthy(WORKSPACE)
    credential = FakeCredential({"oid": "o1", "tid": "99999999-9999-9999-9999-999999999999", "appid": "app-1"})
    findings = checks_account.check_identity(context_for(WORKSPACE, fake, credential))
    assert statuses(findings) == [Status.OK, Status.WARNING]
    assert "app-1" in findings[0].message and "service principal" in findings[0].message
    assert credential.scopes == [("https://management.azure.com/.default",)]


def test_no_credential_is_a_blocker_with_sign_in_advice():
    fake = healthy(WORKSPACE)
    credential = FakeCredential(error=ClientAuthenticationError("DefaultAzureCredential failed to retrieve a token"))
    results = run_checks(context_for(WORKSPACE, fake, credential), checks_account.CHECKS)
    assert results[0].status == Status.BLOCKER and "az login" in results[0].findings[0].action
    # The clients' bearer policy fails the same way: a blocker, not a traceback.
    assert results[1].status == Status.BLOCKER and "not signed in" in results[1].findings[0].message


@pytest.mark.parametrize(
    ("state", "expected"), [("Enabled", Status.OK), ("PastDue", Status.WARNING), ("Disabled", Status.BLOCKER)]
)
def test_subscription_state(state, expected):
    fake = healthy(WORKSPACE)
    fake.add("GET", f"/subscriptions/{SPOKE}", arm.subscription(SPOKE, state))
    assert statuses(checks_account.check_subscription(context_for(WORKSPACE, fake))) == [expected]


def test_subscription_not_found():
    fake = healthy(WORKSPACE)
    fake.add("GET", f"/subscriptions/{SPOKE}", arm.arm_error("SubscriptionNotFound", "nope"), status=404)
    findings = checks_account.check_subscription(context_for(WORKSPACE, fake))
    assert statuses(findings) == [Status.BLOCKER] and "404" in findings[0].message


def test_no_subscription_anywhere(monkeypatch):
    fake = healthy(DEFAULT)
    context = context_for(DEFAULT, fake)
    context.subscription_id = None
    findings = checks_account.check_subscription(context)
    assert statuses(findings) == [Status.BLOCKER] and "ARM_SUBSCRIPTION_ID" in findings[0].action


def test_without_a_subscription_only_the_subscription_check_blocks():
    fake = healthy(DEFAULT)
    context = context_for(DEFAULT, fake)
    context.subscription_id = None
    results = by_name(run_checks(context))
    assert results["subscription"].status == Status.BLOCKER and results["identity"].status == Status.OK
    skipped = [name for name, r in results.items() if r.status == Status.SKIPPED]
    assert "vCPU quota" in skipped and "permissions of the deploying identity" in skipped
    assert [name for name, r in results.items() if r.status == Status.BLOCKER] == ["subscription"]


def test_subscription_flag_wins(capsys, monkeypatch):
    monkeypatch.setenv("ARM_SUBSCRIPTION_ID", "99999999-9999-9999-9999-999999999999")
    fake = healthy(DEFAULT)
    config = ROOT / "config/default.yaml"
    status = preflight_main.main(
        ["--config", str(config), "--json", "--subscription", SPOKE],
        credential=FakeCredential(),
        client_kwargs=fake.client_kwargs(),
    )
    assert status == 0, capsys.readouterr().out
    assert all("99999999" not in url for _m, url in fake.requests)


def test_unregistered_provider_is_a_warning_naming_it():
    fake = healthy(WORKSPACE)
    fake.add(
        "GET", f"/subscriptions/{SPOKE}/providers/Microsoft.KubernetesConfiguration", arm.provider(SPOKE, "x", "NotRegistered")
    )
    findings = checks_account.check_resource_providers(context_for(WORKSPACE, fake))
    assert statuses(findings) == [Status.WARNING]
    assert "Microsoft.KubernetesConfiguration (NotRegistered)" in findings[0].message


# ------------------------------------------------------------------ compute
def _usage(fake, rows):
    fake.add("GET", f"/subscriptions/{SPOKE}/providers/Microsoft.Compute/locations/westeurope/usages", arm.usage(rows))


def test_quota_per_family_and_total():
    fake = healthy(WORKSPACE)
    # WORKSPACE: system 3-5 x D4ds_v5, mlcpu 3-6 x D8ds_v5 -> DDSv5 36 at creation, 68 at maximum.
    _usage(fake, {"cores": (0, 1000), "standardDDSv5Family": (0, 50), "standardNCADSA100v4Family": (0, 10)})
    findings = checks_compute.check_quota(context_for(WORKSPACE, fake))
    by_family = {f.message.split(":")[0]: f for f in findings}
    assert by_family["standardDDSv5Family"].status == Status.WARNING  # 50 free: creation fits, maximum not
    assert "36 to create, 68 at maximum" in by_family["standardDDSv5Family"].message
    assert by_family["Total Regional vCPUs"].status == Status.OK


def test_quota_too_small_to_create_is_a_blocker():
    fake = healthy(WORKSPACE)
    _usage(fake, {"cores": (990, 1000), "standardDDSv5Family": (0, 500), "standardNCADSA100v4Family": (0, 500)})
    findings = checks_compute.check_quota(context_for(WORKSPACE, fake))
    total = [f for f in findings if f.message.startswith("Total Regional vCPUs")]
    assert statuses(total) == [Status.BLOCKER] and "990/1000 used, 10 free" in total[0].message


def test_quota_family_without_usage_row_is_a_warning():
    fake = healthy(WORKSPACE)
    _usage(fake, {"cores": (0, 1000), "standardDDSv5Family": (0, 500)})
    findings = checks_compute.check_quota(context_for(WORKSPACE, fake))
    assert any(f.status == Status.WARNING and "no usage row" in f.message for f in findings)


def test_need_family_prefers_the_catalogue_name():
    class WithFamily:
        family = "standardDDSv5Family"
        series = "ignored"

    class SeriesOnly:
        series = "NCads_A100_v4"

    assert checks_compute.need_family(WithFamily()) == "standardDDSv5Family"
    assert checks_compute.need_family(SeriesOnly()).lower() == "standardncadsa100v4family"


def test_quota_family_comes_from_the_region_skus_when_the_name_does_not_tell():
    """Standard_A1's usage row is standardA0_A7Family (ListAvailableResourceSkusForARegion.json)."""
    config = WORKSPACE.model_copy(
        update={
            "cluster": WORKSPACE.cluster.model_copy(
                update={"system_pool": WORKSPACE.cluster.system_pool.model_copy(update={"vm_size": "Standard_A1"})}
            )
        }
    )
    fake = healthy(config)
    _skus(
        fake,
        arm.vm_sku("Standard_A1", "standardA0_A7Family", 1, "westeurope"),
        arm.vm_sku("Standard_D8ds_v5", "standardDDSv5Family", 8, "westeurope"),
        arm.vm_sku("Standard_NC24ads_A100_v4", "standardNCADSA100v4Family", 24, "westeurope"),
    )
    _usage(
        fake,
        {
            "cores": (0, 1000),
            "standardA0_A7Family": (0, 4),
            "standardDDSv5Family": (0, 500),
            "standardNCADSA100v4Family": (0, 500),
        },
    )
    findings = checks_compute.check_quota(context_for(config, fake))
    a_family = [f for f in findings if f.message.startswith("standardA0_A7Family")]
    assert statuses(a_family) == [Status.WARNING] and "3 to create, 5 at maximum" in a_family[0].message


def _skus(fake, *entries):
    fake.add("GET", f"/subscriptions/{SPOKE}/providers/Microsoft.Compute/skus", arm.skus(*entries))


def test_vm_size_missing_from_region():
    fake = healthy(WORKSPACE)
    _skus(
        fake,
        arm.vm_sku("Standard_D4ds_v5", "standardDDSv5Family", 4, "westeurope"),
        arm.vm_sku("Standard_D8ds_v5", "standardDDSv5Family", 8, "westeurope"),
    )
    findings = checks_compute.check_vm_sizes(context_for(WORKSPACE, fake))
    assert statuses(findings) == [Status.OK, Status.OK, Status.BLOCKER]
    assert "Standard_NC24ads_A100_v4 is not offered in westeurope" in findings[2].message


def test_vm_size_restricted_zone_and_location():
    fake = healthy(WORKSPACE)
    _skus(
        fake,
        arm.vm_sku("Standard_D4ds_v5", "f", 4, "westeurope", restrictions=[arm.zone_restriction("westeurope", ["3"])]),
        arm.vm_sku("Standard_D8ds_v5", "f", 8, "westeurope", zones=("1", "2")),
        arm.vm_sku("Standard_NC24ads_A100_v4", "f", 24, "westeurope", restrictions=[arm.location_restriction("westeurope")]),
    )
    findings = checks_compute.check_vm_sizes(context_for(WORKSPACE, fake))
    assert statuses(findings) == [Status.BLOCKER] * 3
    assert "zone(s) 3" in findings[0].message and "zone(s) 3" in findings[1].message
    assert "NotAvailableForSubscription" in findings[2].message


def test_region_skus_are_read_once_for_two_checks():
    fake = healthy(WORKSPACE)
    context = context_for(WORKSPACE, fake)
    checks_compute.check_vm_sizes(context)
    checks_compute.check_vm_sizes(context)
    assert sum("/skus" in url for _m, url in fake.requests) == 1
    assert any("%24filter=location+eq+%27westeurope%27" in url or "filter=location" in url for _m, url in fake.requests)


@pytest.mark.parametrize(
    ("versions", "preview", "expected"),
    [
        ({"1.35": ["1.35.1"]}, (), Status.OK),
        ({"1.33": ["1.33.4"], "1.34": ["1.34.2"]}, (), Status.BLOCKER),
        ({"1.35": ["1.35.1"]}, ("1.35",), Status.WARNING),
    ],
)
def test_kubernetes_version(versions, preview, expected):
    fake = healthy(WORKSPACE)
    fake.add(
        "GET",
        f"/subscriptions/{SPOKE}/providers/Microsoft.ContainerService/locations/westeurope/kubernetesVersions",
        arm.kubernetes_versions(versions, preview),
    )
    findings = checks_compute.check_kubernetes_version(context_for(WORKSPACE, fake))
    assert statuses(findings) == [expected]
    if expected == Status.BLOCKER:
        assert "offered: 1.33, 1.34" in findings[0].message


# ------------------------------------------------------------------ network
def _hub_vnet(fake, prefixes):
    fake.add("GET", HUB, arm.virtual_network(HUB, prefixes))


def test_hub_vnet_address_space_mismatch():
    fake = healthy(WORKSPACE)
    _hub_vnet(fake, ["10.1.0.0/16"])
    findings = checks_network.check_hub_vnet(context_for(WORKSPACE, fake))
    messages = " | ".join(f.message for f in findings)
    assert Status.BLOCKER in statuses(findings)
    assert "hub.address_space lists 10.0.0.0/16" in messages and "firewall_private_ip" in messages


def test_hub_vnet_extra_prefix_is_a_warning():
    fake = healthy(WORKSPACE)
    _hub_vnet(fake, ["10.0.0.0/16", "10.5.0.0/16"])
    assert statuses(checks_network.check_hub_vnet(context_for(WORKSPACE, fake))) == [Status.WARNING]


def test_hub_vnet_missing():
    fake = healthy(WORKSPACE)
    fake.add("GET", HUB, arm.arm_error("ResourceNotFound", "gone"), status=404)
    assert statuses(checks_network.check_hub_vnet(context_for(WORKSPACE, fake))) == [Status.BLOCKER]


def test_standalone_skips_hub_and_zone_checks():
    fake = healthy(STANDALONE)
    results = by_name(run_checks(context_for(STANDALONE, fake), checks_network.CHECKS))
    assert results["hub VNet"].status == Status.SKIPPED
    assert results["API private DNS zone"].status == Status.SKIPPED


def test_dns_zone_not_linked_to_hub():
    fake = healthy(WORKSPACE)
    zone = WORKSPACE.cluster.api.private_dns_zone_id
    fake.add(
        "GET",
        f"{zone}/virtualNetworkLinks",
        arm.vnet_links(zone, ["/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/virtualNetworks/other"]),
    )
    findings = checks_network.check_api_dns_zone(context_for(WORKSPACE, fake))
    assert statuses(findings) == [Status.OK, Status.WARNING] and "not linked to the hub VNet" in findings[1].message


def test_dns_zone_missing():
    fake = healthy(WORKSPACE)
    fake.add("GET", WORKSPACE.cluster.api.private_dns_zone_id, arm.arm_error("ResourceNotFound", "gone"), status=404)
    assert statuses(checks_network.check_api_dns_zone(context_for(WORKSPACE, fake))) == [Status.BLOCKER]


# ------------------------------------------------------------------ permissions
def test_permission_wildcards_and_exclusions():
    class P:
        def __init__(self, actions, not_actions=(), data=(), not_data=()):
            self.actions, self.not_actions, self.data_actions, self.not_data_actions = actions, not_actions, data, not_data

    contributor = [P(["*"], ["Microsoft.Authorization/*/Write", "Microsoft.Authorization/*/Delete"])]
    assert checks_access.allows(contributor, "Microsoft.ContainerService/managedClusters/write")
    assert not checks_access.allows(contributor, "Microsoft.Authorization/roleAssignments/write")
    assert checks_access.allows(
        [*contributor, P(["Microsoft.Authorization/roleAssignments/*"])], "Microsoft.Authorization/roleAssignments/write"
    )
    assert not checks_access.allows([P(["*"])], "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", data=True)


def test_contributor_without_role_assignment_rights_is_a_blocker():
    fake = healthy(WORKSPACE)
    contributor = arm.permissions(
        actions=("*",),
        not_actions=("Microsoft.Authorization/*/Write", "Microsoft.Authorization/*/Delete"),
        data_actions=("Microsoft.Storage/*",),
    )
    fake.add("GET", r"/subscriptions/.+/providers/Microsoft.Authorization/permissions", contributor)
    findings = checks_access.check_permissions(context_for(WORKSPACE, fake))
    blocked = [f for f in findings if f.status == Status.BLOCKER]
    assert blocked and all("Microsoft.Authorization/roleAssignments/write" in f.message for f in blocked)
    assert {f.message.split(":")[0] for f in blocked} >= {
        "spoke resource group rg-amlws-aks",
        "TLS Key Vault",
        "API private DNS zone",
    }


def test_missing_spoke_resource_group_is_a_warning_not_ok():
    fake = healthy(WORKSPACE)
    fake.add("HEAD", r"/subscriptions/[^/]+/resourcegroups/rg-amlws-aks", None, status=404)
    findings = checks_access.check_permissions(context_for(WORKSPACE, fake))
    assert findings[0].status == Status.WARNING and "does not exist yet" in findings[0].message


def test_no_permission_is_ever_ok():
    fake = healthy(DEFAULT)
    findings = checks_access.check_permissions(context_for(DEFAULT, fake))
    assert findings and all(f.status == Status.WARNING for f in findings)
    assert all("deny assignments" in f.message for f in findings if "does not exist" not in f.message)


def test_state_blob_data_actions_are_required():
    fake = healthy(DEFAULT)
    fake.add(
        "GET",
        r"/subscriptions/.+/storageAccounts/sthubtfstate/providers/Microsoft.Authorization/permissions",
        arm.permissions(actions=("*",)),
    )
    findings = checks_access.check_permissions(context_for(DEFAULT, fake))
    state = [f for f in findings if f.message.startswith("state storage account")]
    assert statuses(state) == [Status.BLOCKER] and "blobs/write" in state[0].message


# ------------------------------------------------------------------ certificate access
def test_certificate_access_ok_when_role_assigned():
    fake = healthy(WORKSPACE)
    findings = checks_access.check_certificate_access(context_for(WORKSPACE, fake))
    assert statuses(findings) == [Status.OK] and SECRETS_OBJECT_ID in findings[0].message


def test_certificate_access_missing_role():
    fake = healthy(WORKSPACE)
    vault = WORKSPACE.tls.key_vault_id
    reader = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
    fake.add(
        "GET",
        f"{vault}/providers/Microsoft.Authorization/roleAssignments",
        arm.role_assignments(vault, SECRETS_OBJECT_ID, [reader]),
    )
    assert statuses(checks_access.check_certificate_access(context_for(WORKSPACE, fake))) == [Status.BLOCKER]


def test_certificate_access_with_condition_is_a_warning():
    fake = healthy(WORKSPACE)
    vault = WORKSPACE.tls.key_vault_id
    fake.add(
        "GET",
        f"{vault}/providers/Microsoft.Authorization/roleAssignments",
        arm.role_assignments(
            vault, SECRETS_OBJECT_ID, ["4633458b-17de-408a-b874-0445c86b69e6"], condition="@Resource[x] StringEquals 'y'"
        ),
    )
    assert statuses(checks_access.check_certificate_access(context_for(WORKSPACE, fake))) == [Status.WARNING]


def test_certificate_access_before_the_first_deploy_checks_the_deployer():
    fake = healthy(WORKSPACE, cluster_exists=False)
    findings = checks_access.check_certificate_access(context_for(WORKSPACE, fake))
    assert statuses(findings) == [Status.WARNING] and findings[0].message.startswith("cluster not deployed yet")


# ------------------------------------------------------------------ workspace, egress, state
def test_workspace_in_another_subscription_is_refused_without_a_call():
    fake = healthy(WORKSPACE)
    context = context_for(WORKSPACE, fake)
    context.subscription_id = "12121212-1212-1212-1212-121212121212"
    findings = checks_azureml.check_workspace(context)
    assert statuses(findings) == [Status.BLOCKER] and "across subscriptions" in findings[0].message
    assert not fake.requests


def test_workspace_with_both_identities_as_in_the_spec_example():
    """Workspace/get.json (2025-12-01) has identity type "SystemAssigned,UserAssigned"."""
    uai = f"/subscriptions/{SPOKE}/resourceGroups/rg-ml/providers/Microsoft.ManagedIdentity/userAssignedIdentities/testuai"
    config = WORKSPACE.model_copy(
        update={
            "azureml": WORKSPACE.azureml.model_copy(
                update={"workspace": WORKSPACE.azureml.workspace.model_copy(update={"identity_id": uai})}
            )
        }
    )
    fake = healthy(config)
    ws = config.azureml.workspace.id
    identity = {
        "type": "SystemAssigned,UserAssigned",
        "principalId": "p",
        "tenantId": "t",
        "userAssignedIdentities": {uai: {"clientId": "c", "principalId": "p"}},
    }
    fake.add("GET", ws, arm.workspace(ws, identity, workspaceId="1"))
    assert statuses(checks_azureml.check_workspace(context_for(config, fake))) == [Status.OK]
    fake.add("GET", ws, arm.workspace(ws, {"type": "SystemAssigned", "principalId": "p", "tenantId": "t"}, workspaceId="1"))
    findings = checks_azureml.check_workspace(context_for(config, fake))
    assert statuses(findings) == [Status.BLOCKER] and "no user-assigned identity testuai" in findings[0].message


def test_dns_link_still_in_progress_is_a_warning():
    fake = healthy(WORKSPACE)
    zone = WORKSPACE.cluster.api.private_dns_zone_id
    fake.add("GET", f"{zone}/virtualNetworkLinks", arm.vnet_links(zone, [WORKSPACE.hub.vnet_id], state="InProgress"))
    findings = checks_network.check_api_dns_zone(context_for(WORKSPACE, fake))
    assert statuses(findings) == [Status.OK, Status.WARNING] and "InProgress" in findings[1].message


def test_workspace_identity_and_ids():
    fake = healthy(WORKSPACE)
    ws = WORKSPACE.azureml.workspace.id
    fake.add("GET", ws, arm.workspace(ws, {"type": "UserAssigned", "userAssignedIdentities": {"/x/y": {}}}, workspaceId="1"))
    findings = checks_azureml.check_workspace(context_for(WORKSPACE, fake))
    assert statuses(findings) == [Status.BLOCKER] and "no system-assigned identity" in findings[0].message


def test_workspace_guid_mismatch():
    config = WORKSPACE.model_copy(
        update={
            "azureml": WORKSPACE.azureml.model_copy(
                update={
                    "workspace": WORKSPACE.azureml.workspace.model_copy(
                        update={"workspace_guid": "12345678-1234-1234-1234-123456789012"}
                    )
                }
            )
        }
    )
    fake = healthy(config)
    findings = checks_azureml.check_workspace(context_for(config, fake))
    assert statuses(findings) == [Status.BLOCKER] and "set azureml.workspace.workspace_guid to 88888888" in findings[0].action


def test_workspace_missing():
    fake = healthy(WORKSPACE)
    fake.add("GET", WORKSPACE.azureml.workspace.id, arm.arm_error("ResourceNotFound", "gone"), status=404)
    assert statuses(checks_azureml.check_workspace(context_for(WORKSPACE, fake))) == [Status.BLOCKER]


def test_egress_check_is_skipped_until_the_catalogue_exists():
    fake = healthy(WORKSPACE)
    egress = next(c for c in ALL_CHECKS if c.name == "hub firewall egress rules")
    result = run_check(egress, context_for(WORKSPACE, fake))
    assert result.status == Status.SKIPPED and "catalog.egress" in result.findings[0].message


def test_state_container_missing():
    fake = healthy(DEFAULT)
    fake.add("GET", r".*/containers/tfstate", arm.arm_error("ContainerNotFound", "gone"), status=404)
    findings = checks_azureml.check_state_storage(context_for(DEFAULT, fake))
    assert statuses(findings) == [Status.BLOCKER] and "container tfstate" in findings[0].message


def test_forbidden_read_is_a_blocker_naming_reader():
    fake = healthy(DEFAULT)
    fake.add("GET", r".*/storageAccounts/sthubtfstate", arm.arm_error("AuthorizationFailed", "no read"), status=403)
    result = run_check(next(c for c in ALL_CHECKS if c.name == "state storage"), context_for(DEFAULT, fake))
    assert result.status == Status.BLOCKER and "Reader" in result.findings[0].action


# ------------------------------------------------------------------ command line
def test_json_output_and_exit_status(capsys):
    fake = healthy(WORKSPACE)
    fake.add("GET", f"/subscriptions/{SPOKE}", arm.subscription(SPOKE, "Disabled"))
    config = ROOT / "tests/fixtures/configs/azureml-workspace.yaml"
    status = preflight_main.main(
        ["--config", str(config), "--json"], credential=FakeCredential(), client_kwargs=fake.client_kwargs()
    )
    document = json.loads(capsys.readouterr().out)
    assert status == 1
    subscription = next(r for r in document["results"] if r["check"] == "subscription")
    assert subscription["status"] == "blocker" and subscription["findings"][0]["action"]


def test_table_output(capsys):
    fake = healthy(WORKSPACE)
    config = ROOT / "tests/fixtures/configs/azureml-workspace.yaml"
    status = preflight_main.main(["--config", str(config)], credential=FakeCredential(), client_kwargs=fake.client_kwargs())
    out = capsys.readouterr().out
    assert status == 0
    assert "Preflight" in out and "vCPU quota" in out and "0 blocker(s)" in out


def test_help_needs_no_azure(capsys):
    with pytest.raises(SystemExit) as exit_info:
        preflight_main.main(["--help"])
    assert exit_info.value.code == 0 and "--json" in capsys.readouterr().out


def test_bad_config_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: X\n")
    assert preflight_main.main(["--config", str(bad)]) == 2
    assert "configuration problem" in capsys.readouterr().err
