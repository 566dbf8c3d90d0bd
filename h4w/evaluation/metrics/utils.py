"""Pieces shared by the h4w metrics: reading arrays from data-sample dicts,
the logged result block, and the base classes (one result per sample,
body-model arrays built on first use, root-relative H36M joint errors)."""

import copy
from collections import OrderedDict
from typing import Any, Dict, Optional, Sequence, Union

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmengine.structures import BaseDataElement

from h4w.registry import MODELS
from h4w.utils import to_numpy
from h4w.utils.typing import ConfigType

from ..functional import mean_point_error

# The 14 of the 17 H36M joints that the Human3.6M and 3DPW protocols
# evaluate.
H36M_EVAL_JOINTS = (1, 2, 3, 4, 5, 6, 8, 10, 11, 12, 13, 14, 15, 16)


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


class PerSampleMetric(BaseMetric):
    """Base of the metrics that store one result per data sample: what
    :meth:`sample_result` returns for it. Arguments are those of
    :class:`mmengine.evaluator.BaseMetric` (``collect_device``, ``prefix``,
    ``collect_dir``).
    """

    def sample_result(self, data_sample: dict) -> Any:
        """The result stored for one data-sample dict."""
        raise NotImplementedError

    def process(
        self, data_batch: Optional[dict], data_samples: Sequence[dict]
    ) -> None:
        """Store :meth:`sample_result` of each sample of a batch.

        Args:
            data_batch (dict, optional): Unused.
            data_samples (Sequence[dict]): Data-sample dicts
                (``MeshDataSample.to_dict()`` outputs), with the fields
                that the subclass's :meth:`sample_result` names.
        """
        for sample in data_samples:
            self.results.append(self.sample_result(sample))


class BodyModelMetric(PerSampleMetric):
    """Base of the metrics that need arrays of a body model (regressors,
    vertex ids); the model is built from its config on first use only.

    Subclasses that compute errors set ``metric_names`` and
    ``errors_title`` and return per-sample errors in metres from
    :meth:`sample_result`; the default :meth:`compute_metrics` averages
    and logs them.

    Args:
        body_model (dict): Body-model config, e.g.
            ``dict(type='SMPLXModel', model_path=...)``.
        pred_key (str): Predicted mesh in ``pred_instances``.
        gt_key (str, optional): GT mesh or joints in ``gt_instances``;
            None for metrics without GT.
        **kwargs: ``collect_device`` (``'cpu'`` or ``'gpu'``, default
            'cpu'), ``prefix`` (None uses ``default_prefix``) and
            ``collect_dir`` of :class:`mmengine.evaluator.BaseMetric`.
    """

    # Names of the body-model tensors (dotted for sub-modules) to keep, set
    # by the subclass or per instance.
    body_arrays_needed: Sequence[str] = ()
    # Output keys in print order and the words of the logged title.
    metric_names: Sequence[str] = ()
    errors_title: str = 'errors'

    def __init__(
        self,
        body_model: ConfigType,
        pred_key: str,
        gt_key: Optional[str] = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if body_model is None:
            raise ValueError(
                f'{type(self).__name__} needs a body_model config'
            )
        self.body_model_cfg = copy.deepcopy(body_model)
        self._body_arrays: Optional[Dict[str, np.ndarray]] = None
        self.pred_key = pred_key
        self.gt_key = gt_key

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

    def pred_array(self, data_sample: dict) -> np.ndarray:
        """``pred_instances[pred_key]`` of a sample, e.g. (V, 3)."""
        return instance_array(data_sample, 'pred_instances', self.pred_key)

    def gt_array(self, data_sample: dict) -> np.ndarray:
        """``gt_instances[gt_key]`` of a sample, e.g. (V, 3).

        An all-zero ground truth is what the target generator gives a
        person without a fit (``param_valid=False``); scoring against it
        would be a silent wrong number, so it is a ValueError naming the
        image.
        """
        gt = instance_array(data_sample, 'gt_instances', self.gt_key)
        if not np.any(gt):
            img = meta_value(data_sample, 'img_path', '<unknown image>')
            raise ValueError(
                f'{type(self).__name__}: the ground truth {self.gt_key} of '
                f'a sample of {img} is all zeros: the person has no fit '
                '(param_valid=False). Leave such persons out of the test '
                'set, or use a metric that skips them.'
            )
        return gt

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Mean errors in mm, ordered as ``metric_names``, logged under
        ``'<prefix> <errors_title> (<n> samples):'``."""
        metrics = mean_in_mm(results, self.metric_names)
        log_metrics(
            f'{self.prefix} {self.errors_title} ({len(results)} samples):',
            metrics,
        )
        return metrics


class H36MJointMetric(BodyModelMetric):
    """Base of the metrics on the 17 Human3.6M joints that the body
    model's ``h36m_regressor`` (17, V) regresses from a mesh.

    Args:
        body_model (dict): SMPL-X or SMPL config with
            ``h36m_regressor_file``.
        pred_key (str): Predicted mesh in ``pred_instances``.
        gt_key (str): GT in ``gt_instances`` (joints or mesh, as the
            subclass reads it).
        eval_joints (Sequence[int]): Evaluated H36M joints. Defaults to
            ``H36M_EVAL_JOINTS`` (14).
        root_idx (int): Root (pelvis) joint. Defaults to 0.
        **kwargs: ``collect_device``, ``prefix`` and ``collect_dir`` (see
            :class:`BodyModelMetric`).
    """

    body_arrays_needed = ('h36m_regressor',)
    errors_title = 'joint errors'

    def __init__(
        self,
        body_model: ConfigType,
        pred_key: str,
        gt_key: str,
        eval_joints: Sequence[int] = H36M_EVAL_JOINTS,
        root_idx: int = 0,
        **kwargs,
    ) -> None:
        super().__init__(body_model, pred_key, gt_key, **kwargs)
        self.eval_joints = list(eval_joints)
        self.root_idx = root_idx

    def regress(self, mesh: np.ndarray) -> np.ndarray:
        """The H36M joints (17, 3) of a mesh (V, 3)."""
        return self.body_arrays['h36m_regressor'] @ mesh

    def joint_errors(
        self, pred: np.ndarray, gt: np.ndarray
    ) -> Dict[str, float]:
        """``MPJPE`` and ``PA-MPJPE`` (metres) of H36M joints (17, 3),
        both made relative to joint ``root_idx``, on the ``eval_joints``;
        PA after :func:`rigid_align` on those joints."""
        pred = (pred - pred[self.root_idx])[self.eval_joints]
        gt = (gt - gt[self.root_idx])[self.eval_joints]
        return {
            'MPJPE': float(mean_point_error(pred, gt)),
            'PA-MPJPE': float(mean_point_error(pred, gt, 'procrustes')),
        }
