from constructs_lib.spoke_network.construct import HubLink, SpokeNetwork, SpokeNetworkProps

__all__ = ["HubLink", "SpokeNetwork", "SpokeNetworkProps"]
