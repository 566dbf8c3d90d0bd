"""MeshVisualizationHook: which samples it draws, where, at which step."""

import os.path as osp
from types import SimpleNamespace
from unittest.mock import MagicMock

import numpy as np
import pytest
import torch
from mmengine.visualization import Visualizer

from h4w.engine.hooks import MeshVisualizationHook
from h4w.structures import MeshDataSample
from h4w.utils.image_io import write_image


class RecordingVisualizer(Visualizer):
    def __init__(self, name='visualizer', **kwargs):
        super().__init__(name=name, **kwargs)
        self.calls = []

    def add_datasample(self, name, image, data_sample, **kwargs):
        self.calls.append(dict(name=name, shape=image.shape, **kwargs))


@pytest.fixture
def recording(monkeypatch):
    """A visualizer that records its calls, as the runner's current one."""

    def make(name):
        vis = RecordingVisualizer.get_instance(name)
        monkeypatch.setattr(
            Visualizer, 'get_current_instance', classmethod(lambda cls: vis)
        )
        return vis

    return make


@pytest.fixture
def samples(tmp_path):
    paths = []
    for i in range(5):
        paths.append(
            write_image(
                str(tmp_path / f'img{i}.png'), np.zeros((8, 6, 3), np.uint8)
            )
        )
    return [MeshDataSample(metainfo=dict(img_path=p)) for p in paths]


def fake_runner(tmp_path, iteration=7):
    model = SimpleNamespace(
        body_model=SimpleNamespace(faces=torch.tensor([[0, 1, 2]]))
    )
    return SimpleNamespace(
        model=model,
        log_dir=str(tmp_path / 'log'),
        iter=iteration,
        logger=MagicMock(),
    )


def test_test_mode_draws_every_interval_with_files(
    tmp_path, samples, recording
):
    vis = recording('hook_test_visualizer')
    hook = MeshVisualizationHook(enable=True, interval=2, out_dir='shown')
    runner = fake_runner(tmp_path)
    hook.after_test_iter(runner, 0, outputs=samples[:3])
    hook.after_test_iter(runner, 1, outputs=samples[3:])
    assert [c['name'] for c in vis.calls] == [
        '000000_img0',
        '000002_img2',
        '000004_img4',
    ]
    assert [c['step'] for c in vis.calls] == [0, 2, 4]
    assert vis.calls[0]['out_file'] == osp.join(
        runner.log_dir, 'shown', '000000_img0.jpg'
    )
    assert vis.calls[0]['shape'] == (8, 6, 3)
    assert vis.calls[0]['faces'].tolist() == [[0, 1, 2]]


def test_val_mode_counts_per_epoch_and_uses_the_train_iteration(
    tmp_path, samples, recording
):
    vis = recording('hook_val_visualizer')
    hook = MeshVisualizationHook(enable=True, interval=3)
    runner = fake_runner(tmp_path, iteration=42)
    for _ in range(2):  # two validation epochs
        hook.before_val_epoch(runner)
        hook.after_val_iter(runner, 0, outputs=samples)
    assert [c['name'] for c in vis.calls] == [
        'val_000000_img0',
        'val_000003_img3',
    ] * 2
    assert {c['step'] for c in vis.calls} == {42}
    assert all(c['out_file'] is None for c in vis.calls)


def test_disabled_hook_and_unreadable_images(tmp_path, samples, recording):
    vis = recording('hook_off_visualizer')
    runner = fake_runner(tmp_path)
    MeshVisualizationHook(enable=False).after_test_iter(runner, 0, samples)
    assert vis.calls == []
    missing = MeshDataSample(metainfo=dict(img_path=str(tmp_path / 'no.png')))
    MeshVisualizationHook(enable=True, interval=1).after_test_iter(
        runner, 0, outputs=[missing]
    )
    assert vis.calls == []
    assert 'no.png' in runner.logger.warning.call_args[0][0]
