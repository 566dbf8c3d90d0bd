"""RGB in memory, BGR on disk: the one conversion each way."""

import cv2
import numpy as np
import pytest

from h4w.utils.image_io import (
    MissingImageError,
    VideoReader,
    VideoWriter,
    read_image,
    write_image,
)

RED_RGB = (255, 0, 0)


def test_written_red_is_red_on_disk_and_when_read_back(tmp_path):
    img = np.zeros((8, 10, 3), np.uint8)
    img[:, :] = RED_RGB
    path = str(tmp_path / 'sub' / 'red.png')
    write_image(path, img)
    on_disk = cv2.imread(path)  # OpenCV: BGR
    assert on_disk[0, 0].tolist() == [0, 0, 255]
    assert read_image(path)[0, 0].tolist() == list(RED_RGB)


def test_float_images_are_rounded_and_clipped(tmp_path):
    img = np.full((2, 2, 3), 300.0, np.float32)
    img[0, 0] = (-5.0, 10.4, 10.6)
    path = str(tmp_path / 'f.png')
    write_image(path, img)
    back = read_image(path)
    assert back[0, 0].tolist() == [0, 10, 11]
    assert back[1, 1].tolist() == [255, 255, 255]


def test_unreadable_files_are_named(tmp_path):
    with pytest.raises(MissingImageError, match='nothing.jpg'):
        read_image(str(tmp_path / 'nothing.jpg'))
    bad = tmp_path / 'bad.png'
    bad.write_bytes(b'not an image')
    with pytest.raises(MissingImageError, match='bad.png'):
        read_image(str(bad))
    bad_video = tmp_path / 'bad.mp4'
    bad_video.write_bytes(b'not a video')
    with pytest.raises(MissingImageError, match='bad.mp4'):
        VideoReader(str(bad_video))


def test_video_round_trip_keeps_frames_size_and_colour(tmp_path):
    path = str(tmp_path / 'clip.mp4')
    with VideoWriter(path, fps=12) as writer:
        for i in range(5):
            frame = np.zeros((48, 64, 3), np.uint8)
            frame[:, :, 0] = 200  # red
            frame[:, : 10 + i * 5, 2] = 200  # a growing blue band
            writer.write(frame)
    reader = VideoReader(path)
    frames = list(reader)
    assert len(frames) == 5 and reader.frame_size == (48, 64)
    assert reader.fps == pytest.approx(12)
    assert frames[0][30, 60, 0] > 150 and frames[0][30, 60, 2] < 60
