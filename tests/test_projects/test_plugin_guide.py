"""The plugin guide (``projects/README.md``) works as written: its
walkthrough's files, copied out of the page into a fresh tree (the
repository's configs, tools and package, an empty ``projects/``), give a
plugin whose own tests pass and that trains (and validates) with the
normal tools, loaded by ``custom_imports`` alone."""

import os
import os.path as osp
import re
import shutil
import subprocess
import sys

import pytest

from h4w.engine.checkpoint import load_checkpoint_file
from h4w.synthetic import make_synthetic_dataset

from tests.conftest import REPO_ROOT

GUIDE = osp.join(REPO_ROOT, 'projects', 'README.md')
WALKTHROUGH = '## Your first project in five steps'
CONFIG = 'projects/my_project/configs/tiny-backbone_quickstart.py'
#: One epoch of one iteration, no worker processes.
TINY = (
    'train_dataloader.batch_size=2',
    'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'val_dataloader.num_workers=0',
    'val_dataloader.persistent_workers=False',
    'train_cfg.max_epochs=1',
    'default_hooks.logger.interval=1',
    'custom_hooks=[]',  # no validation before training
    'default_hooks.checkpoint.save_optimizer=False',
)


def walkthrough_blocks():
    """(language, code) of the fenced blocks of the walkthrough."""
    text = open(GUIDE).read()
    start = text.index(WALKTHROUGH)
    end = text.index('\n## ', start + len(WALKTHROUGH))
    return re.findall(r'```(\w+)\n(.*?)```', text[start:end], re.S)


def run(args, cwd, timeout=600):
    """Run ``args`` in ``cwd`` with only ``cwd`` on PYTHONPATH (the tree
    the test built), failing with the output."""
    env = dict(os.environ, PYTHONPATH=str(cwd), PYTHONWARNINGS='ignore')
    proc = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        pytest.fail(f'{" ".join(args)} failed:\n{output[-5000:]}')
    return output


@pytest.fixture
def tree(tmp_path, human_model_root):
    """A checkout without projects: the repository's package, configs and
    tools, the test set-up, and the quick start's data at its default
    paths (``data/human_model_files``, ``data/synthetic``)."""
    root = tmp_path / 'checkout'
    root.mkdir()
    for name in ('h4w', 'configs', 'tools', 'conftest.py', 'pyproject.toml'):
        os.symlink(osp.join(REPO_ROOT, name), root / name)
    (root / 'projects').mkdir()
    shutil.copy(
        osp.join(REPO_ROOT, 'projects', '__init__.py'), root / 'projects'
    )
    (root / 'data').mkdir()
    os.symlink(human_model_root, root / 'data' / 'human_model_files')
    make_synthetic_dataset(
        str(root / 'data' / 'synthetic'),
        human_model_root,
        num_train=2,
        num_val=1,
        progress=False,
    )
    return root


def test_guide_walkthrough_trains_and_tests(tree):
    blocks = walkthrough_blocks()
    written = []
    for lang, code in blocks:
        first = code.splitlines()[0]
        if lang == 'bash' and first.startswith('mkdir -p projects/'):
            run(['bash', '-euc', code], tree)  # step 1: folders, inits
        elif lang == 'python' and first.startswith('# projects/'):
            path = tree / first[2:].strip()
            assert path.parent.is_dir(), f'step 1 does not create {path}'
            path.write_text(code)
            written.append(first[2:].strip())
    assert set(written) == {
        'projects/my_project/models/tiny_backbone.py',
        'projects/my_project/models/__init__.py',
        'projects/my_project/configs/tiny-backbone_quickstart.py',
        'projects/my_project/tests/test_tiny_backbone.py',
    }

    # step 4: the plugin's own test, as the guide runs it
    out = run(
        [
            sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider',
            '-n', '0', 'projects/my_project',
        ],
        tree,
    )  # fmt: skip
    assert '1 passed' in out

    # step 5: train (and validate) with the normal tools, default data
    # paths; tools/test.py runs plugin configs in the example project's
    # tests
    log = run(
        [sys.executable, 'tools/train.py', CONFIG, '--cfg-options', *TINY],
        tree,
    )
    assert 'Epoch(train) [1][1/1]' in log
    assert 'loss_smplx_pose' in log and 'Synthetic/PA-MPVPE_all' in log
    ckpt = tree / 'work_dirs' / 'tiny-backbone_quickstart' / 'epoch_1.pth'
    weights = load_checkpoint_file(str(ckpt), 'cpu', trusted=True)
    weights = weights['state_dict']
    # the body trunk is the plugin's: five conv blocks, C = 512
    assert weights['backbone.layers.0.weight'].shape == (32, 3, 3, 3)
    assert weights['backbone.layers.12.weight'].shape == (512, 256, 3, 3)
    assert not any(k.startswith('backbone.conv1') for k in weights)
