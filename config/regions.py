"""Azure public-cloud region names (programmatic form, as `az account list-locations` prints).

Checked at config load so a typo such as ``west-europe`` fails at synth instead of at apply.
A region Azure opened after this list was written can be added here.
"""

from config.suggest import did_you_mean

AZURE_REGIONS = frozenset(
    (
        "australiacentral",
        "australiacentral2",
        "australiaeast",
        "australiasoutheast",
        "austriaeast",
        "belgiumcentral",
        "brazilsouth",
        "brazilsoutheast",
        "canadacentral",
        "canadaeast",
        "centralindia",
        "centralus",
        "chilecentral",
        "denmarkeast",
        "eastasia",
        "eastus",
        "eastus2",
        "francecentral",
        "francesouth",
        "germanynorth",
        "germanywestcentral",
        "indonesiacentral",
        "israelcentral",
        "italynorth",
        "japaneast",
        "japanwest",
        "jioindiacentral",
        "jioindiawest",
        "koreacentral",
        "koreasouth",
        "malaysiawest",
        "mexicocentral",
        "newzealandnorth",
        "northcentralus",
        "northeurope",
        "norwayeast",
        "norwaywest",
        "polandcentral",
        "qatarcentral",
        "southafricanorth",
        "southafricawest",
        "southcentralus",
        "southeastasia",
        "southindia",
        "spaincentral",
        "swedencentral",
        "swedensouth",
        "switzerlandnorth",
        "switzerlandwest",
        "uaecentral",
        "uaenorth",
        "uksouth",
        "ukwest",
        "westcentralus",
        "westeurope",
        "westindia",
        "westus",
        "westus2",
        "westus3",
    )
)


def region_problem(value: str) -> str:
    """What is wrong with a region name this list lacks, with the nearest known name."""
    if value != value.lower() or " " in value:
        what = "must be the programmatic region name, lowercase without spaces (as `az account list-locations` prints)"
    else:
        what = "must be an Azure region config/regions.py lists (as `az account list-locations` prints)"
    return what + did_you_mean(value.replace(" ", ""), AZURE_REGIONS)
