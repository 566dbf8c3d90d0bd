"""Rendered synthetic training data in the processed AGORA layout.

:func:`make_synthetic_dataset` renders the synthetic SMPL-X humanoid
(the neutral model of a ``human_model_files`` tree, see
:func:`~h4w.synthetic.make_synthetic_human_models`), one person per
image, with :class:`~h4w.visualization.MeshRenderer` (pyrender over EGL,
headless; OpenCV when pyrender cannot render) in random body, hand and
face poses, shapes and expressions (:func:`random_smplx_params`), at
random distances (the mesh spans 45 % to 90 % of the image height),
image positions, yaws and focal lengths, in a random colour over a
:func:`procedural_background`. It is data for smoke runs of training and
testing, not for models meant to work on photos.

What is written is read by :class:`~h4w.datasets.AGORADataset` with
``resolution`` = the image (H, W) (the files are those of
``tools/dataset_converters/agora``; boxes and cameras in 3840x2160
pixels, scaled to the image by the dataset)::

    AGORA_{train,validation}_SMPLX.json   images {id,
        file_name_3840x2160 (not written), file_name_1280x720 (the
        rendered image, whatever its size)}, annotations {id, image_id,
        person_id 0, smplx_param_path, cam_param_path, gender 'neutral',
        kid False, occlusion 0, is_valid True, age, ethnicity, bbox,
        lhand_bbox, rhand_bbox, face_bbox}
    smplx_params_cam/<folder>/<stem>/0.json   camera-frame fit
    cam_params/<folder>/<stem>.json           {focal, princpt}
    images_<W>x<H>/<folder>/<stem>_<W>x<H>.png
    person_boxes_{train,validation}.json  COCO detections in image
        pixels ({file_name, image_id, bbox xywh, score, category_id}),
        for tools/demo.py --bbox-json
    synthetic_dataset.json, README.txt

with ``<folder>`` ``train_0`` or ``validation``. The boxes are those of
AGORA's tool (:func:`~h4w.datasets.datasets.agora_dataset.agora_boxes`):
tight boxes of the 127 projected joints (body), of the finger joints and
tips (hands) and of the face landmarks, enlarged x1.2.

Ground truth: the fit is exact. The rendered mesh is the neutral SMPL-X
mesh of the saved fit (eye poses zero) under the saved camera; the
dataset's whole-body 2D keypoint targets are the fit's projected joints
(:class:`~h4w.datasets.AGORADataset` sets ``keypoints_from_fit``), so
keypoints, mesh and image agree.

Deterministic: image ``i`` of a split depends only on the seed, the
split, ``i`` and the image size (:func:`scene_rngs`), so the same
arguments give identical files (with the same renderer backend).
"""

import colorsys
import json
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import numpy as np
import torch
from mmengine.utils import ProgressBar

from h4w.datasets.datasets.agora_dataset import AGORA_FULL_SHAPE, agora_boxes
from h4w.utils.image_io import write_image
from h4w.version import __version__
from h4w.visualization.renderer import MeshRenderer

from .backgrounds import procedural_background
from .random_poses import random_smplx_params
from .synthetic_people import SyntheticPeople, project

__all__ = [
    'SPLITS',
    'check_img_shape',
    'make_synthetic_dataset',
    'random_person_color',
    'scene_rngs',
]

#: AGORA split -> (image folder, image stem prefix).
SPLITS = dict(
    train=('train_0', 'ag_trainset_synthetic'),
    validation=('validation', 'ag_validationset_synthetic'),
)
#: Version of the written layout (``synthetic_dataset.json``).
FORMAT_VERSION = 1
#: People per SMPL-X forward.
BATCH_SIZE = 16
#: Fraction of the image height the mesh spans.
FILL = (0.45, 0.9)
#: Focal length / image width (a 22 mm to 50 mm lens on 36 mm film).
FOCAL = (0.6, 1.4)
#: Margin (fraction of the image width) kept between mesh and border.
MARGIN = 0.02
NUM_AGORA_JOINTS = 127

README = """\
Synthetic data, for smoke runs only.

Written by h4w.synthetic.make_synthetic_dataset (seed {seed}): the
procedural synthetic SMPL-X humanoid of {model_root}, rendered over
procedural backgrounds, {num_train} training and {num_val} validation
images of {width}x{height} pixels in the processed AGORA layout (read by
AGORADataset with resolution=({height}, {width})). The people are not
real and the images do not look like photos: models trained on this data
only show that training and testing run. The fits are the exact ground
truth of the rendered meshes.
"""


def check_img_shape(img_shape: Sequence[int]) -> Tuple[int, int]:
    """(H, W) of a 16:9 image as ints; ValueError otherwise."""
    try:
        height, width = (int(v) for v in img_shape)
    except (TypeError, ValueError):
        raise ValueError(f'img_shape must be (H, W), got {img_shape!r}')
    if height <= 0 or width * AGORA_FULL_SHAPE[0] != (
        height * AGORA_FULL_SHAPE[1]
    ):
        raise ValueError(
            f'the image must be 16:9 like AGORA (e.g. 512x288), got '
            f'{width}x{height}'
        )
    return height, width


def scene_rngs(
    seed: int, split: str, index: int, img_shape: Sequence[int]
) -> Tuple[np.random.Generator, np.random.Generator]:
    """The random generators of one image: (background, person).

    Args:
        seed (int): Dataset seed.
        split (str): A key of :data:`SPLITS`.
        index (int): Image index in the split.
        img_shape (Sequence[int]): (H, W).

    Returns:
        tuple: Two independent ``np.random.Generator``.
    """
    entropy = [int(seed), list(SPLITS).index(split), int(index)]
    entropy += [int(v) for v in img_shape]
    background, person = np.random.SeedSequence(entropy).spawn(2)
    return np.random.default_rng(background), np.random.default_rng(person)


def random_person_color(rng: np.random.Generator) -> np.ndarray:
    """A random mesh colour (3,) RGB in [0, 255]: any hue, light."""
    hsv = rng.uniform((0.0, 0.15, 0.6), (1.0, 0.8, 1.0))
    return np.array(colorsys.hsv_to_rgb(*hsv)) * 255


@torch.no_grad()
def _forward(layer, params: List[Dict[str, np.ndarray]]) -> Dict[str, list]:
    """Camera-frame vertices and AGORA joints (float64) of fits without
    translation, in one batch."""
    out = layer(
        **{
            key: torch.from_numpy(np.stack([p[key] for p in params]))
            for key in params[0]
        }
    )
    return dict(
        vertices=list(out['vertices'].double().numpy()),
        joints=list(
            out['output_joints'][:, :NUM_AGORA_JOINTS].double().numpy()
        ),
    )


def _place(
    rng: np.random.Generator,
    vertices: np.ndarray,
    img_shape: Tuple[int, int],
) -> dict:
    """A camera (3840x2160 pixels) and the translation that puts the
    mesh at a random size and position in its image.

    Args:
        rng (np.random.Generator): Source of randomness.
        vertices (np.ndarray): (V, 3) camera-frame mesh without
            translation.
        img_shape (tuple): (H, W) of the image.

    Returns:
        dict: ``transl`` (3,) float32, ``focal`` and ``princpt`` (2,)
        of the 4K camera, ``scale`` (4K pixels -> image pixels).
    """
    height, width = img_shape
    scale = width / AGORA_FULL_SHAPE[1]
    focal_4k = rng.uniform(*FOCAL) * AGORA_FULL_SHAPE[1]
    princpt_4k = np.array(AGORA_FULL_SHAPE[::-1], np.float64) / 2
    focal = focal_4k * scale
    lo, hi = vertices.min(0), vertices.max(0)
    depth = focal * (hi[1] - lo[1]) / (rng.uniform(*FILL) * height)
    half = focal * (hi[:2] - lo[:2]) / (2 * depth) + MARGIN * width
    size = np.array([width, height], np.float64)
    room = np.maximum(size - 2 * half, 0)
    centre = half + rng.uniform(0, 1, 2) * room
    centre = np.where(room > 0, centre, size / 2)
    offset = (centre - princpt_4k * scale) / focal * depth
    transl = np.array([offset[0], offset[1], depth]) - (lo + hi) / 2
    return dict(
        transl=transl.astype(np.float32),
        focal=np.array([focal_4k, focal_4k]),
        princpt=princpt_4k,
        scale=scale,
    )


def _write_json(path: str, content) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(content, f)


class _SplitWriter:
    """Renders and writes the images, fits, cameras and annotations of
    one split."""

    def __init__(
        self,
        out_dir: str,
        split: str,
        img_shape: Tuple[int, int],
        faces: np.ndarray,
        renderer: MeshRenderer,
    ) -> None:
        self.out_dir = out_dir
        self.split = split
        self.folder, self.prefix = SPLITS[split]
        self.img_shape = img_shape
        self.faces = faces
        self.renderer = renderer
        self.images: List[dict] = []
        self.annotations: List[dict] = []
        self.person_boxes: List[dict] = []

    def write(
        self,
        index: int,
        params: Dict[str, np.ndarray],
        vertices: np.ndarray,
        joints: np.ndarray,
        rngs: Tuple[np.random.Generator, np.random.Generator],
    ) -> None:
        """Place, render and write image ``index`` (person fit
        ``params`` without translation, its (V, 3) ``vertices`` and
        (127, 3) ``joints``)."""
        background_rng, person_rng = rngs
        height, width = self.img_shape
        cam = _place(person_rng, vertices, self.img_shape)
        fit = dict(params, transl=cam['transl'])
        vertices = vertices + cam['transl']
        joints_2d = project(
            joints + cam['transl'], cam['focal'], cam['princpt']
        )
        color = random_person_color(person_rng)
        img = self.renderer.render(
            procedural_background(background_rng, self.img_shape),
            [vertices],
            self.faces,
            cam['focal'] * cam['scale'],
            cam['princpt'] * cam['scale'],
            colors=[color],
        )
        stem = f'{self.prefix}_{index:05d}'
        size = f'{width}x{height}'
        img_rel = f'images_{size}/{self.folder}/{stem}_{size}.png'
        fit_rel = f'smplx_params_cam/{self.folder}/{stem}/0.json'
        cam_rel = f'cam_params/{self.folder}/{stem}.json'
        write_image(osp.join(self.out_dir, img_rel), img)
        zeros = [0.0] * 3
        _write_json(
            osp.join(self.out_dir, fit_rel),
            dict(
                {k: v.tolist() for k, v in fit.items()},
                leye_pose=zeros,
                reye_pose=zeros,
            ),
        )
        _write_json(
            osp.join(self.out_dir, cam_rel),
            dict(focal=cam['focal'].tolist(), princpt=cam['princpt'].tolist()),
        )
        self.images.append(
            dict(
                id=index,
                file_name_3840x2160=(
                    f'images_3840x2160/{self.folder}/{stem}.png'
                ),
                file_name_1280x720=img_rel,
            )
        )
        ann = dict(
            id=index,
            image_id=index,
            person_id=0,
            smplx_param_path=fit_rel,
            cam_param_path=cam_rel,
            gender='neutral',
            kid=False,
            occlusion=0.0,
            is_valid=True,
            age='31-50',
            ethnicity='synthetic',
        )
        boxes = agora_boxes(joints_2d)
        ann.update({k: v.tolist() for k, v in boxes.items()})
        self.annotations.append(ann)
        self.person_boxes.append(
            dict(
                file_name=osp.basename(img_rel),
                image_id=index,
                bbox=(boxes['bbox'] * cam['scale']).tolist(),
                score=1.0,
                category_id=1,
            )
        )

    def close(self) -> None:
        """Write the split's annotation file."""
        _write_json(
            osp.join(self.out_dir, f'AGORA_{self.split}_SMPLX.json'),
            dict(images=self.images, annotations=self.annotations),
        )
        _write_json(
            osp.join(self.out_dir, f'person_boxes_{self.split}.json'),
            self.person_boxes,
        )


def make_synthetic_dataset(
    out_dir: str,
    model_root: str,
    num_train: int = 200,
    num_val: int = 20,
    img_shape: Sequence[int] = (288, 512),
    seed: int = 0,
    progress: bool = True,
) -> str:
    """Render a synthetic whole-body dataset in the AGORA layout (see the
    module docstring).

    Args:
        out_dir (str): Output folder (the ``data_root`` of
            :class:`~h4w.datasets.AGORADataset`); files are overwritten.
        model_root (str): ``human_model_files`` root with
            ``smplx/SMPLX_NEUTRAL.npz`` (e.g. the synthetic tree).
        num_train (int): Training images (``train_0``).
        num_val (int): Validation images (``validation``).
        img_shape (Sequence[int]): (H, W) of the images, 16:9.
        seed (int): Seed; the same arguments give the same files.
        progress (bool): Show a progress bar over the images.

    Returns:
        str: ``out_dir``.

    Raises:
        ValueError: A bad count or image shape.
        FileNotFoundError: ``model_root`` or its SMPL-X file is missing.
    """
    height, width = check_img_shape(img_shape)
    counts = dict(train=int(num_train), validation=int(num_val))
    if min(counts.values()) < 0 or sum(counts.values()) == 0:
        raise ValueError(
            f'need num_train, num_val >= 0 and at least one image, got '
            f'{num_train}, {num_val}'
        )
    if not osp.isdir(model_root):
        raise FileNotFoundError(
            f'human-model root not found: {model_root} (write a synthetic '
            'one with tools/misc/make_synthetic_human_models.py)'
        )
    layer = SyntheticPeople(model_root).model('smplx', 'neutral')
    faces = layer.faces.cpu().numpy().astype(np.int64)
    bar = ProgressBar(sum(counts.values())) if progress else None
    with MeshRenderer(backend='auto') as renderer:
        for split, count in counts.items():
            writer = _SplitWriter(
                out_dir, split, (height, width), faces, renderer
            )
            for start in range(0, count, BATCH_SIZE):
                indices = range(start, min(start + BATCH_SIZE, count))
                rngs = [
                    scene_rngs(seed, split, i, (height, width))
                    for i in indices
                ]
                params = [random_smplx_params(rng) for _, rng in rngs]
                out = _forward(layer, params)
                for k, index in enumerate(indices):
                    writer.write(
                        index,
                        params[k],
                        out['vertices'][k],
                        out['joints'][k],
                        rngs[k],
                    )
                    if bar is not None:
                        bar.update()
            writer.close()
        backend = renderer.backend
    if bar is not None:
        print(flush=True)
    info = dict(
        version=FORMAT_VERSION,
        h4w_version=__version__,
        seed=int(seed),
        num_train=counts['train'],
        num_val=counts['validation'],
        img_size=[width, height],
        model_root=osp.abspath(model_root),
        renderer=backend,
    )
    _write_json(osp.join(out_dir, 'synthetic_dataset.json'), info)
    with open(osp.join(out_dir, 'README.txt'), 'w') as f:
        f.write(README.format(width=width, height=height, **info))
    return out_dir
