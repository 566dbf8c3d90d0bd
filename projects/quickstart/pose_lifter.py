"""A tiny end-to-end job for the quick start, CI and runner tests.

:class:`BodyPoseLifter` learns inverse kinematics: from the 22 root-relative
body joints of a posed SMPL-X it regresses the 63-d body pose. Its data are
random poses (:class:`SyntheticBodyPoseDataset`), its metric the mean joint
error (:class:`JointErrorMetric`). It exercises the whole training stack
(registries, Runner, body-model layer, checkpoints, resume, DDP) in seconds
on a CPU. It is a plugin: configs load it with ``custom_imports =
dict(imports=['projects.quickstart.pose_lifter'])``.
"""

from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.dataset import BaseDataset
from mmengine.evaluator import BaseMetric
from mmengine.model import BaseModel
from torch import Tensor, nn

from h4w.registry import DATASETS, METRICS, MODELS

__all__ = ['SyntheticBodyPoseDataset', 'BodyPoseLifter', 'JointErrorMetric']

NUM_BODY_JOINTS = 22


@DATASETS.register_module()
class SyntheticBodyPoseDataset(BaseDataset):
    """Random SMPL-X body poses and shapes.

    Each item: ``body_pose`` (63,) axis-angle ~ N(0, pose_std) and
    ``betas`` (10,) ~ N(0, 0.5), float32, reproducible from ``seed``.

    Args:
        num_samples (int): Dataset length.
        pose_std (float): Std of each axis-angle component, radians.
        seed (int): Seed of the sample generator.
    """

    def __init__(
        self,
        num_samples: int = 64,
        pose_std: float = 0.3,
        seed: int = 0,
        **kwargs,
    ) -> None:
        self.num_samples = num_samples
        self.pose_std = pose_std
        self.seed = seed
        kwargs.setdefault('serialize_data', False)
        super().__init__(**kwargs)

    def load_data_list(self) -> List[dict]:
        rng = np.random.default_rng(self.seed)
        poses = rng.normal(0, self.pose_std, (self.num_samples, 63))
        betas = rng.normal(0, 0.5, (self.num_samples, 10))
        return [
            dict(
                body_pose=pose.astype(np.float32),
                betas=beta.astype(np.float32),
            )
            for pose, beta in zip(poses, betas)
        ]


@MODELS.register_module()
class BodyPoseLifter(BaseModel):
    """MLP from root-relative body joints (N,22,3) to body pose (N,63).

    Args:
        body_model (dict): Config of an :class:`SMPLXModel`.
        hidden_dim (int): Width of the two hidden layers.
    """

    def __init__(
        self,
        body_model: dict,
        hidden_dim: int = 256,
        data_preprocessor: Optional[dict] = None,
        init_cfg: Optional[dict] = None,
    ) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg
        )
        self.body_model = MODELS.build(body_model)
        self.mlp = nn.Sequential(
            nn.Linear(NUM_BODY_JOINTS * 3, hidden_dim),
            nn.ReLU(),
            nn.Linear(hidden_dim, hidden_dim),
            nn.ReLU(),
            nn.Linear(hidden_dim, 63),
        )

    def body_joints(self, body_pose: Tensor, betas: Tensor) -> Tensor:
        """Root-relative kinematic body joints (N,22,3)."""
        joints = self.body_model(body_pose=body_pose, betas=betas)[
            'output_joints'
        ]
        joints = joints[:, :NUM_BODY_JOINTS]
        return joints - joints[:, :1]

    def forward(
        self,
        body_pose: Tensor,
        betas: Tensor,
        sample_idx: Optional[Tensor] = None,
        mode: str = 'tensor',
    ) -> Union[Tensor, Dict, List]:
        """Args: ``body_pose`` (N,63), ``betas`` (N,10), ``sample_idx``
        (N,) (unused, added by the dataset), ``mode``."""
        with torch.no_grad():
            gt_joints = self.body_joints(body_pose, betas)
        pred_pose = self.mlp(gt_joints.flatten(1))
        if mode == 'tensor':
            return pred_pose
        pred_joints = self.body_joints(pred_pose, betas)
        if mode == 'loss':
            return dict(
                loss_pose=F.l1_loss(pred_pose, body_pose),
                loss_joints=F.l1_loss(pred_joints, gt_joints),
            )
        if mode == 'predict':
            return [
                dict(
                    pred_joints=pred.detach().cpu().numpy(),
                    gt_joints=gt.cpu().numpy(),
                )
                for pred, gt in zip(pred_joints, gt_joints)
            ]
        raise ValueError(f'mode must be loss, predict or tensor, got {mode}')


@METRICS.register_module()
class JointErrorMetric(BaseMetric):
    """Mean per-joint position error in millimetres (``MPJPE``)."""

    default_prefix = 'smoke'

    def process(self, data_batch: dict, data_samples: Sequence[dict]):
        for sample in data_samples:
            error = np.linalg.norm(
                sample['pred_joints'] - sample['gt_joints'], axis=-1
            )
            self.results.append(error.mean() * 1000)

    def compute_metrics(self, results: list) -> Dict[str, float]:
        return dict(MPJPE=float(np.mean(results)))
