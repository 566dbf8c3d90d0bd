"""Crop geometry (registered in ``KEYPOINT_CODECS``): one object owns the
input, part and heat-map sizes, the depth ranges and the maps between crop
pixels, heat-map units and original-image pixels."""

from .mesh_codec import MeshCodec, build_codec, discretize_depth

__all__ = ['MeshCodec', 'build_codec', 'discretize_depth']
