"""ONNX export of the tensor path: onnxruntime against PyTorch at batch 1
and 3 (the graph is traced at batch 2), the unchanged PyTorch numbers and
the export tool. Hand4Whole uses ResNet-18 trunks (same graph, faster)."""

import os.path as osp
import re
import subprocess
import sys

import numpy as np
import pytest
import torch

from h4w.apis import init_model
from h4w.apis.onnx_export import (
    MeshOnnxWrapper,
    RoIAlignFunction,
    export_onnx,
    make_session,
    max_abs_differences,
    onnx_export_patches,
    run_onnxruntime,
)
from h4w.models.task_modules import PartRoIExtractor
from h4w.models.task_modules.roi_align import roi_align
from h4w.structures import MeshDataSample
from h4w.testing import smooth_crops

from tests.conftest import REPO_ROOT, load_tool
from tests.test_apis.helpers import CONFIGS
from tests.test_models.test_estimators.test_reference_parity import randomize_
from tests.test_tools.test_benchmark_inference import SMALL_RUN

onnx = pytest.importorskip('onnx')
pytest.importorskip('onnxruntime')

#: Hand4Whole with ResNet-18 body and hand trunks (512 channels).
LIGHT_HAND4WHOLE = {
    'model.backbone.depth': 18,
    'model.body_position_head.in_channels': 512,
    'model.box_head.in_channels': 512,
    'model.hand_backbone.depth': 18,
    'model.hand_position_head.in_channels': 512,
    'model.hand_rotation_head.in_channels': 512,
    'model.body_rotation_head.in_channels': 512,
    'model.body_rotation_head.hand_channels': 512,
}
#: Outputs compared in absolute units (radians, metres, coefficients).
ABSOLUTE = (
    'root_pose',
    'body_pose',
    'lhand_pose',
    'rhand_pose',
    'jaw_pose',
    'hand_pose',
    'shape',
    'expr',
    'cam_trans',
    'vertices',
    'joints',
)


def dims(value_info):
    """The shape of an ONNX graph input / output, names for dynamic axes."""
    shape = value_info.type.tensor_type.shape
    return [d.dim_param or d.dim_value for d in shape.dim]


def assert_matches_pytorch(wrapper, onnx_file, names):
    """onnxruntime == PyTorch at batch 1 and 3: parameters, camera and
    metres within 1e-4; heat-map units and crop pixels within 1e-4 +
    1e-5 * their magnitude (boxes are hundreds of pixels)."""
    height, width = wrapper.input_size
    crops = smooth_crops(np.random.default_rng(0), 3, height, width)
    session = make_session(onnx_file)
    for count in (1, 3):
        with torch.no_grad():
            expected = wrapper.named_outputs(torch.from_numpy(crops[:count]))
        expected = {k: v.numpy() for k, v in expected.items()}
        actual = run_onnxruntime(onnx_file, crops[:count], session)
        assert list(actual) == names == list(expected)
        diffs = max_abs_differences(expected, actual)
        for name, diff in diffs.items():
            assert actual[name].shape[0] == count
            tol = 1e-4
            if name not in ABSOLUTE:
                tol += 1e-5 * float(np.abs(expected[name]).max())
            assert diff <= tol, (count, name, diff, tol)
    return crops, expected


@pytest.fixture(scope='module')
def hand4whole(human_model_root):
    options = dict(LIGHT_HAND4WHOLE)
    options['model.body_model.model_path'] = human_model_root
    torch.manual_seed(0)
    model = init_model(
        osp.join(REPO_ROOT, CONFIGS['hand4whole']), cfg_options=options
    )
    randomize_(model, 0)
    return model


@pytest.mark.parametrize('with_body_model', [False, True])
def test_hand4whole_onnxruntime_matches_pytorch(
    hand4whole, tmp_path, with_body_model
):
    out = str(tmp_path / 'hand4whole.onnx')
    hand4whole.train()  # the export runs in eval mode and leaves it there
    names, _, _ = export_onnx(hand4whole, out, with_body_model)
    assert not any(m.training for m in hand4whole.modules())
    expected_names = [
        'root_pose',
        'body_pose',
        'lhand_pose',
        'rhand_pose',
        'jaw_pose',
        'shape',
        'expr',
        'cam_trans',
        'joint_img',
        'lhand_bbox',
        'rhand_bbox',
        'face_bbox',
    ]
    if with_body_model:
        expected_names += ['vertices', 'joints', 'joint_proj']
    assert names == expected_names
    graph = onnx.load(out, load_external_data=False).graph
    ops = {node.op_type for node in graph.node}
    assert 'RoiAlign' in ops and 'GridSample' in ops
    assert dims(graph.input[0]) == ['batch', 3, 512, 384]
    wrapper = MeshOnnxWrapper(hand4whole, with_body_model)
    crops, expected = assert_matches_pytorch(wrapper, out, names)
    if with_body_model:
        assert_equals_predict(hand4whole, torch.from_numpy(crops), expected)
        shapes = {o.name: dims(o) for o in graph.output}
        assert shapes['vertices'] == ['batch', 10475, 3]
        assert shapes['joints'] == ['batch', 137, 3]
        assert shapes['joint_proj'] == ['batch', 137, 2]


def assert_equals_predict(model, crops, named):
    """The wrapper's PyTorch outputs are exactly ``predict``'s."""
    with torch.no_grad():
        inputs = model.data_preprocessor(dict(inputs=crops))['inputs']
        samples = model.predict(
            inputs, [MeshDataSample() for _ in range(len(crops))]
        )
    keys = dict(
        shape='smplx_shape',
        expr='smplx_expr',
        cam_trans='cam_trans',
        joint_img='joint_img',
        lhand_bbox='lhand_bbox',
        rhand_bbox='rhand_bbox',
        face_bbox='face_bbox',
        vertices='smplx_mesh_cam',
        joint_proj='smplx_joint_proj',
    )
    for name in ('root_pose', 'body_pose', 'lhand_pose', 'rhand_pose'):
        keys[name] = f'smplx_{name}'
    keys['jaw_pose'] = 'smplx_jaw_pose'
    for name, key in keys.items():
        predicted = torch.cat([s.pred_instances.get(key) for s in samples])
        assert np.array_equal(predicted.numpy(), named[name]), name


def test_roi_align_node_keeps_pytorch_numbers():
    """RoIAlignFunction (the export's RoiAlign node) runs h4w's
    roi_align: bit-identical crops, also through PartRoIExtractor under
    the export patches."""
    gen = torch.Generator().manual_seed(0)
    img = torch.rand(2, 3, 64, 48, generator=gen) * 255
    boxes = torch.tensor([[2.0, 3.5, 20.0, 30.0], [-4.0, 10.0, 30.2, 60.0]])
    rois = torch.cat((torch.arange(2.0)[:, None], boxes), 1)
    expected = roi_align(img, rois, (16, 16), sampling_ratio=-1)
    actual = RoIAlignFunction.apply(
        img, boxes, torch.arange(2.0), (16, 16), 1.0, -1
    )
    assert torch.equal(actual, expected)
    extractor = PartRoIExtractor((16, 16), (64, 48), (32, 24))
    plain = extractor(img, boxes / 2, flip=True)
    with onnx_export_patches():
        patched = extractor(img, boxes / 2, flip=True)
    assert torch.equal(plain, patched)


def test_wrong_crop_size_is_refused(hand4whole):
    wrapper = MeshOnnxWrapper(hand4whole)
    with pytest.raises(ValueError, match=r'\(N, 3, 512, 384\)'):
        wrapper.named_outputs(torch.zeros(1, 3, 256, 192))


def test_export_tool_pose2pose_hand(human_model_root, tmp_path, capsys):
    """The CLI on a Pose2Pose hand checkpoint (ResNet-18 trunk); the
    written file at batch 1 and 3 against the same weights in PyTorch."""
    config = osp.join(REPO_ROOT, CONFIGS['pose2pose_hand'])
    options = {
        'model.body_model.model_path': human_model_root,
        'model.backbone.depth': 18,
        'model.position_head.in_channels': 512,
        'model.head.in_channels': 512,
    }
    torch.manual_seed(1)
    model = init_model(config, cfg_options=options)
    randomize_(model, 1)
    checkpoint = str(tmp_path / 'hand.pth')
    torch.save(dict(state_dict=model.state_dict()), checkpoint)
    out = str(tmp_path / 'deploy' / 'hand.onnx')
    result = subprocess.run(
        [
            sys.executable,
            'tools/deployment/export_onnx.py',
            config,
            checkpoint,
            '--out',
            out,
            '--with-body-model',
            '--cfg-options',
            *(f'{k}={v}' for k, v in options.items()),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'onnx.checker: ok' in result.stdout
    assert 'IMAGE --backend onnxruntime' in result.stdout
    names = [
        'root_pose',
        'hand_pose',
        'shape',
        'cam_trans',
        'joint_img',
        'vertices',
        'joints',
        'joint_proj',
    ]
    for name in names:
        assert f'  {name} ' in result.stdout
    assert_matches_pytorch(MeshOnnxWrapper(model, True), out, names)
    graph = onnx.load(out, load_external_data=False).graph
    shapes = {o.name: dims(o) for o in graph.output}
    assert shapes['vertices'] == ['batch', 778, 3]
    assert shapes['hand_pose'] == ['batch', 45]
    # the end-to-end benchmark: both backends on one image, same meshes
    benchmark = load_tool('analysis_tools/benchmark_inference.py')
    benchmark.main(
        [
            config,
            '--checkpoint',
            checkpoint,
            '--onnx',
            out,
            '--model-path',
            human_model_root,
            *SMALL_RUN,
            '--cfg-options',
            *(f'{k}={v}' for k, v in options.items()),
        ]
    )
    found = re.findall(
        r'onnxruntime: +[\d.]+ people/s .*max diff ([\d.e+-]+) m',
        capsys.readouterr().out,
    )
    assert len(found) == 2 and max(float(d) for d in found) <= 1e-4


def test_export_tool_errors(tmp_path, capsys):
    tool = load_tool('deployment/export_onnx.py')
    config = osp.join(REPO_ROOT, CONFIGS['pose2pose_hand'])
    for args, message in (
        ([str(tmp_path / 'no.py'), 'none'], 'not found'),
        ([config, str(tmp_path / 'no.pth')], 'checkpoint'),
        ([config, 'none', '--opset', '13'], '>= 17'),
    ):
        assert tool.main(args) == 1
        assert message in capsys.readouterr().err
