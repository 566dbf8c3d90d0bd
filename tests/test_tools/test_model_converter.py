"""tools/model_converters/hand4whole_release_to_h4w.py on state dicts with
exactly the reference keys and shapes (spec Appendix A, §2.18)."""

import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from tests.conftest import PYTHON, REPO_ROOT, run_tool

SPEC_DIR = osp.join(REPO_ROOT, 'tests', 'data', 'spec')
TOOL = osp.join(
    REPO_ROOT, 'tools', 'model_converters', 'hand4whole_release_to_h4w.py'
)
CASES = [
    (
        'hand4whole',
        'hand4whole_state_dict.tsv',
        'configs/_base_/models/hand4whole_res50.py',
        834,
    ),
    (
        'pose2pose_body',
        'pose2pose_body_state_dict.tsv',
        'configs/pose2pose/pose2pose_body_res50.py',
        None,
    ),
    (
        'pose2pose_hand',
        'pose2pose_hand_state_dict.tsv',
        'configs/pose2pose/pose2pose_hand_res50.py',
        None,
    ),
    (
        'pose2pose_face',
        'pose2pose_face_state_dict.tsv',
        'configs/pose2pose/pose2pose_face_res50.py',
        None,
    ),
]
DTYPES = dict(float32=torch.float32, int64=torch.int64)


def reference_state_dict(tsv_name, seed=0):
    """Random tensors under every key of a reference TSV, as saved under
    DataParallel."""
    gen = torch.Generator().manual_seed(seed)
    state = {}
    with open(osp.join(SPEC_DIR, tsv_name)) as f:
        next(f)
        for line in f:
            key, shape, dtype = line.rstrip('\n').split('\t')
            size = (
                ()
                if shape == 'scalar'
                else tuple(int(s) for s in shape.split('x'))
            )
            if dtype == 'int64':
                state[key] = torch.randint(0, 100, size, generator=gen)
            else:
                state[key] = torch.randn(size, generator=gen)
    return state


def build_model(config, human_model_root):
    import h4w.models  # noqa: F401
    from h4w.registry import MODELS

    init_default_scope('h4w')
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    cfg.model.body_model.model_path = human_model_root
    return MODELS.build(cfg.model)


@pytest.mark.parametrize('model_name,tsv,config,num_keys', CASES)
def test_convert_and_load_strictly(
    model_name, tsv, config, num_keys, tmp_path, human_model_root
):
    state = reference_state_dict(tsv)
    if num_keys is not None:
        assert len(state) == num_keys
    src = tmp_path / 'snapshot.pth.tar'
    torch.save(dict(epoch=6, network=state, optimizer={}), src)
    dst = tmp_path / 'out' / 'converted.pth'
    run_tool([PYTHON, TOOL, str(src), str(dst), '--model', model_name])
    ckpt = torch.load(dst, weights_only=True)
    converted = ckpt['state_dict']
    assert len(converted) == len(state)

    model = build_model(config, human_model_root)
    result = model.load_state_dict(converted, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    # the way `load_from` / tools/test.py read it: mmengine's loader under
    # h4w's trust policy (weights only), strictly
    from mmengine.runner import load_checkpoint

    import h4w.engine  # noqa: F401

    fresh = build_model(config, human_model_root)
    load_checkpoint(fresh, str(dst), map_location='cpu', strict=True)
    torch.testing.assert_close(fresh.state_dict(), model.state_dict())
    # values travel with their key
    model_state = model.state_dict()
    for up_key, h4w_key in (
        ('module.backbone.conv1.weight', 'backbone.conv1.weight'),
        (
            'module.backbone.layer4.2.bn3.running_var',
            'backbone.layer4.2.bn3.running_var',
        ),
    ):
        torch.testing.assert_close(model_state[h4w_key], state[up_key])
    if model_name == 'hand4whole':
        for up_key, h4w_key in (
            (
                'module.hand_roi_net.backbone.layer1.0.conv1.weight',
                'hand_backbone.layer1.0.conv1.weight',
            ),
            (
                'module.face_roi_net.backbone.layer4.1.conv2.weight',
                'face_backbone.layer4.1.conv2.weight',
            ),
            ('module.box_net.deconv.3.weight', 'box_head.deconv.3.weight'),
            (
                'module.face_regressor.jaw_pose_out.0.bias',
                'face_head.jaw_pose_out.0.bias',
            ),
        ):
            torch.testing.assert_close(model_state[h4w_key], state[up_key])


def _run_failing(args):
    import subprocess

    proc = subprocess.run(
        [PYTHON, TOOL] + args, capture_output=True, text=True, cwd=REPO_ROOT
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return proc.stderr


def test_unmapped_key_fails_loudly(tmp_path):
    state = reference_state_dict('pose2pose_face_state_dict.tsv')
    state['module.mystery_net.weight'] = torch.zeros(3)
    src = tmp_path / 'bad.pth.tar'
    torch.save(dict(network=state), src)
    err = _run_failing(
        [str(src), str(tmp_path / 'o.pth'), '--model', 'pose2pose_face']
    )
    assert 'module.mystery_net.weight' in err
    assert not (tmp_path / 'o.pth').exists()


def test_shape_mismatch_and_missing_key_fail(tmp_path):
    state = reference_state_dict('pose2pose_face_state_dict.tsv')
    state['module.regressor.expr_out.0.weight'] = torch.zeros(20, 2048)
    del state['module.regressor.cam_out.0.bias']
    src = tmp_path / 'bad.pth.tar'
    torch.save(dict(network=state), src)
    err = _run_failing(
        [str(src), str(tmp_path / 'o.pth'), '--model', 'pose2pose_face']
    )
    assert 'head.expr_out.0.weight' in err and '(20, 2048)' in err
    assert 'missing head.cam_out.0.bias' in err


def test_wrong_model_choice_names_keys(tmp_path):
    state = reference_state_dict('pose2pose_body_state_dict.tsv')
    src = tmp_path / 'body.pth.tar'
    torch.save(dict(network=state), src)
    err = _run_failing(
        [str(src), str(tmp_path / 'o.pth'), '--model', 'pose2pose_face']
    )
    assert 'module.position_net.conv.0.weight' in err


class _Payload:
    def __reduce__(self):
        return (print, ('payload ran',))


def test_untrusted_input_is_refused(tmp_path):
    src = tmp_path / 'evil.pth.tar'
    torch.save(
        dict(network={'module.backbone.x': torch.zeros(1)}, extra=_Payload()),
        src,
    )
    err = _run_failing([str(src), str(tmp_path / 'o.pth')])
    assert 'evil.pth.tar' in err
