"""Base class of the mesh estimators (mmpose ``BasePoseEstimator`` shape)."""

from abc import abstractmethod
from typing import Dict, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.model import BaseModel
from mmengine.structures import InstanceData
from torch import Tensor

from h4w.codecs import MeshCodec, build_codec
from h4w.registry import MODELS
from h4w.utils.typing import ConfigType, OptConfigType, SampleList

from ..task_modules import build_target_generator


def stack_instance_fields(
    data_samples: SampleList,
    keys: Sequence[str],
    device: torch.device,
    field: str = 'gt_instances',
) -> Dict[str, Tensor]:
    """Concatenate per-sample instance fields into batch tensors.

    Args:
        data_samples (list[MeshDataSample]): N samples, one instance each.
        keys (Sequence[str]): Field names, e.g. ``joint_img``.
        device: Target device.
        field (str): ``gt_instances`` or ``gt_params``.

    Returns:
        dict: key -> (N, ...) tensor; float fields become float32.

    Raises:
        KeyError: naming the missing key and the sample's ``img_path``.
    """
    out = {}
    for key in keys:
        values = []
        for sample in data_samples:
            instances = sample.get(field)
            if instances is None or key not in instances:
                raise KeyError(
                    f'{field}.{key} is missing in the data sample of '
                    f'{sample.metainfo.get("img_path", "<unknown image>")}; '
                    'the dataset pipeline or the target generator must '
                    'provide it'
                )
            value = instances.get(key)
            if isinstance(value, np.ndarray):
                value = torch.from_numpy(value)
            value = torch.as_tensor(value)
            if value.is_floating_point() or value.dtype == torch.bool:
                value = value.float()
            values.append(value.to(device))
        out[key] = torch.cat(values)
    return out


def stack_metainfo(
    data_samples: SampleList, key: str, device: torch.device
) -> Tensor:
    """Stack a metainfo entry (e.g. ``bb2img_trans``) of every sample."""
    values = []
    for sample in data_samples:
        if key not in sample.metainfo:
            raise KeyError(
                f'metainfo "{key}" is missing in the data sample of '
                f'{sample.metainfo.get("img_path", "<unknown image>")}'
            )
        values.append(
            torch.as_tensor(
                np.asarray(sample.metainfo[key]), dtype=torch.float32
            )
        )
    return torch.stack(values).to(device)


def float32_geometry(inputs: Tensor):
    """Autocast off: the body model, camera and projection run in float32
    under ``--amp`` (bf16 cannot hold a 28 m camera depth to the mm)."""
    return torch.autocast(inputs.device.type, enabled=False)


class BaseMeshEstimator(BaseModel):
    """``forward(inputs, data_samples, mode)`` dispatches to
    :meth:`loss`, :meth:`predict` or :meth:`_forward` (``'tensor'``).

    The estimator owns its crop geometry (``codec``), its body model and
    the :class:`BodyModelTargetGenerator` built from both (composition: the
    data preprocessor only batches images, so any preprocessor works).
    Before ``loss`` and ``predict`` the generator adds the body-model
    targets of samples that carry ``gt_params``.

    Args:
        codec (dict | MeshCodec): The crop geometry (``MeshCodec``).
        body_model (dict): The body-model config.
        target_generator (dict, optional): Config of the target generator;
            its ``body_model`` and ``codec`` are the estimator's. Defaults
            to ``BodyModelTargetGenerator`` with the neutral model only.
        data_preprocessor (dict, optional): Usually a
            ``MeshDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(
        self,
        codec: Union[ConfigType, MeshCodec],
        body_model: ConfigType,
        target_generator: OptConfigType = None,
        data_preprocessor: OptConfigType = None,
        init_cfg: OptConfigType = None,
    ) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg
        )
        self.codec = build_codec(codec)
        self.body_model = MODELS.build(body_model)
        self.target_generator = build_target_generator(
            body_model, self.codec, target_generator
        )

    def forward(
        self,
        inputs: Tensor,
        data_samples: Optional[SampleList] = None,
        mode: str = 'tensor',
    ) -> Union[Dict[str, Tensor], SampleList]:
        if mode in ('loss', 'predict') and data_samples:
            self.target_generator(data_samples)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise RuntimeError(
            f'Invalid mode "{mode}": use "loss", "predict" or "tensor"'
        )

    @abstractmethod
    def extract_feat(self, inputs: Tensor) -> Tensor:
        """The backbone feature of the input crop."""

    @abstractmethod
    def _forward(
        self, inputs: Tensor, data_samples: Optional[SampleList] = None
    ) -> Dict[str, Tensor]:
        """The network: a dict of output tensors."""

    @abstractmethod
    def loss(
        self, inputs: Tensor, data_samples: SampleList
    ) -> Dict[str, Tensor]:
        """Loss terms, keys starting with ``loss_``."""

    @abstractmethod
    def predict(self, inputs: Tensor, data_samples: SampleList) -> SampleList:
        """Predictions in ``pred_instances``."""

    def body_model_forward(
        self, params: Dict[str, Tensor]
    ) -> Dict[str, Tensor]:
        """The body model on parameters named as its
        :class:`~h4w.body_models.ParamLayout`.

        Args:
            params (dict): ``root_pose`` (N, 3), the rotations after the root
                as one ``pose`` (N, 3(P-1)) or per pose block (``body_pose``,
                ``lhand_pose``, ... the block keys), ``shape`` (N, B) and,
                when the model has one, ``expr`` (N, E); axis-angle.

        Returns:
            dict: The body model's output (``vertices`` (N, V, 3),
            ``joints`` (N, J, 3), ...) without camera translation.
        """
        layout = self.body_model.param_layout
        if 'pose' in params:
            rest = params['pose']
        else:
            rest = torch.cat([params[b.key] for b in layout.pose_blocks], 1)
        inputs = layout.split_pose(rest)
        if layout.expression:
            inputs['expression'] = params['expr']
        return self.body_model(
            betas=params['shape'], global_orient=params['root_pose'], **inputs
        )

    def add_original_image_outputs(
        self, preds: Dict[str, Tensor], data_samples: SampleList
    ) -> Dict[str, Tensor]:
        """Predictions in original-image pixels, when every sample has its
        crop -> image map ``bb2img_trans`` (otherwise ``preds`` as is).

        Adds ``focal`` / ``princpt`` (N, 2): the virtual camera in image
        pixels, under which the camera-frame mesh (``*_mesh_cam``) projects
        onto the person; ``<key>_orig`` (N, J, 2) for every
        ``*joint_proj`` and for ``joint_img`` (heat-map units -> pixels);
        ``<key>_orig`` (N, 4) xyxy for every crop-pixel ``*_bbox``
        (:meth:`MeshCodec.decode_to_image`).
        """
        if not data_samples or not all(
            'bb2img_trans' in s.metainfo for s in data_samples
        ):
            return preds
        device = next(iter(preds.values())).device
        trans = stack_metainfo(data_samples, 'bb2img_trans', device)
        return self.codec.decode_to_image(preds, trans)

    def add_pred_to_datasample(
        self, preds: Dict[str, Tensor], data_samples: SampleList
    ) -> SampleList:
        """Split (N, ...) predictions into each sample's
        ``pred_instances`` (length 1), as float32."""
        for i, sample in enumerate(data_samples):
            pred = InstanceData()
            for key, value in preds.items():
                value = value[i : i + 1].detach()
                if value.is_floating_point():
                    value = value.float()  # bf16 under --amp
                pred.set_field(value, key)
            sample.pred_instances = pred
        return data_samples
