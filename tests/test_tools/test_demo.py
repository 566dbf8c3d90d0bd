"""tools/demo.py on a photo, a generated image and a generated video, with
a checkpoint converted from the upstream layout (any weights)."""

import json
import os.path as osp
import sys

import cv2
import numpy as np
import pytest

from h4w.apis import NPZ_KEYS, read_npz
from h4w.utils.image_io import read_image, write_image
from h4w.utils.mesh_io import read_obj

from tests.conftest import REPO_ROOT, load_tool, run_tool

CONFIG = osp.join(REPO_ROOT, 'configs/hand4whole/hand4whole_res50.py')
demo = load_tool('demo.py')


def run_demo(checkpoint, human_model_root, inputs, out_dir, *extra):
    argv = [CONFIG, checkpoint, *inputs, '--out-dir', str(out_dir)]
    argv += ['--human-model-path', human_model_root, *extra]
    assert demo.main(argv) == 0


def silhouette(vertices, faces, focal, princpt, size):
    """Plain rasterisation of the projected triangles (cv2.fillPoly)."""
    uv = vertices[:, :2] / vertices[:, 2:] * focal + princpt
    mask = np.zeros(size, np.uint8)
    tri = np.round(uv[faces] * 16).astype(np.int32)
    cv2.fillPoly(mask, list(tri), 1, lineType=cv2.LINE_8, shift=4)
    return mask.astype(bool)


def check_overlay_matches_saved_camera(out_dir, image, name):
    """The saved vertices, projected with the saved camera, cover the
    pixels the renderer changed in the overlay."""
    data = read_npz(osp.join(out_dir, f'{name}.npz'))
    overlay = read_image(osp.join(out_dir, 'vis', f'{name}.jpg'))
    changed = np.abs(overlay.astype(int) - image.astype(int)).max(-1) > 40
    covered = np.zeros(image.shape[:2], bool)
    for person, track in enumerate(data['track_id']):
        verts, faces = read_obj(
            osp.join(out_dir, 'meshes', f'{name}_{track:02d}.obj')
        )
        covered |= silhouette(
            verts,
            faces,
            data['focal'][person],
            data['princpt'][person],
            image.shape[:2],
        )
    assert covered.sum() > 500  # the person is in view
    # every changed pixel is (near) the projected mesh, and most of the
    # projected mesh changed the image
    near = cv2.dilate(covered.astype(np.uint8), np.ones((5, 5), np.uint8))
    assert (changed & ~near.astype(bool)).sum() <= 0.02 * changed.sum()
    assert (changed & covered).sum() >= 0.9 * covered.sum()


def test_demo_on_the_reference_photo(
    shared_data, hand4whole_checkpoint, human_model_root, tmp_path
):
    out_dir = tmp_path / 'out'
    photo = osp.join(shared_data, 'input.png')
    run_demo(
        hand4whole_checkpoint,
        human_model_root,
        [photo],
        out_dir,
        '--bbox',
        '193,120,516,395',
    )
    verts, faces = read_obj(str(out_dir / 'meshes' / 'input_00.obj'))
    assert verts.shape == (10475, 3) and faces.shape == (20908, 3)
    assert osp.isfile(out_dir / 'meshes' / 'input_00.ply')
    params = json.load(open(out_dir / 'params' / 'input.json'))
    (person,) = params['people']
    assert len(person['body_pose']) == 63 and len(person['cam_trans']) == 3
    assert person['bbox'] == [193, 120, 516, 395]
    data = read_npz(str(out_dir / 'input.npz'))
    documented = {k for k in NPZ_KEYS if not k.startswith('<')}
    assert documented <= set(data)
    assert data['joints_2d'].shape == (1, 137, 2)
    assert data['image_size'].tolist() == [[480, 640]]
    check_overlay_matches_saved_camera(
        str(out_dir), read_image(photo), 'input'
    )


@pytest.mark.parametrize('renderer', ['auto', 'opencv'])
def test_demo_projection_on_a_generated_image_with_two_people(
    renderer, hand4whole_checkpoint, human_model_root, tmp_path
):
    image = np.full((360, 480, 3), 90, np.uint8)
    path = write_image(str(tmp_path / 'two.png'), image)
    out_dir = tmp_path / 'out'
    run_demo(
        hand4whole_checkpoint,
        human_model_root,
        [path],
        out_dir,
        '--bbox',
        '10,20,200,340',
        '--bbox',
        '260,30,470,350',
        '--renderer',
        renderer,
    )
    data = read_npz(str(out_dir / 'two.npz'))
    assert data['track_id'].tolist() == [0, 1]
    check_overlay_matches_saved_camera(str(out_dir), image, 'two')


def write_video(path, num_frames=6, size=(120, 160)):
    """A grey clip written with cv2.VideoWriter (BGR frames)."""
    height, width = size
    writer = cv2.VideoWriter(
        path, cv2.VideoWriter_fourcc(*'mp4v'), 10, (width, height)
    )
    for i in range(num_frames):
        frame = np.full((height, width, 3), 100, np.uint8)
        cv2.rectangle(frame, (10 + i, 20), (60 + i, 110), (40, 60, 200), -1)
        cv2.rectangle(frame, (100 - i, 10), (150 - i, 100), (200, 60, 40), -1)
        writer.write(frame)
    writer.release()


def decode(path):
    """Every frame of a video, RGB, read with OpenCV alone."""
    capture = cv2.VideoCapture(path)
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            return frames
        frames.append(frame[:, :, ::-1])


def detections(num_frames, jitter=0.0, seed=0, skip_frame=None):
    """COCO detections of the two rectangles (image_id = frame index),
    listed in a different order on odd frames."""
    rng = np.random.default_rng(seed)
    dets = []
    for i in range(num_frames):
        if i == skip_frame:
            continue
        boxes = [[8 + i, 18, 55, 95], [98 - i, 8, 55, 95]]
        if i % 2:
            boxes = boxes[::-1]
        for box in boxes:
            noisy = np.asarray(box, float) + rng.normal(0, jitter, 4)
            dets.append(
                dict(image_id=i, bbox=noisy.tolist(), score=0.9, category_id=1)
            )
    dets.append(dict(image_id=0, bbox=[0, 0, 5, 5], score=0.1, category_id=1))
    return dets


def test_demo_on_a_video_tracks_people_and_keeps_the_frames(
    hand4whole_checkpoint, human_model_root, tmp_path
):
    clip = str(tmp_path / 'clip.mp4')
    write_video(clip)
    det_file = tmp_path / 'dets.json'
    det_file.write_text(json.dumps(detections(6, skip_frame=3)))
    out_dir = tmp_path / 'out'
    run_demo(
        hand4whole_checkpoint,
        human_model_root,
        [clip],
        out_dir,
        '--bbox-json',
        str(det_file),
        '--score-thr',
        '0.5',
        '--batch-size',
        '2',
        '--renderer',
        'opencv',
        '--no-meshes',
    )
    frames = decode(str(out_dir / 'vis' / 'clip.mp4'))
    assert len(frames) == 6 and frames[0].shape == (120, 160, 3)
    # no person in frame 3: the frame is written unchanged (up to the
    # codec), the others carry meshes
    source = decode(clip)
    changed = [
        (np.abs(a.astype(int) - b).max(-1) > 40).mean()
        for a, b in zip(frames, source)
    ]
    assert changed[3] < 0.001 and min(changed[:3] + changed[4:]) > 0.01
    data = read_npz(str(out_dir / 'clip.npz'))
    assert data['frame_index'].tolist() == [0, 0, 1, 1, 2, 2, 4, 4, 5, 5]
    assert float(data['fps']) == pytest.approx(10)
    # the left rectangle keeps its id whichever order it was detected in
    left = data['bbox'][:, 0] < 50
    assert len(set(data['track_id'][left])) == 1
    assert len(set(data['track_id'][~left])) == 1
    assert set(data['track_id'][left]) != set(data['track_id'][~left])
    assert not list(out_dir.glob('meshes/*'))


def frame_jitter(data, key):
    """Mean frame-to-frame change of ``key`` along each track."""
    steps = []
    for track in np.unique(data['track_id']):
        values = data[key][data['track_id'] == track]
        steps.append(np.abs(np.diff(values, axis=0)).mean())
    return float(np.mean(steps))


def test_smoothing_lowers_the_jitter_of_a_noisy_sequence(
    hand4whole_checkpoint, human_model_root, tmp_path
):
    clip = str(tmp_path / 'clip.mp4')
    write_video(clip, num_frames=8)
    det_file = tmp_path / 'dets.json'
    det_file.write_text(json.dumps(detections(8, jitter=3.0, seed=1)))
    runs = {}
    for name, extra in (('raw', []), ('smooth', ['--smooth'])):
        out_dir = tmp_path / name
        run_demo(
            hand4whole_checkpoint,
            human_model_root,
            [clip],
            out_dir,
            '--bbox-json',
            str(det_file),
            '--score-thr',
            '0.5',
            '--renderer',
            'opencv',
            '--no-meshes',
            '--batch-size',
            '4',
            '--smooth-min-cutoff',
            '0.5',
            *extra,
        )
        runs[name] = read_npz(str(out_dir / 'clip.npz'))
    for key in ('root_pose', 'body_pose', 'cam_trans', 'princpt', 'joints_2d'):
        raw = frame_jitter(runs['raw'], key)
        smooth = frame_jitter(runs['smooth'], key)
        assert 0 < smooth < 0.8 * raw, (key, raw, smooth)
    # the first frame of each track is not filtered
    np.testing.assert_allclose(
        runs['smooth']['cam_trans'][:2], runs['raw']['cam_trans'][:2]
    )


def test_bad_inputs_are_named(tmp_path, hand4whole_checkpoint):
    missing = str(tmp_path / 'nope.jpg')
    with pytest.raises(FileNotFoundError, match='nope.jpg'):
        demo.main([CONFIG, hand4whole_checkpoint, missing])
    with pytest.raises(SystemExit):
        demo.parse_args(
            [CONFIG, hand4whole_checkpoint, 'a.jpg', '--bbox', '1,2']
        )


def test_demo_on_a_folder_whole_images_one_npz(
    hand4whole_checkpoint, human_model_root, tmp_path
):
    folder = tmp_path / 'frames'
    for name, value in (('b.jpg', 60), ('a.png', 120)):
        write_image(str(folder / name), np.full((64, 48, 3), value, np.uint8))
    (folder / 'notes.txt').write_text('not an image')
    out_dir = tmp_path / 'out'
    run_demo(
        hand4whole_checkpoint,
        human_model_root,
        [str(folder)],
        out_dir,
        '--renderer',
        'opencv',
        '--no-meshes',
    )
    data = read_npz(str(out_dir / 'frames.npz'))
    assert data['image_name'].tolist() == ['a', 'b']  # by name order
    assert data['frame_index'].tolist() == [0, 1]
    np.testing.assert_allclose(data['bbox'], [[0, 0, 48, 64]] * 2)
    assert sorted(p.name for p in (out_dir / 'vis').iterdir()) == [
        'a.jpg',
        'b.jpg',
    ]
    assert sorted(p.name for p in (out_dir / 'params').iterdir()) == [
        'a.json',
        'b.json',
    ]


#: Runs tools/demo.py with ``import torch`` failing, and reports whether
#: anything managed to load it.
NO_TORCH_DEMO = """
import runpy, sys
sys.modules['torch'] = None  # any import of torch raises ImportError
sys.argv = ['tools/demo.py'] + sys.argv[1:]
try:
    runpy.run_path('tools/demo.py', run_name='__main__')
except SystemExit as exit:
    assert not exit.code, exit.code
assert sys.modules.get('torch') is None
print('demo ran without torch')
"""


def test_demo_onnxruntime_backend_matches_pytorch(
    reference_photo_or_none, hand4whole_checkpoint, human_model_root, tmp_path
):
    """tools/deployment/export_onnx.py CONFIG CKPT --with-body-model, then
    tools/demo.py --backend onnxruntime in a process where torch cannot be
    imported: the same people, meshes (<= 1e-4 m), parameters and cameras
    as the PyTorch backend, on the reference photo (a generated image with
    two people when ../shared/data is absent)."""
    pytest.importorskip('onnxruntime')
    if reference_photo_or_none:
        image, boxes = reference_photo_or_none, ['193,120,516,395']
    else:
        rng = np.random.default_rng(0)
        pixels = cv2.GaussianBlur(
            rng.integers(0, 255, (360, 480, 3), dtype=np.uint8), (0, 0), 4
        )
        image = write_image(str(tmp_path / 'people.png'), pixels)
        boxes = ['10,20,200,340', '260,30,470,350']
    box_args = [arg for box in boxes for arg in ('--bbox', box)]
    onnx_file = str(tmp_path / 'hand4whole.onnx')
    export = load_tool('deployment/export_onnx.py')
    assert (
        export.main(
            [
                CONFIG,
                hand4whole_checkpoint,
                '--with-body-model',
                '--out',
                onnx_file,
                '--cfg-options',
                f'model.body_model.model_path={human_model_root}',
            ]
        )
        == 0
    )
    outputs = {}
    for backend in ('pytorch', 'onnxruntime'):
        out_dir = tmp_path / backend
        common = [image, '--out-dir', str(out_dir), *box_args]
        common += ['--renderer', 'opencv']
        if backend == 'pytorch':
            run_demo(
                hand4whole_checkpoint,
                human_model_root,
                [image],
                out_dir,
                *box_args,
                '--renderer',
                'opencv',
            )
        else:
            proc = run_tool(
                [
                    sys.executable,
                    '-c',
                    NO_TORCH_DEMO,
                    CONFIG,
                    onnx_file,
                    *common,
                    '--backend',
                    'onnxruntime',
                ]
            )
            assert 'demo ran without torch' in proc.stdout
        outputs[backend] = out_dir
    name = osp.splitext(osp.basename(image))[0]
    expected, actual = (
        read_npz(str(outputs[b] / f'{name}.npz'))
        for b in ('pytorch', 'onnxruntime')
    )
    assert sorted(actual) == sorted(expected)
    assert actual['track_id'].tolist() == list(range(len(boxes)))
    pixels = ('bbox', 'crop_bbox', 'princpt', 'joints_2d')
    for key, value in expected.items():
        if key in pixels:  # image pixels
            np.testing.assert_allclose(
                actual[key], value, atol=1e-2, err_msg=key
            )
        elif key == 'focal':  # thousands of pixels
            np.testing.assert_allclose(actual[key], value, rtol=1e-5)
        elif value.dtype.kind == 'f':  # radians, metres, coefficients
            np.testing.assert_allclose(
                actual[key], value, atol=1e-4, err_msg=key
            )
        else:
            np.testing.assert_array_equal(actual[key], value, err_msg=key)
    for track in range(len(boxes)):
        mesh = f'meshes/{name}_{track:02d}.obj'
        verts, faces = read_obj(str(outputs['onnxruntime'] / mesh))
        ref_verts, ref_faces = read_obj(str(outputs['pytorch'] / mesh))
        assert verts.shape == (10475, 3)
        np.testing.assert_array_equal(faces, ref_faces)
        assert np.abs(verts - ref_verts).max() <= 1e-4
    check_overlay_matches_saved_camera(
        str(outputs['onnxruntime']), read_image(image), name
    )


def test_backend_arguments_are_checked(capsys):
    for argv, message in (
        (['m.onnx', 'a.jpg'], 'add --backend onnxruntime'),
        (['m.pth', 'a.jpg', '--backend', 'onnxruntime'], 'runs an .onnx'),
        (
            ['m.onnx', 'a.jpg', '--backend', 'onnxruntime', '--smooth'],
            're-runs the body model',
        ),
        (
            ['m.onnx', 'a.jpg', '--backend', 'onnxruntime']
            + ['--human-model-path', 'x'],
            'inside the .onnx',
        ),
    ):
        with pytest.raises(SystemExit):
            demo.parse_args([CONFIG, *argv])
        assert message in capsys.readouterr().err
