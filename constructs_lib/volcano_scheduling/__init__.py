from constructs_lib.volcano_scheduling.construct import VolcanoAutoscalerScheduling
from constructs_lib.volcano_scheduling.objects import (
    CONFIG_MAP_NAME,
    VolcanoSchedulingProps,
    extension_settings,
    scheduler_config_map,
)

__all__ = [
    "CONFIG_MAP_NAME",
    "VolcanoAutoscalerScheduling",
    "VolcanoSchedulingProps",
    "extension_settings",
    "scheduler_config_map",
]
