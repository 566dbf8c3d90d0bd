"""The geometry of a top-down mesh crop (spec §2.1-§2.7, §5.1, §2.15).

Every size is (H, W) for images and (D, H, W) for heat maps. Methods take
NumPy arrays or torch tensors (the data pipeline uses NumPy, the target
generator and the estimators torch) and use the same arithmetic for both.
"""

from typing import TYPE_CHECKING, Dict, Optional, Sequence, Tuple, Union

import numpy as np

from h4w.registry import KEYPOINT_CODECS
from h4w.structures.keypoint import affine_points
from h4w.utils.arrays import is_tensor

if TYPE_CHECKING:
    import torch

__all__ = ['MeshCodec', 'build_codec', 'discretize_depth']

Array = Union[np.ndarray, 'torch.Tensor']

#: Which depth range each part of a joint set uses (spec §5.1 step 8).
PART_DEPTH = dict(lhand='hand', rhand='hand', face='face')


def discretize_depth(z: Array, size: Union[float, Array], bins: int) -> Array:
    """Root-relative depth in metres -> heat-map depth units:
    ``(z / (size / 2) + 1) / 2 * bins`` (``size`` metres span the ``bins``
    cells; a scalar or one size per joint)."""
    return (z / (size / 2) + 1) / 2 * bins


def _stack(columns: Sequence[Array], axis: int = -1) -> Array:
    """Stack tensors with torch, arrays with NumPy."""
    if is_tensor(columns[0]):
        import torch

        return torch.stack(tuple(columns), dim=axis)
    return np.stack(columns, axis=axis)


@KEYPOINT_CODECS.register_module()
class MeshCodec:
    """Crop, part and heat-map sizes, depth ranges and the maps between
    crop pixels, heat-map units and original-image pixels.

    Spaces: the *crop* is the network input (``input_size``); the *body
    input* is what the body backbone sees (Hand4Whole downsamples the
    512x384 crop to 256x192; Pose2Pose uses the crop itself); *heat-map
    units* are cell indices of the body heat map (``heatmap_size``), and of
    the hand heat map inside a hand box (``hand_heatmap_size``).

    Args:
        input_size (tuple): Crop (H, W), e.g. (512, 384).
        heatmap_size (tuple): Body (or part) heat map (D, H, W).
        body_input_size (tuple, optional): Body-backbone input (H, W);
            None = ``input_size``.
        hand_input_size, face_input_size (tuple, optional): Hand / face
            crops (H, W) of the whole-body model.
        hand_heatmap_size (tuple, optional): Hand heat map (D, H, W).
        depth_sizes (dict): Metres spanned by the heat-map depth, per
            part: ``body``, ``hand``, ``face``.
        hand_bbox_extension, face_bbox_extension (float): Enlargement of
            the predicted hand / face boxes (spec §2.6).
        focal (tuple): Virtual camera focal (fx, fy) in body-input pixels.
        princpt (tuple, optional): Principal point (cx, cy) in body-input
            pixels; None = the body-input centre.

    Examples:
        >>> codec = MeshCodec(input_size=(512, 384), heatmap_size=(8, 8, 6),
        ...                   body_input_size=(256, 192))
        >>> codec.crop_to_heatmap(np.array([[384., 256.]])).tolist()
        [[6.0, 4.0]]
    """

    def __init__(
        self,
        input_size: Tuple[int, int],
        heatmap_size: Tuple[int, int, int],
        body_input_size: Optional[Tuple[int, int]] = None,
        hand_input_size: Optional[Tuple[int, int]] = None,
        face_input_size: Optional[Tuple[int, int]] = None,
        hand_heatmap_size: Optional[Tuple[int, int, int]] = None,
        depth_sizes: Optional[Dict[str, float]] = None,
        hand_bbox_extension: float = 2.0,
        face_bbox_extension: float = 1.5,
        focal: Tuple[float, float] = (5000.0, 5000.0),
        princpt: Optional[Tuple[float, float]] = None,
    ) -> None:
        self.input_size = tuple(input_size)
        self.heatmap_size = tuple(heatmap_size)
        self.body_input_size = tuple(body_input_size or input_size)
        self.hand_input_size = _optional(hand_input_size)
        self.face_input_size = _optional(face_input_size)
        self.hand_heatmap_size = _optional(hand_heatmap_size)
        self.depth_sizes = dict(depth_sizes or dict(body=2.0))
        self.bbox_extension = dict(
            hand=float(hand_bbox_extension), face=float(face_bbox_extension)
        )
        self.focal = tuple(focal)
        body_h, body_w = self.body_input_size
        self.princpt = tuple(princpt or (body_w / 2, body_h / 2))

    # ----------------------------------------------------------- depth
    def depth_size(self, part: str) -> float:
        """Metres spanned by the heat-map depth for ``part``."""
        if part not in self.depth_sizes:
            raise KeyError(
                f'the codec has no depth size for {part!r} (depth_sizes: '
                f'{self.depth_sizes})'
            )
        return self.depth_sizes[part]

    def joint_depth_sizes(
        self, num_joints: int, parts: Dict[str, Tuple[int, int]], part: str
    ) -> np.ndarray:
        """Depth size (num_joints,) of every joint of a joint set: ``part``
        for all, then the hand / face ranges of ``parts`` (SMPL-X)."""
        sizes = np.full(num_joints, self.depth_size(part), np.float32)
        for name, (start, end) in parts.items():
            if name in PART_DEPTH and PART_DEPTH[name] in self.depth_sizes:
                sizes[start:end] = self.depth_size(PART_DEPTH[name])
        return sizes

    def discretize_depth(self, z: Array, size: Union[float, Array]) -> Array:
        """:func:`discretize_depth` with the heat-map depth D."""
        return discretize_depth(z, size, self.heatmap_size[0])

    # ------------------------------------------------- crop <-> heat map
    def crop_to_heatmap(self, xy: Array) -> Array:
        """(..., 2) crop pixels -> body heat-map units."""
        in_h, in_w = self.input_size
        _, hm_h, hm_w = self.heatmap_size
        return _stack((xy[..., 0] / in_w * hm_w, xy[..., 1] / in_h * hm_h))

    def heatmap_to_crop(self, xy: Array) -> Array:
        """(..., 2) body heat-map units -> crop pixels."""
        in_h, in_w = self.input_size
        _, hm_h, hm_w = self.heatmap_size
        return _stack((xy[..., 0] * (in_w / hm_w), xy[..., 1] * (in_h / hm_h)))

    def body_input_to_crop_scale(self) -> Tuple[float, float]:
        """(sx, sy) from body-input pixels to crop pixels."""
        return (
            self.input_size[1] / self.body_input_size[1],
            self.input_size[0] / self.body_input_size[0],
        )

    @staticmethod
    def in_heatmap(coords: Array, heatmap_size: Sequence[int]) -> Array:
        """Truncation mask (...,) bool: x, y (and z when ``coords`` has 3
        columns) inside a (D, H, W) heat map, ``0 <= c < size``."""
        depth, height, width = heatmap_size
        x, y = coords[..., 0], coords[..., 1]
        inside = (x >= 0) & (x < width) & (y >= 0) & (y < height)
        if coords.shape[-1] > 2:
            z = coords[..., 2]
            inside = inside & (z >= 0) & (z < depth)
        return inside

    def truncation(self, coords: Array) -> Array:
        """:meth:`in_heatmap` of the body heat map."""
        return self.in_heatmap(coords, self.heatmap_size)

    # ------------------------------------------- hand-box re-mapping
    def _box_in_heatmap(self, bbox: 'torch.Tensor'):
        """x1, y1, w, h (N, 1) of (N, 4) body-input boxes in body
        heat-map units."""
        body_h, body_w = self.body_input_size
        _, hm_h, hm_w = self.heatmap_size
        x1 = bbox[:, None, 0] / body_w * hm_w
        y1 = bbox[:, None, 1] / body_h * hm_h
        w = (bbox[:, None, 2] - bbox[:, None, 0]) / body_w * hm_w
        h = (bbox[:, None, 3] - bbox[:, None, 1]) / body_h * hm_h
        return x1, y1, w, h

    def body_to_hand_heatmap(
        self, coords: 'torch.Tensor', bbox: 'torch.Tensor'
    ) -> 'torch.Tensor':
        """Re-express (N, J, >=2) body heat-map x, y in the hand heat map
        of a hand box (N, 4) xyxy in body-input pixels (spec §4.3); other
        columns are kept."""
        import torch

        x1, y1, w, h = self._box_in_heatmap(bbox)
        _, hand_h, hand_w = self.hand_heatmap_size
        x = (coords[:, :, 0] - x1) * (hand_w / w)
        y = (coords[:, :, 1] - y1) * (hand_h / h)
        return torch.cat((torch.stack((x, y), 2), coords[:, :, 2:]), 2)

    def hand_to_body_heatmap(
        self, coords: 'torch.Tensor', bbox: 'torch.Tensor'
    ) -> 'torch.Tensor':
        """Inverse of :meth:`body_to_hand_heatmap` for x, y (spec §2.15);
        z is left in hand units."""
        import torch

        x1, y1, w, h = self._box_in_heatmap(bbox)
        _, hand_h, hand_w = self.hand_heatmap_size
        x = coords[:, :, 0] * (w / hand_w) + x1
        y = coords[:, :, 1] * (h / hand_h) + y1
        return torch.cat((torch.stack((x, y), 2), coords[:, :, 2:]), 2)

    def hand_depth_scale(self) -> float:
        """Body-heat-map depth -> hand-heat-map depth factor (D_h / D)."""
        return self.hand_heatmap_size[0] / self.heatmap_size[0]

    # --------------------------------------------------- part boxes
    def restore_part_bbox(
        self, center: 'torch.Tensor', size: 'torch.Tensor', part: str
    ) -> 'torch.Tensor':
        """Square up and enlarge a predicted part box (spec §2.6).

        Args:
            center (Tensor): (N, 2) in body heat-map units.
            size (Tensor): (N, 2) (w, h) in body heat-map units.
            part (str): ``'hand'`` or ``'face'``: aspect ratio of its crop
                and its extension.

        Returns:
            Tensor: (N, 4) xyxy in body-input pixels.
        """
        import torch

        part_h, part_w = getattr(self, f'{part}_input_size')
        aspect_ratio = part_w / part_h
        body_h, body_w = self.body_input_size
        _, hm_h, hm_w = self.heatmap_size
        x1 = (center[:, 0] - size[:, 0] / 2) / hm_w * body_w
        y1 = (center[:, 1] - size[:, 1] / 2) / hm_h * body_h
        x2 = (center[:, 0] + size[:, 0] / 2) / hm_w * body_w
        y2 = (center[:, 1] + size[:, 1] / 2) / hm_h * body_h
        w, h = x2 - x1, y2 - y1
        c_x, c_y = x1 + w / 2, y1 + h / 2
        wider = w > aspect_ratio * h
        taller = w < aspect_ratio * h
        h = torch.where(wider, w / aspect_ratio, h)
        w = torch.where(taller, h * aspect_ratio, w)
        w, h = w * self.bbox_extension[part], h * self.bbox_extension[part]
        x1, y1 = c_x - w / 2, c_y - h / 2
        return torch.stack((x1, y1, x1 + w, y1 + h), dim=1)

    # ------------------------------------------------- camera
    def project_to_heatmap(
        self, joints: 'torch.Tensor', cam_trans: 'torch.Tensor'
    ) -> 'torch.Tensor':
        """Perspective projection of (N, J, 3) camera-frame joints
        (without translation) plus ``cam_trans`` (N, 3) through the
        virtual camera, in body heat-map units (N, J, 2)."""
        import torch

        body_h, body_w = self.body_input_size
        _, hm_h, hm_w = self.heatmap_size
        z = joints[:, :, 2] + cam_trans[:, None, 2] + 1e-4
        x = (joints[:, :, 0] + cam_trans[:, None, 0]) / z * self.focal[0]
        y = (joints[:, :, 1] + cam_trans[:, None, 1]) / z * self.focal[1]
        x = (x + self.princpt[0]) / body_w * hm_w
        y = (y + self.princpt[1]) / body_h * hm_h
        return torch.stack((x, y), dim=2)

    # ------------------------------------------- decode to the image
    def heatmap_to_image(self, xy: Array, bb2img: Array) -> Array:
        """(N, J, 2) body heat-map units -> original-image pixels through
        ``bb2img`` (N, 2, 3)."""
        return affine_points(self.heatmap_to_crop(xy), bb2img)

    @staticmethod
    def boxes_to_image(boxes: Array, bb2img: Array) -> Array:
        """(N, 4) xyxy crop boxes -> the axis-aligned (N, 4) xyxy boxes
        enclosing their four corners in the original image."""
        x1, y1, x2, y2 = (boxes[:, k] for k in range(4))
        corners = _stack(
            (
                _stack((x1, y1), 1),
                _stack((x2, y1), 1),
                _stack((x1, y2), 1),
                _stack((x2, y2), 1),
            ),
            1,
        )
        corners = affine_points(corners, bb2img)
        if is_tensor(corners):
            import torch

            return torch.cat((corners.min(1).values, corners.max(1).values), 1)
        return np.concatenate((corners.min(1), corners.max(1)), 1)

    def camera_to_image(self, bb2img: Array) -> Tuple[Array, Array]:
        """The virtual camera in original-image pixels: ``focal`` and
        ``princpt`` (N, 2) under which the camera-frame mesh projects onto
        the person (the crop map is a similarity); ``bb2img`` (N, 2, 3)."""
        if is_tensor(bb2img):
            scale = bb2img.new_tensor(self.body_input_to_crop_scale())
            focal = bb2img.new_tensor(self.focal) * scale
            princpt = bb2img.new_tensor(self.princpt) * scale
            focal = focal * bb2img[:, :, :2].norm(dim=1)
            princpt = princpt.expand(bb2img.shape[0], 1, 2)
        else:
            # the tensor path's arithmetic, in the maps' dtype
            bb2img = np.asarray(bb2img)
            dtype = bb2img.dtype
            scale = np.asarray(self.body_input_to_crop_scale(), dtype)
            focal = np.asarray(self.focal, dtype) * scale
            princpt = np.asarray(self.princpt, dtype) * scale
            focal = focal * np.linalg.norm(bb2img[:, :, :2], axis=1)
            princpt = np.broadcast_to(princpt, (bb2img.shape[0], 1, 2))
        return focal, affine_points(princpt, bb2img)[:, 0]

    def decode_to_image(
        self, preds: Dict[str, Array], bb2img: Array
    ) -> Dict[str, Array]:
        """Predictions in original-image pixels, given each crop's
        ``bb2img`` (N, 2, 3) map (both backends of the demo use it).

        Returns ``preds`` plus ``focal`` / ``princpt`` (N, 2): the virtual
        camera in image pixels, under which the camera-frame mesh
        projects onto the person; ``<key>_orig`` (N, J, 2) for every
        ``*joint_proj`` and for ``joint_img`` (heat-map units -> pixels);
        ``<key>_orig`` (N, 4) xyxy for every crop-pixel ``*_bbox``.
        Tensors in, tensors out; arrays in, arrays out.
        """
        focal, princpt = self.camera_to_image(bb2img)
        out = dict(preds, focal=focal, princpt=princpt)
        for key, value in preds.items():
            if key == 'joint_img' or key.endswith('joint_proj'):
                out[f'{key}_orig'] = self.heatmap_to_image(
                    value[:, :, :2], bb2img
                )
            elif key.endswith('_bbox'):
                out[f'{key}_orig'] = self.boxes_to_image(value, bb2img)
        return out

    def to_config(self) -> dict:
        """The config that rebuilds this codec (:func:`build_codec`); plain
        Python values, JSON-serialisable."""
        return dict(
            type=type(self).__name__,
            input_size=list(self.input_size),
            heatmap_size=list(self.heatmap_size),
            body_input_size=list(self.body_input_size),
            hand_input_size=_listed(self.hand_input_size),
            face_input_size=_listed(self.face_input_size),
            hand_heatmap_size=_listed(self.hand_heatmap_size),
            depth_sizes=dict(self.depth_sizes),
            hand_bbox_extension=self.bbox_extension['hand'],
            face_bbox_extension=self.bbox_extension['face'],
            focal=list(self.focal),
            princpt=list(self.princpt),
        )

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}(input_size={self.input_size}, '
            f'heatmap_size={self.heatmap_size}, '
            f'body_input_size={self.body_input_size}, '
            f'hand_input_size={self.hand_input_size}, '
            f'face_input_size={self.face_input_size}, '
            f'hand_heatmap_size={self.hand_heatmap_size}, '
            f'depth_sizes={self.depth_sizes})'
        )


def _optional(size: Optional[Sequence[int]]) -> Optional[tuple]:
    return None if size is None else tuple(size)


def _listed(size: Optional[Sequence[int]]) -> Optional[list]:
    return None if size is None else list(size)


def build_codec(codec: Union[dict, MeshCodec]) -> MeshCodec:
    """A codec from its config (``dict(type='MeshCodec', ...)``) or as is."""
    if isinstance(codec, MeshCodec):
        return codec
    if not isinstance(codec, dict):
        raise TypeError(f'codec must be a config dict, got {type(codec)}')
    return KEYPOINT_CODECS.build(dict(codec))
