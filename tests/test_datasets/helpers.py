"""Shared checks of the dataset tests: build a dataset from a config,
run samples through the pipeline and the data preprocessor, and look at
where the targets land in the crop; module fixtures of a fixture root, a
config's dataset and a preprocessor; JSON files edited in place."""

import json
import os.path as osp
import random
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from h4w.body_models.joint_sets import SMPLX_JOINTS
from h4w.models.task_modules import build_target_generator
from h4w.registry import DATASETS, MODELS
from h4w.utils.config_utils import fill_codec

from tests.conftest import REPO_ROOT

#: The model whose crop geometry (``model.codec``) the pipelines of each
#: dataset base config take, as in the recipes that use them.
DATASET_BASE_MODELS = {
    'agora.py': 'hand4whole/hand4whole_res50.py',
    'ehf.py': 'hand4whole/hand4whole_res50.py',
    'h36m.py': 'hand4whole/hand4whole_res50.py',
    'human_data.py': 'hand4whole/hand4whole_res50.py',
    'h36m_mpii_coco.py': 'hand4whole/hand4whole_res50.py',
    'h36m_mpii_coco_smpl.py': 'pose2pose/pose2pose_body_res50.py',
    'pw3d.py': 'pose2pose/pose2pose_body_res50.py',
    'freihand.py': 'pose2pose/pose2pose_hand_res50.py',
    'freihand_interhand_coco.py': 'pose2pose/pose2pose_hand_res50.py',
    'ffhq_coco.py': 'pose2pose/pose2pose_face_res50.py',
}


def _load(path: str) -> Config:
    return Config.fromfile(osp.join(REPO_ROOT, 'configs', path))


def config(path: str) -> Config:
    """A config of the repository (path relative to ``configs/``), its
    pipelines given the model's codec as the tools do (a dataset base
    config gets the model of :data:`DATASET_BASE_MODELS`)."""
    init_default_scope('h4w')
    cfg = _load(path)
    if path.startswith('_base_/datasets/'):
        cfg.model = _load(DATASET_BASE_MODELS[osp.basename(path)]).model
    return fill_codec(cfg)


def find_dataset_cfg(cfg: dict, dataset_type: str) -> dict:
    """The first dataset config of ``dataset_type`` inside ``cfg``
    (walks wrappers: ``datasets``, ``datasets_3d``, ``datasets_2d``)."""
    if cfg.get('type') == dataset_type:
        return cfg
    for key in ('dataset', 'datasets', 'datasets_3d', 'datasets_2d'):
        children = cfg.get(key)
        if children is None:
            continue
        for child in children if isinstance(children, list) else [children]:
            found = find_dataset_cfg(child, dataset_type)
            if found is not None:
                return found
    return None


def build_dataset(cfg: dict, data_root: str, cache_dir: str, **overrides):
    """Build one dataset config on a fixture root."""
    init_default_scope('h4w')
    cfg = dict(cfg, data_root=data_root, cache_dir=cache_dir, **overrides)
    return DATASETS.build(cfg)


class Preprocessor:
    """A model's data preprocessor followed by its body-model target
    generator: ``pre(batch, training)`` -> ``inputs`` and data samples with
    the targets (what the estimator sees in ``loss`` / ``predict``)."""

    def __init__(self, model_cfg: dict) -> None:
        self.data_preprocessor = MODELS.build(model_cfg['data_preprocessor'])
        self.target_generator = build_target_generator(
            model_cfg['body_model'],
            model_cfg['codec'],
            model_cfg.get('target_generator'),
        )

    @property
    def body_models(self):
        """The generator's body-model layers (per gender / side)."""
        return self.target_generator.body_models

    def __call__(self, batch: dict, training: bool = False) -> dict:
        data = self.data_preprocessor(batch, training)
        self.target_generator(data['data_samples'])
        return data


def build_preprocessor(model_config: str, human_model_root: str):
    """The :class:`Preprocessor` of a model config, on the synthetic
    files."""
    model = config(model_config).model
    model.body_model.model_path = human_model_root
    return Preprocessor(model)


def preprocess(
    dataset,
    indices: Sequence[int],
    preprocessor,
    seed: int = 0,
    training: bool = True,
) -> dict:
    """Samples ``indices`` through the pipeline (seeded) and the
    preprocessor: ``inputs`` (N, 3, H, W) in [0, 1] and data samples."""
    random.seed(seed)
    np.random.seed(seed)
    batch = pseudo_collate([dataset[i] for i in indices])
    return preprocessor(batch, training)


def on_person_fraction(
    image: torch.Tensor,
    joint_img: np.ndarray,
    valid: np.ndarray,
    hm_shape: Sequence[int],
    threshold: float = 45 / 255,
) -> float:
    """Fraction of the valid joints whose crop pixel (3x3 neighbourhood)
    shows the drawn person (fixture images have a dark background).

    Args:
        image (Tensor): (3, H, W) crop in [0, 1].
        joint_img (np.ndarray): (J, 2+) heat-map units.
        valid (np.ndarray): (J,) or (J, 1).
        hm_shape (Sequence[int]): (D, H_hm, W_hm).
    """
    img = image.max(0).values.numpy()
    height, width = img.shape
    joint_img = np.asarray(joint_img, dtype=np.float64)
    valid = np.asarray(valid).reshape(-1) > 0
    x = joint_img[:, 0] / hm_shape[2] * width
    y = joint_img[:, 1] / hm_shape[1] * height
    hits: List[bool] = []
    for xi, yi in zip(x[valid], y[valid]):
        xi, yi = int(round(xi)), int(round(yi))
        if not (0 <= xi < width and 0 <= yi < height):
            continue
        patch = img[max(0, yi - 1) : yi + 2, max(0, xi - 1) : xi + 2]
        hits.append(bool(patch.max() > threshold))
    return float(np.mean(hits)) if hits else 0.0


def numpy_field(
    sample, name: str, field: str = 'gt_instances'
) -> Optional[np.ndarray]:
    """Row 0 of a data-sample field as NumPy (None when absent)."""
    data = getattr(sample, field)
    if name not in data:
        return None
    value = data[name]
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    return np.asarray(value)[0]


def reference_process_bbox(
    bbox, img_width: float, img_height: float, aspect_ratio: float = 0.75
) -> Optional[np.ndarray]:
    """The reference's ``process_bbox`` (§5.1), written out in float64 as
    NumPy 1 computed it (the box is read as float64), float32 result."""
    x, y, w, h = (float(v) for v in bbox)
    x1, y1 = max(0.0, x), max(0.0, y)
    x2 = min(img_width - 1.0, x1 + max(0.0, w - 1.0))
    y2 = min(img_height - 1.0, y1 + max(0.0, h - 1.0))
    if not (w * h > 0 and x2 > x1 and y2 > y1):
        return None
    w, h = x2 - x1, y2 - y1
    c_x, c_y = x1 + w / 2.0, y1 + h / 2.0
    if w > aspect_ratio * h:
        h = w / aspect_ratio
    elif w < aspect_ratio * h:
        w = h * aspect_ratio
    w, h = w * 1.25, h * 1.25
    return np.array([c_x - w / 2.0, c_y - h / 2.0, w, h], dtype=np.float32)


# -------------------------------------------------------- module fixtures
def root_fixture(make: Callable[..., str], name: str, **kwargs):
    """A module fixture: the root that ``make(<tmp>/<name>,
    human_model_root, **kwargs)`` writes (a ``tests.fixtures.datasets``
    maker) and returns."""

    @pytest.fixture(scope='module')
    def root(tmp_path_factory, human_model_root):
        path = tmp_path_factory.mktemp('data') / name
        return make(str(path), human_model_root, **kwargs)

    return root


def dataset_cfg_fixture(
    config_path: str, dataset_type: str, loader: str = 'train_dataloader'
):
    """A module fixture: the first ``dataset_type`` dataset config of the
    ``loader`` of a repository config (see :func:`find_dataset_cfg`)."""

    @pytest.fixture(scope='module')
    def dataset_cfg():
        found = find_dataset_cfg(
            config(config_path)[loader].dataset, dataset_type
        )
        assert found is not None, f'no {dataset_type} in {config_path}'
        return found

    return dataset_cfg


def preprocessor_fixture(model_config: str):
    """A module fixture: the data preprocessor of a model config on the
    synthetic human-model files (see :func:`build_preprocessor`)."""

    @pytest.fixture(scope='module')
    def preprocessor(human_model_root):
        return build_preprocessor(model_config, human_model_root)

    return preprocessor


def pose2pose_pipeline(
    input_size: Tuple[int, int],
    hm_shape: Tuple[int, int, int],
    joint_set: str,
    depth_3d_size: float,
) -> list:
    """A Pose2Pose training pipeline: augmentation, crop, keypoint targets
    of ``joint_set`` on a ``hm_shape`` heat map."""
    codec = dict(
        type='MeshCodec',
        input_size=input_size,
        heatmap_size=hm_shape,
        depth_sizes=dict(part=depth_3d_size),
    )
    return [
        dict(type='LoadImage'),
        dict(type='RandomMeshAugmentation'),
        dict(type='MeshTopdownAffine', codec=codec),
        dict(
            type='KeypointTargets',
            codec=codec,
            target_joint_set=joint_set,
            depth_part='part',
        ),
        dict(type='PackMeshInputs'),
    ]


# ------------------------------------------------------------ the cache
def assert_cache_is_used(
    monkeypatch,
    cfg: dict,
    data_root: str,
    cache_dir: str,
    reload: Optional[dict] = None,
    **overrides,
) -> list:
    """Build ``cfg`` (with ``overrides``) twice on one cache: the second
    build must load no annotations and give as many samples.

    From the second build on, ``load_annotations`` of the dataset class
    is patched to record a call and to give one dummy data info; the list
    of those calls is returned. ``reload``: more overrides (another cache
    key, or none) whose build must load again: one call, one sample."""
    first = build_dataset(cfg, data_root, cache_dir, **overrides)
    calls = []
    monkeypatch.setattr(
        type(first),
        'load_annotations',
        lambda self: calls.append(1) or [dict(x=1)],
    )
    second = build_dataset(cfg, data_root, cache_dir, **overrides)
    assert not calls and len(second) == len(first)
    if reload is not None:
        third = build_dataset(
            cfg, data_root, cache_dir, **dict(overrides, **reload)
        )
        assert calls and len(third) == 1
    return calls


# ------------------------------------------------------------------ flip
def flip_pair_of_samples(
    dataset, index: int, preprocessor
) -> Tuple[dict, dict]:
    """Sample ``index`` through the pipeline and ``preprocessor`` with a
    fixed augmentation (no scale, rotation or colour change) without and
    with flip: the two preprocessed batches (plain, flipped).

    The augmentation is ``dataset.pipeline.transforms[1]``; its transform
    is restored afterwards."""
    aug = dataset.pipeline.transforms[1]
    original = aug.transform
    outs = []
    for flip in (False, True):
        aug.transform = lambda r, f=flip: dict(
            r,
            aug_scale=1.0,
            rot=0.0,
            flip=f,
            color_scale=np.ones(3, np.float32),
        )
        try:
            outs.append(preprocess(dataset, [index], preprocessor))
        finally:
            aug.transform = original
    return outs[0], outs[1]


def assert_img_joints_mirrored(
    plain,
    flipped,
    keys: Sequence[str],
    perm: Sequence[int],
    width: float,
    masked: bool = True,
) -> None:
    """Heat-map joints of a flipped sample (each of ``keys``), permuted by
    the flip permutation ``perm``, are the plain sample's mirrored:
    x -> width - x, y and z kept. ``masked``: only the joints valid in the
    plain sample (validity: the key with 'img' -> 'valid')."""
    for key in keys:
        a, b = numpy_field(plain, key), numpy_field(flipped, key)
        rows = slice(None)
        if masked:
            rows = numpy_field(plain, key.replace('img', 'valid'))[:, 0] > 0
        np.testing.assert_allclose(
            b[perm][rows, 0], width - a[rows, 0], atol=2e-3
        )
        np.testing.assert_allclose(b[perm][rows, 1:], a[rows, 1:], atol=2e-3)


def assert_cam_x_mirrored(
    plain, flipped, keys: Sequence[str], perm: Sequence[int]
) -> None:
    """Camera-frame joints of a flipped sample (each of ``keys``),
    permuted by ``perm``, have the plain sample's x negated."""
    for key in keys:
        a, b = numpy_field(plain, key), numpy_field(flipped, key)
        np.testing.assert_allclose(b[perm][:, 0], -a[:, 0], atol=1e-5)


def assert_crop_mirrored(plain: dict, flipped: dict) -> None:
    """The flipped crop (sample 0 of the batch) is the mirror image of the
    plain one, up to the one-pixel shift of W - 1 - x: closer to it than
    the unmirrored crop."""
    img_a = plain['inputs'][0].numpy()
    img_b = flipped['inputs'][0].numpy()
    assert np.abs(img_b[:, :, 1:] - img_a[:, :, ::-1][:, :, :-1]).mean() < (
        np.abs(img_b - img_a).mean()
    )


# --------------------------------------------------- whole-body masks
#: SMPL-X foot joints that body-only datasets do not annotate.
FEET = SMPLX_JOINTS.indices_of(
    [
        'L_Big_toe',
        'L_Small_toe',
        'L_Heel',
        'R_Big_toe',
        'R_Small_toe',
        'R_Heel',
    ]
)


def assert_body_only_fit_masks(sample) -> None:
    """Whole-body fit masks of a body-only dataset: no foot joint targets,
    truncation within validity; of the 53 parameter joints, no L/R ankle
    (7, 8) and L/R wrist (20, 21) rotation, the root, the hips (1, 2) and
    the jaw (52) valid."""
    valid = numpy_field(sample, 'smplx_joint_valid')[:, 0]
    trunc = numpy_field(sample, 'smplx_joint_trunc')[:, 0]
    assert valid[FEET].sum() == 0 and trunc[FEET].sum() == 0
    assert (trunc <= valid).all()
    pose_valid = numpy_field(sample, 'smplx_pose_valid').reshape(53, 3)
    assert pose_valid[[7, 8, 20, 21]].sum() == 0
    assert pose_valid[[0, 1, 2, 52]].all()


# ------------------------------------------------------------ bad input
@contextmanager
def edited_json(path: Path):
    """Yield the content of the JSON file ``path``; written back, as the
    caller edited it, when the block ends."""
    content = json.loads(path.read_text())
    yield content
    path.write_text(json.dumps(content))
