"""``MeshVisualizer``: prediction and ground truth of a
:class:`~h4w.structures.MeshDataSample` drawn on its original image."""

from typing import Optional, Sequence

import numpy as np
from mmengine.visualization import Visualizer

from h4w.registry import VISUALIZERS
from h4w.utils.arrays import to_numpy

from .draw import draw_boxes, draw_keypoints
from .renderer import MeshRenderer, track_color

__all__ = ['MeshVisualizer', 'find_mesh_key']


def find_mesh_key(instances) -> Optional[str]:
    """The camera-frame mesh field of an ``InstanceData``: ``vertices``
    (inference) or the model's ``<prefix>_mesh_cam``."""
    if instances is None:
        return None
    if 'vertices' in instances:
        return 'vertices'
    keys = sorted(k for k in instances.keys() if k.endswith('_mesh_cam'))
    return keys[0] if keys else None


def _float32(value) -> np.ndarray:
    return to_numpy(value, np.float32)


def _person_box(data_sample, source: str = 'pred') -> Optional[np.ndarray]:
    """(4,) xyxy crop box of a sample in image pixels: the inference
    ``crop_bboxes``, else the dataset's (x, y, w, h) ``gt_instances.bbox``;
    None when neither is there."""
    pred = data_sample.get('pred_instances')
    if source == 'pred' and pred is not None and 'crop_bboxes' in pred:
        return _float32(pred.crop_bboxes).reshape(4)
    gt = data_sample.get('gt_instances')
    if gt is None or 'bbox' not in gt:
        return None
    x, y, w, h = _float32(gt.bbox).reshape(4)
    return np.array([x, y, x + w, y + h])


@VISUALIZERS.register_module()
class MeshVisualizer(Visualizer):
    """Render predicted (and ground-truth) meshes over the image.

    The prediction panel shows the mesh of ``pred_instances`` (``vertices``
    or ``<prefix>_mesh_cam``, camera frame) seen through its camera
    ``focal`` / ``princpt`` (original-image pixels), the person box and the
    projected keypoints. The ground-truth panel, when asked, shows the
    ground-truth mesh where the sample has a camera for it (``gt_params``
    ``focal`` / ``princpt``), the ground-truth box and 2D keypoints in
    original pixels when present. Panels are side by side (ground truth
    left), as mmpose's visualizer.

    Images are RGB; the vis backends (local files, TensorBoard) receive
    RGB.

    Args:
        name (str): Instance name (``Visualizer.get_current_instance``).
        vis_backends (list[dict], optional): e.g. local + TensorBoard.
        save_dir (str, optional): Folder of the backends.
        renderer (str): ``'auto'``, ``'pyrender'`` or ``'opencv'``
            (:class:`~h4w.visualization.MeshRenderer`).
        side_view (bool): Add a side view of the prediction.
        alpha (float): Mesh opacity.
        draw_keypoints (bool): Draw projected keypoints.
        draw_bbox (bool): Draw the person box.
    """

    def __init__(
        self,
        name: str = 'visualizer',
        image: Optional[np.ndarray] = None,
        vis_backends: Optional[Sequence[dict]] = None,
        save_dir: Optional[str] = None,
        renderer: str = 'auto',
        side_view: bool = False,
        alpha: float = 0.8,
        draw_keypoints: bool = True,
        draw_bbox: bool = True,
    ) -> None:
        super().__init__(
            name=name,
            image=image,
            vis_backends=vis_backends,
            save_dir=save_dir,
        )
        self.renderer_backend = renderer
        self.side_view = side_view
        self.alpha = alpha
        self.draw_keypoints = draw_keypoints
        self.draw_bbox = draw_bbox
        self._renderer = None

    @property
    def renderer(self) -> MeshRenderer:
        if self._renderer is None:
            self._renderer = MeshRenderer(self.renderer_backend)
        return self._renderer

    def _draw_mesh(self, image, vertices, faces, focal, princpt, color):
        return self.renderer.render(
            image,
            [vertices],
            faces,
            focal[None],
            princpt[None],
            colors=[color],
            alpha=self.alpha,
            side_view=self.side_view,
        )

    def draw_prediction(
        self, image: np.ndarray, data_sample, faces: Optional[np.ndarray]
    ) -> np.ndarray:
        """The prediction panel (H, W or 2W, 3) RGB."""
        pred = data_sample.get('pred_instances')
        key = find_mesh_key(pred)
        canvas = image.copy()
        if (
            key is not None
            and faces is not None
            and 'focal' in pred
            and 'princpt' in pred
        ):
            canvas = self._draw_mesh(
                canvas,
                _float32(pred.get(key))[0],
                faces,
                _float32(pred.focal)[0],
                _float32(pred.princpt)[0],
                track_color(0),
            )
        panel = canvas[:, : image.shape[1]]
        if self.draw_keypoints and pred is not None:
            points = pred.get('keypoints')
            if points is None:
                proj = [
                    k for k in pred.keys() if k.endswith('joint_proj_orig')
                ]
                points = pred.get(proj[0]) if proj else None
            if points is not None:
                draw_keypoints(panel, _float32(points)[0], color=(0, 255, 0))
        if self.draw_bbox:
            box = _person_box(data_sample)
            if box is not None:
                draw_boxes(panel, box[None])
        return canvas

    def draw_ground_truth(
        self, image: np.ndarray, data_sample, faces: Optional[np.ndarray]
    ) -> np.ndarray:
        """The ground-truth panel (H, W, 3) RGB."""
        canvas = image.copy()
        gt = data_sample.get('gt_instances')
        params = data_sample.get('gt_params')
        key = find_mesh_key(gt)
        if (
            key is not None
            and faces is not None
            and params is not None
            and 'focal' in params
            and 'princpt' in params
        ):
            vertices = _float32(gt.get(key)).reshape(-1, 3)
            if len(vertices) == int(faces.max()) + 1:
                canvas = self.renderer.render(
                    canvas,
                    [vertices],
                    faces,
                    _float32(params.focal).reshape(1, 2),
                    _float32(params.princpt).reshape(1, 2),
                    colors=[(120, 200, 255)],
                    alpha=self.alpha,
                )
        if self.draw_bbox and gt is not None and 'bbox' in gt:
            draw_boxes(canvas, _person_box(data_sample, 'gt')[None])
        return canvas

    def add_datasample(
        self,
        name: str,
        image: np.ndarray,
        data_sample=None,
        faces: Optional[np.ndarray] = None,
        draw_gt: bool = True,
        draw_pred: bool = True,
        show: bool = False,
        wait_time: float = 0,
        out_file: Optional[str] = None,
        step: int = 0,
    ) -> np.ndarray:
        """Draw a data sample, then show it, write it to ``out_file`` and
        send it to the vis backends (under ``name`` at ``step``).

        Args:
            name (str): Image name for the backends.
            image (np.ndarray): (H, W, 3) RGB original image.
            data_sample (MeshDataSample): With ``pred_instances`` and / or
                ``gt_instances``.
            faces (np.ndarray, optional): (F, 3) faces of the body model;
                without them only keypoints and boxes are drawn.
            draw_gt, draw_pred (bool): Which panels.
            show (bool): Show in a window.
            wait_time (float): Seconds to show.
            out_file (str, optional): Also write the drawing there.
            step (int): Global step of the backends.

        Returns:
            np.ndarray: The drawing (RGB).
        """
        from h4w.utils.image_io import write_image

        image = np.ascontiguousarray(np.clip(image, 0, 255).astype(np.uint8))
        faces = None if faces is None else np.asarray(faces)
        panels = []
        if draw_gt and data_sample is not None:
            panels.append(self.draw_ground_truth(image, data_sample, faces))
        if draw_pred and data_sample is not None:
            panels.append(self.draw_prediction(image, data_sample, faces))
        drawn = np.concatenate(panels, axis=1) if panels else image
        self.set_image(drawn)
        if show:
            self.show(drawn, win_name=name, wait_time=wait_time)
        if out_file is not None:
            write_image(out_file, drawn)
        self.add_image(name, drawn, step)
        return drawn
