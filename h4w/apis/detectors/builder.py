"""Build a person detector from a config, a file or an object."""

import os.path as osp
from typing import Callable, Optional, Union

from mmengine.config import Config

from h4w.registry import PERSON_DETECTORS

__all__ = ['build_person_detector', 'person_detector_config']


def build_person_detector(
    detector: Union[None, dict, Callable],
) -> Optional[Callable]:
    """A detector from a ``PERSON_DETECTORS`` config; a callable (a built
    detector) and None are returned unchanged.

    Args:
        detector (dict | callable, optional): The config or detector.

    Returns:
        callable, optional: ``f(img_rgb, frame_index, img_path) -> (K, 4)``.

    Examples:
        >>> cfg = dict(type='FullFramePersonDetector')
        >>> detector = build_person_detector(cfg)
        >>> type(detector).__name__
        'FullFramePersonDetector'
    """
    if detector is None or (
        callable(detector) and not isinstance(detector, dict)
    ):
        return detector
    if isinstance(detector, dict):
        return PERSON_DETECTORS.build(detector)
    raise TypeError(
        'detector must be a PERSON_DETECTORS config dict, a callable or '
        f'None, got {type(detector).__name__}'
    )


def person_detector_config(spec: str) -> dict:
    """The detector config named by a file (``tools/demo.py
    --detector``).

    Args:
        spec (str): A ``.onnx`` file (``ONNXPersonDetector`` with default
            settings), or a config file (``.py``, ``.json``, ``.yaml``)
            whose ``detector`` dict (else the file's own top-level
            ``type=...`` dict) names a registered detector. The config's
            ``custom_imports`` are imported first, so plugins can register
            their own detectors.

    Returns:
        dict: The config for :func:`build_person_detector`.

    Raises:
        FileNotFoundError / ValueError: naming the file and the problem.
    """
    if not osp.isfile(spec):
        raise FileNotFoundError(f'detector file not found: {spec}')
    if spec.lower().endswith('.onnx'):
        return dict(type='ONNXPersonDetector', model_file=spec)
    if not spec.lower().endswith(('.py', '.json', '.yaml', '.yml')):
        raise ValueError(
            f'{spec}: a detector is a .onnx file or a .py / .json / .yaml '
            'config'
        )
    cfg = Config.fromfile(spec).to_dict()
    if 'detector' in cfg:
        return cfg['detector']
    if 'type' in cfg:
        cfg.pop('custom_imports', None)
        return cfg
    raise ValueError(
        f"{spec}: no `detector = dict(type=...)` (nor a top-level 'type')"
    )
