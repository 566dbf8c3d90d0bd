"""The stage tools of the Hand4Whole recipe (tools/model_converters/):
pose_resnet_to_backbone.py, merge_hand_into_wholebody.py and
reset_checkpoint.py, on random weights with the configs' shapes, in the
upstream and the h4w layouts."""

import contextlib
import io
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from h4w.apis.checkpoint_conversion import (
    DEFAULT_CONFIGS,
    KEY_MAPS,
    expected_shapes,
    save_checkpoint_atomic,
)

from tests.conftest import PYTHON, REPO_ROOT, load_tool, run_tool

HAND_HEADS = ('hand_position_head.', 'hand_rotation_head.')


def tool_path(name):
    return osp.join(REPO_ROOT, 'tools', 'model_converters', name)


def random_weights(shapes, seed=0):
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for key, shape in shapes.items():
        if key.endswith('num_batches_tracked'):
            out[key] = torch.randint(0, 100, tuple(shape), generator=gen)
        else:
            out[key] = torch.randn(tuple(shape), generator=gen)
    return out


def to_upstream(state_dict, model):
    """h4w names -> the reference's DataParallel names."""
    out = {}
    for key, value in state_dict.items():
        for up_prefix, h4w_prefix in KEY_MAPS[model]:
            if key.startswith(h4w_prefix):
                out[up_prefix + key[len(h4w_prefix) :]] = value
                break
        else:
            raise AssertionError(f'{key} has no upstream name')
    return out


def sub_dict(state_dict, prefix):
    return {
        key[len(prefix) :]: value
        for key, value in state_dict.items()
        if key.startswith(prefix)
    }


def assert_same(actual, expected):
    assert set(actual) == set(expected)
    for key, value in expected.items():
        assert torch.equal(actual[key], value), key


def read(path):
    return torch.load(path, weights_only=True)


@pytest.fixture(scope='module')
def shapes():
    return {
        model: expected_shapes(osp.join(REPO_ROOT, DEFAULT_CONFIGS[model]))
        for model in ('hand4whole', 'pose2pose_hand')
    }


@pytest.fixture(scope='module')
def weights(shapes):
    """Whole-body and hand weights under h4w names."""
    return dict(
        wholebody=random_weights(shapes['hand4whole'], seed=1),
        hand=random_weights(shapes['pose2pose_hand'], seed=2),
    )


@pytest.fixture(scope='module')
def files(tmp_path_factory, weights):
    """The stage-1 and stage-2 checkpoints, upstream and h4w layouts."""
    root = tmp_path_factory.mktemp('stage_inputs')
    wholebody, hand = weights['wholebody'], weights['hand']
    up_hand = to_upstream(hand, 'pose2pose_hand')
    paths = dict(
        wholebody_up=root / 'snapshot_6_all.pth.tar',
        hand_up=root / 'snapshot_12_hand.pth.tar',
        hand_up_ref=root / 'snapshot_12_hand_ref_naming.pth.tar',
        wholebody_h4w=root / 'stage1_epoch_6.pth',
        hand_h4w=root / 'stage2_epoch_13.pth',
    )
    torch.save(
        dict(
            epoch=6,
            network=to_upstream(wholebody, 'hand4whole'),
            optimizer={},
        ),
        paths['wholebody_up'],
    )
    torch.save(dict(epoch=12, network=up_hand), paths['hand_up'])
    ref_naming = {
        key.replace('module.backbone.', 'module.hand_backbone.'): value
        for key, value in up_hand.items()
    }
    torch.save(dict(epoch=12, network=ref_naming), paths['hand_up_ref'])
    for name, state_dict, epoch in (
        ('wholebody_h4w', wholebody, 6),
        ('hand_h4w', hand, 13),
    ):
        torch.save(
            dict(
                meta=dict(epoch=epoch, iter=1000),
                state_dict=state_dict,
                optimizer=dict(state={}, param_groups=[dict(lr=1e-4)]),
                param_schedulers=[dict(last_epoch=epoch)],
                message_hub=dict(log_scalars={}),
            ),
            paths[name],
        )
    return {name: str(path) for name, path in paths.items()}


def run_main(tool, args, capsys):
    rc = load_tool(f'model_converters/{tool}').main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


# pose_resnet_to_backbone.py


def pose_resnet(shapes, seed=3, trunk_prefix='backbone.'):
    """A SimpleBaseline pose ResNet: trunk, deconv and final layer."""
    state = random_weights(sub_dict(shapes['hand4whole'], trunk_prefix), seed)
    state['deconv_layers.0.weight'] = torch.randn(2048, 256, 4, 4)
    state['deconv_layers.1.running_mean'] = torch.randn(256)
    state['final_layer.weight'] = torch.randn(17, 256, 1, 1)
    return state


@pytest.mark.parametrize('wrapped', [False, True])
def test_simplebaseline_to_backbone(shapes, tmp_path, capsys, wrapped):
    state = pose_resnet(shapes)
    if wrapped:
        saved = dict(state_dict=state)
    else:
        saved = {'module.' + key: value for key, value in state.items()}
    src, dst = tmp_path / 'body_pose_resnet_50.pth.tar', tmp_path / 'o.pth'
    torch.save(saved, src)
    rc, out, _ = run_main('pose_resnet_to_backbone.py', [src, dst], capsys)
    assert rc == 0
    ckpt = read(dst)
    assert ckpt['meta']['target'] == 'backbone'
    trunk = {k: v for k, v in state.items() if not k.startswith(('de', 'f'))}
    assert_same(
        ckpt['state_dict'], {'backbone.' + k: v for k, v in trunk.items()}
    )
    assert 'deconv_layers.*' in out and 'final_layer.*' in out
    assert 'dropped 3' in out
    assert (
        "model.backbone.init_cfg=dict(type='Pretrained', "
        f"checkpoint='{src}')" in out
    )


def test_mmpose_to_hand_backbone(shapes, tmp_path, capsys):
    state = {
        ('backbone.' + k if not k.startswith(('de', 'f')) else 'head.' + k): v
        for k, v in pose_resnet(shapes).items()
    }
    src, dst = tmp_path / 'td-hm_res50.pth', tmp_path / 'o.pth'
    torch.save(dict(meta=dict(epoch=210), state_dict=state), src)
    rc, out, _ = run_main(
        'pose_resnet_to_backbone.py',
        [src, dst, '--target', 'hand_backbone'],
        capsys,
    )
    assert rc == 0
    expected = {
        'hand_' + k: v for k, v in state.items() if k.startswith('backbone.')
    }
    assert_same(read(dst)['state_dict'], expected)
    assert 'dropped 3 key(s) under head.*' in out
    assert "prefix='backbone.'" in out


def test_upstream_snapshot0_to_backbone_cli(shapes, tmp_path):
    """The reference converter's output, through the command line."""
    state = pose_resnet(shapes)
    src, dst = tmp_path / 'snapshot_0.pth.tar', tmp_path / 'o.pth'
    torch.save(
        dict(network={'module.backbone.' + k: v for k, v in state.items()}),
        src,
    )
    proc = run_tool(
        [PYTHON, tool_path('pose_resnet_to_backbone.py'), str(src), str(dst)]
    )
    assert 'dropped 3' in proc.stdout and 'no init_cfg' in proc.stdout
    assert read(dst)['state_dict'].keys() == {
        'backbone.' + k for k in state if not k.startswith(('de', 'f'))
    }


def test_resnet18_into_resnet50_is_refused(shapes, tmp_path, capsys):
    state = random_weights(sub_dict(shapes['hand4whole'], 'face_backbone.'))
    src, dst = tmp_path / 'resnet18_pose.pth.tar', tmp_path / 'o.pth'
    torch.save(state, src)
    rc, _, err = run_main('pose_resnet_to_backbone.py', [src, dst], capsys)
    assert rc == 1
    assert err.startswith(f'error: {src}: ')
    assert 'backbone.layer1.0.conv3.weight' in err
    assert not dst.exists()


def test_unknown_keys_and_missing_file_are_refused(shapes, tmp_path, capsys):
    state = pose_resnet(shapes)
    state['mystery.weight'] = torch.zeros(1)
    src, dst = tmp_path / 'odd.pth', tmp_path / 'o.pth'
    torch.save(state, src)
    rc, _, err = run_main('pose_resnet_to_backbone.py', [src, dst], capsys)
    assert rc == 1 and 'mystery.weight' in err
    missing = tmp_path / 'absent.pth.tar'
    rc, _, err = run_main('pose_resnet_to_backbone.py', [missing, dst], capsys)
    assert rc == 1 and f'error: {missing}: ' in err and 'not found' in err
    assert not dst.exists()


# merge_hand_into_wholebody.py


def check_merged(path, weights, out):
    wholebody, hand = weights['wholebody'], weights['hand']
    ckpt = read(path)
    assert set(ckpt) == {'meta', 'state_dict'}
    assert ckpt['meta']['epoch'] == 0
    merged = ckpt['state_dict']
    assert not [k for k in merged if k.startswith(HAND_HEADS)]
    trunk = sub_dict(hand, 'backbone.')
    assert_same(sub_dict(merged, 'hand_backbone.'), trunk)
    others = {
        k: v
        for k, v in wholebody.items()
        if not k.startswith(HAND_HEADS + ('hand_backbone.',))
    }
    assert_same(
        {k: v for k, v in merged.items() if not k.startswith('hand_')},
        {k: v for k, v in others.items() if not k.startswith('hand_')},
    )
    copied = [line for line in out.splitlines() if line.startswith('copied ')]
    assert len(copied) == len(trunk) + 1  # one line per key and a summary
    assert 'copied hand_backbone.conv1.weight <- backbone.conv1.weight' in out
    dropped = len([k for k in wholebody if k.startswith(HAND_HEADS)])
    assert f'dropped {dropped} hand head tensors' in out
    return ckpt


@pytest.fixture(scope='module')
def merged_h4w(files, tmp_path_factory):
    """The merge of the h4w stage-1 and stage-2 files and its output."""
    dst = tmp_path_factory.mktemp('merged') / 'merged.pth'
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        rc = load_tool('model_converters/merge_hand_into_wholebody.py').main(
            [files['wholebody_h4w'], files['hand_h4w'], str(dst)]
        )
    assert rc == 0
    return dst, stdout.getvalue()


def test_merge_h4w_files(merged_h4w, weights):
    dst, out = merged_h4w
    meta = check_merged(dst, weights, out)['meta']
    assert meta['wholebody_epoch'] == 6 and meta['hand_epoch'] == 13


@pytest.mark.parametrize('hand', ['hand_up', 'hand_up_ref'])
def test_merge_upstream_files(files, weights, tmp_path, capsys, hand):
    """A released-style Pose2Pose hand file (``module.backbone.*``, where
    the reference tool copied nothing) and the naming the reference tool
    assumed (``module.hand_backbone.*``) both give every trunk key."""
    dst = tmp_path / 'snapshot_0.pth'
    rc, out, _ = run_main(
        'merge_hand_into_wholebody.py',
        [files['wholebody_up'], files[hand], dst],
        capsys,
    )
    assert rc == 0
    meta = check_merged(dst, weights, out)['meta']
    assert meta['wholebody_epoch'] == 6 and meta['hand_epoch'] == 12


@pytest.mark.parametrize(
    'wholebody,hand',
    [('wholebody_h4w', 'hand_h4w'), ('wholebody_up', 'hand_up')],
)
def test_merge_swapped_inputs_are_refused(
    files, tmp_path, capsys, wholebody, hand
):
    dst = tmp_path / 'merged.pth'
    rc, _, err = run_main(
        'merge_hand_into_wholebody.py',
        [files[hand], files[wholebody], dst],
        capsys,
    )
    assert rc == 1
    assert err.startswith(f'error: {files[hand]}: ')
    assert 'pose2pose_hand checkpoint, not a hand4whole one' in err
    assert 'swapped' in err
    assert not dst.exists()


def test_merge_shape_mismatch_is_refused(files, weights, tmp_path, capsys):
    hand = dict(weights['hand'])
    hand['backbone.layer1.0.conv2.weight'] = torch.zeros(64, 64, 1, 1)
    src, dst = tmp_path / 'hand.pth', tmp_path / 'merged.pth'
    torch.save(dict(state_dict=hand), src)
    rc, _, err = run_main(
        'merge_hand_into_wholebody.py',
        [files['wholebody_h4w'], src, dst],
        capsys,
    )
    assert rc == 1 and err.startswith(f'error: {src}: ')
    assert 'shape of backbone.layer1.0.conv2.weight' in err
    assert not dst.exists()


def test_merged_checkpoint_loads_into_hand4whole(
    merged_h4w, weights, human_model_root
):
    from mmengine.runner import load_checkpoint

    import h4w.engine  # noqa: F401  (the trust policy)
    import h4w.models  # noqa: F401
    from h4w.registry import MODELS

    dst = merged_h4w[0]
    init_default_scope('h4w')
    cfg = Config.fromfile(osp.join(REPO_ROOT, DEFAULT_CONFIGS['hand4whole']))
    cfg.model.init_cfg = None
    cfg.model.body_model.model_path = human_model_root
    model = MODELS.build(cfg.model)
    load_checkpoint(model, str(dst), map_location='cpu', strict=False)
    state = model.state_dict()
    merged = read(dst)['state_dict']
    assert set(state) - set(merged) == {
        k for k in weights['wholebody'] if k.startswith(HAND_HEADS)
    }
    assert not set(merged) - set(state)
    for key, value in merged.items():
        assert torch.equal(state[key], value), key


# reset_checkpoint.py


def test_reset_h4w_checkpoint(files, weights, tmp_path, capsys):
    dst = tmp_path / 'reset.pth'
    rc, out, _ = run_main(
        'reset_checkpoint.py',
        [files['hand_h4w'], dst, '--model', 'pose2pose_hand'],
        capsys,
    )
    assert rc == 0 and 'epoch 13' in out
    ckpt = read(dst)
    assert set(ckpt) == {'meta', 'state_dict'}
    assert ckpt['meta']['epoch'] == 0 and ckpt['meta']['iter'] == 0
    assert ckpt['meta']['source_epoch'] == 13
    assert_same(ckpt['state_dict'], weights['hand'])


def test_reset_upstream_checkpoint_cli(files, weights, tmp_path):
    dst = tmp_path / 'snapshot_0.pth'
    run_tool(
        [
            PYTHON,
            tool_path('reset_checkpoint.py'),
            files['hand_up'],
            str(dst),
            '--model',
            'pose2pose_hand',
        ]
    )
    ckpt = read(dst)
    assert ckpt['meta']['epoch'] == 0 and ckpt['meta']['source_epoch'] == 12
    assert_same(ckpt['state_dict'], weights['hand'])


def test_reset_misfits_are_refused(files, tmp_path, capsys):
    dst = tmp_path / 'reset.pth'
    rc, _, err = run_main(
        'reset_checkpoint.py', [files['hand_up'], dst], capsys
    )
    assert rc == 1 and err.startswith(f'error: {files["hand_up"]}: ')
    assert 'module.position_net.conv.0.weight' in err
    rc, _, err = run_main(
        'reset_checkpoint.py', [files['hand_h4w'], dst], capsys
    )
    assert rc == 1 and 'unexpected position_head.conv.0.weight' in err
    assert not dst.exists()


def test_atomic_writer_leaves_nothing_on_failure(tmp_path):
    dst = tmp_path / 'out' / 'o.pth'
    with pytest.raises(Exception):
        save_checkpoint_atomic(dict(bad=lambda: None), str(dst))
    assert not list((tmp_path / 'out').iterdir())
    save_checkpoint_atomic(dict(state_dict={'w': torch.ones(2)}), str(dst))
    assert torch.equal(read(dst)['state_dict']['w'], torch.ones(2))
    assert [p.name for p in (tmp_path / 'out').iterdir()] == ['o.pth']
