"""Security- and correctness-relevant properties of the `aks-cluster` stack."""

from __future__ import annotations

import json

import pytest

STACK = "aks-cluster"


def cluster(result) -> dict:
    return result.only(STACK, "azurerm_kubernetes_cluster")


# ---------------------------------------------------------------- spoke network
def test_hub_spoke_network(default_synth):
    vnet = default_synth.only(STACK, "azurerm_virtual_network")
    assert vnet["address_space"] == ["10.20.0.0/16"]
    assert vnet["dns_servers"] == ["10.0.1.4"]
    assert "subnet" not in vnet, "subnets are standalone resources, never inline"
    subnet = default_synth.only(STACK, "azurerm_subnet")
    assert subnet["address_prefixes"] == ["10.20.0.0/22"]
    assert subnet["default_outbound_access_enabled"] is False

    peerings = default_synth.resources(STACK, "azurerm_virtual_network_peering").values()
    by_rg = {p["resource_group_name"]: p for p in peerings}
    assert len(by_rg) == 2 and "rg-hub-network" in by_rg
    hub_side = by_rg["rg-hub-network"]
    assert hub_side["virtual_network_name"] == "vnet-hub"
    assert hub_side["name"] == "peer-vnet-hub-to-vnet-amlprod-aks"
    for peering in peerings:
        assert peering["allow_forwarded_traffic"] is True
        assert peering["allow_virtual_network_access"] is True

    route = default_synth.only(STACK, "azurerm_route")
    assert (route["address_prefix"], route["next_hop_type"], route["next_hop_in_ip_address"]) == (
        "0.0.0.0/0",
        "VirtualAppliance",
        "10.0.1.4",
    )
    route_table = default_synth.only(STACK, "azurerm_route_table")
    assert route_table["bgp_route_propagation_enabled"] is False
    assert "route" not in route_table, "routes are standalone resources, never inline"
    assert default_synth.resources(STACK, "azurerm_subnet_route_table_association")


def nsg_rules(result) -> dict[str, dict]:
    return {r["name"]: r for r in result.resources(STACK, "azurerm_network_security_rule").values()}


def test_nsg_admits_only_what_the_cluster_needs(default_synth):
    rules = nsg_rules(default_synth)
    allow = rules["allow-clients-to-ingress-http-https"]
    assert (allow["access"], allow["direction"], allow["protocol"]) == ("Allow", "Inbound", "Tcp")
    assert allow["destination_port_ranges"] == ["80", "443"]
    assert allow["destination_address_prefix"] == "10.20.0.0/22"
    assert allow["source_address_prefix"] == "10.0.0.0/16"  # the hub (ingress.allowed_source_cidrs unset)
    assert rules["allow-spoke-vnet-inbound"]["source_address_prefix"] == "10.20.0.0/16"
    assert rules["allow-overlay-pods-inbound"]["source_address_prefix"] == "192.168.0.0/16"
    assert rules["allow-azure-load-balancer-inbound"]["source_address_prefix"] == "AzureLoadBalancer"
    # Overrides the default AllowVnetInBound (65000), which admits peered and on-premises ranges.
    deny = rules["deny-other-virtual-network-inbound"]
    assert (deny["access"], deny["source_address_prefix"], deny["destination_port_range"]) == ("Deny", "VirtualNetwork", "*")
    assert all(r["priority"] < deny["priority"] for r in rules.values() if r["access"] == "Allow")
    assert default_synth.resources(STACK, "azurerm_subnet_network_security_group_association")
    nsg = default_synth.only(STACK, "azurerm_network_security_group")
    assert "security_rule" not in nsg, "rules are standalone resources, never inline"


def test_standalone_nsg_has_no_external_ingress_sources(standalone_synth):
    rules = nsg_rules(standalone_synth)
    assert "allow-clients-to-ingress-http-https" not in rules
    assert "deny-other-virtual-network-inbound" in rules


def test_standalone_has_no_hub_pieces(standalone_synth):
    for resource_type in (
        "azurerm_virtual_network_peering",
        "azurerm_route_table",
        "azurerm_route",
    ):
        assert not standalone_synth.resources(STACK, resource_type), resource_type
    assert "dns_servers" not in standalone_synth.only(STACK, "azurerm_virtual_network")
    assert cluster(standalone_synth)["network_profile"]["outbound_type"] == "loadBalancer"
    assert [p.get("alias") for p in standalone_synth.stacks[STACK]["provider"]["azurerm"]] == [None]


# ---------------------------------------------------------------- cluster
@pytest.mark.parametrize("which", ["default_synth", "standalone_synth"])
def test_cluster_is_secure_by_default(which, request):
    c = cluster(request.getfixturevalue(which))
    assert c["private_cluster_enabled"] is True
    assert c["private_cluster_public_fqdn_enabled"] is False
    assert c["sku_tier"] == "Standard"
    rbac = c["azure_active_directory_role_based_access_control"]
    assert rbac["azure_rbac_enabled"] is True and rbac["admin_group_object_ids"]
    assert c["local_account_disabled"] is False  # required by the Azure ML extension (documented)
    assert c["identity"]["type"] == "UserAssigned"
    assert c["azure_policy_enabled"] is True
    assert c["oidc_issuer_enabled"] is True and c["workload_identity_enabled"] is True
    assert c["image_cleaner_enabled"] is True
    # Run command would let Azure role holders run kubectl around the private API (opt-in only).
    assert c["run_command_enabled"] is False
    assert c["key_vault_secrets_provider"]["secret_rotation_enabled"] is True
    assert c["oms_agent"]["msi_auth_for_monitoring_enabled"] is True
    assert c["automatic_upgrade_channel"] == "patch" and c["node_os_upgrade_channel"] == "NodeImage"
    assert c["maintenance_window_auto_upgrade"]["frequency"] == "Weekly"
    assert c["maintenance_window_node_os"]["frequency"] == "Weekly"
    net = c["network_profile"]
    assert (net["network_plugin"], net["network_plugin_mode"], net["network_policy"], net["network_data_plane"]) == (
        "azure",
        "overlay",
        "cilium",
        "cilium",
    )
    # Owned by the autoscaler and the upgrade channel: planning them back would fight AKS.
    assert set(c["lifecycle"]["ignore_changes"]) == {
        "default_node_pool[0].node_count",
        "default_node_pool[0].orchestrator_version",
        "kubernetes_version",
    }


def test_hub_cluster_routes_through_firewall(default_synth):
    net = cluster(default_synth)["network_profile"]
    assert net["outbound_type"] == "userDefinedRouting"
    assert (net["service_cidr"], net["dns_service_ip"], net["pod_cidr"]) == ("172.16.0.0/16", "172.16.0.10", "192.168.0.0/16")


def test_system_pool(default_synth):
    pool = cluster(default_synth)["default_node_pool"]
    assert pool["only_critical_addons_enabled"] is True
    assert pool["auto_scaling_enabled"] is True and (pool["min_count"], pool["max_count"]) == (3, 5)
    assert pool["zones"] == ["1", "2", "3"]
    assert pool["os_disk_type"] == "Ephemeral"
    assert pool["max_pods"] >= 50
    assert pool["host_encryption_enabled"] is True
    assert pool["temporary_name_for_rotation"] == "systemtmp"
    assert pool["upgrade_settings"]["max_surge"] == "33%"


def test_ml_user_pool_is_labelled_and_ignores_count_drift(default_synth):
    pools = default_synth.resources(STACK, "azurerm_kubernetes_cluster_node_pool")
    assert len(pools) == 1
    pool = next(iter(pools.values()))
    assert pool["name"] == "mlcpu" and pool["mode"] == "User"
    assert pool["node_labels"] == {"workload": "azureml"}
    assert pool["auto_scaling_enabled"] is True
    assert pool["lifecycle"]["ignore_changes"] == ["node_count", "orchestrator_version"]
    # vm_size, zones, max_pods and OS disk changes rotate through this pool instead of failing.
    assert pool["temporary_name_for_rotation"] == "mlcputmp"


def test_control_plane_roles_exist_before_cluster(default_synth):
    assignments = default_synth.resources(STACK, "azurerm_role_assignment")
    roles = {name: a["role_definition_name"] for name, a in assignments.items()}
    control_plane = {n for n in roles if "control_plane" in n}
    assert sorted(roles[n] for n in control_plane) == [
        "Network Contributor",
        "Network Contributor",
        "Private DNS Zone Contributor",
    ]
    # Roles -> a wait for their propagation -> the cluster (AKS checks them at create, no retry).
    (wait_name, wait), *others = default_synth.resources(STACK, "time_sleep").items()
    assert not others
    assert set(wait["depends_on"]) == {f"azurerm_role_assignment.{n}" for n in control_plane}
    assert wait["create_duration"] == "120s"
    assert all(f"azurerm_role_assignment.{n}.id" in wait["triggers"]["role_assignment_ids"] for n in control_plane)
    assert f"time_sleep.{wait_name}" in cluster(default_synth)["depends_on"]
    dns_role = next(a for n, a in assignments.items() if roles[n] == "Private DNS Zone Contributor")
    assert dns_role["scope"].endswith("/privateDnsZones/privatelink.westeurope.azmk8s.io")
    assert cluster(default_synth)["private_dns_zone_id"] == dns_role["scope"]


def test_cluster_waits_for_network(default_synth, standalone_synth):
    """AKS checks the UDR route table at create time; nodes need peering and DNS links to bootstrap."""
    depends = set(cluster(default_synth)["depends_on"])
    for resource_type in (
        "azurerm_subnet_route_table_association",
        "azurerm_subnet_network_security_group_association",
        "azurerm_virtual_network_peering",
    ):
        names = default_synth.resources(STACK, resource_type)
        assert names and {f"{resource_type}.{n}" for n in names} <= depends, resource_type
    standalone_depends = set(cluster(standalone_synth)["depends_on"])
    links = standalone_synth.resources(STACK, "azurerm_private_dns_zone_virtual_network_link")
    assert {f"azurerm_private_dns_zone_virtual_network_link.{n}" for n in links} <= standalone_depends


def test_standalone_creates_and_links_its_api_zone(standalone_synth):
    zone = standalone_synth.only(STACK, "azurerm_private_dns_zone")
    assert zone["name"] == "privatelink.westeurope.azmk8s.io"
    links = standalone_synth.resources(STACK, "azurerm_private_dns_zone_virtual_network_link")
    assert len(links) == 1 and next(iter(links.values()))["registration_enabled"] is False
    assert "${azurerm_private_dns_zone." in cluster(standalone_synth)["private_dns_zone_id"]


def test_secrets_provider_may_read_only_the_tls_certificate_secret(default_synth, standalone_synth):
    """The identity is on every node: it reads the certificate's secret, not the whole hub vault."""
    readers = [
        a
        for a in default_synth.resources(STACK, "azurerm_role_assignment").values()
        if a["role_definition_name"] == "Key Vault Secrets User"
    ]
    assert len(readers) == 1
    assert readers[0]["scope"].endswith("/providers/Microsoft.KeyVault/vaults/kv-hub-certs/secrets/aml-ingress")
    assert "key_vault_secrets_provider[0].secret_identity[0].object_id" in readers[0]["principal_id"]
    assert not [
        a
        for a in standalone_synth.resources(STACK, "azurerm_role_assignment").values()
        if a["role_definition_name"] == "Key Vault Secrets User"
    ]


# ---------------------------------------------------------------- diagnostics
def test_diagnostics_to_hub_workspace(default_synth):
    setting = default_synth.only(STACK, "azurerm_monitor_diagnostic_setting")
    assert setting["log_analytics_workspace_id"].endswith("/workspaces/log-hub")
    assert setting["log_analytics_destination_type"] == "Dedicated"
    assert [log["category"] for log in setting["enabled_log"]] == [
        "kube-apiserver",
        "kube-audit-admin",
        "kube-controller-manager",
        "kube-scheduler",
        "cluster-autoscaler",
        "guard",
        "cloud-controller-manager",
    ]
    assert setting["enabled_metric"] == [{"category": "AllMetrics"}]
    assert not default_synth.resources(STACK, "azurerm_log_analytics_workspace")


def test_container_insights_data_collection(default_synth):
    rule = default_synth.only(STACK, "azurerm_monitor_data_collection_rule")
    assert rule["name"] == "MSCI-westeurope-aks-amlprod" and rule["location"] == "westeurope"
    extension = rule["data_sources"]["extension"][0]
    assert extension["extension_name"] == "ContainerInsights"
    assert json.loads(extension["extension_json"])["dataCollectionSettings"]["enableContainerLogV2"] is True
    assert rule["destinations"]["log_analytics"][0]["workspace_resource_id"].endswith("/workspaces/log-hub")
    assert rule["data_flow"][0]["streams"] == extension["streams"]
    association = default_synth.only(STACK, "azurerm_monitor_data_collection_rule_association")
    assert "azurerm_kubernetes_cluster." in association["target_resource_id"]
    assert "azurerm_monitor_data_collection_rule." in association["data_collection_rule_id"]


def test_providers_register_only_what_the_resources_need(default_synth, standalone_synth):
    """azurerm's default registers 66 resource providers in every subscription it is configured
    for and fails the plan without */register/action there: the spoke registers an explicit list,
    the hub alias nothing."""
    providers = default_synth.stacks[STACK]["provider"]["azurerm"]
    spoke = next(p for p in providers if "alias" not in p)
    hub = next(p for p in providers if p.get("alias") == "hub")
    assert spoke["resource_provider_registrations"] == hub["resource_provider_registrations"] == "none"
    assert "resource_providers_to_register" not in hub
    registered = set(spoke["resource_providers_to_register"])
    assert {"Microsoft.ContainerService", "Microsoft.KubernetesConfiguration", "microsoft.insights"} <= registered
    assert "Microsoft.OperationalInsights" not in registered  # the hub's workspace: nothing created here
    standalone = standalone_synth.stacks[STACK]["provider"]["azurerm"][0]
    assert "Microsoft.OperationalInsights" in standalone["resource_providers_to_register"]  # creates its workspace
    for stack in ("kubernetes-config",):
        for provider in default_synth.stacks[stack]["provider"]["azurerm"]:
            assert provider["resource_provider_registrations"] == "none"


# Exactly what the resources need (stacks/common.py names each one's reason), sorted as azurerm
# lists them; every extra one is a */register/action the deploying identity may lack.
REGISTERED_WITH_HUB_WORKSPACE = [
    "Microsoft.Authorization",
    "Microsoft.Compute",
    "Microsoft.ContainerService",
    "microsoft.insights",
    "Microsoft.KubernetesConfiguration",
    "Microsoft.ManagedIdentity",
    "Microsoft.Network",
    "Microsoft.PolicyInsights",
    "Microsoft.Security",  # Defender for Containers (cluster.defender_enabled, on by default)
]
CREATED_WORKSPACE = ["Microsoft.OperationalInsights", "Microsoft.OperationsManagement"]


def _registered(stacks: dict) -> dict[str, list[str]]:
    return {
        name: next(p for p in stack["provider"]["azurerm"] if "alias" not in p)["resource_providers_to_register"]
        for name, stack in stacks.items()
    }


def test_full_provider_registration_list_with_defender(default_synth, standalone_synth):
    assert _registered(default_synth.stacks) == dict.fromkeys(default_synth.stacks, REGISTERED_WITH_HUB_WORKSPACE)
    with_workspace = sorted([*REGISTERED_WITH_HUB_WORKSPACE, *CREATED_WORKSPACE], key=str.lower)
    assert with_workspace[7:9] == CREATED_WORKSPACE  # between Network and PolicyInsights
    assert _registered(standalone_synth.stacks) == dict.fromkeys(standalone_synth.stacks, with_workspace)


def test_full_provider_registration_list_without_defender(synth_root):
    from tests.stacks.test_state_safety import variant_of

    stacks = variant_of("default.yaml", synth_root, "no-defender", lambda raw: raw["cluster"].update(defender_enabled=False))
    assert "microsoft_defender" not in json.dumps(stacks[STACK]["resource"]["azurerm_kubernetes_cluster"])
    without = [p for p in REGISTERED_WITH_HUB_WORKSPACE if p != "Microsoft.Security"]
    assert _registered(stacks) == dict.fromkeys(stacks, without)


def test_standalone_creates_workspace(standalone_synth):
    workspace = standalone_synth.only(STACK, "azurerm_log_analytics_workspace")
    assert workspace["retention_in_days"] == 30 and workspace["name"] == "log-amldev-aks"
    assert (
        "azurerm_log_analytics_workspace"
        in standalone_synth.only(STACK, "azurerm_monitor_diagnostic_setting")["log_analytics_workspace_id"]
    )


# ---------------------------------------------------------------- Azure ML extension
def test_azureml_extension(default_synth):
    ext = default_synth.only(STACK, "azurerm_kubernetes_cluster_extension")
    assert ext["extension_type"] == "microsoft.azureml.kubernetes"
    assert ext["release_namespace"] == "azureml" and ext["release_train"] == "stable"
    assert ext["timeouts"]["create"] == "60m"
    settings = ext["configuration_settings"]
    assert settings["inferenceRouterServiceType"] == "clusterIP"
    assert settings["allowInsecureConnections"] == "True"  # TLS terminates at the ingress
    assert settings["nginxIngress.enabled"] == "false"
    assert settings["nodeSelector.workload"] == "azureml"
    assert settings["domain"] == "westeurope.cloudapp.azure.com"
    for key in ("clusterId", "cluster_name", "prometheus.prometheusSpec.externalLabels.cluster_name"):
        assert "azurerm_kubernetes_cluster." in settings[key] and settings[key].endswith(".id}")
    assert all(value != "" for value in settings.values())
    pools = default_synth.resources(STACK, "azurerm_kubernetes_cluster_node_pool")
    assert {f"azurerm_kubernetes_cluster_node_pool.{n}" for n in pools} <= set(ext["depends_on"])


def test_outputs_are_not_sensitive(default_synth):
    outputs = default_synth.stacks[STACK]["output"]
    assert {
        "cluster_name",
        "cluster_id",
        "resource_group_name",
        "node_resource_group",
        "aks_subnet_name",
        "oidc_issuer_url",
        "key_vault_secrets_provider_client_id",
    } <= set(outputs)
    assert not any(o.get("sensitive") for o in outputs.values())
    assert not any("kube_config" in str(o["value"]) or "kube_admin" in str(o["value"]) for o in outputs.values())


def test_policy_assignments_on_the_cluster(default_synth):
    assignments = {a["name"]: a for a in default_synth.resources(STACK, "azurerm_resource_policy_assignment").values()}
    internal_lb = assignments["aks-internal-load-balancers"]
    assert internal_lb["policy_definition_id"].endswith("/policyDefinitions/3fc4dc25-5baf-40d8-9b05-7fe74c1bc64e")
    assert json.loads(internal_lb["parameters"]) == {"effect": {"value": "deny"}}
    baseline = assignments["aks-pod-security-baseline"]
    assert baseline["policy_definition_id"].endswith("/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d")
    # excludedNamespaces replaces the initiative's default list: the defaults stay, plus the
    # Azure ML extension's namespace, whose node agents need host access (deny would refuse them).
    assert json.loads(baseline["parameters"]) == {
        "effect": {"value": "audit"},
        "excludedNamespaces": {
            "value": ["kube-system", "gatekeeper-system", "azure-arc", "azure-extensions-usage-system", "azureml"]
        },
    }
    for assignment in assignments.values():
        assert assignment["resource_id"].startswith("${azurerm_kubernetes_cluster.")


def test_internal_lb_router_with_tls_from_key_vault(synth):
    from tests.conftest import ROOT

    result = synth(ROOT / "tests" / "fixtures" / "configs" / "gpu-loadbalancer-router.yaml")
    ext = result.only(STACK, "azurerm_kubernetes_cluster_extension")
    settings = ext["configuration_settings"]
    assert settings["scoringFe.serviceType.internalLoadBalancer"] == "True"
    assert settings["internalLoadBalancerProvider"] == "azure"
    assert settings["sslCname"] == "aml-router.gpu.contoso.internal"
    assert settings["allowInsecureConnections"] == "False"
    (cert_name, certificate), *others = result.stacks[STACK]["data"]["azurerm_key_vault_certificate_data"].items()
    assert not others and certificate["name"] == "aml-gpu-router"
    # The vault is in the hub subscription: azurerm reads a vault through its full id, whatever
    # the provider's subscription (keyvault/client/helpers.go BaseUriForKeyVault at v4.55.0).
    assert certificate["key_vault_id"].startswith("/subscriptions/11111111-1111-1111-1111-111111111111/")
    assert "provider" not in certificate
    protected = ext["configuration_protected_settings"]
    assert protected == {
        "scoringFe.sslCert": f"${{base64encode(data.azurerm_key_vault_certificate_data.{cert_name}.pem)}}",
        "scoringFe.sslKey": f"${{base64encode(data.azurerm_key_vault_certificate_data.{cert_name}.key)}}",
    }


def test_extra_vnets_resolve_the_created_api_zone(synth_root):
    """A runner's VNet linked to the created zone resolves the private API (standalone path)."""
    from tests.stacks.test_state_safety import variant_of

    runner = (
        "/subscriptions/55555555-5555-5555-5555-555555555555/resourceGroups/rg-runners"
        "/providers/Microsoft.Network/virtualNetworks/vnet-runners"
    )

    def link_runner(raw):
        raw["cluster"]["api"] = {"dns_zone_linked_vnet_ids": [runner]}

    stacks = variant_of("standalone.yaml", synth_root, "runner-link", link_runner)
    links = {
        link["virtual_network_id"]: link
        for link in stacks[STACK]["resource"]["azurerm_private_dns_zone_virtual_network_link"].values()
    }
    assert runner in links and links[runner]["name"] == "link-vnet-vnet-runners"
    assert len(links) == 2  # spoke + runner
    depends = set(next(iter(stacks[STACK]["resource"]["azurerm_kubernetes_cluster"].values()))["depends_on"])
    assert sum(1 for d in depends if d.startswith("azurerm_private_dns_zone_virtual_network_link.")) == 2


def test_ingress_sources_add_to_the_hub(synth_root):
    """ingress.allowed_source_cidrs adds on-premises ranges; the hub's clients keep access."""
    from tests.stacks.test_state_safety import variant_of

    def on_premises(raw):
        raw["ingress"]["allowed_source_cidrs"] = ["172.20.0.0/16"]

    stacks = variant_of("default.yaml", synth_root, "on-premises-sources", on_premises)
    rules = {r["name"]: r for r in stacks[STACK]["resource"]["azurerm_network_security_rule"].values()}
    assert rules["allow-clients-to-ingress-http-https"]["source_address_prefixes"] == ["10.0.0.0/16", "172.20.0.0/16"]
