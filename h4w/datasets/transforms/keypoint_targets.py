"""Dataset keypoint targets (spec §5.1 ``process_db_coord``)."""

from functools import lru_cache
from typing import Optional, Sequence, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform

from h4w.body_models.joint_sets import JOINT_SETS
from h4w.codecs import MeshCodec, build_codec
from h4w.registry import TRANSFORMS
from h4w.structures.keypoint import (
    affine_points,
    flip_permutation,
    flip_x,
    rot_z,
)

__all__ = ['KeypointTargets', 'remap_joints']


@lru_cache(maxsize=None)
def _remap_index(
    src_names: Tuple[str, ...], dst_names: Tuple[str, ...]
) -> Tuple[np.ndarray, np.ndarray]:
    dst_index = {name: i for i, name in enumerate(dst_names)}
    pairs = [
        (i, dst_index[name])
        for i, name in enumerate(src_names)
        if name in dst_index
    ]
    src = np.array([s for s, _ in pairs], dtype=np.int64)
    dst = np.array([d for _, d in pairs], dtype=np.int64)
    return src, dst


def remap_joints(
    joints: np.ndarray, src_names: Sequence[str], dst_names: Sequence[str]
) -> np.ndarray:
    """Re-index joints into another joint set by name; joints of
    ``dst_names`` without a source are zeros.

    Args:
        joints (np.ndarray): (J_src, C).
        src_names (Sequence[str]): J_src names.
        dst_names (Sequence[str]): J_dst names.

    Returns:
        np.ndarray: (J_dst, C), the dtype of ``joints``.

    Examples:
        >>> remap_joints(np.array([[1.], [2.]]), ('a', 'b'),
        ...              ('b', 'c', 'a')).ravel().tolist()
        [2.0, 0.0, 1.0]
    """
    src, dst = _remap_index(tuple(src_names), tuple(dst_names))
    out = np.zeros((len(dst_names),) + joints.shape[1:], dtype=joints.dtype)
    out[dst] = joints[src]
    return out


@TRANSFORMS.register_module()
class KeypointTargets(BaseTransform):
    """Dataset keypoints -> heat-map targets in the model's joint set.

    Reads ``keypoints`` (J, 3): x, y original pixels and z (already
    discretised on the whole-body branch, metres relative to the root when
    ``depth_part`` is set), ``keypoints_cam`` (J, 3) metres,
    ``keypoints_valid`` (J, 1), the dataset's ``joint_names`` and
    ``flip_pairs``, ``ori_shape`` and the crop of
    :class:`MeshTopdownAffine` (``img2bb_trans``, ``flip``, ``rot``).
    Missing keypoints give zero targets and zero validity (2D-only or
    fit-only datasets).

    Steps (§5.1): flip (x -> W - 1 - x, camera x negated, left/right rows
    swapped with the SOURCE flip pairs); camera joints rotated by
    R_z(-rot); x, y through ``img2bb_trans`` then to heat-map units;
    optional depth discretisation (Pose2Pose); truncation
    ``valid * [0 <= x < W_hm][0 <= y < H_hm][0 <= z < D]``; re-index by
    name into the target set. Sizes and maps come from the codec.

    Writes ``joint_img`` (J_t, 3), ``joint_cam`` (J_t, 3), ``joint_valid``
    (J_t, 1) and ``joint_trunc`` (J_t, 1), float32.

    Args:
        codec (dict | MeshCodec): The crop geometry (``MeshCodec``).
        target_joint_set (str): ``'smplx_137'`` (Hand4Whole),
            ``'smpl_33'``, ``'mano_21'`` or ``'flame_73'`` (Pose2Pose).
        depth_part (str, optional): Pose2Pose: discretise z (metres,
            root-relative) with the codec's depth size of this part
            (``'body'``, ``'hand'`` or ``'face'``). None: z is already
            discretised (whole body).
    """

    def __init__(
        self,
        codec: Union[dict, MeshCodec],
        target_joint_set: str = 'smplx_137',
        depth_part: Optional[str] = None,
    ) -> None:
        if target_joint_set not in JOINT_SETS:
            raise KeyError(
                f'unknown target_joint_set {target_joint_set}; '
                f'one of {sorted(JOINT_SETS)}'
            )
        self.codec = build_codec(codec)
        self.target_joint_set = target_joint_set
        self.target_names = JOINT_SETS[target_joint_set].joint_names
        self.depth_part = depth_part
        if depth_part is not None:
            self.codec.depth_size(depth_part)  # fails early on a typo

    def transform(self, results: dict) -> dict:
        num = len(self.target_names)
        if results.get('keypoints') is None:
            zeros = np.zeros((num, 3), dtype=np.float32)
            results.update(
                joint_img=zeros,
                joint_cam=zeros.copy(),
                joint_valid=np.zeros((num, 1), dtype=np.float32),
                joint_trunc=np.zeros((num, 1), dtype=np.float32),
            )
            return results
        joint_img = np.array(results['keypoints'], dtype=np.float32)
        count = len(joint_img)
        joint_cam = results.get('keypoints_cam')
        joint_cam = (
            np.zeros((count, 3), dtype=np.float32)
            if joint_cam is None
            else np.array(joint_cam, dtype=np.float32)
        )
        joint_valid = np.array(
            results['keypoints_valid'], dtype=np.float32
        ).reshape(count, 1)
        names = results['joint_names']

        if results.get('flip', False):
            joint_cam[:, 0] *= -1
            joint_img[:, 0] = flip_x(joint_img[:, 0], results['ori_shape'][1])
            perm = flip_permutation(count, results.get('flip_pairs', ()))
            joint_img, joint_cam = joint_img[perm], joint_cam[perm]
            joint_valid = joint_valid[perm]
        joint_cam = joint_cam @ rot_z(-results.get('rot', 0.0)).T

        trans = np.asarray(results['img2bb_trans'], dtype=np.float32)
        codec = self.codec
        joint_img[:, :2] = codec.crop_to_heatmap(
            affine_points(joint_img[:, :2], trans)
        )
        if self.depth_part is not None:
            joint_img[:, 2] = codec.discretize_depth(
                joint_img[:, 2], codec.depth_size(self.depth_part)
            )
        inside = codec.truncation(joint_img)
        joint_trunc = joint_valid * inside[:, None].astype(np.float32)

        results.update(
            joint_img=remap_joints(joint_img, names, self.target_names),
            joint_cam=remap_joints(joint_cam, names, self.target_names),
            joint_valid=remap_joints(joint_valid, names, self.target_names),
            joint_trunc=remap_joints(joint_trunc, names, self.target_names),
        )
        return results

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(codec={self.codec!r}, '
            f'target_joint_set={self.target_joint_set!r}, '
            f'depth_part={self.depth_part!r})'
        )
