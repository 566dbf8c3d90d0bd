import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope
from torch import nn

from h4w.models.backbones import ResNet
from h4w.registry import MODELS

from tests.conftest import REPO_ROOT

SPEC_TSV = osp.join(
    REPO_ROOT, 'tests', 'data', 'spec', 'hand4whole_state_dict.tsv'
)

# where each trunk sits in the reference whole-body state dict
TSV_PREFIX = {50: 'module.backbone.', 18: 'module.face_roi_net.backbone.'}
NUM_PARAMS = {18: 11_176_512, 50: 23_508_032}
NUM_TENSORS = {18: 120, 50: 318}
OUT_CHANNELS = {18: 512, 50: 2048}
# (block type, blocks per layer)
ARCH = {18: ('basic', (2, 2, 2, 2)), 50: ('bottleneck', (3, 4, 6, 3))}


def _spec_rows(prefix):
    """{key below prefix: (shape, dtype)} from the reference TSV."""
    rows = {}
    with open(SPEC_TSV) as f:
        header = f.readline().rstrip('\n').split('\t')
        assert header == ['key', 'shape', 'dtype']
        for line in f:
            key, shape, dtype = line.rstrip('\n').split('\t')
            if not key.startswith(prefix):
                continue
            shape = (
                ()
                if shape == 'scalar'
                else tuple(int(s) for s in shape.split('x'))
            )
            rows[key[len(prefix) :]] = (shape, dtype)
    return rows


def _random_state_dict(model, seed=0):
    """Random tensors with the model's keys, shapes and dtypes."""
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for key, value in model.state_dict().items():
        if value.dtype == torch.int64:
            out[key] = torch.randint(1, 1000, value.shape, generator=gen)
        elif key.endswith('running_var'):
            out[key] = torch.rand(value.shape, generator=gen) + 0.5
        else:
            out[key] = torch.randn(value.shape, generator=gen)
    return out


def _assert_state_dict_equal(model, expected):
    state = model.state_dict()
    assert set(state) == set(expected)
    for key, value in state.items():
        assert torch.equal(value, expected[key]), key


@pytest.mark.parametrize(
    'depth,size', [(18, (192, 192)), (50, (256, 192)), (18, (100, 70))]
)
def test_output_shape(depth, size):
    model = ResNet(depth=depth)
    model.train()
    x = torch.rand(2, 3, *size)
    out = model(x)
    h, w = ((s + 31) // 32 for s in size)
    assert out.shape == (2, OUT_CHANNELS[depth], h, w)
    assert model.out_channels == OUT_CHANNELS[depth]
    # train mode: plain BatchNorm with batch statistics, default momentum
    assert model.bn1.num_batches_tracked.item() == 1
    assert model.bn1.momentum == 0.1 and model.bn1.eps == 1e-5
    stem = F.conv2d(x, model.conv1.weight, stride=2, padding=3)
    torch.testing.assert_close(
        model.bn1.running_mean, 0.1 * stem.mean(dim=(0, 2, 3))
    )


@pytest.mark.parametrize('depth', [18, 50])
def test_state_dict_matches_reference(depth):
    model = ResNet(depth=depth)
    assert sum(p.numel() for p in model.parameters()) == NUM_PARAMS[depth]
    state = model.state_dict()
    assert len(state) == NUM_TENSORS[depth]
    spec = _spec_rows(TSV_PREFIX[depth])
    assert len(spec) == NUM_TENSORS[depth]
    assert set(state) == set(spec)
    for key, value in state.items():
        shape, dtype = spec[key]
        assert tuple(value.shape) == shape, key
        assert str(value.dtype) == f'torch.{dtype}', key


@pytest.mark.parametrize(
    'depth,num_params',
    [(34, 21_284_672), (101, 42_500_160), (152, 58_143_808)],
)
def test_other_depths(depth, num_params):
    # torchvision parameter counts minus fc
    with torch.device('meta'):
        model = ResNet(depth=depth)
    assert sum(p.numel() for p in model.parameters()) == num_params
    assert model.out_channels == (512 if depth == 34 else 2048)


def _bn(x, state, name):
    return F.batch_norm(
        x,
        state[f'{name}.running_mean'],
        state[f'{name}.running_var'],
        state[f'{name}.weight'],
        state[f'{name}.bias'],
    )


def _reference_forward(state, x, depth):
    """The trunk written out from the spec, in eval mode."""
    kind, blocks = ARCH[depth]
    x = F.relu(
        _bn(
            F.conv2d(x, state['conv1.weight'], stride=2, padding=3),
            state,
            'bn1',
        )
    )
    x = F.max_pool2d(x, 3, stride=2, padding=1)
    for layer, num in enumerate(blocks, 1):
        for i in range(num):
            name = f'layer{layer}.{i}'
            stride = 2 if layer > 1 and i == 0 else 1
            if f'{name}.downsample.0.weight' in state:
                identity = _bn(
                    F.conv2d(
                        x, state[f'{name}.downsample.0.weight'], stride=stride
                    ),
                    state,
                    f'{name}.downsample.1',
                )
            else:
                identity = x
            if kind == 'basic':
                out = F.relu(
                    _bn(
                        F.conv2d(
                            x,
                            state[f'{name}.conv1.weight'],
                            stride=stride,
                            padding=1,
                        ),
                        state,
                        f'{name}.bn1',
                    )
                )
                out = _bn(
                    F.conv2d(out, state[f'{name}.conv2.weight'], padding=1),
                    state,
                    f'{name}.bn2',
                )
            else:  # v1.5: the stride is on the 3x3 conv
                out = F.relu(
                    _bn(
                        F.conv2d(x, state[f'{name}.conv1.weight']),
                        state,
                        f'{name}.bn1',
                    )
                )
                out = F.relu(
                    _bn(
                        F.conv2d(
                            out,
                            state[f'{name}.conv2.weight'],
                            stride=stride,
                            padding=1,
                        ),
                        state,
                        f'{name}.bn2',
                    )
                )
                out = _bn(
                    F.conv2d(out, state[f'{name}.conv3.weight']),
                    state,
                    f'{name}.bn3',
                )
            x = F.relu(out + identity)
    return x


@pytest.mark.parametrize('depth', [18, 50])
def test_forward_matches_reference(depth):
    model = ResNet(depth=depth)
    state = _random_state_dict(model, seed=depth)
    for key, value in state.items():  # keep activations O(1)
        if value.dim() == 4:
            state[key] = value / value[0].numel() ** 0.5
    model.load_state_dict(state)
    model.eval()
    x = torch.rand(2, 3, 64, 96)
    with torch.no_grad():
        out = model(x)
        expected = _reference_forward(state, x, depth)
    assert out.shape == expected.shape == (2, OUT_CHANNELS[depth], 2, 3)
    assert expected.abs().mean() > 1e-2
    torch.testing.assert_close(out, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('depth', [18, 50])
def test_construction_init(depth):
    model = ResNet(depth=depth)
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    assert len(convs) == len(bns) == (20 if depth == 18 else 53)
    weights = torch.cat([m.weight.detach().flatten() for m in convs])
    assert 0.0009 < weights.std().item() < 0.0011
    assert weights.mean().abs().item() < 1e-4
    for conv in convs:
        assert conv.bias is None
        assert 0.0007 < conv.weight.std().item() < 0.0013
    for bn in bns:
        assert torch.all(bn.weight == 1) and torch.all(bn.bias == 0)
        assert torch.all(bn.running_mean == 0)
        assert torch.all(bn.running_var == 1)


@pytest.mark.parametrize('depth', [18, 50])
def test_init_from_torchvision_file(tmp_path, depth):
    model = ResNet(depth=depth)
    trunk = _random_state_dict(model, seed=1)
    channels = OUT_CHANNELS[depth]
    checkpoint = dict(trunk)
    checkpoint['fc.weight'] = torch.randn(1000, channels)
    checkpoint['fc.bias'] = torch.randn(1000)
    path = str(tmp_path / f'resnet{depth}-imagenet.pth')
    torch.save(checkpoint, path)

    model = ResNet(
        depth=depth, init_cfg=dict(type='Pretrained', checkpoint=path)
    )
    assert not torch.equal(model.conv1.weight, trunk['conv1.weight'])
    model.init_weights()
    _assert_state_dict_equal(model, trunk)
    assert not hasattr(model, 'fc')


@pytest.mark.parametrize('depth', [18, 50])
def test_init_from_mmpose_checkpoint(tmp_path, depth):
    model = ResNet(depth=depth)
    trunk = _random_state_dict(model, seed=2)
    state_dict = {f'backbone.{k}': v for k, v in trunk.items()}
    state_dict['head.final_layer.weight'] = torch.randn(17, 256, 1, 1)
    state_dict['head.final_layer.bias'] = torch.randn(17)
    state_dict['head.deconv_layers.0.weight'] = torch.randn(
        OUT_CHANNELS[depth], 256, 4, 4
    )
    path = str(tmp_path / 'td-hm_res50_coco-256x192.pth')
    torch.save(
        dict(
            meta=dict(
                epoch=210,
                iter=1000,
                mmengine_version='0.10.7',
                dataset_meta=dict(dataset_name='coco'),
            ),
            state_dict=state_dict,
        ),
        path,
    )

    model = ResNet(
        depth=depth,
        init_cfg=dict(type='Pretrained', checkpoint=path, prefix='backbone.'),
    )
    model.init_weights()
    _assert_state_dict_equal(model, trunk)


class _Payload:
    """Unpickling it would call a function."""

    def __reduce__(self):
        return (print, ('payload ran',))


@pytest.mark.parametrize('prefix', [None, 'backbone.'])
def test_pretrained_init_uses_trust_policy(tmp_path, prefix):
    # h4w.engine is not imported here on purpose: ResNet.init_weights must
    # install the policy itself
    model = ResNet(depth=18)
    keys = model.state_dict().keys()
    if prefix:
        keys = [prefix + k for k in keys]
    path = str(tmp_path / 'evil.pth')
    torch.save(
        dict(
            state_dict=dict.fromkeys(keys, torch.zeros(1)),
            meta=dict(extra=_Payload()),
        ),
        path,
    )
    model = ResNet(
        depth=18,
        init_cfg=dict(type='Pretrained', checkpoint=path, prefix=prefix),
    )
    with pytest.raises(Exception, match='evil.pth') as info:
        model.init_weights()
    assert type(info.value).__name__ == 'UntrustedCheckpointError'
    from h4w.engine.checkpoint import UntrustedCheckpointError

    assert isinstance(info.value, UntrustedCheckpointError)


@pytest.mark.parametrize('depth', [0, 20, '50', None])
def test_invalid_depth(depth):
    with pytest.raises(ValueError, match='18, 34, 50, 101, 152'):
        ResNet(depth=depth)


def test_build_from_registry():
    init_default_scope('h4w')
    assert MODELS.get('ResNet') is ResNet
    model = MODELS.build(dict(type='ResNet', depth=18))
    assert isinstance(model, ResNet)
    assert model.depth == 18
    assert model(torch.rand(1, 3, 64, 64)).shape == (1, 512, 2, 2)
    model = MODELS.build(dict(type='ResNet'))
    assert model.depth == 50 and model.out_channels == 2048
