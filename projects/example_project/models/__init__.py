from .svd_hand_rotation_head import SVDHandRotationHead, svd_orthogonalize

__all__ = ['SVDHandRotationHead', 'svd_orthogonalize']
