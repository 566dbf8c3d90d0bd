"""Pieces shared by the h4w metrics: reading arrays from data-sample dicts,
body-model arrays built on first use, and the logged result block."""

import copy
from collections import OrderedDict
from typing import Any, Dict, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import ConfigDict
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmengine.structures import BaseDataElement

from h4w.registry import MODELS

ConfigType = Union[dict, ConfigDict]


def to_numpy(value: Any, dtype: Optional[np.dtype] = None) -> np.ndarray:
    """A tensor (any device), array, list or scalar as a NumPy array."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=dtype)


def _as_dict(data_sample: Union[dict, BaseDataElement]) -> dict:
    """The dict form of a data sample (dicts pass through)."""
    if isinstance(data_sample, BaseDataElement):
        return data_sample.to_dict()
    return data_sample


def instance_array(
    data_sample: Union[dict, BaseDataElement],
    field: str,
    key: str,
    dtype: np.dtype = np.float64,
) -> np.ndarray:
    """The first (only) instance of ``data_sample[field][key]``.

    Args:
        data_sample (dict | MeshDataSample): A data sample or the dict
            that :meth:`MeshDataSample.to_dict` makes of it (what
            :class:`mmengine.evaluator.Evaluator` hands to metrics).
        field (str): ``'gt_instances'`` or ``'pred_instances'``.
        key (str): Instance field, e.g. ``'smplx_mesh_cam'``.
        dtype (np.dtype): Output dtype. Defaults to float64.

    Returns:
        np.ndarray: ``value[0]``, e.g. (10475, 3) for a (1, 10475, 3) mesh.
    """
    data_sample = _as_dict(data_sample)
    instances = data_sample.get(field)
    if instances is None or key not in instances:
        available = sorted(instances) if instances is not None else []
        raise KeyError(
            f'{field}.{key} is missing from the data sample '
            f'(it has {field}: {available})'
        )
    return to_numpy(instances[key], dtype)[0]


_REQUIRED = object()


def meta_value(
    data_sample: Union[dict, BaseDataElement],
    key: str,
    default: Any = _REQUIRED,
) -> Any:
    """Meta-information ``key`` of a data sample (top level of its dict);
    ``default`` when it is missing, or a KeyError without a default."""
    data_sample = _as_dict(data_sample)
    if key in data_sample:
        return data_sample[key]
    if default is _REQUIRED:
        raise KeyError(f'metainfo {key!r} is missing from the data sample')
    return default


def log_metrics(
    title: str, metrics: Dict[str, float], unit: str = 'mm'
) -> None:
    """Log a human-readable block: a title line, then ``key: value unit``
    per metric (``%.2f``)."""
    lines = [title] + [
        f'{key}: {value:.2f} {unit}' for key, value in metrics.items()
    ]
    MMLogger.get_current_instance().info('\n'.join(lines))


def mean_in_mm(
    results: Sequence[dict], keys: Sequence[str]
) -> 'OrderedDict[str, float]':
    """Mean over samples of per-sample errors in metres, times 1000, in the
    order of ``keys``."""
    return OrderedDict(
        (key, float(np.mean([r[key] for r in results])) * 1000) for key in keys
    )


class BodyModelMetric(BaseMetric):
    """Base of the metrics that need arrays of a body model (regressors,
    vertex ids); the model is built from its config on first use only.

    Args:
        body_model (dict): Body-model config, e.g.
            ``dict(type='SMPLXModel', model_path=...)``.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to 'cpu'.
        prefix (str, optional): Metric-name prefix; None uses
            ``default_prefix``.
        collect_dir (str, optional): Folder for the CPU collection in
            distributed runs.
    """

    # Names of the body-model tensors (dotted for sub-modules) to keep, set
    # by the subclass or per instance.
    body_arrays_needed: Sequence[str] = ()

    def __init__(
        self,
        body_model: ConfigType,
        collect_device: str = 'cpu',
        prefix: Optional[str] = None,
        collect_dir: Optional[str] = None,
    ) -> None:
        super().__init__(
            collect_device=collect_device,
            prefix=prefix,
            collect_dir=collect_dir,
        )
        if body_model is None:
            raise ValueError(
                f'{type(self).__name__} needs a body_model config'
            )
        self.body_model_cfg = copy.deepcopy(body_model)
        self._body_arrays: Optional[Dict[str, np.ndarray]] = None

    @property
    def body_arrays(self) -> Dict[str, np.ndarray]:
        """The tensors named in ``body_arrays_needed`` as NumPy arrays
        (float64 or int64), keyed by those names."""
        if self._body_arrays is None:
            model = MODELS.build(self.body_model_cfg)
            arrays = {}
            for name in self.body_arrays_needed:
                value = model
                for attr in name.split('.'):
                    if not hasattr(value, attr):
                        raise AttributeError(
                            f'{type(model).__name__} has no {name!r}; '
                            f'{type(self).__name__} needs it (check the '
                            'body_model config, e.g. the regressor file)'
                        )
                    value = getattr(value, attr)
                array = to_numpy(value)
                if array.dtype.kind == 'f':
                    array = array.astype(np.float64)
                arrays[name] = array
            self._body_arrays = arrays
        return self._body_arrays
