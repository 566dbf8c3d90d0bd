"""Synthetic people in front of a camera, drawn into images.

:class:`SyntheticPeople` poses a synthetic human model
(:func:`~h4w.synthetic.make_synthetic_human_models`), places it in the
view of a pinhole camera, projects it and paints its silhouette, so that
rendered synthetic datasets (and the dataset fixtures of the tests) can
check that targets land on the drawn person.
"""

from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch

from h4w.body_models import FIT_PARAM_DIMS, PARAM_LAYOUTS
from h4w.registry import MODELS
from h4w.visualization import draw_mesh

__all__ = ['SyntheticPeople', 'project', 'rodrigues']

#: gt_params field -> layer argument.
LAYER_ARGS = dict(
    root_pose='global_orient',
    body_pose='body_pose',
    shape='betas',
    trans='transl',
    lhand_pose='left_hand_pose',
    rhand_pose='right_hand_pose',
    jaw_pose='jaw_pose',
    expr='expression',
    hand_pose='hand_pose',
)

MODEL_TYPES = dict(
    smplx='SMPLXModel', smpl='SMPLModel', mano='MANOModel', flame='FLAMEModel'
)
#: The Human3.6M regressors the synthetic tree has, per model.
H36M_REGRESSORS = dict(
    smplx=dict(h36m_regressor_file='smplx/J_regressor_h36m_smplx.npy'),
    smpl=dict(h36m_regressor_file='smpl/J_regressor_h36m_smpl.npy'),
)

#: Extent of each model in metres (how large it is drawn).
MODEL_HEIGHT = dict(smplx=1.7, smpl=1.7, mano=0.2, flame=0.25)

BACKGROUND = 0


def rodrigues(vec: Sequence[float]) -> np.ndarray:
    """Axis-angle (3,) -> rotation matrix (3, 3) float64."""
    return cv2.Rodrigues(np.asarray(vec, dtype=np.float64).reshape(3))[0]


def project(
    points: np.ndarray, focal: Sequence[float], princpt: Sequence[float]
) -> np.ndarray:
    """Pinhole projection of camera-frame points (N, 3) -> (N, 2)."""
    points = np.asarray(points, dtype=np.float64)
    xy = points[:, :2] / points[:, 2:3]
    return (xy * np.asarray(focal) + np.asarray(princpt)).astype(np.float32)


class SyntheticPeople:
    """Pose, place, project and draw synthetic SMPL-X / SMPL / MANO /
    FLAME people.

    Args:
        model_root (str): Synthetic ``human_model_files`` tree.
        seed (int): Seed of the poses and placements.
    """

    def __init__(self, model_root: str, seed: int = 0) -> None:
        self.model_root = model_root
        self.rng = np.random.default_rng(seed)
        self._models: Dict[Tuple[str, str], torch.nn.Module] = {}

    def model(self, model_type: str, key: str = 'neutral'):
        """The body model (built once); ``key`` = gender or MANO side."""
        layout = PARAM_LAYOUTS[model_type]
        if layout.groups is not None and key not in layout.groups:
            key = layout.default_group  # MANO: 'neutral' is the right hand
        if (model_type, key) not in self._models:
            cfg = dict(
                type=MODEL_TYPES[model_type],
                model_path=self.model_root,
                **{layout.group_field: key},
                **H36M_REGRESSORS.get(model_type, {}),
            )
            self._models[(model_type, key)] = MODELS.build(cfg).eval()
        return self._models[(model_type, key)]

    def random_params(
        self, model_type: str, pose_std: float = 0.15
    ) -> Dict[str, np.ndarray]:
        """Mild random pose / shape / expression, upright and facing the
        camera (root rotated by pi about x: y up -> image y down)."""
        params = {}
        for name, dim in FIT_PARAM_DIMS[model_type].items():
            std = 0.5 if name in ('shape', 'expr') else pose_std
            params[name] = (self.rng.standard_normal(dim) * std).astype(
                np.float32
            )
        params['root_pose'] = (
            np.array([np.pi, 0, 0], dtype=np.float32)
            + params['root_pose'] * 0.3
        )
        params['trans'] = np.zeros(3, dtype=np.float32)
        return params

    @torch.no_grad()
    def forward(
        self,
        model_type: str,
        params: Dict[str, np.ndarray],
        key: str = 'neutral',
    ) -> Dict[str, np.ndarray]:
        """Vertices (V, 3), supervision joints (J, 3) and, when the model
        has one, Human3.6M joints (17, 3), in the frame of ``params``."""
        layer = self.model(model_type, key)
        args = {
            LAYER_ARGS[k]: torch.as_tensor(v, dtype=torch.float32)[None]
            for k, v in params.items()
            if k in LAYER_ARGS
        }
        out = layer(**args)
        verts = out['vertices'][0]
        result = dict(
            vertices=verts.numpy(),
            joints=out['joints'][0].numpy(),
            faces=layer.faces.cpu().numpy().astype(np.int64),
        )
        if hasattr(layer, 'h36m_regressor'):
            result['h36m_joints'] = (layer.h36m_regressor @ verts).numpy()
        return result

    def place(
        self,
        model_type: str,
        img_shape: Tuple[int, int],
        key: str = 'neutral',
        params: Optional[Dict[str, np.ndarray]] = None,
        fill: float = 0.6,
        center: Optional[Sequence[float]] = None,
    ) -> dict:
        """Pose a person and put it in the view of a camera.

        Args:
            model_type (str): ``smplx``, ``smpl``, ``mano`` or ``flame``.
            img_shape (tuple): (H, W) of the image.
            key (str): Gender (MANO: side).
            params (dict, optional): Pose; random when None.
            fill (float): Fraction of the image height the person spans.
            center (Sequence[float], optional): Pixel the person centre
                projects to; the image centre plus jitter when None.

        Returns:
            dict: ``params`` (camera frame, ``trans`` set), ``focal``,
            ``princpt`` (2,), ``vertices``, ``joints`` (camera frame),
            ``verts_2d``, ``joints_2d``, ``faces``, ``bbox`` (4,) tight
            xywh of the projected vertices and, where available,
            ``h36m_joints``.
        """
        height, width = img_shape
        params = dict(params or self.random_params(model_type))
        params['trans'] = np.zeros(3, dtype=np.float32)
        rest = self.forward(model_type, params, key)
        lo, hi = rest['vertices'].min(0), rest['vertices'].max(0)
        focal = np.array([1.2 * width] * 2, dtype=np.float32)
        princpt = np.array([width / 2.0, height / 2.0], dtype=np.float32)
        depth = focal[1] * MODEL_HEIGHT[model_type] / (fill * height)
        if center is None:
            center = princpt + self.rng.uniform(-0.05, 0.05, 2) * [
                width,
                height,
            ]
        offset = (np.asarray(center) - princpt) / focal * depth
        mid = (lo + hi) / 2
        params['trans'] = (
            np.array([offset[0], offset[1], depth]) - mid
        ).astype(np.float32)
        out = self.forward(model_type, params, key)
        verts_2d = project(out['vertices'], focal, princpt)
        x1, y1 = verts_2d.min(0)
        x2, y2 = verts_2d.max(0)
        out.update(
            params=params,
            focal=focal,
            princpt=princpt,
            verts_2d=verts_2d,
            joints_2d=project(out['joints'], focal, princpt),
            bbox=np.array([x1, y1, x2 - x1, y2 - y1], dtype=np.float32),
        )
        return out

    def draw(
        self,
        people: Sequence[dict],
        img_shape: Tuple[int, int],
        noise: bool = True,
    ) -> np.ndarray:
        """An (H, W, 3) uint8 BGR image of ``people`` on a dark
        background (values < 40), each person in its own bright colour."""
        height, width = img_shape
        img = np.full((height, width, 3), BACKGROUND, dtype=np.uint8)
        if noise:
            img += self.rng.integers(0, 40, img.shape, dtype=np.uint8)
        for i, person in enumerate(
            sorted(people, key=lambda p: -p['vertices'][:, 2].mean())
        ):
            color = (90 + 60 * (i % 3), 200 - 50 * (i % 2), 230)
            draw_mesh(
                img,
                person['verts_2d'],
                person['vertices'][:, 2],
                person['faces'],
                color,
            )
        return img
