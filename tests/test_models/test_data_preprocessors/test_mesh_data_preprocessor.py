"""MeshDataPreprocessor: image batching and normalisation.

The body-model targets are computed by the estimator's
BodyModelTargetGenerator (tests/test_models/test_task_modules/
test_body_model_target_generator.py).
"""

import torch

from h4w.models.data_preprocessors import MeshDataPreprocessor
from h4w.structures import MeshDataSample


# --------------------------------------------------------------- images
def test_images_are_stacked_and_divided_by_255():
    pre = MeshDataPreprocessor()
    gen = torch.Generator().manual_seed(0)
    imgs = [torch.rand(3, 8, 6, generator=gen) * 255 for _ in range(3)]
    out = pre(dict(inputs=imgs))
    assert out['inputs'].shape == (3, 3, 8, 6)
    assert out['inputs'].dtype == torch.float32
    torch.testing.assert_close(out['inputs'][1], imgs[1] / 255)
    # channel order kept (RGB in, RGB out)
    torch.testing.assert_close(
        out['inputs'][:, 0], torch.stack(imgs)[:, 0] / 255
    )


def test_images_custom_mean_std():
    mean, std = (123.675, 116.28, 103.53), (58.395, 57.12, 57.375)
    pre = MeshDataPreprocessor(mean=mean, std=std)
    img = torch.rand(3, 4, 5) * 255
    out = pre(dict(inputs=[img], data_samples=[MeshDataSample()]))
    expected = (img - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[
        :, None, None
    ]
    torch.testing.assert_close(out['inputs'][0], expected)
    assert 'gt_instances' not in out['data_samples'][0]
