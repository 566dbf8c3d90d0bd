"""Person-box sources (``PERSON_DETECTORS``): the ONNX detector on tiny
graphs with the exported signatures and known boxes, the json and
full-frame sources, plugins, and the demo with ``--detector``."""

import json
import os.path as osp
import sys

import numpy as np
import pytest

from h4w.apis.detectors import (
    FullFramePersonDetector,
    JSONPersonDetector,
    ONNXPersonDetector,
    build_person_detector,
    letterbox,
    nms,
    person_detector_config,
)
from h4w.registry import PERSON_DETECTORS
from h4w.utils.image_io import write_image

from tests.conftest import REPO_ROOT, load_tool

onnx = pytest.importorskip('onnx')
pytest.importorskip('onnxruntime')

#: The (H, W) test image, and the (h, w) model input: the image is
#: letterboxed by 0.4 to 64 x 32 at the top left, the rest padded.
IMAGE_SIZE = (80, 160)
INPUT_SIZE = (64, 64)

#: mmdeploy ``dets`` rows in model-input pixels and their labels.
DETS = [
    [8, 4, 24, 20, 0.9],  # kept
    [9, 4, 25, 20, 0.8],  # suppressed by NMS (IoU 0.88 with row 0)
    [40, 8, 56, 24, 0.7],  # kept
    [30, 4, 50, 30, 0.95],  # another class
    [0, 0, 10, 10, 0.1],  # below the score threshold
    [50, 20, 70, 40, 0.6],  # kept, clipped to the image
]
LABELS = [0, 0, 0, 2, 0, 0]
#: What they are in image pixels (/ 0.4, clipped to 160 x 80).
EXPECTED = [[20, 10, 60, 50], [100, 20, 140, 60], [125, 50, 160, 80]]


def write_graph(path, outputs):
    """A graph with one (1, 3, h, w) float input whose outputs are the
    given constants (plus 0 * the input's mean, so the input is used).

    Args:
        path (str): The .onnx file to write.
        outputs (dict): Output name -> np.ndarray (float32 or int64).
    """
    from onnx import TensorProto, helper, numpy_helper

    nodes = [
        helper.make_node('ReduceMean', ['input'], ['mean'], keepdims=0),
        helper.make_node(
            'Constant',
            [],
            ['zero'],
            value=numpy_helper.from_array(np.array(0, np.float32)),
        ),
        helper.make_node('Mul', ['mean', 'zero'], ['nothing']),
    ]
    values = []
    for name, array in outputs.items():
        const = numpy_helper.from_array(array, f'{name}_const')
        nodes.append(
            helper.make_node('Constant', [], [f'{name}_c'], value=const)
        )
        if array.dtype == np.float32:
            nodes.append(
                helper.make_node('Add', [f'{name}_c', 'nothing'], [name])
            )
        else:
            nodes.append(helper.make_node('Identity', [f'{name}_c'], [name]))
        elem = (
            TensorProto.FLOAT
            if array.dtype == np.float32
            else TensorProto.INT64
        )
        values.append(helper.make_tensor_value_info(name, elem, array.shape))
    graph = helper.make_graph(
        nodes,
        'tiny_detector',
        [
            helper.make_tensor_value_info(
                'input', TensorProto.FLOAT, [1, 3, *INPUT_SIZE]
            )
        ],
        values,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid('', 13)]
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


@pytest.fixture(scope='module')
def dets_onnx(tmp_path_factory):
    """An mmdeploy-style export: dets (1, N, 5) + labels (1, N)."""
    path = str(tmp_path_factory.mktemp('onnx') / 'tiny_dets.onnx')
    return write_graph(
        path,
        dict(
            dets=np.array([DETS], np.float32),
            labels=np.array([LABELS], np.int64),
        ),
    )


def raw_yolox_rows():
    """(1, 84, 7) raw YOLOX head rows of a 64x64 input (strides 8, 16, 32:
    64 + 16 + 4 rows), 2 classes, person = 0."""
    rows = np.zeros((84, 7), np.float32)
    log2, log3, half = np.log(2), np.log(3), np.log(0.5)
    # stride 8, cell (x=2, y=1): centre (20, 12), size 16 x 24
    rows[1 * 8 + 2] = [0.5, 0.5, log2, log3, 0.9, 0.95, 0.1]
    # stride 8, cell (x=3, y=1): the same box, lower score -> NMS
    rows[1 * 8 + 3] = [-0.5, 0.5, log2, log3, 0.8, 0.9, 0.0]
    # stride 16, cell (x=3, y=0): the other class
    rows[64 + 3] = [0, 0, 0, 0, 0.8, 0.2, 0.9]
    # stride 32, cell (x=1, y=0): centre (48, 24), size 16 x 16
    rows[80 + 1] = [0.5, 0.75, half, half, 1.0, 0.7, 0.0]
    return rows[None]


@pytest.fixture(scope='module')
def raw_onnx(tmp_path_factory):
    """A Megvii YOLOX export (decode_in_inference=False)."""
    path = str(tmp_path_factory.mktemp('onnx') / 'tiny_raw.onnx')
    return write_graph(path, dict(output=raw_yolox_rows()))


def test_dets_labels_signature(dets_onnx):
    detector = ONNXPersonDetector(dets_onnx, score_thr=0.3, nms_thr=0.5)
    assert detector.signature == 'dets_labels'
    assert detector.input_size == INPUT_SIZE
    img = np.zeros((*IMAGE_SIZE, 3), np.uint8)
    boxes, scores = detector.detect(img)
    np.testing.assert_allclose(boxes, EXPECTED, atol=1e-4)
    np.testing.assert_allclose(scores, [0.9, 0.7, 0.6], atol=1e-6)
    assert boxes.dtype == np.float64
    np.testing.assert_array_equal(detector(img), boxes)
    # every class; a higher threshold
    everything = ONNXPersonDetector(dets_onnx, person_class_id=None)
    assert len(everything(img)) == 4  # + the class-2 box
    assert len(ONNXPersonDetector(dets_onnx, score_thr=0.75)(img)) == 1


def test_raw_yolox_signature(raw_onnx):
    detector = ONNXPersonDetector(raw_onnx)
    assert detector.signature == 'yolox_raw'
    boxes, scores = detector.detect(np.zeros((*IMAGE_SIZE, 3), np.uint8))
    np.testing.assert_allclose(
        boxes, [[30, 0, 70, 60], [100, 40, 140, 80]], atol=1e-4
    )
    np.testing.assert_allclose(scores, [0.9 * 0.95, 0.7], atol=1e-6)
    with pytest.raises(ValueError, match='raw YOLOX rows'):
        ONNXPersonDetector(raw_onnx, strides=(8, 16)).detect(
            np.zeros((*IMAGE_SIZE, 3), np.uint8)
        )


def test_letterbox_channel_order_and_normalisation(dets_onnx):
    img = np.zeros((*IMAGE_SIZE, 3), np.uint8)
    img[:, :80] = (255, 0, 0)  # red left half (RGB)
    img[:, 80:] = (0, 0, 255)  # blue right half
    padded, scale = letterbox(img, INPUT_SIZE)
    assert padded.shape == (64, 64, 3) and scale == (0.4, 0.4)
    assert (padded[32:] == 114).all()
    detector = ONNXPersonDetector(dets_onnx)  # BGR, no mean / std
    x, _ = detector.preprocess(img)
    assert x.shape == (1, 3, 64, 64) and x.dtype == np.float32
    assert x[0, :, 10, 5].tolist() == [0, 0, 255]  # red, as BGR
    assert x[0, :, 10, 60].tolist() == [255, 0, 0]  # blue, as BGR
    assert x[0, :, 50, 5].tolist() == [114] * 3  # padding
    rtmdet = ONNXPersonDetector(
        dets_onnx,
        channel_order='rgb',
        mean=(10, 20, 30),
        std=(2, 4, 5),
    )
    x, _ = rtmdet.preprocess(img)
    np.testing.assert_allclose(x[0, :, 10, 5], [122.5, -5, -6])


def test_nms():
    boxes = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [20, 0, 30, 10.0]])
    scores = np.array([0.5, 0.9, 0.4])
    assert nms(boxes, scores, 0.5).tolist() == [1, 2]
    assert nms(boxes, scores, 0.9).tolist() == [1, 0, 2]
    assert nms(np.zeros((0, 4)), np.zeros(0), 0.5).tolist() == []


def test_missing_onnxruntime_is_actionable(dets_onnx, monkeypatch):
    monkeypatch.setitem(sys.modules, 'onnxruntime', None)
    with pytest.raises(ImportError, match='pip install onnxruntime'):
        ONNXPersonDetector(dets_onnx)


def test_json_and_full_frame_sources(tmp_path):
    dets = [
        dict(image_id=3, bbox=[10, 20, 30, 40], score=0.9, category_id=1),
        dict(image_id=3, bbox=[0, 0, 5, 5], score=0.2, category_id=1),
        dict(image_id=3, bbox=[1, 2, 3, 4], score=0.9, category_id=2),
        dict(file_name='a.jpg', bbox=[5, 6, 7, 8], score=0.8),
    ]
    path = tmp_path / 'dets.json'
    path.write_text(json.dumps(dets))
    img = np.zeros((50, 60, 3), np.uint8)
    source = JSONPersonDetector(str(path), score_thr=0.5)
    # a video frame by index; a still image by its file name
    assert source(img, 3, 'clip.mp4').tolist() == [[10, 20, 40, 60]]
    assert source(img, None, '/x/a.jpg').tolist() == [[5, 6, 12, 14]]
    boxes, scores = source.detect(img, None, 'other.jpg')
    assert boxes.shape == (0, 4) and scores.shape == (0,)
    every = JSONPersonDetector(str(path), category_id=None)
    assert len(every(img, 3, 'clip.mp4')) == 3
    full = FullFramePersonDetector()
    assert full(img).tolist() == [[0, 0, 60, 50]]


PLUGIN = """
import numpy as np

from h4w.apis.detectors import BasePersonDetector
from h4w.registry import PERSON_DETECTORS


@PERSON_DETECTORS.register_module()
class ConstantTestPersonDetector(BasePersonDetector):
    def __init__(self, box):
        self.box = box

    def detect(self, img, frame_index=None, img_path=None):
        return np.array([self.box], float), np.ones(1)
"""


def test_registry_builds_every_source_and_plugins(
    dets_onnx, tmp_path, monkeypatch
):
    path = tmp_path / 'dets.json'
    path.write_text('[]')
    for cfg, cls in (
        (dict(type='FullFramePersonDetector'), FullFramePersonDetector),
        (dict(type='JSONPersonDetector', path=str(path)), JSONPersonDetector),
        (dict(type='ONNXPersonDetector', model_file=dets_onnx), None),
    ):
        detector = build_person_detector(cfg)
        assert isinstance(detector, cls or ONNXPersonDetector)
    assert build_person_detector(None) is None
    assert build_person_detector(detector) is detector
    # --detector: an .onnx file, or a config naming a plugin's detector
    assert person_detector_config(dets_onnx) == dict(
        type='ONNXPersonDetector', model_file=dets_onnx
    )
    (tmp_path / 'h4w_test_detector_plugin.py').write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    config = tmp_path / 'det_cfg.py'
    config.write_text(
        "custom_imports = dict(imports=['h4w_test_detector_plugin'])\n"
        'detector = dict(\n'
        "    type='ConstantTestPersonDetector', box=[1, 2, 3, 4])\n"
    )
    detector = build_person_detector(person_detector_config(str(config)))
    assert detector(np.zeros((9, 9, 3), np.uint8)).tolist() == [[1, 2, 3, 4]]
    assert 'ConstantTestPersonDetector' in PERSON_DETECTORS
    with pytest.raises(FileNotFoundError, match='detector file not found'):
        person_detector_config(str(tmp_path / 'absent.onnx'))


def test_demo_with_an_onnx_detector(
    dets_onnx, hand4whole_checkpoint, human_model_root, tmp_path
):
    demo = load_tool('demo.py')
    image = np.full((*IMAGE_SIZE, 3), 90, np.uint8)
    path = write_image(str(tmp_path / 'people.png'), image)
    out_dir = tmp_path / 'out'
    argv = [
        osp.join(REPO_ROOT, 'configs/hand4whole/hand4whole_res50.py'),
        hand4whole_checkpoint,
        path,
        '--out-dir',
        str(out_dir),
        '--human-model-path',
        human_model_root,
        '--detector',
        dets_onnx,
        '--renderer',
        'opencv',
        '--no-meshes',
    ]
    assert demo.main(argv) == 0
    people = json.load(open(out_dir / 'params' / 'people.json'))['people']
    np.testing.assert_allclose(
        [p['bbox'] for p in people], EXPECTED, atol=1e-3
    )
    with pytest.raises(SystemExit, match='one of --bbox'):
        demo.main(argv + ['--bbox', '1,2,3,4'])
