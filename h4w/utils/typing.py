"""Type aliases of configs and sample lists (mmpose's names)."""

from typing import List, Optional, Union

from mmengine.config import ConfigDict
from mmengine.structures import InstanceData

from h4w.structures import MeshDataSample

ConfigType = Union[ConfigDict, dict]
OptConfigType = Optional[ConfigType]
MultiConfig = Union[ConfigType, List[ConfigType]]
OptMultiConfig = Optional[MultiConfig]
SampleList = List[MeshDataSample]
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
