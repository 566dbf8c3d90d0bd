r"""Check a human_model_files tree (SMPL-X, SMPL, MANO, FLAME) file by file.

Every file the body-model layers and the configs open is looked for, read
without chumpy and compared with the array names, shapes and dtypes the
layers need. The table says what is fine, what is wrong and where each
missing or broken file is obtained; the SMPL-X release (v1.1 or v1.0) is
told from the number of blend-shape components. Exits with 1 when a file
is missing or broken (warnings do not fail), 0 otherwise.

Examples:
    python tools/misc/check_human_models.py data/human_model_files
    python tools/misc/check_human_models.py data/human_model_files \
        --models smplx mano --json work_dirs/human_models.json
"""

import argparse
import json
import os.path as osp
import sys
import textwrap

# Run as a script from anywhere: the repository root goes on sys.path,
# as the launchers' PYTHONPATH puts it (mmdet style).
sys.path.insert(
    0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
)

from h4w.body_models.model_check import (  # noqa: E402
    MODELS,
    STATUSES,
    CheckRow,
    check_human_models,
    failed,
)
from h4w.body_models.model_files import GENDERS  # noqa: E402

DETAIL_WIDTH = 56


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        epilog=__doc__.split('\n\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        'root', help='the human_model_files folder (model_path of configs)'
    )
    parser.add_argument(
        '--models',
        nargs='+',
        choices=MODELS,
        default=list(MODELS),
        help='models to check (default: all)',
    )
    parser.add_argument(
        '--genders',
        nargs='+',
        choices=GENDERS,
        default=list(GENDERS),
        help='genders of the SMPL-X and SMPL files to check (default: all)',
    )
    parser.add_argument(
        '--json',
        metavar='OUT',
        help='also write the rows and the summary to this JSON file',
    )
    return parser.parse_args(argv)


def format_table(rows, width: int = DETAIL_WIDTH) -> str:
    """The rows as an aligned table: file, status and detail (wrapped),
    and for every row that is not ok, where to obtain the file."""
    file_w = max([len('file')] + [len(row.file) for row in rows])
    status_w = max(len(status) for status in STATUSES)
    indent = ' ' * (file_w + status_w + 4)
    lines = [
        f'{"file":<{file_w}}  {"status":<{status_w}}  detail',
        '-' * (file_w + status_w + 4 + width),
    ]
    for row in rows:
        detail = textwrap.wrap(row.detail, width) or ['']
        lines.append(f'{row.file:<{file_w}}  {row.status:<{status_w}}  ')
        lines[-1] += detail[0]
        lines += [indent + more for more in detail[1:]]
        if row.status != 'ok':
            source = textwrap.wrap('obtain from: ' + row.source, width)
            lines += [indent + part for part in source]
    return '\n'.join(lines)


def summary_line(rows) -> str:
    """``19 ok, 1 warning, 0 error, 1 missing: FAILED``."""
    counts = {s: sum(row.status == s for row in rows) for s in STATUSES}
    text = ', '.join(f'{counts[s]} {s}' for s in STATUSES)
    if failed(rows):
        return f'{text}: FAILED (a file is missing or broken)'
    return f'{text}: all needed files are usable'


def main(argv=None) -> int:
    args = parse_args(argv)
    rows = check_human_models(args.root, args.models, args.genders)
    print(format_table(rows))
    print(summary_line(rows))
    if args.json:
        report = dict(
            root=args.root,
            failed=failed(rows),
            counts={s: sum(row.status == s for row in rows) for s in STATUSES},
            rows=[CheckRow._asdict(row) for row in rows],
        )
        with open(args.json, 'w') as f:
            json.dump(report, f, indent=2)
    return 1 if failed(rows) else 0


if __name__ == '__main__':
    sys.exit(main())
