"""init_model / inference_mesh: weights, one batched forward, outputs in
original-image pixels checked against independent formulas."""

import logging
import os.path as osp

import cv2
import numpy as np
import pytest
import torch

from h4w.apis import (
    CheckpointMismatchError,
    inference_mesh,
    init_model,
    prediction_params,
)
from h4w.utils.image_io import MissingImageError

from tests.conftest import REPO_ROOT
from tests.test_apis.helpers import CONFIGS, converted_checkpoint

H4W_CONFIG = osp.join(REPO_ROOT, CONFIGS['hand4whole'])


def textured_image(height=360, width=480, seed=0):
    """A smooth random RGB image (uint8)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (height // 16, width // 16, 3), np.uint8)
    return cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)


@pytest.fixture(scope='module')
def hand4whole(hand4whole_checkpoint, human_model_root):
    return init_model(
        H4W_CONFIG,
        hand4whole_checkpoint,
        cfg_options={'model.body_model.model_path': human_model_root},
    )


def count_forwards(model):
    """Record the batch size of every backbone call."""
    calls = []
    handle = model.backbone.register_forward_hook(
        lambda module, args, out: calls.append(args[0].shape[0])
    )
    return calls, handle


def test_two_people_one_forward(hand4whole):
    img = textured_image()
    boxes = np.array([[20, 30, 200, 340], [250, 10, 460, 350]], float)
    calls, handle = count_forwards(hand4whole)
    try:
        samples = inference_mesh(hand4whole, img, boxes)
    finally:
        handle.remove()
    assert calls == [2]
    assert len(samples) == 2
    for sample, box in zip(samples, boxes):
        pred = sample.pred_instances
        assert pred.vertices.shape == (1, 10475, 3)
        assert pred.keypoints.shape == (1, 137, 2)
        np.testing.assert_allclose(pred.bboxes[0].numpy(), box)
        assert sample.metainfo['ori_shape'] == (360, 480)
    assert not torch.equal(
        samples[0].pred_instances.vertices, samples[1].pred_instances.vertices
    )


def _crop_to_image(sample):
    """Inverse of the crop affine, computed independently of h4w."""
    return cv2.invertAffineTransform(
        np.asarray(sample.metainfo['img2bb_trans'], np.float64)
    )


def test_outputs_map_back_through_the_inverse_crop_affine(hand4whole):
    img = textured_image(seed=1)
    samples = inference_mesh(hand4whole, img, np.array([[60, 40, 300, 330]]))
    pred = samples[0].pred_instances
    inv = _crop_to_image(samples[0])
    # crop joints: heat-map units (8 x 6) of the 512 x 384 crop
    joints_hm = pred.smplx_joint_proj[0].numpy().astype(np.float64)
    joints_crop = joints_hm * [384 / 6, 512 / 8]
    expected = joints_crop @ inv[:, :2].T + inv[:, 2]
    np.testing.assert_allclose(pred.keypoints[0].numpy(), expected, atol=2e-3)
    # the virtual camera: f = 5000, c = (96, 128) in the 192 x 256 body
    # input, x2 to the crop, then the inverse affine; the saved camera
    # must project the saved vertices to the same pixels
    verts = pred.vertices[0].numpy().astype(np.float64)
    crop_px = (verts[:, :2] / verts[:, 2:] * 5000 + [96, 128]) * 2
    expected = crop_px @ inv[:, :2].T + inv[:, 2]
    focal, princpt = pred.focal[0].numpy(), pred.princpt[0].numpy()
    got = verts[:, :2] / verts[:, 2:] * focal + princpt
    np.testing.assert_allclose(got, expected, atol=2e-3)


def test_whole_image_default_and_array_equals_file(hand4whole, tmp_path):
    img = textured_image(seed=2)
    path = str(tmp_path / 'img.png')
    cv2.imwrite(path, img[:, :, ::-1])  # RGB array -> BGR file
    from_file = inference_mesh(hand4whole, path)
    from_array = inference_mesh(hand4whole, img)
    assert len(from_file) == len(from_array) == 1
    np.testing.assert_allclose(
        from_file[0].pred_instances.bboxes[0].numpy(), [0, 0, 480, 360]
    )
    torch.testing.assert_close(
        from_file[0].pred_instances.vertices,
        from_array[0].pred_instances.vertices,
    )
    assert from_file[0].metainfo['img_path'] == path
    # a BGR array is a different input: the colour order matters
    swapped = inference_mesh(hand4whole, np.ascontiguousarray(img[..., ::-1]))
    assert not torch.allclose(
        swapped[0].pred_instances.vertices,
        from_array[0].pred_instances.vertices,
    )


def test_bad_boxes_are_skipped_with_a_warning(hand4whole, monkeypatch):
    img = textured_image(seed=3)
    boxes = np.array(
        [
            [10, 10, 10, 200],  # zero width
            [np.nan, 0, 50, 50],
            [600, 500, 700, 600],  # outside 480 x 360
            [40, 40, 200, 300],
        ]
    )
    logged = []
    monkeypatch.setattr(
        'h4w.apis.person_crops.print_log',
        lambda msg, **kwargs: logged.append((msg, kwargs.get('level'))),
    )
    samples = inference_mesh(hand4whole, img, boxes)
    assert len(samples) == 1
    np.testing.assert_allclose(
        samples[0].pred_instances.bboxes[0].numpy(), [40, 40, 200, 300]
    )
    assert {level for _, level in logged} == {logging.WARNING}
    text = '\n'.join(msg for msg, _ in logged)
    assert 'zero or negative area' in text and 'not finite' in text
    assert 'outside the 480x360 image' in text
    assert inference_mesh(hand4whole, img, boxes[:3]) == []
    assert inference_mesh(hand4whole, img, np.zeros((0, 4))) == []


def test_unreadable_image_is_named(hand4whole, tmp_path):
    bad = tmp_path / 'broken.jpg'
    bad.write_bytes(b'no jpeg')
    with pytest.raises(MissingImageError, match='broken.jpg'):
        inference_mesh(hand4whole, str(bad))


def test_params_are_split_by_the_layout(hand4whole):
    sample = inference_mesh(hand4whole, textured_image(seed=4))[0]
    params = prediction_params(sample, hand4whole.body_model.param_layout)
    sizes = {k: v.shape for k, v in params.items()}
    assert sizes == dict(
        root_pose=(3,),
        body_pose=(63,),
        lhand_pose=(45,),
        rhand_pose=(45,),
        jaw_pose=(3,),
        shape=(10,),
        expr=(10,),
        cam_trans=(3,),
    )
    pred = sample.pred_instances
    np.testing.assert_array_equal(params['jaw_pose'], pred.smplx_jaw_pose[0])


def test_checkpoint_that_does_not_fit_lists_the_keys(
    hand4whole_checkpoint, human_model_root, tmp_path
):
    state = torch.load(hand4whole_checkpoint, weights_only=True)['state_dict']
    state.pop('face_head.expr_out.weight', None)
    key = next(k for k in state if k.endswith('conv1.weight'))
    state[key] = state[key][:1]
    state['extra.weight'] = torch.zeros(1)
    path = str(tmp_path / 'bad.pth')
    torch.save(dict(state_dict=state), path)
    opts = {'model.body_model.model_path': human_model_root}
    with pytest.raises(CheckpointMismatchError) as err:
        init_model(H4W_CONFIG, path, cfg_options=opts)
    message = str(err.value)
    assert 'bad.pth' in message and 'extra.weight' in message
    assert key in message and 'shape mismatch' in message
    upstream = {f'module.{k}': v for k, v in state.items()}
    torch.save(dict(network=upstream), path)
    with pytest.raises(CheckpointMismatchError, match='model_converters'):
        init_model(H4W_CONFIG, path, cfg_options=opts)


@pytest.mark.parametrize(
    'model_name,num_verts,prefix',
    [
        ('pose2pose_body', 6890, 'smpl'),
        ('pose2pose_hand', 778, 'mano'),
        ('pose2pose_face', 5023, 'flame'),
    ],
)
def test_every_estimator_config(
    model_name, num_verts, prefix, human_model_root, tmp_path
):
    ckpt = converted_checkpoint(str(tmp_path), human_model_root, model_name)
    model = init_model(
        osp.join(REPO_ROOT, CONFIGS[model_name]),
        ckpt,
        cfg_options={'model.body_model.model_path': human_model_root},
    )
    samples = inference_mesh(
        model, textured_image(seed=5), np.array([[50, 60, 250, 300.0]])
    )
    pred = samples[0].pred_instances
    assert pred.vertices.shape == (1, num_verts, 3)
    inv = _crop_to_image(samples[0])
    verts = pred.vertices[0].numpy().astype(np.float64)
    in_h, in_w = model.codec.input_size
    crop_px = verts[:, :2] / verts[:, 2:] * 5000 + [in_w / 2, in_h / 2]
    expected = crop_px @ inv[:, :2].T + inv[:, 2]
    got = (
        verts[:, :2] / verts[:, 2:] * pred.focal[0].numpy()
        + pred.princpt[0].numpy()
    )
    np.testing.assert_allclose(got, expected, atol=2e-3)
    params = prediction_params(samples[0], model.body_model.param_layout)
    assert params['root_pose'].shape == (3,)
    assert f'{prefix}_mesh_cam' in pred
