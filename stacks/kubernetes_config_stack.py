"""`kubernetes-config`: what runs inside the cluster, delivered one of two ways
(``kubernetes_config.mode``):

- terraform (default): NGINX ingress on an internal load balancer, the /aml/ route to the Azure
  ML inference router and the Azure ML compute's objects, created through the private API server
  (kubernetes and helm providers, kubelogin). Deployed from a network that reaches that API.
- gitops: the same objects as manifests in a Git repository (`make gitops`), applied
  by the AKS Flux extension; this stack then needs Azure Resource Manager only.

The Azure ML attach (ARM only) is the same in both modes.
"""

from __future__ import annotations

import sys

from constructs import Construct

from config.model import AppConfig
from config.naming import Names, derive_names
from constructs_lib.azureml_attach import AzureMLComputeAttach
from constructs_lib.azureml_ingress import AzureMLRoute
from constructs_lib.azureml_workloads import AzureMLWorkloads
from constructs_lib.cluster_access import ClusterAccess
from constructs_lib.gitops_delivery import GitOpsDelivery
from constructs_lib.gitops_delivery.manifests import GitOpsManifests
from constructs_lib.nginx_ingress import NginxIngress
from constructs_lib.volcano_scheduling import VolcanoAutoscalerScheduling
from stacks import construct_props as props
from stacks.common import azurerm_provider, configure_backend, spoke_resource_providers, time_provider
from stacks.outputs import KUBERNETES_CONFIG_OUTPUTS, kubernetes_config_output_values
from toolchain.cdk import ITerraformDependable, TerraformOutput, TerraformStack

STACK_NAME = "kubernetes-config"


class KubernetesConfigStack(TerraformStack):
    def __init__(self, scope: Construct, *, config: AppConfig, cluster_stack: TerraformStack) -> None:
        super().__init__(scope, STACK_NAME)
        # Deploy order (visible in cdktf.out/manifest.json): the cluster, its identities and the
        # azureml namespace come from the first stack.
        self.add_dependency(cluster_stack)
        names = derive_names(config)
        configure_backend(self, config, STACK_NAME)
        azurerm_provider(self, config, resource_providers=spoke_resource_providers(config))

        warning = props.retired_controller_warning(config)
        if warning:
            print(warning, file=sys.stderr)
        # Declared whatever the config says, though nothing uses it any more: state written by
        # earlier versions holds the attach as a template deployment on this provider, and
        # removing that record must leave the compute alone (README "Changing a deployment safely").
        azurerm_provider(self, config, alias="azureml_attach", template_deployments_delete_resources=False)
        time_provider(self)

        # Terraform mode's constructs (None in gitops mode) ...
        self.access: ClusterAccess | None = None
        self.ingress: NginxIngress | None = None
        self.route: AzureMLRoute | None = None
        self.azureml_workloads: AzureMLWorkloads | None = None
        self.volcano: VolcanoAutoscalerScheduling | None = None
        # ... GitOps mode's ...
        self.manifests: GitOpsManifests | None = None
        self.gitops: GitOpsDelivery | None = None
        # ... and both modes'.
        self.azureml_attach: AzureMLComputeAttach | None = None

        mode = self._gitops_mode if props.gitops_mode(config) else self._terraform_mode
        # What the Azure ML attach (if any) waits for.
        attach_after = mode(config, names)

        attach_props = props.azureml_attach_props(
            config, names, flux_configuration_id=self.gitops.configuration.id if self.gitops else None
        )
        if attach_props:
            self.azureml_attach = AzureMLComputeAttach(self, "azureml_attach", props=attach_props, depends_on=attach_after)
        self._outputs(config)

    def _outputs(self, config: AppConfig) -> None:
        # What `make outputs` prints and `make smoke` reads (stacks/outputs.py): all known from the
        # config, so both modes declare the same ones; an output without a value is left out.
        values = kubernetes_config_output_values(config)
        for spec in KUBERNETES_CONFIG_OUTPUTS:
            if spec.name in values:
                TerraformOutput(self, spec.name, value=values[spec.name], description=spec.description)

    def _terraform_mode(self, config: AppConfig, names: Names) -> list[ITerraformDependable]:
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
        if props.routes_through_ingress(config):
            self.route = AzureMLRoute(
                self,
                "azureml_route",
                props=props.azureml_route_props(config),
                kubernetes_provider=self.access.kubernetes_provider,
                # The IngressClass is created by the controller's chart.
                depends_on=[self.ingress.release],
            )
        volcano_props = props.volcano_scheduling_props(config, names)
        if volcano_props:
            # After the aks-cluster stack (the extension created the azureml namespace): the
            # ConfigMap first, then the extension settings naming it.
            self.volcano = VolcanoAutoscalerScheduling(
                self, "volcano_scheduling", props=volcano_props, kubernetes_provider=self.access.kubernetes_provider
            )
        workloads_props = props.azureml_workloads_props(config)
        if not workloads_props:
            return []
        self.azureml_workloads = AzureMLWorkloads(
            self, "azureml_workloads", props=workloads_props, kubernetes_provider=self.access.kubernetes_provider
        )
        # Azure ML does not check the namespace at attach; instance types are synced during it
        # (microsoft/physical-ai-toolchain 02-deploy-azureml-extension.sh; Learn names only
        # defaultinstancetype as created at attach): both exist before the attach.
        return [self.azureml_workloads.namespace, *self.azureml_workloads.instance_types.values()]

    def _gitops_mode(self, config: AppConfig, names: Names) -> list[ITerraformDependable]:
        self.manifests = props.gitops_manifests(config)
        self.gitops = GitOpsDelivery(
            self, "gitops", props=props.gitops_delivery_props(config, names, folders=self.manifests.folders)
        )
        # Flux creates the compute's namespace and instance types after this; the attach step
        # waits until the configuration reports them applied (complianceState Compliant, which
        # the azurerm resource does not expose): Azure ML syncs instance types during attach.
        return [self.gitops.configuration]
