"""FreiHAND prediction dump for the official server (spec §6.5)."""

import json
import os
import os.path as osp
from typing import Dict, Optional

import numpy as np
from mmengine.logging import MMLogger

from h4w.registry import METRICS
from h4w.utils.typing import ConfigType

from .utils import BodyModelMetric, meta_value


@METRICS.register_module()
class FreiHANDDumpMetric(BodyModelMetric):
    """Write ``pred.json`` for the FreiHAND CodaLab server.

    The file holds ``[joints, meshes]``: per sample in dataset order
    (metainfo ``sample_idx``) the 21 MANO joints (21, 3), regressed by the
    body model's ``joint_regressor`` from the predicted mesh, and the mesh
    (778, 3), camera frame in metres including the camera translation. The
    server does its own alignment, so no metric is computed and the
    returned dict is empty. The file is written by ``compute_metrics``,
    which runs on rank 0 only after the results of all ranks are collected.

    Args:
        body_model (dict): MANO config (:class:`MANOModel`, right hand).
        out_dir (str, optional): Folder of ``pred.json`` (created). None
            uses the folder of the current log file (``<work_dir>/
            <timestamp>`` under a Runner).
        pred_key (str): Predicted mesh in ``pred_instances``. Defaults to
            ``'mano_mesh_cam'``.
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str, optional): Defaults to ``'FreiHAND'``.
        collect_dir (str, optional): CPU collection folder.
    """

    default_prefix: Optional[str] = 'FreiHAND'
    body_arrays_needed = ('joint_regressor',)

    def __init__(
        self,
        body_model: ConfigType,
        out_dir: Optional[str] = None,
        pred_key: str = 'mano_mesh_cam',
        **kwargs,
    ) -> None:
        super().__init__(body_model, pred_key, **kwargs)
        self.out_dir = out_dir

    def sample_result(self, data_sample: dict) -> dict:
        """Sample index, joints and mesh of a data-sample dict with
        metainfo ``sample_idx`` and ``pred_instances[pred_key]``
        (1, 778, 3)."""
        mesh = self.pred_array(data_sample)
        return dict(
            sample_idx=int(meta_value(data_sample, 'sample_idx')),
            joints=(self.body_arrays['joint_regressor'] @ mesh).astype(
                np.float32
            ),
            mesh=mesh.astype(np.float32),
        )

    def _resolve_out_dir(self) -> str:
        """``out_dir``, or the folder of the current log file."""
        if self.out_dir is not None:
            return self.out_dir
        log_file = MMLogger.get_current_instance().log_file
        if log_file is None:
            raise ValueError(
                'FreiHANDDumpMetric: set out_dir (there is no '
                'log file whose folder could be used)'
            )
        return osp.dirname(osp.abspath(log_file))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Write ``<out_dir>/pred.json`` in ``sample_idx`` order.

        Returns:
            dict: Empty (the server computes the metrics).
        """
        results = sorted(results, key=lambda r: r['sample_idx'])
        indices = [r['sample_idx'] for r in results]
        if len(set(indices)) != len(indices):
            raise ValueError(
                'FreiHANDDumpMetric got a sample_idx twice; '
                'each dataset sample must be predicted once'
            )
        out_dir = self._resolve_out_dir()
        os.makedirs(out_dir, exist_ok=True)
        out_file = osp.join(out_dir, 'pred.json')
        with open(out_file, 'w') as f:
            json.dump(
                [
                    [r['joints'].tolist() for r in results],
                    [r['mesh'].tolist() for r in results],
                ],
                f,
            )
        MMLogger.get_current_instance().info(
            f'FreiHAND results ({len(results)} samples) are dumped at: '
            f'{out_file}'
        )
        return {}
