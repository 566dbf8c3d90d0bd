"""MeshRenderer: silhouettes against a plain rasterisation written here,
occlusion between people (also through per-person cameras), RGB order,
the side view and the OpenCV fallback, for both backends."""

import logging
import os.path as osp
import sys

import cv2
import numpy as np
import pytest
from mmengine.logging import MMLogger

from h4w.structures.bbox.transforms import process_bbox
from h4w.utils.image_io import write_image
from h4w.utils.mesh_io import read_obj
from h4w.visualization import PALETTE, MeshRenderer, track_color
from h4w.visualization import renderer as renderer_module

from tests.conftest import PYTHON, run_tool

#: Least IoU of each backend's silhouette with the plain rasterisation.
MIN_IOU = dict(pyrender=0.98, opencv=0.95)

SIZE = (96, 128)  # (H, W) of the synthetic scenes
FOCAL = np.array([150.0, 150.0])
PRINCPT = np.array([60.0, 50.0])


@pytest.fixture(scope='module')
def renderers():
    """One renderer per backend for the module, closed at its end."""
    made = {}
    yield made
    for renderer in made.values():
        renderer.close()


@pytest.fixture(params=['pyrender', 'opencv'])
def renderer(request, renderers) -> MeshRenderer:
    name = request.param
    if name not in renderers:
        try:
            renderers[name] = MeshRenderer(backend=name)
        except (ImportError, RuntimeError) as exc:
            pytest.skip(f'the pyrender backend is unavailable here: {exc}')
    assert renderers[name].backend == name
    return renderers[name]


def box_mesh(center, size):
    """(8, 3) corners and (12, 3) outward-wound triangles of a box."""
    corners = np.array(
        [
            [x, y, z]
            for z in (-0.5, 0.5)
            for y in (-0.5, 0.5)
            for x in (-0.5, 0.5)
        ]
    )
    quads = [
        (0, 1, 3, 2),
        (4, 6, 7, 5),
        (0, 4, 5, 1),
        (2, 3, 7, 6),
        (0, 2, 6, 4),
        (1, 5, 7, 3),
    ]
    faces = []
    for a, b, c, d in quads:
        for tri in ((a, b, c), (a, c, d)):
            p = corners[list(tri)]
            normal = np.cross(p[1] - p[0], p[2] - p[0])
            outward = normal @ p.mean(0) > 0
            faces.append(tri if outward else tri[::-1])
    verts = corners * np.asarray(size, float) + np.asarray(center, float)
    return verts, np.array(faces)


def dilate(mask: np.ndarray) -> np.ndarray:
    """The mask grown by one pixel (8-neighbourhood)."""
    return cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0


def silhouette(renderer, verts, faces, focal=FOCAL, princpt=PRINCPT):
    out = renderer.rasterize([verts], faces, [focal], [princpt], SIZE)
    return out['index'] >= 0, out['depth']


# ----------------------------------------------------------------------
# The reference mesh (demo camera of spec §9.1 step 8)
# ----------------------------------------------------------------------
@pytest.fixture(scope='module')
def reference_scene(shared_data):
    verts, faces = read_obj(osp.join(shared_data, 'output.obj'))
    assert verts.shape == (10475, 3) and faces.shape == (20908, 3)
    x_b, y_b, w_b, h_b = process_bbox((193, 120, 323, 275), 640, 480)
    focal = np.array([5000 / 192 * w_b, 5000 / 256 * h_b])
    princpt = np.array([96 / 192 * w_b + x_b, 128 / 256 * h_b + y_b])
    # Plain rasterisation: every projected triangle filled on its own (a
    # single fillPoly call over all of them would apply the even-odd
    # rule to the overlaps).
    uv = verts[:, :2] / verts[:, 2:] * focal + princpt
    mask = np.zeros((480, 640), np.uint8)
    for tri in np.round(uv[faces] * 4).astype(np.int32):
        cv2.fillPoly(mask, [tri], 1, lineType=cv2.LINE_8, shift=2)
    return verts, faces, focal, princpt, mask > 0


def test_silhouette_of_the_reference_mesh(renderer, reference_scene):
    verts, faces, focal, princpt, plain = reference_scene
    out = renderer.rasterize([verts], faces, [focal], [princpt], (480, 640))
    mask = out['index'] >= 0
    iou = (mask & plain).sum() / (mask | plain).sum()
    assert iou >= MIN_IOU[renderer.backend], iou
    assert out['index'].max() == 0
    assert out['color'].shape == (480, 640, 3)
    assert out['color'].dtype == np.uint8
    assert out['color'][mask].mean() > 100
    # (pyrender antialiases the colour's edges.)
    assert out['color'][~dilate(mask)].max() == 0
    depth = out['depth'][mask]
    z = verts[:, 2]
    assert (depth >= z.min() - 1e-2).all() and (depth <= z.max() + 1e-2).all()
    assert (out['depth'][~mask] == 0).all()


# ----------------------------------------------------------------------
# Occlusion between people
# ----------------------------------------------------------------------
@pytest.mark.parametrize('reverse', [False, True])
def test_nearer_mesh_owns_the_overlap(renderer, reverse):
    near, faces = box_mesh((0.0, 0.0, 3.0), 1.0)
    far, _ = box_mesh((0.8, 0.6, 5.0), 1.0)
    near_alone, near_depth = silhouette(renderer, near, faces)
    far_alone, _ = silhouette(renderer, far, faces)
    assert (near_alone & far_alone).sum() > 200
    assert (far_alone & ~near_alone).sum() > 200
    meshes = [far, near] if reverse else [near, far]
    near_id, far_id = (1, 0) if reverse else (0, 1)
    out = renderer.rasterize(meshes, faces, FOCAL, PRINCPT, SIZE)
    expected = np.where(near_alone, near_id, np.where(far_alone, far_id, -1))
    np.testing.assert_array_equal(out['index'], expected)
    np.testing.assert_allclose(
        out['depth'][near_alone], near_depth[near_alone], atol=2e-3
    )


@pytest.mark.parametrize('reverse', [False, True])
def test_per_person_cameras_meet_in_one_scene(renderer, reverse):
    """Both boxes lie 3 m away in their own cameras, but person b's focal
    length is half of a's: in a's camera b is 6 m away, behind a; in b's
    camera a is 1.5 m away, in front of b. Each keeps its own image."""
    box_a, faces = box_mesh((0.0, 0.0, 3.0), 1.0)
    box_b, _ = box_mesh((0.2, 0.0, 3.0), 1.0)
    focal_a, princpt_a = FOCAL, PRINCPT
    focal_b, princpt_b = FOCAL / 2, PRINCPT + (20, 10)
    a_alone, a_depth = silhouette(renderer, box_a, faces, focal_a, princpt_a)
    b_alone, b_depth = silhouette(renderer, box_b, faces, focal_b, princpt_b)
    assert (a_alone & b_alone).sum() > 200
    only_b = b_alone & ~a_alone
    assert only_b.sum() > 100
    if reverse:  # the shared camera is b's
        out = renderer.rasterize(
            [box_b, box_a],
            faces,
            [focal_b, focal_a],
            [princpt_b, princpt_a],
            SIZE,
        )
        a_id, b_id, a_scale, b_scale = 1, 0, 0.5, 1.0
    else:  # the shared camera is a's
        out = renderer.rasterize(
            [box_a, box_b],
            faces,
            [focal_a, focal_b],
            [princpt_a, princpt_b],
            SIZE,
        )
        a_id, b_id, a_scale, b_scale = 0, 1, 1.0, 2.0
    expected = np.where(a_alone, a_id, np.where(b_alone, b_id, -1))
    # The move between cameras is exact up to rounding: allow a few edge
    # pixels.
    assert (out['index'] != expected).sum() <= 0.01 * (expected >= 0).sum()
    assert (out['index'][a_alone & b_alone] == a_id).mean() > 0.99
    np.testing.assert_allclose(
        np.median(out['depth'][a_alone]),
        a_scale * np.median(a_depth[a_alone]),
        rtol=1e-3,
    )
    np.testing.assert_allclose(
        np.median(out['depth'][only_b]),
        b_scale * np.median(b_depth[only_b]),
        rtol=1e-3,
    )


def test_bad_geometry_does_not_crash(renderer):
    """Vertices behind the camera, a degenerate face, a NaN vertex and a
    face seen from behind are skipped or clipped; the good face stays."""
    verts = np.array(
        [
            [-0.5, -0.5, 2.0],
            [0.5, -0.5, 2.0],
            [0.0, 0.5, 2.0],
            [0.0, 0.0, -1.0],
            [0.1, 0.1, 0.0],
            [np.nan, 0.0, 2.0],
        ]
    )
    faces = np.array(
        [[0, 1, 2], [0, 1, 3], [1, 2, 4], [0, 0, 1], [0, 1, 5], [2, 1, 0]]
    )
    out = renderer.rasterize([verts], faces, FOCAL, PRINCPT, SIZE)
    assert out['index'][int(PRINCPT[1]), int(PRINCPT[0])] == 0
    img = np.zeros(SIZE + (3,), np.uint8)
    assert renderer.render(img, [verts], faces, FOCAL, PRINCPT).shape == (
        SIZE + (3,)
    )


def test_back_faces_are_culled_unless_asked_not_to(renderer):
    """An inside-out box: culled, its far walls are what is left; not
    culled, it looks like the box wound the right way."""
    box, faces = box_mesh((0.1, 0.0, 3.0), 1.0)
    inside_out = faces[:, ::-1]
    mask, depth = silhouette(renderer, box, faces)
    culled_mask, culled_depth = silhouette(renderer, box, inside_out)
    assert np.median(culled_depth[culled_mask]) > np.median(depth[mask]) + 0.5
    with MeshRenderer(renderer.backend, cull_back_faces=False) as both_sides:
        all_mask, all_depth = silhouette(both_sides, box, inside_out)
    assert (all_mask & mask).sum() / (all_mask | mask).sum() > 0.99
    np.testing.assert_allclose(
        all_depth[mask & all_mask], depth[mask & all_mask], atol=2e-3
    )


def test_no_people_leaves_the_image_alone(renderer):
    img = np.random.default_rng(0).integers(0, 255, SIZE + (3,), np.uint8)
    out = renderer.render(img, [], [], np.zeros((0, 2)), np.zeros((0, 2)))
    np.testing.assert_array_equal(out, img)
    side = renderer.render(img, [], [], [], [], side_view=True)
    assert (side[:, SIZE[1] :] == renderer.side_background).all()
    maps = renderer.rasterize([], [], [], [], SIZE)
    assert (maps['index'] == -1).all() and (maps['depth'] == 0).all()


# ----------------------------------------------------------------------
# Colours and the side view
# ----------------------------------------------------------------------
def test_red_mesh_is_red_in_rgb_and_on_disk(renderer, tmp_path):
    verts, faces = box_mesh((0.0, 0.0, 3.0), 1.0)
    img = np.zeros(SIZE + (3,), np.uint8)
    out = renderer.render(
        img, [verts], faces, FOCAL, PRINCPT, colors=[(255, 0, 0)]
    )
    mask = silhouette(renderer, verts, faces)[0]
    red, green, blue = out[mask].astype(float).mean(0)
    assert red > 100 and red > 3 * max(green, blue)
    path = write_image(str(tmp_path / 'red.png'), out)
    on_disk = cv2.imread(path)[mask].astype(float).mean(0)
    assert on_disk[2] > 100 and on_disk[2] > 3 * max(on_disk[:2])


def test_default_colours_follow_the_palette(renderer):
    boxes = [box_mesh((x, 0.0, 4.0), 0.6) for x in (-0.8, 0.0, 0.8)]
    faces = boxes[0][1]
    out = renderer.rasterize(
        [v for v, _ in boxes], faces, FOCAL, PRINCPT, SIZE
    )
    for k in (1, 2):  # (110, 170, 255) and (255, 150, 90)
        mean = out['color'][out['index'] == k].astype(float).mean(0)
        assert np.argmax(mean) == np.argmax(PALETTE[k])
        assert np.argmin(mean) == np.argmin(PALETTE[k])
    assert track_color(2) == track_color(2 + len(PALETTE)) == PALETTE[2]


def test_alpha_blends_and_keeps_the_background(renderer):
    verts, faces = box_mesh((0.0, 0.0, 3.0), 1.0)
    img = np.full(SIZE + (3,), 200, np.uint8)
    mask = silhouette(renderer, verts, faces)[0]
    opaque = renderer.render(img, [verts], faces, FOCAL, PRINCPT)
    half = renderer.render(img, [verts], faces, FOCAL, PRINCPT, alpha=0.5)
    outside = ~cv2.dilate(mask.astype(np.uint8), np.ones((3, 3))).astype(bool)
    assert (opaque[outside] == 200).all() and (half[outside] == 200).all()
    expected = (opaque[mask].astype(float) + 200) / 2
    assert np.abs(half[mask] - expected).max() <= 1.0


def test_side_view_keeps_the_scene_in_frame(renderer):
    """A bar 8 m deep turns into a bar 8 m wide, which would overflow the
    panel at its original depth."""
    bar, faces = box_mesh((0.3, 0.1, 6.0), (0.2, 0.2, 8.0))
    cube, _ = box_mesh((-0.3, 0.0, 4.0), 0.4)
    img = np.full(SIZE + (3,), 128, np.uint8)
    args = ([bar, cube], faces, FOCAL, PRINCPT)
    out = renderer.render(img, *args, side_view=True)
    height, width = SIZE
    assert out.shape == (height, 2 * width, 3) and out.dtype == np.uint8
    np.testing.assert_array_equal(out[:, :width], renderer.render(img, *args))
    side = out[:, width:]
    mesh = (side != renderer.side_background).any(-1)
    assert mesh.sum() > 100
    border = np.concatenate([mesh[0], mesh[-1], mesh[:, 0], mesh[:, -1]])
    assert not border.any()
    rows, cols = np.nonzero(mesh)
    assert np.ptp(cols) > 3 * np.ptp(rows)  # the bar now runs across


# ----------------------------------------------------------------------
# Backend choice
# ----------------------------------------------------------------------
class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_auto_falls_back_to_opencv_with_one_notice(monkeypatch):
    monkeypatch.setitem(sys.modules, 'pyrender', None)  # import fails
    monkeypatch.setattr(renderer_module, '_FALLBACK_NOTICE_SHOWN', False)
    handler = _Records()
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    try:
        first = MeshRenderer()
        second = MeshRenderer(backend='auto')
    finally:
        logger.removeHandler(handler)
    assert first.backend == second.backend == 'opencv'
    notices = [r for r in handler.records if 'pyrender' in r.getMessage()]
    assert len(notices) == 1
    assert notices[0].levelno == logging.WARNING
    assert '\n' not in notices[0].getMessage()
    with pytest.raises(ImportError, match=r'pip install h4w\[viz\]'):
        MeshRenderer(backend='pyrender')
    with pytest.raises(ValueError, match='backend'):
        MeshRenderer(backend='vulkan')


def test_importing_h4w_visualization_loads_no_opengl():
    code = (
        'import sys, h4w, h4w.visualization; '
        "print(sorted(m for m in ('pyrender', 'OpenGL') "
        'if m in sys.modules))'
    )
    proc = run_tool([PYTHON, '-c', code])
    assert proc.stdout.strip() == '[]'
