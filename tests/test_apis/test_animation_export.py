"""Animation export: the .glb is read back with pygltflib (and trimesh),
the BVH with a small parser, and skinning the exported mesh is compared
with the smplx package's SMPL-X layer."""

import os.path as osp
import sys

import numpy as np
import pytest
import torch

from h4w.apis import AnimationExportError, export_bvh, export_glb
from h4w.apis.animation_export import axis_angle_to_quaternion
from h4w.body_models import load_model_data

from tests.conftest import REPO_ROOT, load_tool, run_tool

pygltflib = pytest.importorskip('pygltflib')

FPS = 25.0
ELBOW = 18  # L_Elbow
ELBOW_POSE = np.array([0.0, np.pi / 2, 0.0])  # bent by 90 degrees
CV_TO_GL = np.diag([1.0, -1.0, -1.0])


def rodrigues(aa):
    """(3,) axis-angle -> (3, 3), independent of the code under test."""
    angle = np.linalg.norm(aa)
    if angle < 1e-12:
        return np.eye(3)
    k = aa / angle
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(angle) * kx + (1 - np.cos(angle)) * kx @ kx


def quat_to_matrix(q):
    """(4,) xyzw -> (3, 3)."""
    x, y, z, w = q / np.linalg.norm(q)
    return np.array(
        [
            [
                1 - 2 * (y * y + z * z),
                2 * (x * y - z * w),
                2 * (x * z + y * w),
            ],
            [
                2 * (x * y + z * w),
                1 - 2 * (x * x + z * z),
                2 * (y * z - x * w),
            ],
            [
                2 * (x * z - y * w),
                2 * (y * z + x * w),
                1 - 2 * (x * x + y * y),
            ],
        ]
    )


def make_npz(path):
    """Two tracks in the demo's npz layout: track 7 in frames 0-4 (the
    left elbow bent by 90 degrees in frame 3), track 3 in frames 1 and 3."""
    rng = np.random.default_rng(0)
    rows = [(f, 7) for f in range(5)] + [(1, 3), (3, 3)]
    n = len(rows)
    frame = np.array([r[0] for r in rows])
    track = np.array([r[1] for r in rows])
    body = rng.normal(0, 0.2, (n, 63))
    body[3, (ELBOW - 1) * 3 : ELBOW * 3] = ELBOW_POSE
    root = np.tile([np.pi, 0.0, 0.0], (n, 1)) + rng.normal(0, 0.1, (n, 3))
    shape = np.where(track[:, None] == 7, 0.5, -0.3) * np.ones((n, 10))
    data = dict(
        frame_index=frame,
        image_name=np.array([f'clip_{f:06d}' for f in frame]),
        image_size=np.tile([480, 640], (n, 1)),
        track_id=track,
        bbox=np.tile([10.0, 20, 200, 400], (n, 1)),
        crop_bbox=np.tile([0.0, 0, 250, 450], (n, 1)),
        focal=np.tile([1500.0, 1500.0], (n, 1)),
        princpt=np.tile([320.0, 240.0], (n, 1)),
        cam_trans=np.stack(
            [0.1 + 0.02 * frame, 0.2 * np.ones(n), 5.0 + 0.1 * frame], 1
        ),
        joints_2d=np.zeros((n, 137, 2)),
        root_pose=root,
        body_pose=body,
        lhand_pose=rng.normal(0, 0.2, (n, 45)),
        rhand_pose=rng.normal(0, 0.2, (n, 45)),
        jaw_pose=rng.normal(0, 0.1, (n, 3)),
        shape=shape,
        expr=rng.normal(0, 0.5, (n, 10)),
        model=np.array('smplx'),
        fps=np.array(FPS),
    )
    data = {
        k: v.astype(np.float32) if v.dtype == float else v
        for k, v in data.items()
    }
    np.savez(path, **data)
    return data


@pytest.fixture(scope='module')
def exported(tmp_path_factory, human_model_root):
    out = tmp_path_factory.mktemp('animation')
    npz = str(out / 'clip.npz')
    data = make_npz(npz)
    glb, bvh = str(out / 'clip.glb'), str(out / 'clip.bvh')
    info = export_glb(npz, human_model_root, glb)
    bvh_info = export_bvh(npz, human_model_root, bvh)
    return dict(
        npz=npz, data=data, glb=glb, bvh=bvh, info=info, bvh_info=bvh_info
    )


@pytest.fixture(scope='module')
def gltf(exported):
    return pygltflib.GLTF2().load(exported['glb'])


def accessor_array(gltf, index):
    """Read an accessor with pygltflib's data (no code under test)."""
    acc = gltf.accessors[index]
    view = gltf.bufferViews[acc.bufferView]
    blob = gltf.binary_blob()
    dtype = {
        5126: np.float32,
        5121: np.uint8,
        5123: np.uint16,
        5125: np.uint32,
    }[acc.componentType]
    width = {'SCALAR': 1, 'VEC3': 3, 'VEC4': 4, 'MAT4': 16}[acc.type]
    start = view.byteOffset + (acc.byteOffset or 0)
    arr = np.frombuffer(blob, dtype, acc.count * width, start)
    return arr.reshape(acc.count, width) if width > 1 else arr


def track_rows(data, track_id=7):
    rows = np.flatnonzero(data['track_id'] == track_id)
    return rows[np.argsort(data['frame_index'][rows])]


@pytest.fixture(scope='module')
def layer(human_model_root):
    from h4w.models.body_models.smplx_model import SMPLXModel

    return SMPLXModel(
        model_path=human_model_root,
        j14_regressor_file=None,
        hand_vertex_ids_file=None,
        face_vertex_ids_file=None,
    ).eval()


def run_layer(layer, data, rows, **overrides):
    def t(key):
        return torch.as_tensor(
            np.asarray(data[key][rows]), dtype=torch.float32
        )

    params = dict(
        betas=t('shape'),
        global_orient=t('root_pose'),
        body_pose=t('body_pose'),
        left_hand_pose=t('lhand_pose'),
        right_hand_pose=t('rhand_pose'),
        jaw_pose=t('jaw_pose'),
    )
    with torch.no_grad():
        return layer(**params)


def test_skeleton_and_timing(exported, gltf, human_model_root):
    model = load_model_data(
        osp.join(human_model_root, 'smplx', 'SMPLX_NEUTRAL.npz')
    )
    kintree = model['kintree_table'][0].astype(np.int64)
    skin = gltf.skins[0]
    assert len(skin.joints) == 55
    parent = {}
    for i, node in enumerate(gltf.nodes):
        for child in node.children or []:
            parent[child] = i
    assert 0 not in parent  # the pelvis is the root
    for j in range(1, 55):
        assert skin.joints[parent[skin.joints[j]]] == kintree[j]
    sampler = gltf.animations[0].samplers[0]
    times = accessor_array(gltf, sampler.input)
    np.testing.assert_allclose(times, np.arange(5) / FPS, atol=1e-6)
    assert gltf.accessors[sampler.input].min == [0.0]
    assert exported['info']['frames'] == 5
    assert exported['info']['joints'] == 55
    assert exported['info']['track_id'] == 7  # the longest track
    channels = gltf.animations[0].channels
    assert sorted(
        c.target.node for c in channels if c.target.path == 'rotation'
    ) == list(range(55))
    assert [
        c.target.node for c in channels if c.target.path == 'translation'
    ] == [0]


def channel_values(gltf, node, path):
    anim = gltf.animations[0]
    for channel in anim.channels:
        if channel.target.node == node and channel.target.path == path:
            return accessor_array(gltf, anim.samplers[channel.sampler].output)
    raise KeyError((node, path))


def same_rotation(q, aa, pre=np.eye(3)):
    np.testing.assert_allclose(
        quat_to_matrix(np.asarray(q, np.float64)),
        pre @ rodrigues(aa),
        atol=1e-5,
    )


def test_rotations(exported, gltf, human_model_root):
    data = exported['data']
    rows = track_rows(data)
    elbow = channel_values(gltf, ELBOW, 'rotation')
    assert elbow.shape == (5, 4)
    same_rotation(elbow[3], ELBOW_POSE)
    expected = axis_angle_to_quaternion(ELBOW_POSE)
    assert (
        min(
            np.abs(elbow[3] - expected).max(),
            np.abs(elbow[3] + expected).max(),
        )
        < 1e-6
    )
    # the root: turned from the OpenCV into the OpenGL camera frame
    root = channel_values(gltf, 0, 'rotation')
    for k, row in enumerate(rows):
        same_rotation(root[k], data['root_pose'][row], CV_TO_GL)
    # a finger: npz pose plus the model's mean hand
    model = np.load(osp.join(human_model_root, 'smplx', 'SMPLX_NEUTRAL.npz'))
    finger = channel_values(gltf, 26, 'rotation')  # L_Index_2
    aa = data['lhand_pose'][rows[2], 3:6] + model['hands_meanl'][3:6]
    same_rotation(finger[2], aa)
    eye = channel_values(gltf, 23, 'rotation')
    np.testing.assert_allclose(np.abs(eye[:, 3]), 1.0, atol=1e-7)


def test_root_translation(exported, gltf, layer):
    data = exported['data']
    rows = track_rows(data)
    out = run_layer(layer, data, rows)
    # the layer's pelvis (joint 0) is the rest pelvis at any pose
    pelvis = out['output_joints'][:, 0].numpy()
    expected = (pelvis + data['cam_trans'][rows]) @ CV_TO_GL.T
    trans = channel_values(gltf, 0, 'translation')
    np.testing.assert_allclose(trans, expected, atol=1e-5)


def test_skin(exported, gltf, layer):
    prim = gltf.meshes[0].primitives[0]
    weights = accessor_array(gltf, prim.attributes.WEIGHTS_0)
    joints = accessor_array(gltf, prim.attributes.JOINTS_0)
    assert weights.shape == (10475, 4) and joints.max() < 55
    np.testing.assert_allclose(weights.sum(1), 1.0, atol=1e-6)
    assert np.all(weights >= 0)
    assert gltf.accessors[prim.attributes.POSITION].min is not None
    # inverse bind matrices invert the rest joints' global transforms,
    # which are the layer's rest joints (shape of track 7)
    ibm = accessor_array(gltf, gltf.skins[0].inverseBindMatrices)
    ibm = ibm.reshape(55, 4, 4).transpose(0, 2, 1)  # column-major
    rest = rest_globals(gltf)
    for j in range(55):
        np.testing.assert_allclose(ibm[j] @ rest[j], np.eye(4), atol=1e-5)
    data = exported['data']
    rows = track_rows(data)
    with torch.no_grad():  # rest pose: hand poses minus the mean hand
        zero = layer(
            betas=torch.as_tensor(data['shape'][rows[:1]]),
            left_hand_pose=-layer.layer.left_hand_mean[None],
            right_hand_pose=-layer.layer.right_hand_mean[None],
        )
    np.testing.assert_allclose(
        rest[:, :3, 3], zero['output_joints'][0, :55].numpy(), atol=1e-5
    )


def node_matrix(node, rotation=None, translation=None):
    m = np.eye(4)
    q = rotation if rotation is not None else node.rotation or [0, 0, 0, 1]
    m[:3, :3] = quat_to_matrix(np.asarray(q, np.float64))
    m[:3, 3] = (
        translation
        if translation is not None
        else (node.translation or [0, 0, 0])
    )
    return m


def globals_at(gltf, frame=None):
    """Global matrices of the 55 joint nodes, at rest or at a keyframe."""
    parent = {c: i for i, n in enumerate(gltf.nodes) for c in n.children or []}
    out = np.zeros((55, 4, 4))
    for j in range(55):  # parents come first in SMPL-X order
        rot = trans = None
        if frame is not None:
            rot = channel_values(gltf, j, 'rotation')[frame]
            if j == 0:
                trans = channel_values(gltf, 0, 'translation')[frame]
        local = node_matrix(gltf.nodes[j], rot, trans)
        out[j] = out[parent[j]] @ local if j in parent else local
    return out


def rest_globals(gltf):
    return globals_at(gltf)


@pytest.mark.parametrize('frame', [0, 3])
def test_skinning_matches_smplx_layer(exported, gltf, layer, frame):
    """glTF skinning of the export = the smplx layer's LBS.

    The layer adds pose correctives and uses all 55 weights per vertex;
    the glTF skin has neither. So the layer is run with its pose-corrective
    blend shapes zeroed and its weights replaced by the exported 4
    renormalised ones: then both are the same LBS and agree to float32
    precision (1e-5 m). With the model's full weights the difference is
    bounded by the weight mass left out (<5% on this model) times the
    joints' spread, so only a loose bound is checked for it."""
    prim = gltf.meshes[0].primitives[0]
    verts = accessor_array(gltf, prim.attributes.POSITION).astype(float)
    weights = accessor_array(gltf, prim.attributes.WEIGHTS_0).astype(float)
    joints = accessor_array(gltf, prim.attributes.JOINTS_0).astype(int)
    ibm = accessor_array(gltf, gltf.skins[0].inverseBindMatrices)
    ibm = ibm.reshape(55, 4, 4).transpose(0, 2, 1)
    mats = globals_at(gltf, frame) @ ibm
    homo = np.concatenate([verts, np.ones((len(verts), 1))], 1)
    skinned = np.zeros((len(verts), 4))
    for k in range(4):
        skinned += weights[:, k, None] * np.einsum(
            'vij,vj->vi', mats[joints[:, k]], homo
        )
    skinned = skinned[:, :3]

    data = exported['data']
    row = track_rows(data)[frame : frame + 1]
    lbs = layer.layer
    full_weights = lbs.lbs_weights.clone()
    posedirs = lbs.posedirs.clone()
    dense = np.zeros((len(verts), 55), np.float32)
    np.put_along_axis(dense, joints, weights.astype(np.float32), 1)
    try:
        lbs.posedirs.zero_()
        lbs.lbs_weights.copy_(torch.as_tensor(dense))
        exact = run_layer(layer, data, row)['vertices'][0].numpy()
        lbs.lbs_weights.copy_(full_weights)
        loose = run_layer(layer, data, row)['vertices'][0].numpy()
    finally:
        lbs.lbs_weights.copy_(full_weights)
        lbs.posedirs.copy_(posedirs)
    cam = data['cam_trans'][row[0]]
    np.testing.assert_allclose(skinned, (exact + cam) @ CV_TO_GL.T, atol=2e-5)
    assert np.abs(skinned - (loose + cam) @ CV_TO_GL.T).max() < 0.05


def test_trimesh_loads_the_mesh(exported):
    trimesh = pytest.importorskip('trimesh')
    mesh = trimesh.load(exported['glb'], force='mesh')
    assert mesh.vertices.shape == (10475, 3)
    assert mesh.faces.shape == (20908, 3)


def parse_bvh(path):
    """Joint names (hierarchy order), channel counts, frames, frame time
    and the motion matrix of a BVH file."""
    names, channels = [], []
    with open(path) as f:
        lines = [line.strip() for line in f]
    motion = lines.index('MOTION')
    for line in lines[:motion]:
        words = line.split()
        if words and words[0] in ('ROOT', 'JOINT'):
            names.append(words[1])
        elif words and words[0] == 'CHANNELS':
            channels.append(words[2:])
            assert int(words[1]) == len(words) - 2
    frames = int(lines[motion + 1].split()[1])
    frame_time = float(lines[motion + 2].split()[2])
    values = np.array(
        [
            [float(v) for v in line.split()]
            for line in lines[motion + 3 :]
            if line
        ]
    )
    return names, channels, frames, frame_time, values


def euler_zyx(z, y, x):
    def rz(a):
        c, s = np.cos(a), np.sin(a)
        return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])

    def ry(a):
        c, s = np.cos(a), np.sin(a)
        return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])

    def rx(a):
        c, s = np.cos(a), np.sin(a)
        return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])

    return rz(np.radians(z)) @ ry(np.radians(y)) @ rx(np.radians(x))


def test_bvh(exported, gltf):
    names, channels, frames, frame_time, values = parse_bvh(exported['bvh'])
    assert len(names) == 55 and names[0] == 'Pelvis'
    assert channels[0][:3] == ['Xposition', 'Yposition', 'Zposition']
    assert all(
        c == ['Zrotation', 'Yrotation', 'Xrotation'] for c in channels[1:]
    )
    assert frames == 5 and values.shape == (5, 6 + 54 * 3)
    assert frame_time == pytest.approx(1 / FPS)
    col = 6 + 3 * (names.index('L_Elbow') - 1)
    np.testing.assert_allclose(
        euler_zyx(*values[3, col : col + 3]),
        rodrigues(ELBOW_POSE),
        atol=1e-5,
    )
    # root: centimetres, the same pelvis path as the glb
    trans = channel_values(gltf, 0, 'translation')
    np.testing.assert_allclose(values[:, :3] / 100, trans, atol=1e-5)
    root = channel_values(gltf, 0, 'rotation')
    np.testing.assert_allclose(
        euler_zyx(*values[2, 3:6]),
        quat_to_matrix(root[2].astype(float)),
        atol=1e-5,
    )


def test_bvh_fills_missing_frames(exported, human_model_root, tmp_path):
    """Track 3 is seen in frames 1 and 3: the BVH has frame 2 halfway."""
    path = str(tmp_path / 'track3.bvh')
    info = export_bvh(exported['npz'], human_model_root, path, track_id=3)
    _, _, frames, _, values = parse_bvh(path)
    assert frames == 3 and info['track_id'] == 3
    np.testing.assert_allclose(
        values[1, :3], 0.5 * (values[0, :3] + values[2, :3]), atol=1e-5
    )
    glb = export_glb(
        exported['npz'],
        human_model_root,
        str(tmp_path / 'track3.glb'),
        track_id=3,
    )
    assert glb['frames'] == 2
    assert glb['duration'] == pytest.approx(2 / FPS)


def test_errors(exported, human_model_root, tmp_path):
    data = dict(np.load(exported['npz']))
    with pytest.raises(AnimationExportError, match='track 42'):
        export_glb(data, human_model_root, str(tmp_path / 'a.glb'), 42)
    no_cam = {k: v for k, v in data.items() if k != 'cam_trans'}
    bad = str(tmp_path / 'bad.npz')
    np.savez(bad, **no_cam)
    with pytest.raises(AnimationExportError, match="bad.npz.*'cam_trans'"):
        export_glb(bad, human_model_root, str(tmp_path / 'a.glb'))
    with pytest.raises(AnimationExportError, match='smpl parameters'):
        export_glb(
            dict(data, model=np.array('smpl')),
            human_model_root,
            str(tmp_path / 'a.glb'),
        )
    with pytest.raises(FileNotFoundError, match='missing.npz'):
        export_bvh(
            str(tmp_path / 'missing.npz'),
            human_model_root,
            str(tmp_path / 'a.bvh'),
        )
    with pytest.raises(FileNotFoundError, match='SMPLX_NEUTRAL'):
        export_glb(data, str(tmp_path), str(tmp_path / 'a.glb'))
    assert not osp.exists(tmp_path / 'a.glb')


TOOL = osp.join(REPO_ROOT, 'tools', 'misc', 'export_animation.py')


def test_cli(exported, human_model_root, tmp_path):
    glb, bvh = str(tmp_path / 'cli.glb'), str(tmp_path / 'cli.bvh')
    proc = run_tool(
        [
            sys.executable,
            TOOL,
            exported['npz'],
            '--human-models',
            human_model_root,
            '--out',
            glb,
            '--bvh',
            bvh,
        ]
    )
    last = proc.stdout.strip().splitlines()[-1]
    assert glb in last and bvh in last
    assert '55 joints' in last and '5 frames' in last and '0.160 s' in last
    assert len(pygltflib.GLTF2().load(glb).skins[0].joints) == 55
    assert parse_bvh(bvh)[2] == 5


def test_cli_help_and_errors(exported, human_model_root, tmp_path, capsys):
    """In-process (one subprocess run above is enough): ``--help`` and
    errors that name the bad file or track, exit status 1."""
    tool = load_tool('misc/export_animation.py')
    with pytest.raises(SystemExit) as exit_info:
        tool.main(['--help'])
    assert exit_info.value.code == 0
    assert '--track-id' in capsys.readouterr().out
    out = str(tmp_path / 'x.glb')
    argv = [exported['npz'], '--human-models', human_model_root]
    assert tool.main(argv + ['--out', out, '--track-id', '9']) == 1
    err = capsys.readouterr().err
    assert 'track 9' in err and 'clip.npz' in err and '[3, 7]' in err
    missing = str(tmp_path / 'nope.npz')
    assert tool.main([missing, '--human-models', '.', '--out', out]) == 1
    assert 'nope.npz' in capsys.readouterr().err
    assert not osp.exists(out)
