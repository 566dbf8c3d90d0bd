"""tools/misc/browse_dataset.py on the Human3.6M fixture."""

import os.path as osp

import cv2
import numpy as np

from tests.conftest import PYTHON, REPO_ROOT, run_tool
from tests.fixtures.datasets.human36m import make_human36m


def test_browse_writes_annotated_crops(tmp_path, human_model_root):
    root = make_human36m(str(tmp_path / 'Human36M'), human_model_root)
    cfg = tmp_path / 'browse_h36m.py'
    base = osp.join(REPO_ROOT, 'configs/hand4whole/hand4whole_res50.py')
    data = osp.join(REPO_ROOT, 'configs/_base_/datasets/h36m_mpii_coco.py')
    cfg.write_text(
        f'_base_ = [{base!r}, {data!r}]\n'
        'train_dataloader = dict(dataset=dict(\n'
        "    _delete_=True, type='Human36MDataset',\n"
        f'    data_root={root!r}, subjects=[1],\n'
        f'    cache_dir={str(tmp_path / "cache")!r},\n'
        '    pipeline={{_base_.wholebody_train_pipeline}}))\n'
    )
    out = tmp_path / 'vis'
    proc = run_tool(
        [
            PYTHON,
            'tools/misc/browse_dataset.py',
            str(cfg),
            '--output-dir',
            str(out),
            '--max-samples',
            '2',
            '--show-mesh',
            '--cfg-options',
            f'model.body_model.model_path={human_model_root}',
        ]
    )
    assert 'Human36MDataset: 4 samples' in proc.stdout
    files = sorted(out.glob('*.png'))
    assert len(files) == 2
    img = cv2.imread(str(files[0]))
    assert img.shape == (512, 384, 3)
    # green keypoints and the translucent mesh were drawn
    green = (img[..., 1] > 200) & (img[..., 0] < 60) & (img[..., 2] < 60)
    assert green.sum() > 20
    assert np.abs(img.astype(int) - img.mean()).sum() > 0
