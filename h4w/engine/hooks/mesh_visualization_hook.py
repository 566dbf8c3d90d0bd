"""Draw validation / test predictions to files and TensorBoard."""

import os.path as osp
from typing import Optional, Sequence

import numpy as np
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.visualization import Visualizer

from h4w.registry import HOOKS
from h4w.utils.arrays import to_numpy
from h4w.utils.image_io import MissingImageError, read_image

__all__ = ['MeshVisualizationHook']


@HOOKS.register_module()
class MeshVisualizationHook(Hook):
    """Every ``interval`` samples of validation and testing, render the
    prediction (and ground truth) of one sample on its original image with
    the runner's :class:`~h4w.visualization.MeshVisualizer`.

    The drawing goes to the visualizer's backends (local files and
    TensorBoard in the default runtime) and, in testing with ``out_dir``
    (``tools/test.py --show-dir DIR``), to
    ``<work_dir>/<timestamp>/<out_dir>/<index>_<image name>.jpg``; in
    validation to ``<work_dir>/<timestamp>/<out_dir>/val/...`` when
    ``out_dir`` is set.

    Args:
        enable (bool): Off by default; ``--show-dir`` switches it on.
        interval (int): Draw every ``interval``-th sample.
        draw_gt (bool): Add the ground-truth panel.
        show (bool): Show in a window.
        wait_time (float): Seconds to show.
        out_dir (str, optional): Folder (relative to the run's log dir)
            of the written drawings.
    """

    priority = 'NORMAL'

    def __init__(
        self,
        enable: bool = False,
        interval: int = 50,
        draw_gt: bool = True,
        show: bool = False,
        wait_time: float = 0.0,
        out_dir: Optional[str] = None,
    ) -> None:
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        self.enable = enable
        self.interval = interval
        self.draw_gt = draw_gt
        self.show = show
        self.wait_time = wait_time
        self.out_dir = out_dir
        self._counts = dict(val=0, test=0)
        self._face_array = None

    def _faces(self, runner) -> Optional[np.ndarray]:
        """(F, 3) faces of the runner's body model (read once)."""
        if self._face_array is None:
            model = runner.model
            if is_model_wrapper(model):
                model = model.module
            faces = getattr(getattr(model, 'body_model', None), 'faces', None)
            if faces is not None:
                self._face_array = to_numpy(faces)
        return self._face_array

    def _draw(self, runner, mode: str, outputs: Sequence) -> None:
        if not self.enable:
            return
        visualizer = Visualizer.get_current_instance()
        if not hasattr(visualizer, 'add_datasample'):
            return
        faces = self._faces(runner)
        for sample in outputs:
            index = self._counts[mode]
            self._counts[mode] += 1
            if index % self.interval:
                continue
            path = sample.metainfo.get('img_path')
            try:
                image = read_image(path)
            except (MissingImageError, TypeError):
                runner.logger.warning(
                    f'MeshVisualizationHook: cannot read {path}; skipped'
                )
                continue
            name = f'{index:06d}_{osp.splitext(osp.basename(path))[0]}'
            out_file = None
            if self.out_dir is not None:
                folder = osp.join(runner.log_dir, self.out_dir)
                if mode == 'val':
                    folder = osp.join(folder, 'val')
                out_file = osp.join(folder, f'{name}.jpg')
            visualizer.add_datasample(
                f'{mode}_{name}' if mode == 'val' else name,
                image,
                sample,
                faces=faces,
                draw_gt=self.draw_gt,
                show=self.show,
                wait_time=self.wait_time,
                out_file=out_file,
                step=runner.iter if mode == 'val' else index,
            )

    def after_val_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        self._draw(runner, 'val', outputs or [])

    def after_test_iter(
        self, runner, batch_idx, data_batch=None, outputs=None
    ):
        self._draw(runner, 'test', outputs or [])

    def before_val_epoch(self, runner) -> None:
        self._counts['val'] = 0
