"""Checkpoints for the inference tests: the converter's output from a
state dict in the upstream (DataParallel) layout."""

import os.path as osp

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from h4w.apis.checkpoint_conversion import KEY_MAPS

from tests.conftest import REPO_ROOT, load_tool

CONFIGS = dict(
    hand4whole='configs/hand4whole/hand4whole_res50.py',
    pose2pose_body='configs/pose2pose/pose2pose_body_res50.py',
    pose2pose_hand='configs/pose2pose/pose2pose_hand_res50.py',
    pose2pose_face='configs/pose2pose/pose2pose_face_res50.py',
)


def build_model(model_name: str, human_model_root: str, seed: int = 0):
    """The estimator of a config with random weights that keep its outputs
    sensitive to the input (the parity tests' ``randomize_``; PyTorch's
    default initialisation gives nearly constant outputs)."""
    from h4w.registry import MODELS

    from tests.test_models.test_estimators.test_reference_parity import (
        randomize_,
    )

    init_default_scope('h4w')
    cfg = Config.fromfile(osp.join(REPO_ROOT, CONFIGS[model_name]))
    cfg.model.body_model.model_path = human_model_root
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model)
    randomize_(model, seed)
    return model


def converted_checkpoint(
    out_dir: str, human_model_root: str, model_name: str = 'hand4whole'
) -> str:
    """Write ``snapshot.pth.tar`` with the weights of a fresh model under
    the upstream keys (``module.`` + the reference names), convert it with
    tools/model_converters/hand4whole_release_to_h4w.py and return the
    converted file."""
    converter = load_tool('model_converters/hand4whole_release_to_h4w.py')
    model = build_model(model_name, human_model_root)
    upstream = {}
    for key, value in model.state_dict().items():
        for up_prefix, h4w_prefix in KEY_MAPS[model_name]:
            if key.startswith(h4w_prefix):
                upstream[up_prefix + key[len(h4w_prefix) :]] = value
                break
        else:
            raise AssertionError(f'{key} has no upstream name')
    src = osp.join(out_dir, f'snapshot_{model_name}.pth.tar')
    torch.save(dict(epoch=6, network=upstream, optimizer={}), src)
    dst = osp.join(out_dir, f'{model_name}_converted.pth')
    assert converter.main([src, dst, '--model', model_name]) == 0
    return dst
