"""`make images` (python -m tools.images): the imports for exactly what a config pulls."""

from __future__ import annotations

import shlex
import subprocess
import sys

import yaml

from catalog.ingress_charts import CHARTS, F5_NGINX
from tests.conftest import ROOT
from tools.images.__main__ import main

LOCKDOWN = ROOT / "tests" / "fixtures" / "configs" / "gitops-gpu-workspace-lockdown.yaml"


def _imports(script: str) -> list[tuple[str, str]]:
    pairs = []
    for line in script.splitlines():
        if line.startswith("az acr import"):
            words = shlex.split(line)
            pairs.append((words[words.index("--source") + 1], words[words.index("--image") + 1]))
    return pairs


def test_gitops_config_imports_the_image_and_the_chart(capsys):
    assert main(["--config", str(LOCKDOWN)]) == 0
    script = capsys.readouterr().out
    chart = CHARTS[F5_NGINX]
    assert _imports(script) == [
        (f"docker.io/nginx/nginx-ingress:{chart.image_tag}", f"nginx/nginx-ingress:{chart.image_tag}"),
        (f"ghcr.io/nginx/charts/nginx-ingress:{chart.version}", f"helm/nginx-ingress:{chart.version}"),
    ]
    assert "REGISTRY=crlockimages" in script
    assert f"--image nginx/nginx-ingress:{chart.image_tag} --query digest" in script
    subprocess.run(["bash", "-n"], input=script, text=True, check=True)


def test_terraform_mode_imports_only_the_image(tmp_path, capsys):
    raw = yaml.safe_load(LOCKDOWN.read_text())
    raw["kubernetes_config"] = {"mode": "terraform"}
    del raw["gitops"]
    config = tmp_path / "tf.yaml"
    config.write_text(yaml.safe_dump(raw))
    assert main(["--config", str(config)]) == 0
    assert [target for _, target in _imports(capsys.readouterr().out)] == [f"nginx/nginx-ingress:{CHARTS[F5_NGINX].image_tag}"]


def test_without_a_registry_exit_2():
    result = subprocess.run(
        [sys.executable, "-m", "tools.images", "--config", str(ROOT / "config" / "default.yaml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert "images.registry: is required for `make images`" in result.stderr
