from .dataset_wrappers import *  # noqa: F401,F403
from .datasets import *  # noqa: F401,F403
from .transforms import *  # noqa: F401,F403
