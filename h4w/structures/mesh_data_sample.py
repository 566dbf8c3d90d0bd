"""The data contract between datasets, models, metrics and visualizers."""

from mmengine.structures import BaseDataElement, InstanceData

__all__ = ['MeshDataSample']


class MeshDataSample(BaseDataElement):
    """One image crop with its annotations and predictions.

    Every field holds one row per person instance (Hand4Whole crops one
    person per sample, so instance fields have length 1).

    Attributes:
        gt_instances (InstanceData): Training / evaluation targets, e.g.
            ``joint_img`` (1, J, 3), ``joint_valid`` (1, J, 1) and the
            body-model targets that :class:`BodyModelTargetGenerator` adds
            (``smplx_joint_img``, ``smplx_pose``, ... see its docstring).
        gt_params (InstanceData): Body-model fits (NeuralAnnot or dataset
            parameters) in their original frame, read by
            :class:`BodyModelTargetGenerator`: ``root_pose``, ``body_pose``,
            ``shape``, ``trans``, hand / jaw / expression parameters,
            camera ``focal``, ``princpt``, ``cam_R``, ``cam_t`` and
            validity flags.
        pred_instances (InstanceData): Model outputs (spec §2.15).

    Meta information (``metainfo``), mmpose names, every shape (H, W):
    ``ori_shape`` (H, W) of the original (source) image, ``img_shape``
    (H, W) of the network input (the crop),
    ``img2bb_trans`` / ``bb2img_trans`` (2, 3) affine maps between the
    original image and the crop, ``flip`` (bool) and ``rot`` (degrees).
    """

    @property
    def gt_instances(self) -> InstanceData:
        return self._gt_instances

    @gt_instances.setter
    def gt_instances(self, value: InstanceData) -> None:
        self.set_field(value, '_gt_instances', dtype=InstanceData)

    @gt_instances.deleter
    def gt_instances(self) -> None:
        del self._gt_instances

    @property
    def gt_params(self) -> InstanceData:
        return self._gt_params

    @gt_params.setter
    def gt_params(self, value: InstanceData) -> None:
        self.set_field(value, '_gt_params', dtype=InstanceData)

    @gt_params.deleter
    def gt_params(self) -> None:
        del self._gt_params

    @property
    def pred_instances(self) -> InstanceData:
        return self._pred_instances

    @pred_instances.setter
    def pred_instances(self, value: InstanceData) -> None:
        self.set_field(value, '_pred_instances', dtype=InstanceData)

    @pred_instances.deleter
    def pred_instances(self) -> None:
        del self._pred_instances
