"""Validate the untrained model once, so that every metric curve starts at
the value the training improves on."""

from mmengine.hooks import Hook

from h4w.registry import HOOKS

__all__ = ['ValidateBeforeTrainHook']


@HOOKS.register_module()
class ValidateBeforeTrainHook(Hook):
    """Run the validation loop before the first training epoch.

    The metrics are logged and written to the visualizer backends
    (TensorBoard) at epoch 0, and the mesh visualization hook draws the
    untrained predictions, so a run shows its metric before and after.
    A resumed run (epoch > 0) is not validated again. With
    ``save_best``, the checkpoint hook keeps the untrained model as the
    best one until an epoch beats it.

    Example:
        >>> custom_hooks = [dict(type='ValidateBeforeTrainHook')]
    """

    # after the checkpoint hook's before_train (VERY_LOW, registered
    # earlier), which sets up the best-checkpoint bookkeeping
    priority = 'VERY_LOW'

    def before_train(self, runner) -> None:
        if runner.val_loop is None or runner.epoch > 0 or runner.iter > 0:
            return
        runner.logger.info('validating the model before training')
        runner.val_loop.run()
