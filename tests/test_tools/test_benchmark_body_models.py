from tests.conftest import load_tool


def test_benchmark_reports_every_setting(human_model_root, capsys):
    module = load_tool('analysis_tools/benchmark_body_models.py')
    rows = module.main(
        [
            '--model-path',
            human_model_root,
            '--models',
            'mano',
            'flame',
            '--batch-sizes',
            '1',
            '2',
            '--iters',
            '1',
        ]
    )
    assert [(r['model'], r['batch']) for r in rows] == [
        ('mano', 1),
        ('mano', 2),
        ('flame', 1),
        ('flame', 2),
    ]
    assert all(r['samples_per_s'] > 0 and r['peak_mb'] > 0 for r in rows)
    assert 'samples/s' in capsys.readouterr().out
