"""ResNet trunk used as the body, hand and face backbone.

A torchvision-style ResNet (v1.5: in a ``Bottleneck`` the stride sits on
the 3x3 conv) without the average pool and the classifier, so its output
stride is 32. Module and parameter names are torchvision's, hence the
state-dict keys (``conv1.weight``, ``bn1.*``, ``layer1.0.conv1.weight``,
``layer1.0.downsample.0.weight``, ...) match torchvision ImageNet files
and, below ``backbone.``, mmpose ResNet checkpoints; the reference
project stores the same keys below ``module.backbone.`` (ResNet-50) and
``module.face_roi_net.backbone.`` (ResNet-18).

Pretrained weights are loaded through mmengine's ``init_cfg``::

    # torchvision ImageNet file (``fc.*`` is ignored)
    init_cfg=dict(type='Pretrained', checkpoint='resnet50-0676ba61.pth')
    # mmpose top-down checkpoint
    init_cfg=dict(type='Pretrained', checkpoint='td-hm_res50.pth',
                  prefix='backbone.')
"""

from typing import Dict, List, Optional, Tuple, Type, Union

from mmengine.model import BaseModule
from torch import Tensor, nn

from h4w.registry import MODELS


def _conv3x3(
    in_channels: int, out_channels: int, stride: int = 1
) -> nn.Conv2d:
    """3x3 convolution with padding 1 and no bias."""
    return nn.Conv2d(
        in_channels,
        out_channels,
        kernel_size=3,
        stride=stride,
        padding=1,
        bias=False,
    )


def _conv1x1(
    in_channels: int, out_channels: int, stride: int = 1
) -> nn.Conv2d:
    """1x1 convolution with no bias."""
    return nn.Conv2d(
        in_channels, out_channels, kernel_size=1, stride=stride, bias=False
    )


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with a residual connection (ResNet-18/34).

    Args:
        in_channels (int): Input channels.
        planes (int): Channels of both convolutions; the output has
            ``planes * expansion`` (= ``planes``) channels.
        stride (int): Stride of the first convolution. Defaults to 1.
        downsample (nn.Module, optional): Maps the input to the output's
            shape for the residual connection. Defaults to None
            (identity).
    """

    expansion = 1

    def __init__(
        self,
        in_channels: int,
        planes: int,
        stride: int = 1,
        downsample: Optional[nn.Module] = None,
    ) -> None:
        super().__init__()
        self.conv1 = _conv3x3(in_channels, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = _conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        """Apply the block.

        Args:
            x (Tensor): Features, shape (N, in_channels, H, W).

        Returns:
            Tensor: Features, shape (N, planes, H / stride, W / stride).
        """
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    """1x1 - 3x3 - 1x1 bottleneck with a residual connection (ResNet-50+).

    The stride is applied by the 3x3 convolution (torchvision v1.5).

    Args:
        in_channels (int): Input channels.
        planes (int): Channels of the inner convolutions; the output has
            ``planes * 4`` channels.
        stride (int): Stride of the 3x3 convolution. Defaults to 1.
        downsample (nn.Module, optional): Maps the input to the output's
            shape for the residual connection. Defaults to None
            (identity).
    """

    expansion = 4

    def __init__(
        self,
        in_channels: int,
        planes: int,
        stride: int = 1,
        downsample: Optional[nn.Module] = None,
    ) -> None:
        super().__init__()
        self.conv1 = _conv1x1(in_channels, planes)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = _conv3x3(planes, planes, stride)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = _conv1x1(planes, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        """Apply the block.

        Args:
            x (Tensor): Features, shape (N, in_channels, H, W).

        Returns:
            Tensor: Features, shape (N, 4 * planes, H / stride,
            W / stride).
        """
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


_Block = Type[Union[BasicBlock, Bottleneck]]


@MODELS.register_module()
class ResNet(BaseModule):
    """torchvision-style ResNet trunk without average pool and classifier.

    conv1 7x7/2 (3 -> 64, no bias), BN, ReLU, max pool 3x3/2, then
    ``layer1`` .. ``layer4`` (strides 1, 2, 2, 2). At construction every
    Conv2d weight is drawn from N(0, 0.001^2) and every BatchNorm gets
    weight 1 and bias 0; pretrained weights are loaded by
    :meth:`init_weights` from ``init_cfg`` (see the module docstring).
    BatchNorm layers are plain :class:`torch.nn.BatchNorm2d` (batch
    statistics in train mode, default momentum and eps).

    Args:
        depth (int): 18, 34, 50, 101 or 152. Defaults to 50.
        init_cfg (dict or list[dict], optional): mmengine initialisation
            config, e.g. ``dict(type='Pretrained', checkpoint=PATH)`` or
            with ``prefix='backbone.'`` for an mmpose checkpoint.
            Defaults to None.

    Raises:
        ValueError: ``depth`` is not one of the supported depths.

    Example:
        >>> model = ResNet(depth=50)
        >>> model(torch.zeros(2, 3, 256, 192)).shape
        torch.Size([2, 2048, 8, 6])
    """

    arch_settings: Dict[int, Tuple[_Block, Tuple[int, int, int, int]]] = {
        18: (BasicBlock, (2, 2, 2, 2)),
        34: (BasicBlock, (3, 4, 6, 3)),
        50: (Bottleneck, (3, 4, 6, 3)),
        101: (Bottleneck, (3, 4, 23, 3)),
        152: (Bottleneck, (3, 8, 36, 3)),
    }

    def __init__(
        self,
        depth: int = 50,
        init_cfg: Optional[Union[dict, List[dict]]] = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        if depth not in self.arch_settings:
            allowed = ', '.join(str(d) for d in sorted(self.arch_settings))
            raise ValueError(
                f'Invalid depth {depth!r} for ResNet; allowed '
                f'depths are {allowed}.'
            )
        self.depth = depth
        block, num_blocks = self.arch_settings[depth]
        self.in_channels = 64
        self.conv1 = nn.Conv2d(
            3, 64, kernel_size=7, stride=2, padding=3, bias=False
        )
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, num_blocks[0])
        self.layer2 = self._make_layer(block, 128, num_blocks[1], stride=2)
        self.layer3 = self._make_layer(block, 256, num_blocks[2], stride=2)
        self.layer4 = self._make_layer(block, 512, num_blocks[3], stride=2)
        self.out_channels = 512 * block.expansion
        self._init_own_weights()

    def _make_layer(
        self, block: _Block, planes: int, num_blocks: int, stride: int = 1
    ) -> nn.Sequential:
        """Stack ``num_blocks`` blocks; the first one may downsample."""
        out_channels = planes * block.expansion
        downsample = None
        if stride != 1 or self.in_channels != out_channels:
            downsample = nn.Sequential(
                _conv1x1(self.in_channels, out_channels, stride),
                nn.BatchNorm2d(out_channels),
            )
        layers = [block(self.in_channels, planes, stride, downsample)]
        self.in_channels = out_channels
        for _ in range(1, num_blocks):
            layers.append(block(self.in_channels, planes))
        return nn.Sequential(*layers)

    def _init_own_weights(self) -> None:
        """Conv weights ~ N(0, 0.001^2); BatchNorm weight 1, bias 0."""
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.normal_(module.weight, mean=0, std=0.001)
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.constant_(module.weight, 1)
                nn.init.constant_(module.bias, 0)

    def forward(self, x: Tensor) -> Tensor:
        """Compute the stride-32 feature map.

        Args:
            x (Tensor): Images, shape (N, 3, H, W).

        Returns:
            Tensor: Features, shape (N, C, H / 32, W / 32) with C = 2048
            for ResNet-50/101/152 and 512 for ResNet-18/34 (sizes rounded
            up at each stride-2 stage).
        """
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        return self.layer4(x)


__all__ = ['ResNet', 'BasicBlock', 'Bottleneck']
