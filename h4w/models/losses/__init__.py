from .l1_losses import CoordLoss, ParamLoss, RotationMatrixLoss

__all__ = ['CoordLoss', 'ParamLoss', 'RotationMatrixLoss']
