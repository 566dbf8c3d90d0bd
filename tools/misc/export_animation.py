"""Export one person of a demo video as an animated SMPL-X rig.

Reads the ``<input>.npz`` that ``tools/demo.py`` writes (one row per
person and frame) and writes, for one track, a glTF 2.0 binary with the
skinned SMPL-X mesh, its 55-joint skeleton and the animation, and
optionally a BVH of the skeleton alone::

    python tools/misc/export_animation.py outputs/clip.npz \\
        --human-models data/human_model_files --out clip.glb \\
        [--bvh clip.bvh] [--track-id 2]

Axes: x right, y up, z towards the viewer (the person's camera at the
origin, looking along -z); metres (BVH: centimetres). Conventions in
full: ``h4w/apis/animation_export.py``.
"""

import argparse
import sys

from h4w.apis.animation_export import export_bvh, export_glb
from h4w.body_models import GENDERS, ModelFileError


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=(
            'Export one track of a demo .npz as an animated, skinned '
            'SMPL-X glTF 2.0 binary (.glb) and optionally a BVH skeleton '
            'animation. Axes: x right, y up, z towards the viewer (the '
            "person's camera at the origin looking along -z), metres; "
            'time = frame_index / fps (fps 0 counts as 30).'
        ),
    )
    parser.add_argument(
        'npz', help='results .npz of tools/demo.py (SMPL-X parameters)'
    )
    parser.add_argument(
        '--human-models',
        required=True,
        help='human_model_files root (reads smplx/SMPLX_<GENDER>.npz or '
        '.pkl) or an SMPL-X model file',
    )
    parser.add_argument('--out', required=True, help='output .glb file')
    parser.add_argument(
        '--bvh', default=None, help='also write this .bvh file'
    )
    parser.add_argument(
        '--track-id',
        type=int,
        default=None,
        help='track to export (default: the track with the most frames)',
    )
    parser.add_argument(
        '--gender',
        default='neutral',
        choices=GENDERS,
        help='SMPL-X file (default: neutral)',
    )
    parser.add_argument(
        '--flat-hand-mean',
        action='store_true',
        help='the hand poses are absolute (default: offsets from the mean '
        'hand, as Hand4Whole predicts them)',
    )
    parser.add_argument(
        '--bvh-scale',
        type=float,
        default=100.0,
        help='BVH units per metre (default: 100, centimetres)',
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    common = dict(
        track_id=args.track_id,
        gender=args.gender,
        flat_hand_mean=args.flat_hand_mean,
    )
    try:
        info = export_glb(args.npz, args.human_models, args.out, **common)
        written, bvh_note = [args.out], ''
        if args.bvh:
            bvh_info = export_bvh(
                args.npz,
                args.human_models,
                args.bvh,
                scale=args.bvh_scale,
                **common,
            )
            written.append(args.bvh)
            bvh_note = f' (BVH: {bvh_info["frames"]} frames, gaps filled)'
            if bvh_info['frames'] == info['frames']:
                bvh_note = ''
    except (FileNotFoundError, ModelFileError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(
        f'wrote {" and ".join(written)}: track {info["track_id"]}, '
        f'{info["joints"]} joints, {info["frames"]} frames{bvh_note}, '
        f'{info["duration"]:.3f} s at {info["fps"]:g} fps'
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
