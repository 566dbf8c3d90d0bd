"""Write what :class:`~h4w.apis.MeshInferencer` yields to files.

Layout under ``out_dir`` (``<name>``: the image stem, or
``<video stem>_<frame:06d>``; ``<input>``: the stem of the image, video or
folder given):

* ``vis/<name>.jpg``: the overlay of an image; ``vis/<input>.mp4`` for a
  video (source frame rate and size);
* ``meshes/<name>_<track:02d>.obj`` and ``.ply``: each person's
  camera-frame mesh (metres, camera translation included);
* ``params/<name>.json``: per image / frame, every person's parameters,
  camera and boxes;
* ``<input>.npz``: every person of every frame of one input, one row per
  person (keys in :data:`NPZ_KEYS`).
"""

import json
import os
import os.path as osp
from typing import Dict, List

import numpy as np

from h4w.utils.image_io import VideoWriter, write_image
from h4w.utils.mesh_io import write_obj, write_ply

from .mesh_inferencer import Frame

__all__ = ['NPZ_KEYS', 'ResultWriter', 'read_npz']

#: Documented keys of the ``.npz`` files (one row per person and frame).
NPZ_KEYS = {
    'frame_index': '(P,) int: frame of the row (video frame or the '
    'image index in a folder, by name order)',
    'image_name': '(P,) str: output stem of the frame',
    'image_size': '(P, 2) int: (H, W) of the frame',
    'track_id': '(P,) int: person id, stable across a video (box overlap)',
    'bbox': '(P, 4): person box given, xyxy image pixels',
    'crop_bbox': '(P, 4): the enlarged box cropped for the network, xyxy',
    'focal': '(P, 2): (fx, fy) pixels of the camera of the row',
    'princpt': '(P, 2): (cx, cy) pixels of the camera of the row',
    'cam_trans': '(P, 3): metres, camera translation of the mesh',
    'joints_2d': '(P, J, 2): body-model joints in image pixels',
    'root_pose': '(P, 3): axis-angle global orientation',
    '<block>_pose': '(P, 3k): axis-angle rotations of each pose block '
    '(SMPL-X body_pose 63, lhand_pose 45, rhand_pose 45 relative to the '
    'mean hand, jaw_pose 3; SMPL body_pose 69; MANO hand_pose 45; FLAME '
    'jaw_pose 3)',
    'shape': '(P, B): shape coefficients (betas)',
    'expr': '(P, E): expression coefficients (SMPL-X, FLAME)',
    'model': '(): body model (smplx, smpl, mano or flame)',
    'fps': '(): frame rate of a video input (0 for images)',
}

#: Per-person arrays not written as parameters (the mesh goes to its own
#: files, the keypoints to ``joints_2d``).
_SKIPPED = ('vertices', 'keypoints')


def _stem(path: str) -> str:
    return osp.splitext(osp.basename(osp.normpath(path)))[0]


def _listify(value):
    return np.asarray(value).tolist()


class ResultWriter:
    """Collect the frames of one run and write them.

    Args:
        out_dir (str): Output folder.
        faces (np.ndarray): (F, 3) faces of the body model.
        model_type (str): Layout prefix (``smplx`` ...), saved in files.
        save_meshes (bool): Write the ``.obj`` / ``.ply`` files.
        save_vis (bool): Write the overlays (frames need
            ``visualization``).
    """

    def __init__(
        self,
        out_dir: str,
        faces: np.ndarray,
        model_type: str,
        save_meshes: bool = True,
        save_vis: bool = True,
    ) -> None:
        self.out_dir = out_dir
        self.faces = np.asarray(faces)
        self.model_type = model_type
        self.save_meshes = save_meshes
        self.save_vis = save_vis
        self._videos: Dict[str, VideoWriter] = {}
        self._rows: Dict[str, List[dict]] = {}
        self._fps: Dict[str, float] = {}
        self.written: List[str] = []
        os.makedirs(out_dir, exist_ok=True)

    def add(self, frame: Frame) -> None:
        """Write the frame's files and keep its rows for the ``.npz``."""
        if self.save_vis and frame.visualization is not None:
            self._write_vis(frame)
        self._rows.setdefault(frame.input, [])
        people = []
        for params, track_id in zip(frame.params, frame.track_ids):
            person = dict(track_id=int(track_id))
            if self.save_meshes:
                stem = osp.join(
                    self.out_dir, 'meshes', f'{frame.name}_{int(track_id):02d}'
                )
                write_obj(stem + '.obj', params['vertices'], self.faces)
                write_ply(stem + '.ply', params['vertices'], self.faces)
                self.written += [stem + '.obj', stem + '.ply']
                person['mesh'] = osp.relpath(stem + '.obj', self.out_dir)
            person.update(
                {
                    k: _listify(v)
                    for k, v in params.items()
                    if k not in _SKIPPED
                }
            )
            people.append(person)
            # rows are kept until close(): no mesh in them
            row = {k: v for k, v in params.items() if k != 'vertices'}
            row.update(
                track_id=int(track_id),
                frame_index=frame.index,
                image_name=frame.name,
                image_size=frame.image.shape[:2],
            )
            self._rows[frame.input].append(row)
        self._fps[frame.input] = frame.fps
        path = osp.join(self.out_dir, 'params', f'{frame.name}.json')
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(
                dict(
                    image=frame.source,
                    frame_index=frame.index,
                    image_size=list(frame.image.shape[:2]),
                    model=self.model_type,
                    people=people,
                ),
                f,
                indent=1,
            )
        self.written.append(path)

    def _write_vis(self, frame: Frame) -> None:
        if frame.is_video:
            writer = self._videos.get(frame.input)
            if writer is None:
                path = osp.join(
                    self.out_dir, 'vis', f'{_stem(frame.input)}.mp4'
                )
                writer = VideoWriter(path, frame.fps)
                self._videos[frame.input] = writer
                self.written.append(path)
            writer.write(frame.visualization)
        else:
            path = osp.join(self.out_dir, 'vis', f'{frame.name}.jpg')
            self.written.append(write_image(path, frame.visualization))

    def close(self) -> List[str]:
        """Finish the videos and write one ``.npz`` per input; returns
        every file written."""
        for writer in self._videos.values():
            writer.close()
        self._videos.clear()
        for source, rows in self._rows.items():
            path = osp.join(self.out_dir, f'{_stem(source)}.npz')
            np.savez(path, **self._columns(rows, self._fps.get(source, 0)))
            self.written.append(path)
        self._rows.clear()
        return self.written

    def _columns(self, rows: List[dict], fps: float) -> Dict[str, np.ndarray]:
        out = dict(model=np.array(self.model_type), fps=np.array(fps))
        if not rows:
            for key in ('frame_index', 'track_id'):
                out[key] = np.zeros(0, np.int64)
            return out
        for key in rows[0]:
            if key not in _SKIPPED:
                out[key] = np.stack([np.asarray(row[key]) for row in rows])
        out['joints_2d'] = np.stack([row['keypoints'] for row in rows])
        return out

    def __enter__(self) -> 'ResultWriter':
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_npz(path: str) -> Dict[str, np.ndarray]:
    """Load a results ``.npz`` as a dict of arrays."""
    with np.load(path) as data:
        return {key: data[key] for key in data.files}
