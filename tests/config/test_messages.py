"""Exact problem lines, in-process: what a user reads for the most common mistakes, word for word.
test_bad_configs.py runs every case through the real entry point but checks only the field paths
(and a subprocess is invisible to `make mutation`); here a changed or emptied message fails."""

# ruff: noqa: E501 - each expected problem line is quoted whole, as the user reads it

from __future__ import annotations

import pytest

from config.checks.gitops import _repository_host
from config.loader import ConfigError, load_config
from tests.config.test_bad_configs import CASES, write_case

NOTHING_THERE = "unknown key (check the spelling; README 'Configuration reference' lists the keys)"
EXPECTED = {
    "yaml-syntax": ["(yaml line 3, column 7): invalid YAML: mapping values are not allowed in this context (got 'tags: x')"],
    "yaml-duplicate-key": ["(yaml line 2, column 1): invalid YAML: found duplicate key 'name' (got 'name: other')"],
    "yaml-not-mapping": ["(root): must be a mapping of configuration sections (got 'list')"],
    "empty-file": ["(file): is empty, expected a YAML mapping (got '')"],
    "unknown-top-level-key": [f"clustr: {NOTHING_THERE} (got {{}})"],
    "pool-unknown-key": [f"cluster.node_pools[0].count: {NOTHING_THERE} (got 3)"],
    "missing-network": ["network: is required (got nothing)"],
    "tag-key-invalid": ["tags.a/b (key): must be an Azure tag name: 1-512 characters, none of < > % & \\ ? / (got 'a/b')"],
    "protect-not-bool": ["protect: must be true or false (got 'maybe')"],
    "state-backend-unknown": ["state: must be one of 'local', 'azurerm' (got {'backend': 's3'})"],
    "hub-firewall-ip-invalid": ["hub.firewall_private_ip: must be an IPv4 address, e.g. 10.0.1.4 (got '10.0.1.400')"],
    "vnet-cidr-host-bits": [
        "network.vnet_cidr: must be an IPv4 network in CIDR form with no host bits set, e.g. 10.0.0.0/16 (got '10.20.0.1/16')"
    ],
    "entra-no-admin-groups": ["cluster.entra.admin_group_object_ids: must have at least 1 item(s) (got [])"],
    "sku-tier-lowercase": ["cluster.sku_tier: must be one of 'Standard', 'Premium' or 'Free' (got 'standard')"],
    "kubernetes-version-float": ["cluster.kubernetes_version: must be a string (quote it in YAML) (got 1.3)"],
    "ingress-single-replica": ["ingress.replicas: must be at least 2 (got 1)"],
    "ingress-sources-null": ["ingress.allowed_source_cidrs: must be a list (got None)"],
    "gitops-sync-interval-too-short": ["gitops.sync_interval_seconds: must be at least 60 (got 10)"],
    "instance-type-unknown-pool": [
        "azureml.instance_types[0].node_pool: must name a pool in cluster.node_pools (mlcpu) (got 'nopool')"
    ],
    "instance-type-non-azureml-pool": [
        "azureml.instance_types[0].node_pool: must name a pool with azureml: true (Azure ML schedules only there) (got 'batch')"
    ],
    "instance-type-gpu-on-cpu-pool": [
        "azureml.instance_types[0].limits.gpu: needs a pool with gpu: true; mlcpu has none (got 1)"
    ],
    "instance-type-requests-above-limits": [
        "azureml.instance_types[0].requests.cpu: must not exceed limits.cpu (2) (got '3')",
        "azureml.instance_types[0].requests.memory: must not exceed limits.memory (8Gi) (got '16Gi')",
    ],
    "instance-type-larger-than-a-node": [
        "azureml.instance_types[0].requests.cpu: must be below the vCPUs of one mlcpu node (Standard_D8ds_v5: 8;"
        " allocatable CPU is less): no node could run it (got '12')"
    ],
}

# Every other case of test_bad_configs.py, reviewed line by line.
EXPECTED |= {
    "name-uppercase": [
        "name: must be 3-20 lowercase letters, digits and single hyphens, starting with a letter and ending with a letter or digit (got 'AmlProd')"
    ],
    "name-too-long": [
        "name: must be 3-20 lowercase letters, digits and single hyphens, starting with a letter and ending with a letter or digit (got 'aaaaaaaaaaaaaaaaaaaaa')"
    ],
    "name-double-hyphen": [
        "name: must be 3-20 lowercase letters, digits and single hyphens, starting with a letter and ending with a letter or digit (got 'aml--prod')"
    ],
    "location-unknown": [
        "location: must be an Azure region name in lowercase without spaces, e.g. westeurope (got 'west-europe')"
    ],
    "subscription-not-guid": [
        "subscription_id: must be a GUID such as 00000000-0000-0000-0000-000000000000 (got 'my-subscription')"
    ],
    "tag-deployment-reserved": [
        "tags: must not set 'deployment': the stacks set it to the deployment name (got {'deployment': 'other'})"
    ],
    "too-many-tags": [
        "tags: must have at most 49 item(s) (got {'k0': 'v', 'k1': 'v', 'k2': 'v', 'k3': 'v', 'k4': 'v', 'k5': 'v', 'k6': 'v', 'k7': 'v', 'k8': 'v', 'k9': 'v', 'k10':...)"
    ],
    "state-azurerm-missing-fields": [
        "state.resource_group_name: is required (got nothing)",
        "state.container_name: is required (got nothing)",
    ],
    "state-storage-account-name": [
        "state.storage_account_name: must be 3-24 lowercase letters and digits (storage account name) (got 'St-TfState')"
    ],
    "state-local-absolute-path": [
        "state.directory: must be a relative directory inside the project, without '..' (got '/var/state')"
    ],
    "state-local-parent-path": [
        "state.directory: must be a relative directory inside the project, without '..' (got '../state')"
    ],
    "hub-vnet-id-malformed": [
        "hub.vnet_id: must be an Azure resource id of the form /subscriptions/<guid>/resourceGroups/<group>/providers/<Namespace>/<type>/<name> (got '/subscriptions/x/vnet-hub')"
    ],
    "hub-vnet-id-wrong-type": [
        "hub.vnet_id: must be the id of a Microsoft.Network/virtualNetworks resource, not Microsoft.Network/networkSecurityGroups (got '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGro...)"
    ],
    "hub-firewall-ip-outside-hub": ["hub.firewall_private_ip: must lie inside hub.address_space (got '10.1.0.4')"],
    "workspace-id-wrong-type": [
        "monitoring.log_analytics_workspace_id: must be the id of a Microsoft.OperationalInsights/workspaces resource, not Microsoft.Storage/storageAccounts (got '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st')"
    ],
    "subnet-outside-vnet": [
        "network.aks_subnet_cidr: must lie inside network.vnet_cidr (10.20.0.0/16) (got '10.21.0.0/22')",
        "ingress.load_balancer_ip: must be a usable address in network.aks_subnet_cidr (10.21.0.0/22) (got '10.20.3.250')",
    ],
    "vnet-overlaps-hub": ["network.vnet_cidr: must not overlap hub.address_space[0] (10.0.0.0/16) (got '10.0.0.0/8')"],
    "service-overlaps-vnet": [
        "network.dns_service_ip: must lie inside network.service_cidr (10.20.128.0/20) (got '172.16.0.10')",
        "network.service_cidr: must not overlap network.vnet_cidr (10.20.0.0/16) (got '10.20.128.0/20')",
    ],
    "pod-overlaps-service": ["network.pod_cidr: must not overlap network.service_cidr (172.16.0.0/16) (got '172.16.0.0/14')"],
    "pod-overlaps-hub": ["network.pod_cidr: must not overlap hub.address_space[0] (10.0.0.0/16) (got '10.0.0.0/16')"],
    "service-cidr-reserved": ["network.service_cidr: must not overlap 172.30.0.0/16, which AKS reserves (got '172.30.0.0/16')"],
    "aks-subnet-too-small": ["network.aks_subnet_cidr: must be /27 or larger to hold the node pools (got '10.20.0.0/28')"],
    "service-cidr-too-large": ["network.service_cidr: must be /12 or smaller (AKS limit) (got '10.64.0.0/11')"],
    "service-overlaps-hub": ["network.service_cidr: must not overlap hub.address_space[0] (10.0.0.0/16) (got '10.0.0.0/16')"],
    "pod-overlaps-vnet": ["network.pod_cidr: must not overlap network.vnet_cidr (10.20.0.0/16) (got '10.20.0.0/16')"],
    "peering-name-too-long": [
        "hub.vnet_id: hub VNet name makes the peering name 'peer-vnet-amlprod-aks-to-" + "h" * 56 + "' longer than 80 characters"
        " (got '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-hub-network/providers/Microsoft.Network/virtua...)"
    ],
    "dns-ip-outside-service": [
        "network.dns_service_ip: must lie inside network.service_cidr (172.16.0.0/16) (got '172.17.0.10')"
    ],
    "dns-ip-first-address": [
        "network.dns_service_ip: must not be the network address, the first address (used by the kubernetes service) or the broadcast address (got '172.16.0.1')"
    ],
    "entra-missing": ["cluster.entra: is required (got nothing)"],
    "network-policy-none": ["cluster.network_policy: must be one of 'cilium', 'azure' or 'calico' (got 'none')"],
    "upgrade-channel-none": [
        "cluster.automatic_upgrade_channel: must be one of 'patch', 'stable', 'rapid' or 'node-image' (got 'none')"
    ],
    "node-image-channel-mismatch": [
        "cluster.node_os_upgrade_channel: must be NodeImage when cluster.automatic_upgrade_channel is node-image (got 'SecurityPatch')"
    ],
    "private-api-with-authorized-ranges": [
        "cluster.api.authorized_ip_ranges: must be empty for a private API server (got ['203.0.113.0/24'])"
    ],
    "public-api-in-hub": [
        "cluster.api.private_dns_zone_id: only applies to a private API server (cluster.api.private: true) (got '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDns...)",
        "cluster.api.authorized_ip_ranges: must list the CIDRs allowed to reach a public API server (secure default: cluster.api.private: true) (got [])",
        "cluster.api.private: must be true in a hub-and-spoke deployment (got False)",
    ],
    "dns-zone-wrong-region": [
        "cluster.api.private_dns_zone_id: must name the zone privatelink.westeurope.azmk8s.io (or a subzone of it) (got 'privatelink.northeurope.azmk8s.io')"
    ],
    "maintenance-window-time": ["cluster.upgrade_window.start_time: must be a 24-hour time HH:MM (got '25:00')"],
    "policy-effect-unknown": [
        "cluster.policy.internal_load_balancers: must be one of 'deny', 'audit' or 'disabled' (got 'block')"
    ],
    "system-pool-name-too-long": [
        "cluster.system_pool.name: must be 1-12 lowercase letters and digits, starting with a letter (AKS Linux pool name) (got 'systempoolname')"
    ],
    "rotation-name-equals-pool": [
        "cluster.system_pool.temporary_name_for_rotation: must differ from every other pool and rotation name (also used by cluster.system_pool.name) (got 'system')"
    ],
    "pool-name-uppercase": [
        "cluster.node_pools[0].name: must be 1-12 lowercase letters and digits, starting with a letter (AKS Linux pool name) (got 'MLcpu')"
    ],
    "pool-name-duplicate": [
        "cluster.node_pools[1].name: must differ from every other pool and rotation name (also used by cluster.node_pools[0].name) (got 'mlcpu')",
        "cluster.node_pools[1].temporary_name_for_rotation: must differ from every other pool and rotation name (also used by cluster.node_pools[0].temporary_name_for_rotation) (got 'mlcputmp')",
    ],
    "pool-min-above-max": ["cluster.node_pools[0].min_count: must not exceed max_count (10) (got 12)"],
    "pool-vm-size": ["cluster.node_pools[0].vm_size: must be an Azure VM size such as Standard_D4ds_v5 (got 'D8ds_v5')"],
    "pool-taint-format": [
        "cluster.node_pools[0].taints[0]: must be a taint key=value:Effect with Effect NoSchedule, PreferNoSchedule or NoExecute (got 'gpu:NoSchedule')"
    ],
    "no-node-pools": ["cluster.node_pools: must have at least 1 item(s) (got [])"],
    "no-azureml-pool": [
        "cluster.node_pools: must contain at least one pool with azureml: true (got ['mlcpu'])",
        "azureml.inference_router_ha: needs at least 3 nodes for its replicas; untainted node pools with azureml: true have min_count summing to 0 (raise min_count or set inference_router_ha: false) (got True)",
    ],
    "only-tainted-azureml-pools": [
        "cluster.node_pools: must contain at least one untainted pool with azureml: true: the extension's components do not tolerate taints (got ['mlcpu'])",
        "azureml.inference_router_ha: needs at least 3 nodes for its replicas; untainted node pools with azureml: true have min_count summing to 0 (raise min_count or set inference_router_ha: false) (got True)",
    ],
    "rotation-name-collides": [
        "cluster.node_pools[1].temporary_name_for_rotation: must differ from every other pool and rotation name (also used by cluster.node_pools[0].temporary_name_for_rotation) (got 'mlcputmp')"
    ],
    "system-pool-max-pods-below-30": ["cluster.system_pool.max_pods: must be at least 30 for a system pool (AKS) (got 20)"],
    "system-pool-burstable": [
        "cluster.system_pool.vm_size: must not be a B-series (burstable) size: AKS refuses them for system pools (got 'Standard_B4ms')"
    ],
    "neither-training-nor-inference": [
        "azureml.enable_inference: at least one of azureml.enable_training and azureml.enable_inference must be true (got False)"
    ],
    "router-ha-too-few-nodes": [
        "azureml.inference_router_ha: needs at least 3 nodes for its replicas; untainted node pools with azureml: true have min_count summing to 2 (raise min_count or set inference_router_ha: false) (got True)"
    ],
    "local-accounts-disabled": [
        "cluster.local_account_disabled: true needs azureml.workspace: Azure ML reaches a cluster without local accounts only through the Trusted Access binding this project creates for the workspace (got True)"
    ],
    "private-cluster-public-fqdn": [
        "cluster.api.public_fqdn_enabled: must be false: the Azure ML extension does not support a private cluster with a public FQDN (a public API server, cluster.api.private: false, has its own public FQDN) (got True)"
    ],
    "router-public-service-type": [
        "azureml.inference_router_service_type: must be one of 'clusterIP' or 'loadBalancer' (got 'nodePort')"
    ],
    "insecure-false-without-router-tls": [
        "azureml.allow_insecure_connections: false needs azureml.router_tls (cname, key_vault_id, certificate_name): without TLS material the extension only serves HTTP (got False)"
    ],
    "router-tls-behind-ingress": [
        "azureml.router_tls: must be absent with inference_router_service_type clusterIP: TLS terminates at the project's ingress (tls.mode) (got 'aml.prod.contoso.internal')"
    ],
    "router-tls-with-insecure-true": [
        "azureml.allow_insecure_connections: must be false when azureml.router_tls gives the router its own certificate (got True)"
    ],
    "ingress-class-reserved": [
        "ingress.class_name: must not be one of nginx, azureml-nginx (used by other controllers) (got 'azureml-nginx')"
    ],
    "ingress-controller-unknown": ["ingress.controller: must be one of 'f5-nginx' or 'community-ingress-nginx' (got 'traefik')"],
    "ingress-namespace-underscore": [
        "ingress.namespace: must be a DNS-1123 label: at most 63 lowercase letters, digits and '-', alphanumeric at both ends (got 'nginx_ingress')"
    ],
    "ingress-namespace-reserved": [
        "ingress.namespace: must not be a reserved namespace (default, azureml, gatekeeper-system, calico-system, tigera-operator, flux-system or kube-*) (got 'kube-system')"
    ],
    "ingress-source-not-cidr": [
        "ingress.allowed_source_cidrs[0]: must be an IPv4 network in CIDR form with no host bits set, e.g. 10.0.0.0/16 (got '10.1.0.1/16')"
    ],
    "workspace-location-without-workspace": [
        "monitoring.log_analytics_workspace_location: only applies with monitoring.log_analytics_workspace_id (a created workspace is in location) (got 'northeurope')"
    ],
    "workspace-location-unknown": [
        "monitoring.log_analytics_workspace_location: must be an Azure region name in lowercase without spaces, e.g. westeurope (got 'mars')"
    ],
    "ingress-namespace-kube-prefix": [
        "ingress.namespace: must not be a reserved namespace (default, azureml, gatekeeper-system, calico-system, tigera-operator, flux-system or kube-*) (got 'kube-ingress')"
    ],
    "public-api-with-public-fqdn-flag": [
        "cluster.api.public_fqdn_enabled: must be false: the Azure ML extension does not support a private cluster with a public FQDN (a public API server, cluster.api.private: false, has its own public FQDN) (got True)"
    ],
    "field-and-cross-field-problems-together": [
        "cluster.node_pools[0].name: must be 1-12 lowercase letters and digits, starting with a letter (AKS Linux pool name) (got 'MLcpu')",
        "network.aks_subnet_cidr: must lie inside network.vnet_cidr (10.20.0.0/16) (got '10.21.0.0/22')",
        "ingress.load_balancer_ip: must be a usable address in network.aks_subnet_cidr (10.21.0.0/22) (got '10.20.3.250')",
    ],
    "ingress-prefix-no-slash": [
        "ingress.path_prefix: must be a URL path prefix with leading and trailing '/', such as /aml/ (got 'aml')"
    ],
    "ingress-lb-ip-outside-subnet": [
        "ingress.load_balancer_ip: must be a usable address in network.aks_subnet_cidr (10.20.0.0/22) (got '10.20.8.10')"
    ],
    "ingress-lb-ip-reserved": [
        "ingress.load_balancer_ip: must be a usable address in network.aks_subnet_cidr (10.20.0.0/22) (got '10.20.0.2')"
    ],
    "tls-keyvault-missing-fields": [
        "tls.key_vault_id: is required when tls.mode is keyvault (got nothing)",
        "tls.certificate_name: is required when tls.mode is keyvault (got nothing)",
        "ingress.host: is required when tls.mode is keyvault (the certificate's host name) (got nothing)",
    ],
    "tls-none-with-vault": [
        "tls.key_vault_id: only applies when tls.mode is keyvault (got '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-hub-certs/providers/Microsoft.KeyVault/vaults/...)",
        "tls.certificate_name: only applies when tls.mode is keyvault (got 'aml-ingress')",
    ],
    "tls-vault-wrong-type": [
        "tls.key_vault_id: must be the id of a Microsoft.KeyVault/vaults resource, not Microsoft.Network/virtualNetworks (got '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet')"
    ],
    "kube-auth-unknown": [
        "kubernetes_auth.login: must be one of 'azurecli', 'workloadidentity', 'spn', 'msi' or 'admin' (got 'password')"
    ],
    "many-problems-at-once": [
        "name: must be 3-20 lowercase letters, digits and single hyphens, starting with a letter and ending with a letter or digit (got 'Bad')",
        "network.aks_subnet_cidr: must be an IPv4 network in CIDR form with no host bits set, e.g. 10.0.0.0/16 (got '10.20.0.0/33')",
        "cluster.sku_tier: must be one of 'Standard', 'Premium' or 'Free' (got 'gold')",
        "ingress.replicas: must be at least 2 (got 0)",
        "tls.certificate_name: must be a Key Vault object name: 1-127 letters, digits and '-' (got 'bad name')",
    ],
    "public-api-open-to-the-world": [
        "cluster.api.authorized_ip_ranges[0]: must be /16 or narrower: a broader range opens the API server to much of the internet; list your runners' egress and the Azure ML ranges instead (got '0.0.0.0/0')"
    ],
    "public-api-implausibly-broad-range": [
        "cluster.api.authorized_ip_ranges[1]: must be /16 or narrower: a broader range opens the API server to much of the internet; list your runners' egress and the Azure ML ranges instead (got '20.0.0.0/8')"
    ],
    "admin-login-over-public-api-unacknowledged": [
        "kubernetes_auth.login: admin against a public API server sends the cluster's admin client certificate (not Entra ID) over the internet; prefer azurecli/workloadidentity/spn/msi, or set kubernetes_auth.acknowledge_admin_over_public_api: true to accept it (got 'admin')"
    ],
    "admin-login-without-local-accounts": [
        "kubernetes_auth.login: admin needs local accounts (cluster.local_account_disabled: false) (got 'admin')"
    ],
    "admin-acknowledgement-without-admin": [
        "kubernetes_auth.acknowledge_admin_over_public_api: only applies with kubernetes_auth.login: admin (got True)"
    ],
    "zone-links-with-hub-owned-zone": [
        "cluster.api.dns_zone_linked_vnet_ids: only applies to a zone this project creates: link your VNets to the existing zone (cluster.api.private_dns_zone_id) where it is managed (got ['/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v...)"
    ],
    "zone-links-list-the-hub": [
        "cluster.api.dns_zone_linked_vnet_ids: must not list the hub VNet: it is linked already (got '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-hub-network/providers/Microsoft.Network/virtua...)"
    ],
    "zone-links-same-vnet-name-twice": [
        "cluster.api.dns_zone_linked_vnet_ids: must name each VNet once, and no two VNets of the same name (the name keys the link) (got ['vnet-runners'])"
    ],
    "zone-links-not-a-vnet": [
        "cluster.api.dns_zone_linked_vnet_ids[0]: must be the id of a Microsoft.Network/virtualNetworks resource, not Microsoft.Network/networkSecurityGroups (got '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGro...)"
    ],
    "zone-links-with-public-api": [
        "cluster.api.dns_zone_linked_vnet_ids: only applies to a private API server (cluster.api.private: true) (got ['/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v...)"
    ],
    "router-tls-without-inference": [
        "azureml.router_tls: only applies with azureml.enable_inference: true (got 'aml.prod.contoso.internal')"
    ],
    "router-tls-missing-certificate": [
        "azureml.router_tls.key_vault_id: is required (got nothing)",
        "azureml.router_tls.certificate_name: is required (got nothing)",
        "azureml.router_tls: must be absent with inference_router_service_type clusterIP: TLS terminates at the project's ingress (tls.mode) (got 'aml.prod.contoso.internal')",
    ],
    "workspace-without-subscription": [
        "subscription_id: is required with azureml.workspace (the attach): the second stack names the cluster by its resource id, built from it (reading the cluster would put its credentials in state) (got nothing)"
    ],
    "workspace-in-other-subscription": [
        "azureml.workspace.id: must be in the cluster's subscription (55555555-5555-5555-5555-555555555555): Azure ML does not attach clusters across subscriptions (got '44444444-4444-4444-4444-444444444444')"
    ],
    "ml-workspace-id-wrong-type": [
        "azureml.workspace.id: must be the id of a Microsoft.MachineLearningServices/workspaces resource, not Microsoft.OperationalInsights/workspaces (got '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.OperationalInsights/worksp...)"
    ],
    "compute-name-too-long": [
        "azureml.workspace.compute_name: must be 3-16 letters, digits and '-', starting with a letter and ending with a letter or digit (Azure ML compute name) (got 'aaaaaaaaaaaaaaaaa')"
    ],
    "compute-name-leading-digit": [
        "azureml.workspace.compute_name: must be 3-16 letters, digits and '-', starting with a letter and ending with a letter or digit (Azure ML compute name) (got '1aks')"
    ],
    "compute-namespace-system": [
        "azureml.workspace.namespace: must not be a system namespace (default, azureml, gatekeeper-system, calico-system, tigera-operator, flux-system or kube-*) (got 'kube-system')"
    ],
    "compute-namespace-azureml": [
        "azureml.workspace.namespace: must not be a system namespace (default, azureml, gatekeeper-system, calico-system, tigera-operator, flux-system or kube-*) (got 'azureml')"
    ],
    "compute-namespace-is-ingress-namespace": [
        "azureml.workspace.namespace: must differ from ingress.namespace (got 'nginx-ingress')"
    ],
    "workspace-identity-in-other-subscription": [
        "azureml.workspace.identity_id: must be in the cluster's subscription (44444444-4444-4444-4444-444444444444): the identity is read there (got '55555555-5555-5555-5555-555555555555')"
    ],
    "instance-type-as-large-as-a-node": [
        "azureml.instance_types[0].requests.cpu: must be below the vCPUs of one mlcpu node (Standard_D8ds_v5: 8; allocatable CPU is less): no node could run it (got '8')"
    ],
    "instance-types-without-workspace": [
        "azureml.instance_types: only applies with azureml.workspace (the compute they belong to) (got 'instance_types')"
    ],
    "instance-type-duplicate-names": ["azureml.instance_types[1].name: must be unique (got 'cpu')"],
    "instance-type-quantity-format": [
        "azureml.instance_types[0].requests.memory: must be a memory quantity such as 4Gi or 512Mi (got '4 GB')"
    ],
    "gitops-url-plain-http": [
        "gitops.repository_url: must be an https:// URL without credentials, or an SSH URL (ssh://git@host/org/repo or git@host:org/repo) (got 'http://git.contoso.com/aks.git')"
    ],
    "gitops-url-with-credentials": [
        "gitops.repository_url: must be an https:// URL without credentials, or an SSH URL (ssh://git@host/org/repo or git@host:org/repo) (got 'https://flux:secret@dev.azure.com/contoso/platform/_git/aks-gitops')"
    ],
    "gitops-ssh-url-with-token-auth": ["gitops.auth: must be ssh for an SSH repository URL (got 'https-token')"],
    "gitops-https-url-with-ssh-auth": ["gitops.auth: ssh needs an SSH repository URL (ssh://... or git@host:...) (got 'ssh')"],
    "gitops-azure-devops-without-auth": [
        "gitops.auth: must not be none: Azure DevOps always authenticates Git clients (got 'none')"
    ],
    "gitops-workload-identity-on-github": [
        "gitops.auth: workload-identity works with Azure DevOps HTTPS repositories (Flux provider Azure) only (got 'workload-identity')"
    ],
    "gitops-token-without-user": [
        "gitops.https_user: is required with gitops.auth: https-token (the user name sent with the token; Azure DevOps accepts any) (got nothing)"
    ],
    "gitops-user-without-token-auth": ["gitops.https_user: only applies with gitops.auth: https-token (got 'flux')"],
    "gitops-path-parent-directory": [
        "gitops.path: must be a relative path inside the repository without '.', '..' or a leading '/', such as clusters/amlprod (got 'clusters/../prod')"
    ],
    "gitops-path-absolute": [
        "gitops.path: must be a relative path inside the repository without '.', '..' or a leading '/', such as clusters/amlprod (got '/clusters/prod')"
    ],
    "gitops-branch-invalid": ["gitops.branch: must be a Git branch name such as main or release/1.2 (got 'release..1')"],
    "gitops-unknown-key": [
        "gitops.token: unknown key (check the spelling; README 'Configuration reference' lists the keys) (got 'abc')"
    ],
    "gitops-section-missing": [
        "gitops: is required when kubernetes_config.mode is gitops (repository_url at least) (got nothing)"
    ],
    "gitops-section-in-terraform-mode": ["gitops: only applies when kubernetes_config.mode is gitops (got 'gitops')"],
    "gitops-mode-unknown": ["kubernetes_config.mode: must be one of 'terraform' or 'gitops' (got 'flux')"],
    "gitops-without-subscription": [
        "subscription_id: is required with kubernetes_config.mode gitops (the Flux extension and configuration): the second stack names the cluster by its resource id, built from it (reading the cluster would put its credentials in state) (got nothing)"
    ],
    "standalone-public-api-without-ranges": [
        "cluster.api.authorized_ip_ranges: must list the CIDRs allowed to reach a public API server (secure default: cluster.api.private: true) (got [])"
    ],
}


# Lines that changed with later work, reviewed again: the VM size catalogue (allocatable resources,
# "did you mean" for keys, sizes and regions; issue #18), credentials redacted (#19), and the
# sections an existing cluster does without (#20).
EXPECTED |= {
    "entra-missing": [
        "cluster.entra: is required: the Entra ID tenant and admin groups of the cluster created here (or set cluster.existing_id to use an existing cluster) (got nothing)"
    ],
    "gitops-unknown-key": ["gitops.token: unknown key (README 'Configuration reference' lists the keys) (got '<redacted>')"],
    "gitops-url-with-credentials": [
        "gitops.repository_url: must be an https:// URL without credentials, or an SSH URL (ssh://git@host/org/repo or git@host:org/repo) (got "
        "'https://<redacted>@dev.azure.com/contoso/platform/_git/aks-gitops')"
    ],
    "instance-type-as-large-as-a-node": [
        "azureml.instance_types[0].requests.cpu: must fit one mlcpu node (Standard_D8ds_v5: 7810m CPU, 29.6Gi memory allocatable): no node could run it (got '8')"
    ],
    "instance-type-gpu-on-cpu-pool": [
        "azureml.instance_types[0].limits.gpu: needs GPUs; one mlcpu node (Standard_D8ds_v5: 7810m CPU, 29.6Gi memory allocatable) has none (got 1)"
    ],
    "instance-type-larger-than-a-node": [
        "azureml.instance_types[0].requests.cpu: must fit one mlcpu node (Standard_D8ds_v5: 7810m CPU, 29.6Gi memory allocatable): no node could run it (got '12')",
        "azureml.instance_types[0].limits.cpu: must not exceed the 8 vCPUs of one mlcpu node (Standard_D8ds_v5: 7810m CPU, 29.6Gi memory allocatable) (got '16')",
    ],
    "location-unknown": [
        "location: must be an Azure region config/regions.py lists (as `az account list-locations` prints); did you mean 'westeurope'? (got 'west-europe')"
    ],
    "missing-network": [
        "network: is required: the spoke's address ranges (or set cluster.existing_id to use an existing cluster) (got nothing)"
    ],
    "pool-unknown-key": ["cluster.node_pools[0].count: unknown key (README 'Configuration reference' lists the keys) (got 3)"],
    "system-pool-burstable": [
        "cluster.system_pool.vm_size: must not be a B-series (burstable) size: AKS refuses them for system pools (got 'Standard_B4ms')",
        "cluster.system_pool.vm_size: must be a VM size catalog/vm_sizes.py lists (did you mean 'Standard_F4s_v2'? Otherwise set acknowledge_uncatalogued_vm_size: true to skip the "
        "size checks and the quota count for it) (got 'Standard_B4ms')",
    ],
    "unknown-top-level-key": [
        "clustr: unknown key (README 'Configuration reference' lists the keys); did you mean 'cluster'? (got {})"
    ],
    "workspace-location-unknown": [
        "monitoring.log_analytics_workspace_location: must be an Azure region config/regions.py lists (as `az account list-locations` prints) (got 'mars')"
    ],
}

# The cases of the Azure ML attach (#17), the locked-down estate (#19) and the existing cluster
# (#20) that carry no exact lines in test_bad_configs.py, reviewed line by line.
EXPECTED |= {
    "compute-identity-is-the-admin-workspace-identity": [
        "azureml.workspace.compute_identity: must not be the workspace's own identity while it holds Azure Kubernetes Service Cluster Admin Role (local "
        "accounts enabled) on the cluster: every job and endpoint would run with cluster admin rights; use a separate user-assigned identity (got "
        "'/subscriptions/44444444-4444-4444-4444-444444444444/resourceGroups/rg-ml/providers/Microsoft.ManagedIdentity/userAss...)",
        "azureml.workspace.workspace_guid: is required with hub and azureml.workspace: the hub firewall must allow its "
        "<guid>.workspace.<region>.api.azureml.ms endpoint (`make egress` lists it) (got nothing)",
    ],
    "compute-identity-not-an-identity": [
        "azureml.workspace.compute_identity: must be system or the id of a Microsoft.ManagedIdentity/userAssignedIdentities resource, not "
        "Microsoft.Storage/storageAccounts (got '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st')"
    ],
    "compute-identity-system": [
        "azureml.workspace.compute_identity: system is not supported: a system-assigned compute identity exists only once Azure ML has attached the compute, so its roles could "
        "only be granted from the attach's answer; give a user-assigned identity id (got 'system')"
    ],
    "compute-identity-without-storage-and-registry": [
        "azureml.workspace.compute_identity: needs azureml.workspace.storage_account_id and azureml.workspace.container_registry_id: the identity is "
        "granted AcrPull on the workspace's registry and Storage Blob Data Contributor on its storage account, which the workspace id does not reveal (got "
        "'/subscriptions/44444444-4444-4444-4444-444444444444/resourceGroups/rg-ml/providers/Microsoft.ManagedIdentity/userAss...)",
        "azureml.workspace.workspace_guid: is required with hub and azureml.workspace: the hub firewall must allow its "
        "<guid>.workspace.<region>.api.azureml.ms endpoint (`make egress` lists it) (got nothing)",
        "azureml.workspace.storage_account_id: is required with hub and azureml.workspace: the hub firewall must allow its storage account's blob endpoint "
        "(`make egress` lists it) (got nothing)",
        "azureml.workspace.container_registry_id: is required with hub and azureml.workspace: the hub firewall must allow its registry's <acr>.azurecr.io "
        "and data endpoints (`make egress` lists it) (got nothing)",
    ],
    "egress-priority-too-low": ["hub.egress_rule_collection_group_priority: must be at least 100 (got 99)"],
    "existing-admin-login-unacknowledged": [
        "kubernetes_auth.login: admin reads the existing cluster's admin credentials into Terraform state: set "
        "cluster.existing.acknowledge_admin_credentials_in_state: true, or use a kubelogin mode (got 'admin')",
        "kubernetes_auth.login: admin needs local accounts (cluster.local_account_disabled: false) (got 'admin')",
    ],
    "existing-baseline-not-acknowledged": [
        "cluster.existing.acknowledge_unverified_baseline: must be true: the azurerm data source cannot see whether workload identity is enabled, local accounts are "
        "disabled, the network plugin mode or the outbound type; check them with `az aks show --ids <existing_id> --query '{workloadIdentity: "
        "securityProfile.workloadIdentity.enabled, localAccountsDisabled: disableLocalAccounts, pluginMode: networkProfile.networkPluginMode, outbound: "
        "networkProfile.outboundType}'` (README 'Bring your own cluster') and acknowledge (got False)"
    ],
    "existing-diagnostics-without-workspace": [
        "monitoring.log_analytics_workspace_id: is required with cluster.existing_id and cluster.existing.diagnostics: no workspace is created for a cluster this "
        "project does not own (or set cluster.existing.diagnostics: false) (got nothing)"
    ],
    "existing-flux-extension-in-terraform-mode": [
        "cluster.existing.flux_extension: only applies with kubernetes_config.mode gitops (Flux delivers there) (got False)"
    ],
    "existing-flux-extension-off-with-workload-identity": [
        "cluster.existing.flux_extension: must be true with gitops.auth workload-identity: the identity is a setting of the Flux extension, which this "
        "project then does not manage (got False)"
    ],
    "existing-id-not-a-cluster": [
        "cluster.existing_id: must be the id of a Microsoft.ContainerService/managedClusters resource, not Microsoft.Network/virtualNetworks (got "
        "'/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet')"
    ],
    "existing-instance-type-on-unknown-pool": [
        "azureml.instance_types[0].node_pool: must name a pool in cluster.existing.azureml_node_pools (mlcpu) (got 'mlgpu')"
    ],
    "existing-no-pools": ["cluster.existing.azureml_node_pools: must have at least 1 item(s) (got [])"],
    "existing-node-label-with-one-pool": [
        "azureml.node_label: must be absent with one existing Azure ML pool: the extension selects it by its kubernetes.azure.com/agentpool label (this project labels "
        "no pool it does not own) (got 'pool=ml')"
    ],
    "existing-pool-named-twice": [
        "cluster.existing.azureml_node_pools: must name each pool once; repeated: mlcpu (got ['mlcpu', 'mlcpu'])"
    ],
    "existing-section-missing": [
        "cluster.existing: is required with cluster.existing_id: the cluster's tenant, node subnet and Azure ML pools (got nothing)"
    ],
    "existing-section-without-id": ["cluster.existing: only applies with cluster.existing_id (got 'existing')"],
    "existing-subnet-cidr-invalid": [
        "cluster.existing.node_subnet.cidr: must be an IPv4 network in CIDR form with no host bits set, e.g. 10.0.0.0/16 (got '10.60.0.1/22')"
    ],
    "existing-workload-identity-waived-with-flux-workload-identity": [
        "cluster.existing.acknowledge_no_workload_identity: must be false with gitops.auth workload-identity: Flux's source-controller "
        "signs in through the cluster's OIDC issuer and workload identity (got True)"
    ],
    "firewall-policy-id-wrong-type": [
        "hub.firewall_policy_id: must be the id of a Microsoft.Network/firewallPolicies resource, not Microsoft.Network/virtualNetworks (got "
        "'/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vn...)"
    ],
    "gitops-url-with-token-as-user": [
        "gitops.repository_url: must be an https:// URL without credentials, or an SSH URL (ssh://git@host/org/repo or git@host:org/repo) (got "
        "'https://<redacted>@github.com/contoso/aks-gitops.git')"
    ],
    "grant-rbac-cluster-admin-not-bool": ["azureml.workspace.grant_rbac_cluster_admin: must be true or false (got 'yes please')"],
    "hub-workspace-without-egress-details": [
        "azureml.workspace.workspace_guid: is required with hub and azureml.workspace: the hub firewall must allow its <guid>.workspace.<region>.api.azureml.ms "
        "endpoint (`make egress` lists it) (got nothing)",
        "azureml.workspace.storage_account_id: is required with hub and azureml.workspace: the hub firewall must allow its storage account's blob endpoint (`make "
        "egress` lists it) (got nothing)",
        "azureml.workspace.container_registry_id: is required with hub and azureml.workspace: the hub firewall must allow its registry's <acr>.azurecr.io and data "
        "endpoints (`make egress` lists it) (got nothing)",
    ],
    "lb-router-plaintext-not-explicit": [
        "azureml.allow_insecure_connections: must be set explicitly with inference_router_service_type loadBalancer and no router_tls: the router would serve plain HTTP "
        "on its internal load balancer (add router_tls, or set true to accept plain HTTP) (got nothing)"
    ],
    "ml-workspace-location-unknown": [
        "azureml.workspace.location: must be an Azure region config/regions.py lists (as `az account list-locations` prints) (got 'mars')"
    ],
    "private-endpoint-key-vault-without-vault": [
        "network.private_endpoints[0]: key_vault needs a Key Vault in use (tls.key_vault_id or azureml.router_tls) (got 'key_vault')"
    ],
    "private-endpoint-repeated": [
        "network.private_endpoints: services must be unique; repeated: key_vault (got ['key_vault', 'key_vault'])"
    ],
    "private-endpoint-unknown-service": [
        "network.private_endpoints[0]: must be one of 'workspace', 'storage', 'container_registry' or 'key_vault' (got 'blob')"
    ],
    "private-endpoint-workspace-without-workspace": [
        "network.private_endpoints[0]: storage is a service of the Azure ML workspace: needs azureml.workspace (got 'storage')"
    ],
    "yaml-syntax-on-a-token-line": [
        "(yaml line 2, column 24): invalid YAML: mapping values are not allowed in this context (got 'token: <redacted> [')"
    ],
}


def test_every_bad_config_case_has_its_exact_lines():
    """Here, or (whole lines) in the case's own ``exact`` field in test_bad_configs.py."""
    assert sorted(EXPECTED) == sorted(c.name for c in CASES if not c.exact or c.name in EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_problem_lines_word_for_word(name, tmp_path):
    (case,) = [c for c in CASES if c.name == name]
    with pytest.raises(ConfigError) as error:
        load_config(write_case(case, tmp_path))
    assert [p.render() for p in error.value.problems] == EXPECTED[name]
    count = len(EXPECTED[name])
    assert error.value.render().splitlines()[0].endswith(f": {count} configuration problem{'s' if count > 1 else ''}")


def test_missing_file_and_directory(tmp_path):
    for path, message in (
        (tmp_path / "nope.yaml", "does not exist (set AKS_CONFIG to a config file)"),
        (tmp_path, "is a directory, expected a YAML file"),
    ):
        with pytest.raises(ConfigError) as error:
            load_config(path)
        assert [p.render() for p in error.value.problems] == [f"(file): {message} (got '{path}')"]


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://dev.azure.com/contoso/platform/_git/aks", "dev.azure.com"),
        ("https://Contoso.VisualStudio.com/platform/_git/aks", "contoso.visualstudio.com"),
        ("https://git.contoso.com:8443/aks.git", "git.contoso.com"),
        ("ssh://git@ssh.dev.azure.com/v3/contoso/platform/aks", "ssh.dev.azure.com"),
        ("ssh://git@github.com:22/contoso/aks.git", "github.com"),
        ("git@github.com:contoso/aks.git", "github.com"),
        ("git@SSH.dev.azure.com:v3/contoso/platform/aks", "ssh.dev.azure.com"),
    ],
)
def test_repository_host(url, host):
    assert _repository_host(url) == host
