"""Every derived Azure name is valid for every deployment name and region the config accepts
(hypothesis over the accepted name shape), so names never fail at apply."""

from __future__ import annotations

import copy
import re

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from config.loader import parse_config
from config.naming import derive_names
from config.regions import AZURE_REGIONS
from tests.conftest import ROOT

BASE = yaml.safe_load((ROOT / "config" / "default.yaml").read_text())

# Azure naming rules (resource name restrictions; dns_prefix from the azurerm provider).
RULES = {
    "resource_group": re.compile(r"^[-\w._()]{1,89}[-\w_()]$"),
    "node_resource_group": re.compile(r"^[-\w._()]{1,89}[-\w_()]$"),
    "vnet": re.compile(r"^[A-Za-z0-9][-\w.]{0,62}\w$"),
    "aks_subnet": re.compile(r"^[A-Za-z0-9][-\w.]{0,78}\w$"),
    "nsg": re.compile(r"^[A-Za-z0-9][-\w.]{0,78}\w$"),
    "route_table": re.compile(r"^[A-Za-z0-9][-\w.]{0,78}\w$"),
    "cluster": re.compile(r"^[A-Za-z0-9][-_A-Za-z0-9]{0,61}[A-Za-z0-9]$"),
    "dns_prefix": re.compile(r"^[a-zA-Z\d][-a-zA-Z\d]{0,52}[a-zA-Z\d]$"),
    "control_plane_identity": re.compile(r"^[A-Za-z0-9][-\w]{2,127}$"),
    "flux_source_identity": re.compile(r"^[A-Za-z0-9][-\w]{2,127}$"),
    # Named by AKS (secrets-provider add-on); the rule checks the derivation reads as AKS names it.
    "key_vault_secrets_provider_identity": re.compile(r"^azurekeyvaultsecretsprovider-aks-[a-z0-9-]{3,20}$"),
    "log_analytics_workspace": re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$"),
    "diagnostic_setting": re.compile(r"^[^*<>%:&?/\\]{1,260}$"),
    "data_collection_rule": re.compile(r"^[A-Za-z0-9][-\w.]{1,62}[A-Za-z0-9_]$"),
    "spoke_to_hub_peering": re.compile(r"^[A-Za-z0-9][-\w.]{0,78}\w$"),
    "hub_to_spoke_peering": re.compile(r"^[A-Za-z0-9][-\w.]{0,78}\w$"),
}

deployment_names = st.from_regex(r"[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,18}[a-z0-9]", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(name=deployment_names, location=st.sampled_from(sorted(AZURE_REGIONS)))
def test_derived_names_are_valid_azure_names(name, location):
    raw = copy.deepcopy(BASE)
    raw.update(name=name, location=location)
    raw["cluster"]["api"].pop("private_dns_zone_id")  # its zone name must match the region
    raw["monitoring"]["log_analytics_workspace_location"] = "westeurope"
    names = derive_names(parse_config(raw))
    for field, rule in RULES.items():
        value = getattr(names, field)
        assert rule.match(value), f"{field}: {value!r}"


def test_every_derived_name_has_a_rule():
    names = derive_names(parse_config(copy.deepcopy(BASE)))
    assert set(vars(names)) == set(RULES)
