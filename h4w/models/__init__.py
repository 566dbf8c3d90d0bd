# Every pretrained load of a model (`init_cfg`, `load_from`) goes through
# h4w's checkpoint trust policy: importing it installs it in mmengine.
from h4w.engine import checkpoint as _checkpoint_policy  # noqa: F401

from .backbones import *  # noqa: F401,F403
from .body_models import *  # noqa: F401,F403
from .data_preprocessors import *  # noqa: F401,F403
from .estimators import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .task_modules import *  # noqa: F401,F403
from .utils import *  # noqa: F401,F403
