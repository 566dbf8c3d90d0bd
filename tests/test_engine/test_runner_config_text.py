"""H4WRunner formats its config text once (``FormatOnceConfig``): the
text is always the one mmengine's ``Config`` gives, yapf runs once per
content, and a change to the config is seen."""

import copy
import os.path as osp
import pickle

from mmengine.config import Config

from h4w.engine.runner import FormatOnceConfig

from tests.conftest import REPO_ROOT

CONFIG = osp.join(REPO_ROOT, 'configs/quickstart/pose_lifter_smoke.py')


def test_same_text_formatted_once_and_again_after_a_change(monkeypatch):
    import mmengine.config.config as config_module

    calls = []
    format_code = config_module.FormatCode

    def counted(*args, **kwargs):
        calls.append(1)
        return format_code(*args, **kwargs)

    monkeypatch.setattr(config_module, 'FormatCode', counted)
    plain = Config.fromfile(CONFIG)
    cfg = FormatOnceConfig.of(copy.deepcopy(plain))
    assert FormatOnceConfig.of(cfg) is cfg
    assert isinstance(cfg, Config) and cfg.to_dict() == plain.to_dict()
    calls.clear()
    assert cfg.pretty_text == plain.pretty_text
    assert len(calls) == 2  # once each
    assert cfg.pretty_text == cfg.pretty_text == plain.pretty_text
    assert len(calls) == 3  # plain's second time only
    cfg.train_cfg.max_epochs = 7
    plain.train_cfg.max_epochs = 7
    assert 'max_epochs=7' in cfg.pretty_text
    assert cfg.pretty_text == plain.pretty_text
    assert len(calls) == 5
    # copies and pickles keep the class; the text stays right
    assert isinstance(copy.copy(cfg), FormatOnceConfig)
    for other in (copy.deepcopy(cfg), pickle.loads(pickle.dumps(cfg))):
        assert isinstance(other, FormatOnceConfig)
        assert other.pretty_text == plain.pretty_text
        other.train_cfg.max_epochs = 9
        assert 'max_epochs=9' in other.pretty_text
    assert cfg.pretty_text == plain.pretty_text


def test_runner_keeps_its_config_as_format_once(tmp_path, human_model_root):
    from h4w.engine import H4WRunner

    cfg = Config.fromfile(CONFIG)
    cfg.work_dir = str(tmp_path)
    cfg.model.body_model.model_path = human_model_root
    cfg.visualizer.name = str(tmp_path)
    runner = H4WRunner.from_cfg(cfg)
    assert isinstance(runner.cfg, FormatOnceConfig)
    assert runner.cfg.pretty_text == Config(runner.cfg.to_dict()).pretty_text
