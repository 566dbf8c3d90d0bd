"""``H4WRunner``: mmengine's Runner plus the h4w run policies.

* ``resume`` loads the run's own checkpoint as trusted (see
  :mod:`h4w.engine.checkpoint`), which makes ``--resume`` work on
  torch >= 2.6;
* distributed runs without CUDA use the gloo backend and wrap the model
  in DDP without ``device_ids``;
* the config text is formatted once: mmengine asks for
  ``cfg.pretty_text`` at every config log and dump, visualizer backend
  and checkpoint save, and each time yapf formats the whole config anew
  (1.5-2 s for a Hand4Whole config on a CPU core).
"""

from typing import Dict, Optional

import torch
from mmengine.config import Config
from mmengine.dist import is_distributed
from mmengine.runner import Runner

from h4w.registry import RUNNERS
from h4w.utils.dist_utils import init_cpu_dist

from .checkpoint import trusted_checkpoints


class FormatOnceConfig(Config):
    """A :class:`~mmengine.config.Config` whose ``pretty_text`` runs yapf
    once per content: the formatted text is kept with the unformatted one
    it came from (cheap to build), and formatted again only when that
    changes, so the text is always the one ``Config`` would give."""

    @property
    def pretty_text(self) -> str:
        if not self._format_python_code:
            return super().pretty_text
        # the unformatted text: what yapf would be given
        super(Config, self).__setattr__('_format_python_code', False)
        try:
            raw = super().pretty_text
        finally:
            super(Config, self).__setattr__('_format_python_code', True)
        cached = self.__dict__.get('_formatted_text')
        if cached is None or cached[0] != raw:
            cached = (raw, super().pretty_text)
            super(Config, self).__setattr__('_formatted_text', cached)
        return cached[1]

    @classmethod
    def of(cls, cfg: Config) -> 'FormatOnceConfig':
        """``cfg`` as a :class:`FormatOnceConfig` (the same contents, not
        a copy)."""
        if isinstance(cfg, cls):
            return cfg
        other = cls.__new__(cls)
        for key, value in cfg.__dict__.items():
            super(Config, other).__setattr__(key, value)
        return other


@RUNNERS.register_module()
class H4WRunner(Runner):
    """Runner used by every h4w config (``runner_type='H4WRunner'``)."""

    @property
    def cfg(self) -> Config:
        return self._cfg

    @cfg.setter
    def cfg(self, cfg: Config) -> None:
        # Runner.__init__ sets its own copy of the config
        self._cfg = FormatOnceConfig.of(cfg)

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
