"""Strip a checkpoint to its weights, for sharing or as ``load_from``.

h4w loads external checkpoints with ``torch.load(weights_only=True)``;
a full training checkpoint (optimizer, message hub, ...) may hold other
pickled objects. This tool loads a file you trust IN FULL, keeps only
``state_dict`` and ``meta`` entries that are plain values, and writes a
file that loads under the weights-only policy. The output name gets the
first 8 hex digits of its SHA-256 (``NAME-abcdef12.pth``), mmpose style.

    python tools/misc/publish_model.py work_dirs/x/epoch_6.pth out.pth
"""

import argparse
import hashlib
import os
import os.path as osp

import torch

from h4w.engine.checkpoint import load_checkpoint_file


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Keep only the weights of a trusted checkpoint.'
    )
    parser.add_argument('in_file', help='input checkpoint (trusted)')
    parser.add_argument('out_file', help='output .pth file')
    parser.add_argument(
        '--no-hash',
        action='store_true',
        help='do not append the SHA-256 prefix to the output name',
    )
    return parser.parse_args(argv)


def publish(in_file: str, out_file: str, add_hash: bool = True) -> str:
    checkpoint = load_checkpoint_file(in_file, 'cpu', trusted=True)
    state_dict = checkpoint.get('state_dict', checkpoint)
    if not all(isinstance(v, torch.Tensor) for v in state_dict.values()):
        raise ValueError(f'{in_file} has no state_dict of tensors')
    meta = {
        key: value
        for key, value in checkpoint.get('meta', {}).items()
        if isinstance(value, (int, float, str, bool))
    }
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    torch.save(dict(state_dict=dict(state_dict), meta=meta), out_file)
    if not add_hash:
        return out_file
    with open(out_file, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:8]
    stem, ext = osp.splitext(out_file)
    final = f'{stem}-{digest}{ext}'
    os.replace(out_file, final)
    return final


def main(argv=None):
    args = parse_args(argv)
    print(f'Wrote {publish(args.in_file, args.out_file, not args.no_hash)}')


if __name__ == '__main__':
    main()
