"""The whole-body mesh errors of a dataset where only some persons have
a fit (a GT mesh)."""

from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.logging import MMLogger

from h4w.evaluation.metrics import WholeBodyMeshMetric
from h4w.evaluation.metrics.utils import instance_array
from h4w.registry import METRICS

__all__ = ['FittedWholeBodyMeshMetric']


@METRICS.register_module()
class FittedWholeBodyMeshMetric(WholeBodyMeshMetric):
    """:class:`~h4w.evaluation.metrics.WholeBodyMeshMetric` on the samples
    that have a GT mesh; the others are left out and counted.

    Why: in test mode the estimator's target generator computes
    ``gt_instances.smplx_mesh_cam`` from ``gt_params`` for the whole batch;
    a person without a fit (``gt_params=dict(param_valid=False)``, or no
    ``gt_params`` next to samples that have one) gets an all-zero
    (10475, 3) mesh, and a batch without any fit gets no mesh at all. The
    core metric refuses both (a ValueError for the zero mesh, a KeyError
    for the missing one): it evaluates test sets where every person has a
    ground truth.

    A sample has a GT mesh when ``gt_instances[gt_key]`` is present and
    not all zero. Per sample, :meth:`process` stores the errors of
    :class:`WholeBodyMeshMetric` or None; :meth:`compute_metrics` averages
    the errors and logs how many samples were left out. With no GT mesh
    at all every metric is NaN.

    Args:
        **kwargs: :class:`WholeBodyMeshMetric` arguments (``body_model``,
            ``parts``, ``alignments``, ``gt_key``, ``prefix`` ...).
    """

    def has_gt_mesh(self, data_sample: dict) -> bool:
        """Whether a data-sample dict holds a (non-zero) GT mesh."""
        gt = data_sample.get('gt_instances') or {}
        if self.gt_key not in gt:
            return False
        mesh = instance_array(data_sample, 'gt_instances', self.gt_key)
        return bool(np.any(mesh != 0))

    def process(
        self, data_batch: Optional[dict], data_samples: Sequence[dict]
    ) -> None:
        """Store the errors of each sample with a GT mesh, None for the
        others.

        Args:
            data_batch (dict, optional): Unused.
            data_samples (Sequence[dict]): Data-sample dicts with
                ``pred_instances[pred_key]`` (1, 10475, 3) metres and, when
                the person has a fit, ``gt_instances[gt_key]``.
        """
        for sample in data_samples:
            self.results.append(
                self.sample_result(sample)
                if self.has_gt_mesh(sample)
                else None
            )

    def compute_metrics(self, results: List[Optional[dict]]) -> Dict:
        """Mean errors (mm) over the samples with a GT mesh."""
        kept = [r for r in results if r is not None]
        left_out = len(results) - len(kept)
        MMLogger.get_current_instance().info(
            f'{self.prefix} {self.errors_title}: {len(kept)} of '
            f'{len(results)} samples have a GT mesh (an SMPL-X fit); '
            f'{left_out} left out'
        )
        if not kept:
            return {name: float('nan') for name in self.metric_names}
        return super().compute_metrics(kept)
