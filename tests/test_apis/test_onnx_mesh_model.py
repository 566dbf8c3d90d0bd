"""The onnxruntime backend (``ONNXMeshModel``, ``MeshInferencer(backend=
'onnxruntime')``) on tiny graphs whose outputs are known constants: the
crops, the decoding to image pixels (expected values worked out by hand
from the camera model), the metadata checks, and that the whole path runs
with torch unimportable. The real export is checked against PyTorch in
``tests/test_tools/test_demo.py``."""

import json
import os.path as osp
import sys

import numpy as np
import pytest
from mmengine.config import Config

from h4w.apis import MeshInferencer, ONNXMeshModel
from h4w.apis.onnx_mesh_model import FACES_KEY, METADATA_KEY, encode_faces

from tests.conftest import REPO_ROOT, run_tool

onnx = pytest.importorskip('onnx')
pytest.importorskip('onnxruntime')

HAND_CONFIG = osp.join(REPO_ROOT, 'configs/pose2pose/pose2pose_hand_res50.py')
BODY_CONFIG = osp.join(REPO_ROOT, 'configs/pose2pose/pose2pose_body_res50.py')

#: Per-person outputs of the tiny MANO-layout graph (no batch axis).
OUTPUTS = dict(
    root_pose=np.array([0.1, -0.2, 0.3]),
    hand_pose=np.linspace(-1, 1, 45),
    shape=np.arange(10) / 10,
    cam_trans=np.array([0.0, 0.0, 10.0]),
    # the heat-map origin and the heat-map centre (8 x 8 cells)
    joint_img=np.array([[0.0, 0.0, 4.0], [4.0, 4.0, 4.0]]),
    # a point on the optical axis and one 0.1 m to its right, 10 m away
    vertices=np.array([[0.0, 0.0, 10.0], [0.1, 0.0, 10.0], [0, 0.1, 10.0]]),
    joints=np.array([[0.0, 0.0, 10.0]]),
    joint_proj=np.array([[4.0, 4.0]]),
)
FACES = np.array([[0, 1, 2]])


def hand_codec():
    return Config.fromfile(HAND_CONFIG).model.codec.to_dict()


def metadata(**overrides):
    info = dict(
        format=1,
        model='Pose2Pose',
        layout='mano',
        codec=hand_codec(),
        with_body_model=True,
        outputs=list(OUTPUTS),
    )
    info.update(overrides)
    return {METADATA_KEY: json.dumps(info), FACES_KEY: encode_faces(FACES)}


def write_mesh_graph(path, props, size=(256, 256)):
    """A graph with the export's signature (``imgs`` (N, 3, H, W), dynamic
    N) whose outputs are :data:`OUTPUTS` for every person (plus 0 * the
    crop's mean, so the input is used and the batch is kept)."""
    from onnx import TensorProto, helper, numpy_helper

    nodes = [
        helper.make_node(
            'ReduceMean', ['imgs'], ['mean'], axes=[1, 2, 3], keepdims=0
        ),
        helper.make_node('Mul', ['mean', 'zero'], ['zeros']),
    ]
    inits = [numpy_helper.from_array(np.zeros(1, np.float32), 'zero')]
    graph_outputs = []
    for name, value in OUTPUTS.items():
        value = np.asarray(value, np.float32)
        axes = np.arange(1, value.ndim + 1, dtype=np.int64)
        inits += [
            numpy_helper.from_array(value[None], f'{name}_value'),
            numpy_helper.from_array(axes, f'{name}_axes'),
        ]
        nodes += [
            helper.make_node(
                'Unsqueeze', ['zeros', f'{name}_axes'], [f'{name}_zeros']
            ),
            helper.make_node(
                'Add', [f'{name}_zeros', f'{name}_value'], [name]
            ),
        ]
        graph_outputs.append(
            helper.make_tensor_value_info(
                name, TensorProto.FLOAT, ['batch', *value.shape]
            )
        )
    graph = helper.make_graph(
        nodes,
        'tiny_mesh',
        [
            helper.make_tensor_value_info(
                'imgs', TensorProto.FLOAT, ['batch', 3, *size]
            )
        ],
        graph_outputs,
        inits,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid('', 17)]
    )
    model.ir_version = 8
    if props is not None:
        helper.set_model_props(model, props)
    onnx.save(model, path)
    return path


@pytest.fixture
def tiny_model(tmp_path):
    return write_mesh_graph(str(tmp_path / 'tiny.onnx'), metadata())


def test_decoding_to_the_image(tiny_model):
    """The box x, y, w, h = 40, 60, 100, 200 is sanitised as the reference
    (spec §5.1: w - 1, h - 1 -> 99 x 199, centre (89.5, 159.5)), squared
    to the 1:1 crop and enlarged x1.25 -> a 248.75 x 248.75 crop box. The
    heat-map centre lands on that centre, the heat-map origin on its
    corner, and a point 0.1 m right of (below) the optical axis at 10 m
    projects 0.1 / 10 * 5000 * 248.75 / 256 pixels right of (below) it."""
    model = ONNXMeshModel(tiny_model)
    assert model.layout.prefix == 'mano' and model.input_size == (256, 256)
    np.testing.assert_array_equal(model.faces, FACES)
    image = np.full((320, 240, 3), 128, np.uint8)
    boxes = np.array([[40, 60, 140, 260], [10, 10, 10, 50]])  # 2nd: empty
    (people,) = model.predict([image], [boxes])
    assert len(people) == 1
    person = people[0]
    half, focal = 248.75 / 2, 5000 * 248.75 / 256
    corner = [89.5 - half, 159.5 - half]
    np.testing.assert_allclose(person['bboxes'], [40, 60, 140, 260])
    np.testing.assert_allclose(
        person['crop_bboxes'], [*corner, 89.5 + half, 159.5 + half], atol=1e-4
    )
    np.testing.assert_allclose(person['focal'], [focal, focal], rtol=1e-6)
    np.testing.assert_allclose(person['princpt'], [89.5, 159.5], atol=1e-3)
    np.testing.assert_allclose(person['keypoints'], [[89.5, 159.5]], atol=1e-3)
    np.testing.assert_allclose(
        person['joint_img_orig'], [corner, [89.5, 159.5]], atol=1e-3
    )
    uv = (
        person['vertices'][:, :2] / person['vertices'][:, 2:] * person['focal']
        + person['princpt']
    )
    offset = 0.1 / 10 * focal
    np.testing.assert_allclose(
        uv,
        [[89.5, 159.5], [89.5 + offset, 159.5], [89.5, 159.5 + offset]],
        atol=1e-3,
    )
    for name in ('root_pose', 'hand_pose', 'shape', 'cam_trans'):
        np.testing.assert_allclose(person[name], OUTPUTS[name], atol=1e-6)


def test_whole_image_and_several_images_in_one_call(tiny_model):
    model = ONNXMeshModel(tiny_model)
    small = np.zeros((64, 48, 3), np.uint8)
    out = model.predict([small, small], [None, np.zeros((0, 4))])
    assert [len(people) for people in out] == [1, 0]
    # the whole 48 x 64 image, sanitised to 47 x 63 (centre 23.5, 31.5),
    # -> a square crop box of 63 * 1.25 = 78.75 around that centre
    np.testing.assert_allclose(out[0][0]['bboxes'], [0, 0, 48, 64])
    np.testing.assert_allclose(
        out[0][0]['crop_bboxes'],
        [-15.875, -7.875, 62.875, 70.875],
        atol=1e-4,
    )
    with pytest.raises(ValueError, match='2 images but 1 box'):
        model.predict([small, small], [None])


def test_inferencer_onnxruntime_frames(tiny_model):
    inferencer = MeshInferencer(
        HAND_CONFIG, tiny_model, backend='onnxruntime', renderer='opencv'
    )
    image = np.full((320, 240, 3), 128, np.uint8)
    boxes = np.array([[40, 60, 140, 260], [100, 100, 200, 300]])
    (frame,) = inferencer(image, bboxes=boxes)
    assert frame.track_ids.tolist() == [0, 1]
    assert frame.visualization.shape == image.shape
    params = frame.params[0]
    assert set(params) == {
        'root_pose',
        'hand_pose',
        'shape',
        'cam_trans',
        'focal',
        'princpt',
        'keypoints',
        'bbox',
        'crop_bbox',
        'vertices',
    }
    assert all(v.dtype == np.float32 for v in params.values())
    np.testing.assert_allclose(params['bbox'], [40, 60, 140, 260])
    assert params['vertices'].shape == (3, 3)


def test_bad_files_are_named(tmp_path, tiny_model):
    with pytest.raises(FileNotFoundError, match='nope.onnx'):
        ONNXMeshModel(str(tmp_path / 'nope.onnx'))
    for props, message in (
        (None, 'no h4w metadata: export the model with'),
        (metadata(with_body_model=False), '--with-body-model'),
        (metadata(format=7), 'metadata format 7'),
        (metadata(layout='smplh'), "unknown body-model layout 'smplh'"),
    ):
        path = write_mesh_graph(str(tmp_path / 'bad.onnx'), props)
        with pytest.raises(ValueError, match=message):
            ONNXMeshModel(path)
    model = ONNXMeshModel(tiny_model)
    model.check_config(HAND_CONFIG)
    with pytest.raises(ValueError, match=r'input_size: config \(256, 192\)'):
        model.check_config(BODY_CONFIG)
    with pytest.raises(ValueError, match='cannot do'):
        MeshInferencer(None, tiny_model, backend='onnxruntime', smooth=True)
    with pytest.raises(ValueError, match='backend must be one of'):
        MeshInferencer(None, tiny_model, backend='tensorrt')


def test_the_backend_runs_with_torch_unimportable(tiny_model, tmp_path):
    """h4w.apis, the backend, the inferencer, the result writer and the
    renderer fallback run while ``import torch`` fails."""
    script = f"""
import sys
sys.modules['torch'] = None  # any import of torch raises ImportError
import numpy as np
from h4w.apis import MeshInferencer, ResultWriter
inferencer = MeshInferencer(
    None, {tiny_model!r}, backend='onnxruntime', renderer='opencv'
)
image = np.full((320, 240, 3), 128, np.uint8)
with ResultWriter({str(tmp_path / 'out')!r}, inferencer.faces, 'mano') as w:
    for frame in inferencer(image, bboxes=np.array([[40, 60, 140, 260]])):
        w.add(frame)
try:
    from h4w.apis import init_model
except ImportError:
    print('init_model needs torch')
print('people', len(frame.params))
"""
    result = run_tool([sys.executable, '-c', script], timeout=120)
    assert 'init_model needs torch' in result.stdout
    assert 'people 1' in result.stdout
    assert osp.isfile(tmp_path / 'out' / 'meshes' / 'image_000000_00.obj')
