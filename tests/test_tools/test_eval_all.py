"""tools/analysis_tools/eval_all.py: the model a checkpoint holds picks
the benchmarks; each runs in-process on its fixture; one table."""

import csv
import pickle
import zipfile

import pytest
import torch

from tests.conftest import load_tool
from tests.fixtures.datasets.agora import make_agora
from tests.fixtures.datasets.ehf import make_ehf

eval_all = load_tool('analysis_tools/eval_all.py')


def p2p_state_dict(pose_rows):
    """The keys that tell the Pose2Pose models apart (shapes as the
    configs build them: 6D rotations, 21 SMPL body / 15 MANO joints)."""
    return {
        'backbone.conv1.weight': torch.zeros(1),
        'position_head.conv.0.weight': torch.zeros(1),
        'head.pose_out.0.weight': torch.zeros(pose_rows, 1),
    }


def test_selection_by_checkpoint(tmp_path):
    hand = tmp_path / 'p2p_hand.pth'
    torch.save(dict(meta={}, state_dict=p2p_state_dict(15 * 6)), hand)
    assert eval_all.detect_model(str(hand)) == 'pose2pose_hand'
    assert eval_all.select_benchmarks('pose2pose_hand') == [
        (
            'freihand',
            'configs/pose2pose/pose2pose_hand_res50_test_freihand.py',
        )
    ]
    assert eval_all.model_of_state_dict(p2p_state_dict(21 * 6)) == (
        'pose2pose_body'
    )
    assert [n for n, _ in eval_all.select_benchmarks('pose2pose_body')] == [
        'pw3d',
        'h36m',
    ]
    assert [n for n, _ in eval_all.select_benchmarks('hand4whole')] == [
        'ehf',
        'agora_val',
        'h36m',
    ]
    assert eval_all.select_benchmarks('hand4whole', ['h36m', 'ehf']) == [
        ('ehf', 'configs/hand4whole/hand4whole_res50_test_ehf.py'),
        ('h36m', 'configs/hand4whole/hand4whole_res50_test_h36m.py'),
    ]
    face = dict(state_dict={'head.expr_out.0.weight': torch.zeros(10, 1)})
    assert eval_all.model_of_state_dict(face['state_dict']) == (
        'pose2pose_face'
    )
    with pytest.raises(ValueError, match='no benchmark'):
        eval_all.select_benchmarks('pose2pose_face')
    with pytest.raises(ValueError, match='does not run'):
        eval_all.select_benchmarks('pose2pose_hand', ['ehf'])
    # no model fits: the error names the checkpoint; meta['model'] (the
    # converters') decides when the weights do not
    odd = tmp_path / 'odd.pth'
    torch.save(dict(meta={}, state_dict={'x.weight': torch.zeros(1)}), odd)
    with pytest.raises(ValueError, match='odd.pth: the weights fit none'):
        eval_all.detect_model(str(odd))
    torch.save(dict(meta=dict(model='hand4whole'), state_dict={}), odd)
    assert eval_all.detect_model(str(odd)) == 'hand4whole'


def test_strict_missing_data_root(tmp_path):
    ckpt = tmp_path / 'h4w.pth'
    torch.save(dict(meta=dict(model='hand4whole'), state_dict={}), ckpt)
    missing = tmp_path / 'no_h36m'
    args = [
        str(ckpt),
        '--benchmarks',
        'h36m',
        '--data-root',
        f'h36m={missing}',
        '--out-dir',
        str(tmp_path / 'out'),
    ]
    with pytest.raises(FileNotFoundError, match='no_h36m'):
        eval_all.main(args + ['--strict'])
    results = eval_all.main(args)  # skipped: nothing runs
    assert results['h36m']['missing'] == str(missing)
    assert 'skipped' in (tmp_path / 'out' / 'eval_all.md').read_text()


def test_ehf_and_agora_side_by_side(
    tmp_path, human_model_root, hand4whole_checkpoint, capsys
):
    data = tmp_path / 'data'
    ehf = make_ehf(str(data / 'ehf'), human_model_root)
    agora = make_agora(str(data / 'agora'), human_model_root)
    out_dir = tmp_path / 'eval'
    missing = tmp_path / 'no_h36m'
    results = eval_all.main(
        [
            hand4whole_checkpoint,
            '--data-root',
            f'ehf={ehf}',
            f'agora_val={agora}',
            f'h36m={missing}',
            '--human-models',
            human_model_root,
            '--out-dir',
            str(out_dir),
            '--cfg-options',
            f'test_dataloader.dataset.cache_dir={tmp_path / "cache"}',
            'test_dataloader.num_workers=0',
            'test_dataloader.batch_size=2',
        ]
    )
    printed = capsys.readouterr().out
    assert list(results) == ['ehf', 'agora_val', 'h36m']
    assert results['h36m']['status'] == f'skipped (missing {missing})'
    ehf_metrics = results['ehf']['metrics']
    agora_metrics = results['agora_val']['metrics']
    assert 'EHF/PA-MPJPE_hands' in ehf_metrics
    assert sorted(agora_metrics) == sorted(
        f'AGORA/{a}MPVPE_{p}'
        for a in ('', 'PA-')
        for p in ('all', 'hands', 'face')
    )

    with open(out_dir / 'eval_all.csv') as f:
        rows = {row[0]: row[1:] for row in csv.reader(f)}
    assert rows['metric'] == ['ehf', 'agora_val', 'h36m']
    assert rows['status'][:2] == ['ok', 'ok']
    assert 'skipped' in rows['status'][2]
    for col, metrics in enumerate((ehf_metrics, agora_metrics)):
        for key, value in metrics.items():
            assert rows[key.split('/')[1]][col] == f'{value:.2f}'
    # EHF's joint errors: no AGORA value, no h36m value
    assert rows['PA-MPJPE_body'][1:] == ['-', '-']

    markdown = (out_dir / 'eval_all.md').read_text()
    value = f'{agora_metrics["AGORA/PA-MPVPE_all"]:.2f}'
    line = (
        f'| PA-MPVPE_all | {ehf_metrics["EHF/PA-MPVPE_all"]:.2f} | '
        f'{value} | - |'
    )
    assert line in markdown and line in printed
    assert '| metric | ehf | agora_val | h36m |' in printed

    # AGORA's pickles and their submission zip sit in the benchmark's dir
    with zipfile.ZipFile(out_dir / 'agora_val' / 'agora_predictions.zip') as z:
        names = z.namelist()
        assert len(names) == 2  # one per validation person
        assert all(n.startswith('predictions/') for n in names)
        content = pickle.loads(z.read(names[0]))
    assert content['joints'].shape == (144, 2)
