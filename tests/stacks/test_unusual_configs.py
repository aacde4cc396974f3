"""Good-but-unusual configs (tests/fixtures/configs) synthesize, with the expected differences."""

from __future__ import annotations

import yaml

from tests.conftest import FIXTURE_CONFIGS, ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "configs"


def test_fixtures_present():
    assert len(FIXTURE_CONFIGS) >= 2


def test_public_api_community_ingress_admin_login(synth):
    result = synth(FIXTURES / "community-ingress-public-api.yaml")
    cluster = result.only("aks-cluster", "azurerm_kubernetes_cluster")
    assert cluster["private_cluster_enabled"] is False
    assert cluster["api_server_access_profile"]["authorized_ip_ranges"] == ["203.0.113.0/24"]
    assert cluster["network_profile"]["network_data_plane"] == "azure"
    assert "private_dns_zone_id" not in cluster

    release = result.only("kubernetes-config", "helm_release")
    assert (release["chart"], release["version"]) == ("ingress-nginx", "4.15.1")
    controller = yaml.safe_load(release["values"][0])["controller"]
    assert controller["ingressClassResource"]["controllerValue"] == "k8s.io/nginx-internal"
    assert controller["electionID"] == "nginx-internal-leader"
    assert controller["allowSnippetAnnotations"] is False

    ingress = result.only("kubernetes-config", "kubernetes_ingress_v1")
    path = ingress["spec"]["rule"][0]["http"]["path"][0]
    assert (path["path"], path["path_type"]) == ("/ml/inference(/|$)(.*)", "ImplementationSpecific")
    assert ingress["metadata"]["annotations"] == {
        "nginx.ingress.kubernetes.io/use-regex": "true",
        "nginx.ingress.kubernetes.io/rewrite-target": "/$2",
    }

    provider = result.stacks["kubernetes-config"]["provider"]["kubernetes"][0]
    assert "exec" not in provider
    assert provider["client_key"].startswith("${base64decode(data.azurerm_kubernetes_cluster.")
    assert "kube_admin_config[0].client_key" in provider["client_key"]
    # A deployer who may not list admin credentials gets an empty kube_admin_config: the plan
    # stops with a message saying so, not with "Invalid index" in the provider block.
    (cluster_read,) = result.stacks["kubernetes-config"]["data"]["azurerm_kubernetes_cluster"].values()
    (check,) = cluster_read["lifecycle"]["postcondition"]
    assert check["condition"] == "${length(self.kube_admin_config) > 0}"
    assert "cannot list the cluster's admin credentials" in check["error_message"]

    backend = result.stacks["aks-cluster"]["terraform"]["backend"]["azurerm"]
    assert backend["key"] == "amlalt/aks-cluster.tfstate"
    assert not any(
        "lifecycle" in r and r["lifecycle"].get("prevent_destroy")
        for resources in result.stacks["aks-cluster"]["resource"].values()
        for r in resources.values()
    )


def test_gpu_pool_and_internal_lb_router(synth):
    result = synth(FIXTURES / "gpu-loadbalancer-router.yaml")
    pools = {p["name"]: p for p in result.resources("aks-cluster", "azurerm_kubernetes_cluster_node_pool").values()}
    assert set(pools) == {"mlcpu", "mlgpu", "batch"}
    assert pools["mlgpu"]["node_labels"] == {"accelerator": "nvidia", "workload": "azureml"}
    assert pools["mlgpu"]["node_taints"] == ["nvidia.com/gpu=present:NoSchedule"]
    assert "node_labels" not in pools["batch"]
    settings = result.only("aks-cluster", "azurerm_kubernetes_cluster_extension")["configuration_settings"]
    assert settings["installNvidiaDevicePlugin"] == "True" and settings["installDcgmExporter"] == "True"
    assert settings["inferenceRouterServiceType"] == "loadBalancer"
    assert settings["internalLoadBalancerProvider"] == "azure"
    assert settings["allowInsecureConnections"] == "False"
    assert settings["sslCname"] == "aml-router.gpu.contoso.internal"  # certificate: test_aks_cluster_stack

    links = result.resources("aks-cluster", "azurerm_private_dns_zone_virtual_network_link")
    assert sorted(link["name"] for link in links.values()) == ["link-hub", "link-spoke"]

    # The router has its own internal load balancer and TLS: no /aml/ route through the ingress.
    assert not result.resources("kubernetes-config", "kubernetes_ingress_v1")
    assert result.resources("kubernetes-config", "helm_release")

    exec_args = result.stacks["kubernetes-config"]["provider"]["kubernetes"][0]["exec"][0]["args"]
    assert exec_args[:3] == ["get-token", "--login", "workloadidentity"]
    assert exec_args[-2:] == ["--tenant-id", "22222222-2222-2222-2222-222222222222"]


def test_retired_controller_warns_at_synth(capsys, tmp_path):
    from config.loader import load_config
    from stacks.app import build_app

    build_app(load_config(FIXTURES / "community-ingress-public-api.yaml"), config_file="x", outdir=str(tmp_path))
    assert "retired" in capsys.readouterr().err
    build_app(load_config(ROOT / "config" / "default.yaml"), config_file="x", outdir=str(tmp_path))
    assert "retired" not in capsys.readouterr().err


def test_a100_from_zero_gpu_driver_and_autoscaler_friendly_volcano(synth):
    """The capacity fixture: gpu_driver written only where configured, the extension's GPU and
    Volcano keys as Learn documents them, and the scheduler ConfigMap before the settings."""
    result = synth(FIXTURES / "gpu-a100-from-zero.yaml")
    pools = {p["name"]: p for p in result.resources("aks-cluster", "azurerm_kubernetes_cluster_node_pool").values()}
    assert pools["mla100"]["gpu_driver"] == "Install"
    assert "gpu_driver" not in pools["mlcpu"]
    assert (pools["mla100"]["min_count"], pools["mla100"]["os_disk_size_gb"]) == (0, 256)

    extension = result.only("aks-cluster", "azurerm_kubernetes_cluster_extension")
    settings = extension["configuration_settings"]
    assert settings["installNvidiaDevicePlugin"] == "True" and settings["installDcgmExporter"] == "True"
    assert settings["installVolcano"] == "True"
    # The two Volcano settings are applied by kubernetes-config once the ConfigMap exists; the
    # extension resource leaves them alone instead of removing them on the next apply.
    assert "volcanoScheduler.schedulerConfigMap" not in settings
    assert extension["lifecycle"]["ignore_changes"] == [
        'configuration_settings["volcanoScheduler.schedulerConfigMap"]',
        'configuration_settings["amloperator.skipResourceValidation"]',
    ]

    (config_map_id, config_map), *others = result.resources("kubernetes-config", "kubernetes_config_map_v1").items()
    assert not others
    assert config_map["metadata"] == {"name": "volcano-scheduler-autoscaler", "namespace": "azureml"}
    scheduler = yaml.safe_load(config_map["data"]["volcano-scheduler.conf"])
    plugins = [p["name"] for tier in scheduler["tiers"] for p in tier["plugins"]]
    assert "gang" not in plugins and plugins[0] == "sla"

    (update,) = [r for key, r in result.resources("kubernetes-config", "time_sleep").items() if "volcano" in key]
    assert update["depends_on"] == [f"kubernetes_config_map_v1.{config_map_id}"]
    (step,) = update["provisioner"]
    command, environment = step["local-exec"]["command"], step["local-exec"]["environment"]
    assert "az k8s-extension update" in command and "--cluster-type managedClusters" in command
    assert environment["EXTENSION_NAME"] == "azureml" and environment["CLUSTER_NAME"] == "aks-amlcap"
    assert (environment["SCHEDULER_CONFIG_MAP_SETTING"], environment["CONFIG_MAP_NAME"]) == (
        "volcanoScheduler.schedulerConfigMap",
        "volcano-scheduler-autoscaler",
    )
    assert environment["SKIP_RESOURCE_VALIDATION_SETTING"] == "amloperator.skipResourceValidation"
    # And the stack itself deploys after aks-cluster, whose extension creates the namespace.
    assert "aks-cluster" in result.manifest["stacks"]["kubernetes-config"]["dependencies"]
