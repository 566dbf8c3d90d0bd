"""Layer builders and head initialisation shared by every head
(spec §2.3, §2.16).

The builders return ``nn.Sequential`` stacks whose sub-module indices
(conv 0, bn 1, relu 2, conv 3, ...) match the reference, so converted
checkpoints keep readable key names such as ``conv.0.weight``.
"""

from typing import Sequence

from torch import nn

__all__ = [
    'make_conv_layers',
    'make_deconv_layers',
    'make_linear_layers',
    'init_head_weights',
]


def make_conv_layers(
    channels: Sequence[int],
    kernel: int = 3,
    stride: int = 1,
    padding: int = 1,
    bnrelu_final: bool = True,
) -> nn.Sequential:
    """Conv2d (with bias) + BN + ReLU for each consecutive channel pair;
    the last conv has no BN / ReLU when ``bnrelu_final`` is False."""
    layers = []
    for i in range(len(channels) - 1):
        layers.append(
            nn.Conv2d(
                channels[i],
                channels[i + 1],
                kernel_size=kernel,
                stride=stride,
                padding=padding,
            )
        )
        if i < len(channels) - 2 or bnrelu_final:
            layers.append(nn.BatchNorm2d(channels[i + 1]))
            layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


def make_deconv_layers(
    channels: Sequence[int], bnrelu_final: bool = True
) -> nn.Sequential:
    """ConvTranspose2d(kernel 4, stride 2, padding 1, no bias) + BN + ReLU
    per channel pair: each stage doubles height and width."""
    layers = []
    for i in range(len(channels) - 1):
        layers.append(
            nn.ConvTranspose2d(
                channels[i],
                channels[i + 1],
                kernel_size=4,
                stride=2,
                padding=1,
                output_padding=0,
                bias=False,
            )
        )
        if i < len(channels) - 2 or bnrelu_final:
            layers.append(nn.BatchNorm2d(channels[i + 1]))
            layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


def make_linear_layers(
    dims: Sequence[int], relu_final: bool = True
) -> nn.Sequential:
    """Linear layers with ReLU in between (no BN); no ReLU after the last
    when ``relu_final`` is False."""
    layers = []
    for i in range(len(dims) - 1):
        layers.append(nn.Linear(dims[i], dims[i + 1]))
        if i < len(dims) - 2 or relu_final:
            layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


def init_head_weights(module: nn.Module) -> None:
    """The reference head init, for ``Module.apply``: Conv2d N(0, 0.001)
    and bias 0; ConvTranspose2d N(0, 0.001); BatchNorm2d 1 / 0; Linear
    N(0, 0.01) and bias 0."""
    if isinstance(module, nn.ConvTranspose2d):
        nn.init.normal_(module.weight, std=0.001)
    elif isinstance(module, nn.Conv2d):
        nn.init.normal_(module.weight, std=0.001)
        if module.bias is not None:
            nn.init.constant_(module.bias, 0)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.constant_(module.weight, 1)
        nn.init.constant_(module.bias, 0)
    elif isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, std=0.01)
        nn.init.constant_(module.bias, 0)
