"""MeshVisualizer: ground truth and prediction panels, backends."""

import glob

import numpy as np
import torch
from mmengine.structures import InstanceData

from h4w.structures import MeshDataSample
from h4w.visualization import MeshVisualizer

from tests.test_visualization.test_renderer import box_mesh

SIZE = (96, 128)
FOCAL = np.array([150.0, 150.0])
PRINCPT = np.array([60.0, 50.0])


def sample_with_meshes():
    pred_verts, faces = box_mesh((-0.4, 0.0, 3.0), 0.5)
    gt_verts, _ = box_mesh((0.4, 0.0, 3.0), 0.5)
    sample = MeshDataSample(metainfo=dict(img_path='x.jpg'))
    sample.pred_instances = InstanceData(
        smplx_mesh_cam=torch.tensor(pred_verts[None], dtype=torch.float32),
        focal=torch.tensor(FOCAL[None]),
        princpt=torch.tensor(PRINCPT[None]),
        keypoints=torch.tensor([[[10.0, 10.0]]]),
    )
    sample.gt_instances = InstanceData(
        smplx_mesh_cam=torch.tensor(gt_verts[None], dtype=torch.float32),
        bbox=torch.tensor([[5.0, 5.0, 50.0, 60.0]]),
    )
    sample.gt_params = InstanceData(
        focal=torch.tensor(FOCAL[None]), princpt=torch.tensor(PRINCPT[None])
    )
    return sample, faces


def test_panels_put_each_mesh_where_its_camera_projects(tmp_path):
    sample, faces = sample_with_meshes()
    vis = MeshVisualizer(
        name='test_mesh_visualizer',
        vis_backends=[dict(type='LocalVisBackend')],
        save_dir=str(tmp_path),
        renderer='opencv',
        alpha=1.0,
        draw_keypoints=False,
        draw_bbox=False,
    )
    image = np.zeros(SIZE + (3,), np.uint8)
    drawn = vis.add_datasample(
        'sample', image, sample, faces=faces, out_file=str(tmp_path / 'o.jpg')
    )
    assert drawn.shape == (SIZE[0], 2 * SIZE[1], 3)
    gt_panel, pred_panel = drawn[:, : SIZE[1]], drawn[:, SIZE[1] :]
    # box centres project to x = 150 * (-+0.4) / 3 + 60 = 40 / 80
    u_pred, u_gt = 40, 80
    assert pred_panel[50, u_pred].max() > 0 and pred_panel[50, u_gt].max() == 0
    assert gt_panel[50, u_gt].max() > 0 and gt_panel[50, u_pred].max() == 0
    assert (tmp_path / 'o.jpg').is_file()
    assert glob.glob(str(tmp_path / '**' / 'sample_0.png'), recursive=True)


def test_prediction_only_draws_keypoints_and_box():
    sample, faces = sample_with_meshes()
    vis = MeshVisualizer(name='test_mesh_visualizer_2', renderer='opencv')
    image = np.zeros(SIZE + (3,), np.uint8)
    drawn = vis.add_datasample('s', image, sample, faces=None, draw_gt=False)
    assert drawn.shape == SIZE + (3,)
    assert drawn[10, 10, 1] == 255  # green keypoint (RGB)
    assert drawn[5, 30, 0] == 255  # red box edge from gt bbox (x, y, w, h)
