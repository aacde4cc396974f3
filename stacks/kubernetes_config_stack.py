"""`kubernetes-config`: NGINX ingress on an internal load balancer and the /aml/ route to the
Azure ML inference router. Deployed after `aks-cluster`, from a network that reaches the
private API server."""

from __future__ import annotations

import sys

from constructs import Construct

from config.model import AppConfig
from config.naming import derive_names
from constructs_lib.azureml_ingress import AzureMLRoute
from constructs_lib.cluster_access import ClusterAccess
from constructs_lib.nginx_ingress import CHARTS, RETIRED_WARNING, NginxIngress
from stacks import construct_props as props
from stacks.common import azurerm_provider, configure_backend
from toolchain.cdk import TerraformStack

STACK_NAME = "kubernetes-config"


class KubernetesConfigStack(TerraformStack):
    def __init__(self, scope: Construct, *, config: AppConfig, cluster_stack: TerraformStack) -> None:
        super().__init__(scope, STACK_NAME)
        # Deploy order (visible in cdktf.out/manifest.json): the cluster, its identities and the
        # azureml namespace come from the first stack.
        self.add_dependency(cluster_stack)
        names = derive_names(config)
        configure_backend(self, config, STACK_NAME)
        azurerm_provider(self, config)

        if CHARTS[config.ingress.controller].retired:
            print(RETIRED_WARNING, file=sys.stderr)

        self.access = ClusterAccess(self, "cluster_access", props=props.cluster_access_props(config, names))
        secrets_identity = self.access.cluster.key_vault_secrets_provider.get(0).secret_identity.get(0)
        self.ingress = NginxIngress(
            self,
            "nginx_ingress",
            props=props.nginx_ingress_props(config, names, secrets_provider_client_id=secrets_identity.client_id),
            kubernetes_provider=self.access.kubernetes_provider,
            helm_provider=self.access.helm_provider,
        )
        # The route exists only where azureml-fe serves plain HTTP on a cluster IP behind this
        # ingress; with an internal-LB router (or no inference) clients use the router directly.
        self.route: AzureMLRoute | None = None
        if props.routes_through_ingress(config):
            self.route = AzureMLRoute(
                self,
                "azureml_route",
                props=props.azureml_route_props(config),
                kubernetes_provider=self.access.kubernetes_provider,
                # The IngressClass is created by the controller's chart.
                depends_on=[self.ingress.release],
            )
