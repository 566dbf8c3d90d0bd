"""``H4WRunner``: mmengine's Runner plus the h4w run policies.

* ``resume`` loads the run's own checkpoint as trusted (see
  :mod:`h4w.engine.checkpoint`), which makes ``--resume`` work on
  torch >= 2.6;
* distributed runs without CUDA use the gloo backend and wrap the model
  in DDP without ``device_ids``.
"""

from typing import Dict, Optional

import torch
from mmengine.dist import is_distributed
from mmengine.runner import Runner

from h4w.registry import RUNNERS
from h4w.utils.dist_utils import init_cpu_dist

from .checkpoint import trusted_checkpoints


@RUNNERS.register_module()
class H4WRunner(Runner):
    """Runner used by every h4w config (``runner_type='H4WRunner'``)."""

    def setup_env(self, env_cfg: Dict) -> None:
        if (
            self.distributed
            and not is_distributed()
            and not torch.cuda.is_available()
        ):
            # init_cpu_dist turns the configured nccl into gloo
            init_cpu_dist(self.launcher, **env_cfg.get('dist_cfg', {}))
        super().setup_env(env_cfg)

    def wrap_model(
        self, model_wrapper_cfg: Optional[Dict], model: torch.nn.Module
    ) -> torch.nn.Module:
        if self.distributed and not torch.cuda.is_available():
            # DDP of a CPU module takes no device_ids; mmengine passes the
            # local rank unless the config sets them.
            model_wrapper_cfg = dict(model_wrapper_cfg or {})
            model_wrapper_cfg.setdefault('type', 'MMDistributedDataParallel')
            model_wrapper_cfg.setdefault('device_ids', None)
            model_wrapper_cfg.setdefault('broadcast_buffers', False)
            model_wrapper_cfg.setdefault(
                'find_unused_parameters',
                self.cfg.get('find_unused_parameters', False),
            )
        return super().wrap_model(model_wrapper_cfg, model)

    def resume(self, filename: str, *args, **kwargs) -> None:
        """Resume from a checkpoint this run (or an earlier run of the
        same work dir) wrote; it is trusted and unpickled in full."""
        with trusted_checkpoints():
            super().resume(filename, *args, **kwargs)
