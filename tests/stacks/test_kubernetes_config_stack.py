"""Properties of the `kubernetes-config` stack: cluster access, internal ingress, /aml/ route, TLS."""

from __future__ import annotations

import yaml

STACK = "kubernetes-config"


def values(result) -> dict:
    release = result.only(STACK, "helm_release")
    assert len(release["values"]) == 1
    return yaml.safe_load(release["values"][0])


def test_cluster_read_by_data_source_not_outputs(default_synth):
    data = default_synth.stacks[STACK]["data"]["azurerm_kubernetes_cluster"]
    cluster = next(iter(data.values()))
    assert (cluster["name"], cluster["resource_group_name"]) == ("aks-amlprod", "rg-amlprod-aks")
    assert "terraform_remote_state" not in default_synth.stacks[STACK].get("data", {})
    assert "lifecycle" not in cluster  # the admin-credential postcondition only applies to login: admin


def test_providers_use_kubelogin_exec(default_synth):
    providers = default_synth.stacks[STACK]["provider"]
    kubernetes = providers["kubernetes"][0]
    helm = providers["helm"][0]["kubernetes"]
    for endpoint in (kubernetes, helm):
        assert endpoint["host"].endswith(".kube_config[0].host}")
        assert endpoint["cluster_ca_certificate"].startswith("${base64decode(data.azurerm_kubernetes_cluster.")
        assert not {"token", "client_key", "client_certificate", "password"} & set(endpoint)
    for exec_block in (kubernetes["exec"][0], helm["exec"]):
        assert exec_block["command"] == "kubelogin"
        assert exec_block["args"] == ["get-token", "--login", "azurecli", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630"]


def test_controller_chart_pinned_and_release_safe(default_synth):
    release = default_synth.only(STACK, "helm_release")
    assert (release["repository"], release["chart"], release["version"]) == (
        "oci://ghcr.io/nginx/charts",
        "nginx-ingress",
        "2.6.4",
    )
    assert release["atomic"] is True and release["wait"] is True and release["cleanup_on_fail"] is True
    assert release["namespace"] == "nginx-ingress"
    assert "set" not in release and "set_list" not in release
    namespace = default_synth.only(STACK, "kubernetes_namespace_v1")
    assert namespace["metadata"]["name"] == "nginx-ingress"


def test_internal_load_balancer_in_aks_subnet(default_synth):
    service = values(default_synth)["controller"]["service"]
    assert service["annotations"]["service.beta.kubernetes.io/azure-load-balancer-internal"] == "true"
    subnet = default_synth.only("aks-cluster", "azurerm_subnet")["name"]
    assert service["annotations"]["service.beta.kubernetes.io/azure-load-balancer-internal-subnet"] == subnet
    assert service["externalTrafficPolicy"] == "Local"
    assert service["annotations"]["service.beta.kubernetes.io/azure-load-balancer-ipv4"] == "10.20.3.250"
    assert "loadBalancerIP" not in service  # deprecated Service field


def test_controller_hardening(default_synth):
    controller = values(default_synth)["controller"]
    assert controller["replicaCount"] >= 2
    assert controller["podDisruptionBudget"] == {"enabled": True, "minAvailable": 1}
    assert controller["enableSnippets"] is False
    assert controller["resources"]["requests"]
    assert {"key": "CriticalAddonsOnly", "operator": "Exists", "effect": "NoSchedule"} in controller["tolerations"]
    assert values(default_synth)["prometheus"]["create"] is True
    assert controller["telemetryReporting"] == {"enable": False}


def test_ingress_class_consistent(default_synth):
    class_name = values(default_synth)["controller"]["ingressClass"]["name"]
    assert class_name not in ("nginx", "azureml-nginx")
    ingress = default_synth.only(STACK, "kubernetes_ingress_v1")
    assert ingress["spec"]["ingress_class_name"] == class_name


def test_aml_route_strips_prefix_f5(default_synth):
    ingress = default_synth.only(STACK, "kubernetes_ingress_v1")
    assert ingress["metadata"]["namespace"] == "azureml"
    assert ingress["metadata"]["annotations"] == {"nginx.org/rewrites": "serviceName=azureml-fe rewrite=/"}
    rule = ingress["spec"]["rule"][0]
    assert rule["host"] == "aml.prod.contoso.internal"
    path = rule["http"]["path"][0]
    assert (path["path"], path["path_type"]) == ("/aml/", "Prefix")
    assert path["backend"]["service"] == {"name": "azureml-fe", "port": {"number": 80}}
    assert ingress["spec"]["tls"] == [{"hosts": ["aml.prod.contoso.internal"]}]


def test_keyvault_tls_synced_by_secrets_provider(default_synth):
    spc = default_synth.only(STACK, "kubernetes_manifest")["manifest"]
    assert spc["kind"] == "SecretProviderClass" and spc["metadata"]["namespace"] == "nginx-ingress"
    params = spc["spec"]["parameters"]
    assert params["keyvaultName"] == "kv-hub-certs"
    assert "key_vault_secrets_provider[0].secret_identity[0].client_id" in params["userAssignedIdentityID"]
    assert yaml.safe_load(yaml.safe_load(params["objects"])["array"][0]) == {"objectName": "aml-ingress", "objectType": "secret"}
    secret = spc["spec"]["secretObjects"][0]
    assert secret["type"] == "kubernetes.io/tls"
    controller = values(default_synth)["controller"]
    assert controller["wildcardTLS"]["secret"] == f"nginx-ingress/{secret['secretName']}"
    csi = controller["volumes"][0]["csi"]
    assert csi["volumeAttributes"]["secretProviderClass"] == spc["metadata"]["name"]


def test_tls_none_is_plain_http(standalone_synth):
    assert not standalone_synth.resources(STACK, "kubernetes_manifest")
    controller = values(standalone_synth)["controller"]
    assert "wildcardTLS" not in controller and "volumes" not in controller
    assert "tls" not in standalone_synth.only(STACK, "kubernetes_ingress_v1")["spec"]


def test_configs_keep_extension_consistent_with_tls(default_synth, standalone_synth):
    for result in (default_synth, standalone_synth):
        settings = result.only("aks-cluster", "azurerm_kubernetes_cluster_extension")["configuration_settings"]
        # The router gets no TLS material of its own in either example: TLS (if any) ends at the ingress.
        assert settings["allowInsecureConnections"] == "True"
        assert "sslSecret" not in settings


def test_manifest_dependency(default_synth):
    assert default_synth.manifest["stacks"][STACK]["dependencies"] == ["aks-cluster"]
