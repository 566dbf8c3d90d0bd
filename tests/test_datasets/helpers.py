"""Shared checks of the dataset tests: build a dataset from a config,
run samples through the pipeline and the data preprocessor, and look at
where the targets land in the crop."""
import os.path as osp
import random
from typing import List, Optional, Sequence

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from h4w.registry import DATASETS, MODELS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def config(path: str) -> Config:
    """A config of the repository (path relative to ``configs/``)."""
    return Config.fromfile(osp.join(REPO_ROOT, 'configs', path))


def find_dataset_cfg(cfg: dict, dataset_type: str) -> dict:
    """The first dataset config of ``dataset_type`` inside ``cfg``
    (walks wrappers: ``datasets``, ``datasets_3d``, ``datasets_2d``)."""
    if cfg.get('type') == dataset_type:
        return cfg
    for key in ('dataset', 'datasets', 'datasets_3d', 'datasets_2d'):
        children = cfg.get(key)
        if children is None:
            continue
        for child in (children if isinstance(children, list) else
                      [children]):
            found = find_dataset_cfg(child, dataset_type)
            if found is not None:
                return found
    return None


def build_dataset(cfg: dict, data_root: str, cache_dir: str,
                  **overrides):
    """Build one dataset config on a fixture root."""
    init_default_scope('h4w')
    cfg = dict(cfg, data_root=data_root, cache_dir=cache_dir, **overrides)
    return DATASETS.build(cfg)


def build_preprocessor(model_config: str, human_model_root: str):
    """The data preprocessor of a model config, on the synthetic files."""
    init_default_scope('h4w')
    model = config(model_config).model
    pre = dict(model.data_preprocessor)
    pre['body_model'] = dict(model.body_model, model_path=human_model_root)
    return MODELS.build(pre)


def preprocess(dataset, indices: Sequence[int], preprocessor,
               seed: int = 0, training: bool = True) -> dict:
    """Samples ``indices`` through the pipeline (seeded) and the
    preprocessor: ``inputs`` (N, 3, H, W) in [0, 1] and data samples."""
    random.seed(seed)
    np.random.seed(seed)
    batch = pseudo_collate([dataset[i] for i in indices])
    return preprocessor(batch, training)


def on_person_fraction(image: torch.Tensor, joint_img: np.ndarray,
                       valid: np.ndarray, hm_shape: Sequence[int],
                       threshold: float = 45 / 255) -> float:
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
        patch = img[max(0, yi - 1):yi + 2, max(0, xi - 1):xi + 2]
        hits.append(bool(patch.max() > threshold))
    return float(np.mean(hits)) if hits else 0.0


def numpy_field(sample, name: str, field: str = 'gt_instances'
                ) -> Optional[np.ndarray]:
    """Row 0 of a data-sample field as NumPy (None when absent)."""
    data = getattr(sample, field)
    if name not in data:
        return None
    value = data[name]
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    return np.asarray(value)[0]
