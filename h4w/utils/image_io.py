"""Image and video files, in RGB: the one place where h4w converts
between OpenCV's BGR files and its RGB arrays.

Every array h4w passes around is RGB (datasets, models, the renderer and
the visualizer); OpenCV reads and writes BGR. Reading and writing go
through these functions so that the channel order is swapped exactly once
each way (the reference demo wrote RGB arrays with ``cv2.imwrite`` and
saved its renders with red and blue swapped, spec §10.2).
"""

import os
import os.path as osp
from typing import Iterator, Optional, Tuple

import cv2
import numpy as np

__all__ = [
    'IMAGE_EXTENSIONS',
    'VIDEO_EXTENSIONS',
    'MissingImageError',
    'VideoReader',
    'VideoWriter',
    'read_image',
    'write_image',
]

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.m4v')


class MissingImageError(FileNotFoundError):
    """An image or video file is missing or cannot be decoded."""


def read_image(path: str) -> np.ndarray:
    """Read an image file as RGB, ignoring the EXIF orientation (as the
    reference: annotations refer to the stored pixel grid).

    Args:
        path (str): Image file.

    Returns:
        np.ndarray: (H, W, 3) uint8 RGB.

    Raises:
        MissingImageError: The file is missing or unreadable (the message
            names it).
    """
    if not osp.isfile(path):
        raise MissingImageError(f'image not found: {path}')
    img = cv2.imread(path, cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    if img is None:
        raise MissingImageError(f'image cannot be decoded: {path}')
    return np.ascontiguousarray(img[:, :, ::-1])


def _to_bgr_uint8(img: np.ndarray) -> np.ndarray:
    img = np.asarray(img)
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f'expected an (H, W, 3) RGB image, got {img.shape}')
    if img.dtype != np.uint8:
        img = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    return np.ascontiguousarray(img[:, :, ::-1])


def write_image(path: str, img: np.ndarray) -> str:
    """Write an (H, W, 3) RGB image (uint8, or float in [0, 255]); the
    folder is created. Returns ``path``."""
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    if not cv2.imwrite(path, _to_bgr_uint8(img)):
        raise OSError(f'cannot write image {path} (unknown extension?)')
    return path


class VideoReader:
    """Frames of a video file as RGB arrays.

    Args:
        path (str): Video file.

    Attributes:
        fps (float): Frames per second (25 when the file does not say).
        frame_size (tuple): (H, W).
        num_frames (int): Frame count from the container (may be an
            estimate; iteration stops at the real end).

    Raises:
        MissingImageError: The file is missing or no frame can be decoded.
    """

    def __init__(self, path: str) -> None:
        if not osp.isfile(path):
            raise MissingImageError(f'video not found: {path}')
        self.path = path
        capture = cv2.VideoCapture(path)
        ok, frame = capture.read() if capture.isOpened() else (False, None)
        if not ok:
            capture.release()
            raise MissingImageError(f'video cannot be decoded: {path}')
        self.fps = float(capture.get(cv2.CAP_PROP_FPS)) or 25.0
        self.num_frames = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        self.frame_size = tuple(frame.shape[:2])
        capture.release()

    def __len__(self) -> int:
        return self.num_frames

    def __iter__(self) -> Iterator[np.ndarray]:
        capture = cv2.VideoCapture(self.path)
        try:
            while True:
                ok, frame = capture.read()
                if not ok:
                    return
                yield np.ascontiguousarray(frame[:, :, ::-1])
        finally:
            capture.release()


class VideoWriter:
    """Write RGB frames to an ``.mp4`` (``mp4v``) file.

    Args:
        path (str): Output file; its folder is created.
        fps (float): Frames per second.
        frame_size (tuple, optional): (H, W); default: the first frame's.
    """

    def __init__(
        self,
        path: str,
        fps: float,
        frame_size: Optional[Tuple[int, int]] = None,
    ) -> None:
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        self.path = path
        self.fps = float(fps)
        self.frame_size = frame_size
        self._writer = None
        self.num_frames = 0

    def write(self, frame: np.ndarray) -> None:
        """Append one (H, W, 3) RGB frame."""
        if self._writer is None:
            if self.frame_size is None:
                self.frame_size = tuple(frame.shape[:2])
            height, width = self.frame_size
            self._writer = cv2.VideoWriter(
                self.path,
                cv2.VideoWriter_fourcc(*'mp4v'),
                self.fps,
                (width, height),
            )
            if not self._writer.isOpened():
                raise OSError(f'cannot open video writer for {self.path}')
        if tuple(frame.shape[:2]) != tuple(self.frame_size):
            raise ValueError(
                f'frame size {frame.shape[:2]} differs from the video '
                f'size {self.frame_size} of {self.path}'
            )
        self._writer.write(_to_bgr_uint8(frame))
        self.num_frames += 1

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None

    def __enter__(self) -> 'VideoWriter':
        return self

    def __exit__(self, *exc) -> None:
        self.close()
