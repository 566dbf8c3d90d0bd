"""Command-line pieces shared by the AGORA converters (``agora2coco.py``,
``crop_and_resize_4k_images.py``).

The converters run as scripts (or are loaded from their file): each puts
this folder on ``sys.path`` and imports this module as ``agora_common``.
"""

import argparse
import os.path as osp
import sys


def argument_parser(doc: str) -> argparse.ArgumentParser:
    """The parser of a converter whose module docstring is ``doc`` (first
    paragraph: the description, the rest: the epilog), with the required
    ``--dataset-path``."""
    parser = argparse.ArgumentParser(
        description=doc.split('\n\n')[0],
        epilog=doc.split('\n\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        '--dataset-path', required=True, help='AGORA root (data/AGORA/data)'
    )
    return parser


def add_print_every(
    parser: argparse.ArgumentParser, default: int, unit: str
) -> None:
    """``--print-every N``: a progress line every N ``unit``."""
    parser.add_argument(
        '--print-every',
        type=int,
        default=default,
        help=f'progress line every N {unit}',
    )


def require_dataset_path(path: str) -> None:
    """Exit with a message when ``--dataset-path`` is not a folder."""
    if not osp.isdir(path):
        sys.exit(f'--dataset-path {path} is not a folder')
