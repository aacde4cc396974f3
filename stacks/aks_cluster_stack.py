"""`aks-cluster`: spoke network, AKS cluster, diagnostics and the Azure ML extension; or, with
``cluster.existing_id`` (bring your own cluster), the existing cluster read and checked
(constructs_lib/existing_cluster) with the same diagnostics, policies and extension, each optional."""

from __future__ import annotations

import sys

from constructs import Construct

from config.model import AppConfig, ExistingClusterConfig
from config.naming import Names, derive_names
from constructs_lib.aks_cluster import AksCluster
from constructs_lib.azureml_extension import AzureMLExtension
from constructs_lib.cluster_policy import ClusterPolicy
from constructs_lib.diagnostics import ClusterDiagnostics, LogAnalytics
from constructs_lib.egress_rules import EgressRules
from constructs_lib.existing_cluster import ExistingCluster
from constructs_lib.gitops_delivery import FluxSourceIdentity
from constructs_lib.spoke_network import SpokeNetwork
from stacks import construct_props as props
from stacks.common import azurerm_provider, configure_backend, spoke_resource_providers, time_provider
from stacks.outputs import AKS_CLUSTER_OUTPUTS
from toolchain.cdk import TerraformOutput, TerraformStack

STACK_NAME = "aks-cluster"


class AksClusterStack(TerraformStack):
    def __init__(self, scope: Construct, *, config: AppConfig) -> None:
        super().__init__(scope, STACK_NAME)
        names = derive_names(config)
        configure_backend(self, config, STACK_NAME)
        azurerm_provider(self, config, resource_providers=spoke_resource_providers(config))
        existing = props.existing_cluster(config)
        if existing is not None:
            self._existing_cluster(config, names, existing)
            return
        hub_provider = (
            azurerm_provider(self, config, alias="hub", subscription_id=props.hub_subscription_id(config)) if config.hub else None
        )
        time_provider(self)

        self.network = SpokeNetwork(
            self, "spoke_network", props=props.spoke_network_props(config, names), hub_provider=hub_provider
        )
        # With hub.firewall_policy_id: the hub firewall's egress rules, before the cluster needs them.
        self.egress: EgressRules | None = None
        egress_props = props.egress_rules_props(config)
        if egress_props is not None and hub_provider is not None:
            self.egress = EgressRules(self, "hub_egress_rules", props=egress_props, hub_provider=hub_provider)
        self.log_analytics = LogAnalytics(
            self,
            "log_analytics",
            props=props.log_analytics_props(config, names, resource_group_name=self.network.resource_group.name),
        )
        self.aks = AksCluster(
            self,
            "aks",
            props=props.aks_cluster_props(
                config,
                names,
                resource_group_name=self.network.resource_group.name,
                subnet_id=self.network.subnet.id,
                vnet_id=self.network.vnet.id,
                route_table_id=self.network.route_table.id if self.network.route_table else None,
                log_analytics_workspace_id=self.log_analytics.workspace_id,
            ),
            network_ready=[*self.network.ready, *([self.egress.group] if self.egress else [])],
        )
        self.policy = ClusterPolicy(
            self, "cluster_policy", props=props.cluster_policy_props(config, names, cluster_id=self.aks.cluster.id)
        )
        self.diagnostics = ClusterDiagnostics(
            self,
            "diagnostics",
            props=props.cluster_diagnostics_props(
                config,
                names,
                cluster_id=self.aks.cluster.id,
                workspace_id=self.log_analytics.workspace_id,
                resource_group_name=self.network.resource_group.name,
            ),
        )
        for warning in props.taint_warnings(config):
            print(warning, file=sys.stderr)
        self.azureml = AzureMLExtension(
            self,
            "azureml_extension",
            props=props.azureml_extension_props(config, names, cluster_id=self.aks.cluster.id),
            # The extension schedules onto the ML pools: they must exist first.
            depends_on=list(self.aks.node_pools.values()),
        )
        # GitOps mode with workload identity: federated with this cluster's OIDC issuer, known here
        # without reading the cluster from the second stack (constructs_lib/gitops_delivery).
        self.flux_source_identity: FluxSourceIdentity | None = None
        flux_identity_props = props.flux_source_identity_props(
            config,
            names,
            resource_group_name=self.network.resource_group.name,
            oidc_issuer_url=self.aks.cluster.oidc_issuer_url,
        )
        if flux_identity_props:
            self.flux_source_identity = FluxSourceIdentity(self, "flux_source_identity", props=flux_identity_props)
        self._outputs()

    def _existing_cluster(self, config: AppConfig, names: Names, existing: ExistingClusterConfig) -> None:
        """Nothing of the cluster, its pools or its network is created or changed: only what the
        cluster's owners did not install themselves (each optional in cluster.existing)."""
        self.existing = ExistingCluster(self, "existing_cluster", props=props.existing_cluster_props(config, names))
        cluster_id = self.existing.id
        self.policy = None
        if existing.policy:
            self.policy = ClusterPolicy(
                self, "cluster_policy", props=props.cluster_policy_props(config, names, cluster_id=cluster_id)
            )
        self.diagnostics = None
        if existing.diagnostics:
            assert config.monitoring.log_analytics_workspace_id, "guaranteed by config/checks/existing_cluster.py"
            self.diagnostics = ClusterDiagnostics(
                self,
                "diagnostics",
                props=props.cluster_diagnostics_props(
                    config,
                    names,
                    cluster_id=cluster_id,
                    workspace_id=config.monitoring.log_analytics_workspace_id,
                    resource_group_name=self.existing.resource_group_name,
                ),
            )
        self.azureml = None
        if existing.azureml_extension:
            self.azureml = AzureMLExtension(
                self, "azureml_extension", props=props.azureml_extension_props(config, names, cluster_id=cluster_id)
            )
        self.flux_source_identity = None
        flux_identity_props = props.flux_source_identity_props(
            config, names, resource_group_name=self.existing.resource_group_name, oidc_issuer_url=self.existing.oidc_issuer_url
        )
        if flux_identity_props:
            self.flux_source_identity = FluxSourceIdentity(self, "flux_source_identity", props=flux_identity_props)
        outputs = {
            "cluster_name": (self.existing.name, "AKS cluster name (existing cluster)"),
            "cluster_id": (cluster_id, "AKS cluster resource id (existing cluster)"),
            "resource_group_name": (self.existing.resource_group_name, "The existing cluster's resource group"),
            "node_resource_group": (self.existing.node_resource_group, "AKS-managed node resource group"),
            "aks_subnet_name": (self.existing.node_subnet_name, "Subnet of the nodes and the internal load balancers"),
            "oidc_issuer_url": (self.existing.oidc_issuer_url, "OIDC issuer for workload identity federation"),
        }
        identity = self.existing.secrets_provider_identity
        if identity is not None:
            outputs["key_vault_secrets_provider_client_id"] = (identity.client_id, "Client id of the secrets-provider identity")
            outputs["key_vault_secrets_provider_object_id"] = (identity.object_id, "Object id of the secrets-provider identity")
        for output_id, (value, description) in outputs.items():
            TerraformOutput(self, output_id, value=value, description=description)

    def _outputs(self) -> None:
        cluster = self.aks.cluster
        secrets_identity = cluster.key_vault_secrets_provider.secret_identity.get(0)
        values = {
            "cluster_name": cluster.name,
            "cluster_id": cluster.id,
            "resource_group_name": self.network.resource_group.name,
            "node_resource_group": cluster.node_resource_group,
            "aks_subnet_name": self.network.subnet.name,
            "vnet_id": self.network.vnet.id,
            "oidc_issuer_url": cluster.oidc_issuer_url,
            "key_vault_secrets_provider_client_id": secrets_identity.client_id,
            "key_vault_secrets_provider_object_id": secrets_identity.object_id,
        }
        # Names and descriptions from stacks/outputs.py, the allowlist `make outputs` prints from.
        for spec in AKS_CLUSTER_OUTPUTS:
            TerraformOutput(self, spec.name, value=values[spec.name], description=spec.description)
