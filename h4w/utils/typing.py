"""Type aliases of configs and sample lists (mmpose's names)."""

from typing import List, Optional, Union

from mmengine.config import ConfigDict
from mmengine.structures import InstanceData

ConfigType = Union[ConfigDict, dict]
OptConfigType = Optional[ConfigType]
MultiConfig = Union[ConfigType, List[ConfigType]]
OptMultiConfig = Optional[MultiConfig]
#: ``h4w.structures.MeshDataSample`` by name, not imported: utils sit
#: below structures, which use them.
SampleList = List['MeshDataSample']  # noqa: F821
OptSampleList = Optional[SampleList]
InstanceList = List[InstanceData]


__all__ = [
    'ConfigType',
    'InstanceList',
    'MultiConfig',
    'OptConfigType',
    'OptMultiConfig',
    'OptSampleList',
    'SampleList',
]
