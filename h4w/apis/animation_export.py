"""Export one tracked person of a video as an animated SMPL-X rig.

The input is the demo's ``.npz`` (:data:`h4w.apis.NPZ_KEYS`: one row per
person and frame). One track becomes

* a glTF 2.0 binary (``.glb``): the 55-joint SMPL-X skeleton, the skinned
  template mesh of the track's mean shape and one animation (a rotation
  track per joint, a translation track for the pelvis);
* a BVH file: the same skeleton and motion, without the mesh.

Conventions (both files):

* **Axes**: the OpenGL camera frame of the person's camera, x right,
  y up, z towards the viewer (the camera sits at the origin and looks
  along -z). It is the demo's OpenCV camera frame (x right, y down,
  z forward) turned by 180 degrees about x, ``(x, y, z) -> (x, -y, -z)``,
  so the rest pose (the T-pose of the SMPL-X model frame, y up) stands
  upright in glTF viewers and the animated mesh lands where the demo's
  camera-frame mesh is, in these axes.
* **Units**: metres in the ``.glb``; the BVH is in metres times
  ``scale`` (default 100: centimetres).
* **Translation**: the pelvis (root joint) position in the frame above,
  ``C @ (cam_trans + J_pelvis)`` with ``C = diag(1, -1, -1)`` and
  ``J_pelvis`` the rest pelvis of the shaped template: the demo adds
  ``cam_trans`` to the layer's mesh, whose pelvis rests at ``J_pelvis``.
* **Rotations**: each joint's local rotation (its parent's frame); the
  root's is ``C @ R(root_pose)``. Finger rotations are absolute: the
  npz hand poses are offsets from the model's mean hand
  (``flat_hand_mean=False``, as Hand4Whole), so the mean hand
  (``hands_meanl`` / ``hands_meanr`` of the model file) is added. Eyes
  have the identity rotation (Hand4Whole does not predict them).
* **Mesh**: vertices of the template shaped by the track's mean betas
  (no expression, no pose correctives), rest joints from ``J_regressor``
  on those vertices; ``JOINTS_0`` / ``WEIGHTS_0`` hold each vertex's 4
  largest LBS weights renormalised to sum 1. Skinning it at a frame is
  SMPL-X linear blend skinning with those weights, without pose
  correctives and expression blend shapes.
* **Time**: ``frame_index / fps`` seconds (``fps`` 0, e.g. a folder of
  images, counts as 30). A frame where the person is missing is
  interpolated (glTF ``LINEAR``: slerp / lerp; the BVH, which needs every
  frame, gets the same interpolation).

Only numpy is used: the body-model file is read with
:func:`h4w.body_models.load_model_data`, and the glTF JSON and binary
buffer are written here.
"""

import json
import os
import os.path as osp
import struct
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Union

import numpy as np

from h4w.body_models.joint_sets import SMPLX_SKELETON_NAMES
from h4w.body_models.model_files import load_model_data, missing_model_file

__all__ = [
    'AnimationExportError',
    'REQUIRED_KEYS',
    'SMPLX_SKELETON_NAMES',
    'SMPLXRig',
    'TrackMotion',
    'axis_angle_to_quaternion',
    'export_bvh',
    'export_glb',
    'load_smplx_rig',
    'matrix_to_euler_zyx',
    'quaternion_multiply',
    'quaternion_to_matrix',
    'select_track',
    'track_motion',
]

#: Keys of the npz that the export reads (``fps`` and ``model`` are
#: optional).
REQUIRED_KEYS = (
    'frame_index',
    'track_id',
    'root_pose',
    'body_pose',
    'lhand_pose',
    'rhand_pose',
    'jaw_pose',
    'shape',
    'cam_trans',
)

#: OpenCV camera frame -> export frame (180 degrees about x).
_CV_TO_EXPORT = np.diag([1.0, -1.0, -1.0])
_DEFAULT_FPS = 30.0
_NUM_JOINTS = 55


class AnimationExportError(ValueError):
    """The npz or the track cannot be exported (the message names it)."""


# ------------------------------------------------------------- rotations
def axis_angle_to_quaternion(axis_angle: np.ndarray) -> np.ndarray:
    """Axis-angle vectors to unit quaternions in glTF order (x, y, z, w).

    Args:
        axis_angle (np.ndarray): (..., 3) rotation vectors (radians).

    Returns:
        np.ndarray: (..., 4) float64 quaternions, ``w >= 0``.

    Examples:
        >>> q = axis_angle_to_quaternion(np.array([0.0, 0.0, np.pi / 2]))
        >>> np.round(q, 4)
        array([0.    , 0.    , 0.7071, 0.7071])
    """
    aa = np.asarray(axis_angle, dtype=np.float64)
    angle = np.linalg.norm(aa, axis=-1, keepdims=True)
    half = 0.5 * angle
    # sin(a/2)/a, with its series near 0
    small = angle < 1e-8
    safe = np.where(small, 1.0, angle)
    scale = np.where(small, 0.5 - angle**2 / 48.0, np.sin(half) / safe)
    return np.concatenate([aa * scale, np.cos(half)], axis=-1)


def quaternion_multiply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamilton product ``a * b`` of (..., 4) xyzw quaternions."""
    ax, ay, az, aw = np.moveaxis(np.asarray(a, np.float64), -1, 0)
    bx, by, bz, bw = np.moveaxis(np.asarray(b, np.float64), -1, 0)
    return np.stack(
        [
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
            aw * bw - ax * bx - ay * by - az * bz,
        ],
        axis=-1,
    )


def quaternion_to_matrix(quat: np.ndarray) -> np.ndarray:
    """(..., 4) xyzw unit quaternions to (..., 3, 3) rotation matrices."""
    x, y, z, w = np.moveaxis(np.asarray(quat, np.float64), -1, 0)
    rows = (
        (1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)),
        (2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)),
        (2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)),
    )
    return np.stack([np.stack(row, axis=-1) for row in rows], axis=-2)


def _continuous(quat: np.ndarray) -> np.ndarray:
    """Flip signs along axis 0 so that consecutive quaternions agree."""
    quat = quat.copy()
    for t in range(1, len(quat)):
        dots = np.sum(quat[t] * quat[t - 1], axis=-1)
        quat[t][dots < 0] *= -1
    return quat


def _slerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """Slerp between (J, 4) quaternions ``a`` and ``b`` at ``t``."""
    dot = np.sum(a * b, axis=-1, keepdims=True)
    b = np.where(dot < 0, -b, b)
    dot = np.abs(dot)
    theta = np.arccos(np.clip(dot, -1.0, 1.0))
    sin = np.sin(theta)
    near = sin < 1e-6
    wa = np.where(
        near, 1 - t, np.sin((1 - t) * theta) / np.where(near, 1, sin)
    )
    wb = np.where(near, t, np.sin(t * theta) / np.where(near, 1, sin))
    out = wa * a + wb * b
    return out / np.linalg.norm(out, axis=-1, keepdims=True)


# ------------------------------------------------------------------ rig
@dataclass
class SMPLXRig:
    """The SMPL-X skeleton and template mesh of one shape.

    Attributes:
        parents (np.ndarray): (J,) parent of each joint, -1 for the root.
        rest_joints (np.ndarray): (J, 3) rest joint positions, model frame
            (y up), metres.
        vertices (np.ndarray): (V, 3) shaped template, model frame.
        faces (np.ndarray): (F, 3) triangles.
        weights (np.ndarray): (V, J) LBS weights of the model file.
        hand_mean (np.ndarray): (2, 45) mean left / right hand pose that is
            added to the npz hand poses (zeros with ``flat_hand_mean``).
        names (tuple): J joint names.

    Note:
        J = 55 joints, V = 10475 vertices, F = 20908 faces for SMPL-X.
    """

    parents: np.ndarray
    rest_joints: np.ndarray
    vertices: np.ndarray
    faces: np.ndarray
    weights: np.ndarray
    hand_mean: np.ndarray
    names: tuple = SMPLX_SKELETON_NAMES

    @property
    def offsets(self) -> np.ndarray:
        """(J, 3) rest offset of each joint from its parent (the root's
        from the origin)."""
        parent_pos = np.where(
            self.parents[:, None] >= 0,
            self.rest_joints[np.maximum(self.parents, 0)],
            0.0,
        )
        return self.rest_joints - parent_pos

    def top4_weights(self):
        """Each vertex's 4 largest weights, renormalised.

        Returns:
            tuple: ``joints`` (V, 4) int and ``weights`` (V, 4) float32
            that sum to 1 per vertex.
        """
        joints = np.argsort(-self.weights, axis=1, kind='stable')[:, :4]
        weights = np.take_along_axis(self.weights, joints, axis=1)
        weights = np.clip(weights, 0, None)
        weights = weights / weights.sum(axis=1, keepdims=True)
        weights = weights.astype(np.float32)
        # fold the float32 rounding into the largest weight
        weights[:, 0] += 1 - weights.sum(axis=1, dtype=np.float32)
        return joints, weights


def _smplx_file(model_path: str, gender: str) -> str:
    if osp.isfile(model_path):
        return model_path
    stem = osp.join(model_path, 'smplx', f'SMPLX_{gender.upper()}')
    for ext in ('.npz', '.pkl'):
        if osp.isfile(stem + ext):
            return stem + ext
    raise missing_model_file(stem + '.npz', 'smplx')


def load_smplx_rig(
    model_path: str,
    betas: Optional[np.ndarray] = None,
    gender: str = 'neutral',
    flat_hand_mean: bool = False,
) -> SMPLXRig:
    """Read the SMPL-X file and shape its template.

    Args:
        model_path (str): The ``human_model_files`` root (reads
            ``smplx/SMPLX_<GENDER>.npz``, else ``.pkl``) or a model file.
        betas (np.ndarray, optional): (B,) shape coefficients; None is the
            mean shape.
        gender (str): ``'neutral'``, ``'male'`` or ``'female'``.
        flat_hand_mean (bool): The npz hand poses are absolute (True) or
            offsets from the mean hand (False, Hand4Whole).

    Returns:
        SMPLXRig: The skeleton and mesh of that shape.
    """
    path = _smplx_file(model_path, gender)
    data = load_model_data(path)
    missing = [
        k
        for k in (
            'v_template',
            'f',
            'shapedirs',
            'J_regressor',
            'weights',
            'kintree_table',
        )
        if k not in data
    ]
    if missing:
        raise AnimationExportError(f'{path} lacks SMPL-X arrays {missing}')
    vertices = np.asarray(data['v_template'], np.float64)
    if betas is not None:
        betas = np.asarray(betas, np.float64).reshape(-1)
        dirs = np.asarray(data['shapedirs'], np.float64)[:, :, : len(betas)]
        vertices = vertices + dirs @ betas
    regressor = np.asarray(data['J_regressor'], np.float64)
    parents = np.asarray(data['kintree_table'])[0].astype(np.int64)
    parents[0] = -1  # stored as uint32 max
    if len(parents) != _NUM_JOINTS:
        raise AnimationExportError(
            f'{path}: expected {_NUM_JOINTS} SMPL-X joints, got {len(parents)}'
        )
    if flat_hand_mean:
        hand_mean = np.zeros((2, 45))
    else:
        hand_mean = np.stack(
            [
                np.asarray(data['hands_meanl'], np.float64).reshape(45),
                np.asarray(data['hands_meanr'], np.float64).reshape(45),
            ]
        )
    return SMPLXRig(
        parents=parents,
        rest_joints=regressor @ vertices,
        vertices=vertices,
        faces=np.asarray(data['f'], np.int64),
        weights=np.asarray(data['weights'], np.float64),
        hand_mean=hand_mean,
    )


# --------------------------------------------------------------- motion
def _load(npz: Union[str, Dict[str, np.ndarray]]):
    if isinstance(npz, (str, os.PathLike)):
        source = str(npz)
        if not osp.isfile(source):
            raise FileNotFoundError(f'npz file not found: {source}')
        try:
            with np.load(source) as data:
                arrays = {key: data[key] for key in data.files}
        except (OSError, ValueError) as err:
            raise AnimationExportError(
                f'{source} is not a readable .npz file: {err}'
            ) from err
        return arrays, source
    return dict(npz), 'the given parameter dict'


def select_track(
    npz: Union[str, Dict[str, np.ndarray]], track_id: Optional[int] = None
) -> Dict[str, np.ndarray]:
    """The rows of one track, sorted by frame.

    Args:
        npz (str | dict): Path of the demo's ``.npz`` or its arrays.
        track_id (int, optional): The track; None picks the one with the
            most rows (the smallest id on a tie).

    Returns:
        dict: The per-row arrays of :data:`REQUIRED_KEYS` for that track
        (``T`` rows), plus ``fps`` (float, 30 when the npz has 0 or none)
        and ``track_id`` as an int.

    Raises:
        AnimationExportError: A key is missing, the model is not SMPL-X,
            the track is unknown, or a frame repeats within the track.
    """
    data, source = _load(npz)
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise AnimationExportError(
            f'{source} lacks the keys {missing} (the demo writes them; see '
            'h4w.apis.NPZ_KEYS)'
        )
    model = str(np.asarray(data.get('model', 'smplx')))
    if model != 'smplx':
        raise AnimationExportError(
            f'{source} holds {model} parameters; only SMPL-X results '
            'can be exported as an animation'
        )
    tracks = np.asarray(data['track_id']).astype(np.int64).reshape(-1)
    if len(tracks) == 0:
        raise AnimationExportError(f'{source} has no person rows')
    ids, counts = np.unique(tracks, return_counts=True)
    if track_id is None:
        track_id = int(ids[np.argmax(counts)])
    elif int(track_id) not in ids:
        raise AnimationExportError(
            f'track {track_id} is not in {source}; its tracks are '
            f'{ids.tolist()}'
        )
    rows = np.flatnonzero(tracks == int(track_id))
    frames = np.asarray(data['frame_index']).astype(np.int64)[rows]
    order = np.argsort(frames, kind='stable')
    rows, frames = rows[order], frames[order]
    if np.any(np.diff(frames) == 0):
        raise AnimationExportError(
            f'{source}: track {track_id} has several rows in one frame'
        )
    out = {
        key: np.asarray(data[key], np.float64)[rows]
        for key in REQUIRED_KEYS
        if key not in ('frame_index', 'track_id')
    }
    fps = float(np.asarray(data.get('fps', 0.0)))
    out.update(
        frame_index=frames,
        track_id=int(track_id),
        fps=fps if fps > 0 else _DEFAULT_FPS,
        source=source,
    )
    return out


@dataclass
class TrackMotion:
    """One track's animation in the export frame.

    Attributes:
        frames (np.ndarray): (T,) frame indices.
        times (np.ndarray): (T,) seconds, ``frame_index / fps``.
        rotations (np.ndarray): (T, J, 4) local joint rotations, xyzw,
            sign-continuous over time.
        root_translation (np.ndarray): (T, 3) pelvis position, metres.
        fps (float): Frame rate.
        track_id (int): The track.
        rig (SMPLXRig): Skeleton and mesh of the track's mean shape.
    """

    frames: np.ndarray
    times: np.ndarray
    rotations: np.ndarray
    root_translation: np.ndarray
    fps: float
    track_id: int
    rig: SMPLXRig

    def resampled(self):
        """Every frame from the first to the last: missing frames are
        interpolated (slerp / lerp), as glTF ``LINEAR`` does.

        Returns:
            tuple: (N, J, 4) rotations and (N, 3) root translations.
        """
        span = np.arange(self.frames[0], self.frames[-1] + 1)
        rots = np.empty((len(span), *self.rotations.shape[1:]))
        trans = np.empty((len(span), 3))
        for n, frame in enumerate(span):
            k = int(np.searchsorted(self.frames, frame))
            if self.frames[k] == frame:
                rots[n], trans[n] = self.rotations[k], self.root_translation[k]
                continue
            f0, f1 = self.frames[k - 1], self.frames[k]
            t = (frame - f0) / (f1 - f0)
            rots[n] = _slerp(self.rotations[k - 1], self.rotations[k], t)
            trans[n] = (1 - t) * self.root_translation[
                k - 1
            ] + t * self.root_translation[k]
        return rots, trans


def track_motion(
    npz: Union[str, Dict[str, np.ndarray]],
    model_path: str,
    track_id: Optional[int] = None,
    gender: str = 'neutral',
    flat_hand_mean: bool = False,
) -> TrackMotion:
    """Joint rotations and root translation of one track (module
    docstring: conventions).

    Args:
        npz (str | dict): The demo's ``.npz`` or its arrays.
        model_path (str): ``human_model_files`` root or SMPL-X file.
        track_id (int, optional): None: the longest track.
        gender (str): Gender of the SMPL-X file. Defaults to neutral.
        flat_hand_mean (bool): See :func:`load_smplx_rig`.

    Returns:
        TrackMotion: The animation and its rig.
    """
    track = select_track(npz, track_id)
    rig = load_smplx_rig(
        model_path, track['shape'].mean(axis=0), gender, flat_hand_mean
    )
    num = len(track['frame_index'])
    pose = np.zeros((num, _NUM_JOINTS, 3))
    blocks = (
        ('root_pose', 0, 1),
        ('body_pose', 1, 21),
        ('jaw_pose', 22, 1),
        ('lhand_pose', 25, 15),
        ('rhand_pose', 40, 15),
    )
    for key, start, count in blocks:
        values = track[key]
        if values.shape[1:] != (3 * count,):
            raise AnimationExportError(
                f'{track["source"]}: {key} has shape {values.shape}, '
                f'expected (P, {3 * count})'
            )
        pose[:, start : start + count] = values.reshape(num, count, 3)
    pose[:, 25:40] += rig.hand_mean[0].reshape(15, 3)
    pose[:, 40:55] += rig.hand_mean[1].reshape(15, 3)
    quat = axis_angle_to_quaternion(pose)
    flip = np.array([1.0, 0.0, 0.0, 0.0])  # 180 degrees about x
    quat[:, 0] = quaternion_multiply(flip, quat[:, 0])
    root = (track['cam_trans'] + rig.rest_joints[0]) @ _CV_TO_EXPORT.T
    return TrackMotion(
        frames=track['frame_index'],
        times=track['frame_index'] / track['fps'],
        rotations=_continuous(quat),
        root_translation=root,
        fps=track['fps'],
        track_id=track['track_id'],
        rig=rig,
    )


# ----------------------------------------------------------------- glTF
_FLOAT, _UBYTE, _USHORT, _UINT = 5126, 5121, 5123, 5125
_ARRAY_BUFFER, _ELEMENT_ARRAY_BUFFER = 34962, 34963
_COMPONENTS = {'SCALAR': 1, 'VEC3': 3, 'VEC4': 4, 'MAT4': 16}


class _GLTFBuffer:
    """Collects binary views and their accessors."""

    def __init__(self) -> None:
        self.chunks = []
        self.length = 0
        self.views = []
        self.accessors = []

    def add(
        self,
        array: np.ndarray,
        gltf_type: str,
        target: Optional[int] = None,
        bounds: bool = False,
    ) -> int:
        """Append ``array`` (already in its component type) as one
        bufferView + accessor; returns the accessor index."""
        array = np.ascontiguousarray(array)
        component = {
            np.dtype(np.float32): _FLOAT,
            np.dtype(np.uint8): _UBYTE,
            np.dtype(np.uint16): _USHORT,
            np.dtype(np.uint32): _UINT,
        }[array.dtype]
        data = array.tobytes()
        view = dict(buffer=0, byteOffset=self.length, byteLength=len(data))
        if target is not None:
            view['target'] = target
        self.views.append(view)
        self.chunks.append(data + b'\0' * (-len(data) % 4))
        self.length += len(data) + (-len(data) % 4)
        count = array.shape[0]
        accessor = dict(
            bufferView=len(self.views) - 1,
            componentType=component,
            count=int(count),
            type=gltf_type,
        )
        if bounds:
            flat = array.reshape(count, _COMPONENTS[gltf_type])
            cast = float if component == _FLOAT else int
            accessor['min'] = [cast(v) for v in flat.min(axis=0)]
            accessor['max'] = [cast(v) for v in flat.max(axis=0)]
        self.accessors.append(accessor)
        return len(self.accessors) - 1

    def blob(self) -> bytes:
        return b''.join(self.chunks)


def _write_glb(path: str, gltf: dict, blob: bytes) -> None:
    """Write the GLB container: header, JSON chunk, BIN chunk."""
    text = json.dumps(gltf, separators=(',', ':')).encode('utf-8')
    text += b' ' * (-len(text) % 4)
    blob += b'\0' * (-len(blob) % 4)
    total = 12 + 8 + len(text) + 8 + len(blob)
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with open(path, 'wb') as f:
        f.write(struct.pack('<4sII', b'glTF', 2, total))
        f.write(struct.pack('<II', len(text), 0x4E4F534A))  # JSON
        f.write(text)
        f.write(struct.pack('<II', len(blob), 0x004E4942))  # BIN
        f.write(blob)


def _summary(motion: TrackMotion, path: str, num_frames: int) -> dict:
    return dict(
        path=path,
        track_id=motion.track_id,
        joints=len(motion.rig.parents),
        frames=num_frames,
        duration=float(motion.times[-1] - motion.times[0]),
        fps=motion.fps,
    )


def export_glb(
    npz_path_or_dict: Union[str, Dict[str, np.ndarray]],
    model_path: str,
    out_path: str,
    track_id: Optional[int] = None,
    gender: str = 'neutral',
    flat_hand_mean: bool = False,
) -> dict:
    """Write one track as a skinned, animated glTF 2.0 binary.

    Nodes 0..54 are the joints (node ``j`` is SMPL-X joint ``j``; node 0,
    the pelvis, is the scene root of the skeleton), node 55 holds the
    mesh and skin. Node transforms are the rest pose; the inverse bind
    matrices are translations by minus the rest joint positions. The
    animation has one ``LINEAR`` rotation channel per joint and one
    translation channel for the pelvis, keyed at the track's frames.
    Conventions: module docstring.

    Args:
        npz_path_or_dict (str | dict): The demo's ``.npz`` or its arrays.
        model_path (str): ``human_model_files`` root or SMPL-X file.
        out_path (str): The ``.glb`` to write.
        track_id (int, optional): None: the longest track.
        gender (str): Gender of the SMPL-X file. Defaults to neutral.
        flat_hand_mean (bool): See :func:`load_smplx_rig`.

    Returns:
        dict: ``path``, ``track_id``, ``joints``, ``frames`` (keyframes),
        ``duration`` (s), ``fps``.
    """
    motion = track_motion(
        npz_path_or_dict, model_path, track_id, gender, flat_hand_mean
    )
    rig = motion.rig
    buf = _GLTFBuffer()
    joints4, weights4 = rig.top4_weights()
    position = buf.add(
        rig.vertices.astype(np.float32), 'VEC3', _ARRAY_BUFFER, bounds=True
    )
    joint_type = np.uint8 if len(rig.parents) < 256 else np.uint16
    joints_acc = buf.add(joints4.astype(joint_type), 'VEC4', _ARRAY_BUFFER)
    weights_acc = buf.add(weights4, 'VEC4', _ARRAY_BUFFER)
    indices = buf.add(
        rig.faces.astype(np.uint32).reshape(-1),
        'SCALAR',
        _ELEMENT_ARRAY_BUFFER,
        bounds=True,
    )
    ibm = np.tile(np.eye(4), (len(rig.parents), 1, 1))
    ibm[:, :3, 3] = -rig.rest_joints
    # glTF matrices are column-major
    ibm_acc = buf.add(
        ibm.transpose(0, 2, 1).reshape(-1, 16).astype(np.float32), 'MAT4'
    )
    times = buf.add(motion.times.astype(np.float32), 'SCALAR', bounds=True)

    nodes = []
    offsets = rig.offsets
    for j, name in enumerate(rig.names):
        node = dict(
            name=name,
            translation=[float(v) for v in offsets[j]],
            rotation=[0.0, 0.0, 0.0, 1.0],
        )
        children = np.flatnonzero(rig.parents == j).tolist()
        if children:
            node['children'] = children
        nodes.append(node)
    nodes.append(dict(name='SMPLX_mesh', mesh=0, skin=0))

    samplers, channels = [], []
    for j in range(len(rig.parents)):
        output = buf.add(motion.rotations[:, j].astype(np.float32), 'VEC4')
        samplers.append(
            dict(input=times, output=output, interpolation='LINEAR')
        )
        channels.append(dict(sampler=j, target=dict(node=j, path='rotation')))
    output = buf.add(motion.root_translation.astype(np.float32), 'VEC3')
    samplers.append(dict(input=times, output=output, interpolation='LINEAR'))
    channels.append(
        dict(
            sampler=len(samplers) - 1, target=dict(node=0, path='translation')
        )
    )

    blob = buf.blob()
    gltf = dict(
        asset=dict(version='2.0', generator='h4w animation_export'),
        scene=0,
        scenes=[dict(name='h4w', nodes=[0, len(nodes) - 1])],
        nodes=nodes,
        meshes=[
            dict(
                name='SMPLX',
                primitives=[
                    dict(
                        attributes=dict(
                            POSITION=position,
                            JOINTS_0=joints_acc,
                            WEIGHTS_0=weights_acc,
                        ),
                        indices=indices,
                        mode=4,
                    )
                ],
            )
        ],
        skins=[
            dict(
                name='SMPLX_skeleton',
                inverseBindMatrices=ibm_acc,
                joints=list(range(len(rig.parents))),
                skeleton=0,
            )
        ],
        animations=[
            dict(
                name=f'track_{motion.track_id}',
                samplers=samplers,
                channels=channels,
            )
        ],
        accessors=buf.accessors,
        bufferViews=buf.views,
        buffers=[dict(byteLength=len(blob))],
    )
    _write_glb(out_path, gltf, blob)
    return _summary(motion, out_path, len(motion.times))


# ------------------------------------------------------------------ BVH
def matrix_to_euler_zyx(rot: np.ndarray) -> np.ndarray:
    """Rotation matrices to intrinsic Z-Y-X Euler angles.

    ``R = Rz(z) @ Ry(y) @ Rx(x)``: the BVH channel order
    ``Zrotation Yrotation Xrotation``.

    Args:
        rot (np.ndarray): (..., 3, 3) rotation matrices.

    Returns:
        np.ndarray: (..., 3) angles (z, y, x) in degrees.
    """
    rot = np.asarray(rot, np.float64)
    cos_y = np.hypot(rot[..., 0, 0], rot[..., 1, 0])
    y = np.arctan2(-rot[..., 2, 0], cos_y)
    regular = cos_y > 1e-6
    z = np.where(
        regular,
        np.arctan2(rot[..., 1, 0], rot[..., 0, 0]),
        np.arctan2(-rot[..., 0, 1], rot[..., 1, 1]),
    )
    x = np.where(regular, np.arctan2(rot[..., 2, 1], rot[..., 2, 2]), 0.0)
    return np.degrees(np.stack([z, y, x], axis=-1))


def _bvh_hierarchy(rig: SMPLXRig, scale: float) -> list:
    offsets = rig.offsets * scale
    offsets[0] = 0.0  # the root's position is its channels
    lines = []

    def fmt(v: Sequence[float]) -> str:
        return ' '.join(f'{x:.6f}' for x in v)

    def visit(j: int, depth: int) -> None:
        pad = '\t' * depth
        head = 'ROOT' if j == 0 else 'JOINT'
        lines.append(f'{pad}{head} {rig.names[j]}')
        lines.append(f'{pad}{{')
        lines.append(f'{pad}\tOFFSET {fmt(offsets[j])}')
        if j == 0:
            lines.append(
                f'{pad}\tCHANNELS 6 Xposition Yposition Zposition '
                'Zrotation Yrotation Xrotation'
            )
        else:
            lines.append(f'{pad}\tCHANNELS 3 Zrotation Yrotation Xrotation')
        children = np.flatnonzero(rig.parents == j)
        for child in children:
            visit(int(child), depth + 1)
        if len(children) == 0:
            # a leaf: an end site along the joint's own bone direction
            lines.append(f'{pad}\tEnd Site')
            lines.append(f'{pad}\t{{')
            lines.append(f'{pad}\t\tOFFSET {fmt(0.5 * offsets[j])}')
            lines.append(f'{pad}\t}}')
        lines.append(f'{pad}}}')

    visit(0, 0)
    return lines


def export_bvh(
    npz_path_or_dict: Union[str, Dict[str, np.ndarray]],
    model_path: str,
    out_path: str,
    track_id: Optional[int] = None,
    gender: str = 'neutral',
    flat_hand_mean: bool = False,
    scale: float = 100.0,
) -> dict:
    """Write one track's skeleton and motion as BVH.

    HIERARCHY: the 55 SMPL-X joints (depth-first, children in index
    order; the MOTION columns follow that order), OFFSETs = rest offsets
    from the parent times ``scale``; the root OFFSET is zero and its
    ``Xposition Yposition Zposition`` channels give the pelvis position.
    Every joint has ``Zrotation Yrotation Xrotation`` channels in
    degrees, ``R = Rz @ Ry @ Rx`` (each angle unwrapped over time). MOTION
    has one line per frame from the track's first to its last frame
    (missing frames interpolated), ``Frame Time`` = 1 / fps. Axes,
    translation and rotations: module docstring.

    Args:
        npz_path_or_dict (str | dict): The demo's ``.npz`` or its arrays.
        model_path (str): ``human_model_files`` root or SMPL-X file.
        out_path (str): The ``.bvh`` to write.
        track_id (int, optional): None: the longest track.
        gender (str): Gender of the SMPL-X file. Defaults to neutral.
        flat_hand_mean (bool): See :func:`load_smplx_rig`.
        scale (float): Units per metre. Defaults to 100 (centimetres).

    Returns:
        dict: ``path``, ``track_id``, ``joints``, ``frames`` (lines of
        MOTION), ``duration`` (s), ``fps``.
    """
    motion = track_motion(
        npz_path_or_dict, model_path, track_id, gender, flat_hand_mean
    )
    rig = motion.rig
    rots, trans = motion.resampled()
    hierarchy = _bvh_hierarchy(rig, scale)
    order = [
        rig.names.index(line.split()[-1])
        for line in hierarchy
        if line.strip().startswith(('ROOT', 'JOINT'))
    ]
    euler = matrix_to_euler_zyx(quaternion_to_matrix(rots[:, order]))
    euler = np.degrees(np.unwrap(np.radians(euler), axis=0))
    values = np.concatenate(
        [trans * scale, euler.reshape(len(euler), -1)], axis=1
    )
    lines = ['HIERARCHY'] + hierarchy
    lines += [
        'MOTION',
        f'Frames: {len(values)}',
        f'Frame Time: {1.0 / motion.fps:.8f}',
    ]
    lines += [' '.join(f'{v:.6f}' for v in row) for row in values]
    folder = osp.dirname(osp.abspath(out_path))
    os.makedirs(folder, exist_ok=True)
    with open(out_path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return _summary(motion, out_path, len(values))
