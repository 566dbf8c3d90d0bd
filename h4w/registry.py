"""Every h4w registry.

Each registry is a child of the mmengine root registry of the same kind,
so ``type='Adam'`` or ``type='EpochBasedTrainLoop'`` keep working from
h4w configs, and each names the sub-packages that register into it
(``locations``) so that building a config imports only what it needs.
Registries with an empty ``locations`` have no h4w member yet. Plugins
register through ``custom_imports``. ``KEYPOINT_CODECS`` (crop geometry)
and ``PERSON_DETECTORS`` (inference-time sources of person boxes) are
h4w's own, root-less registries, as mmpose's ``KEYPOINT_CODECS``.
"""

from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import INFERENCERS as MMENGINE_INFERENCERS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import (
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
)
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import (
    RUNNER_CONSTRUCTORS as MMENGINE_RUNNER_CONSTRUCTORS,
)
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TASK_UTILS as MMENGINE_TASK_UTILS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import (
    WEIGHT_INITIALIZERS as MMENGINE_WEIGHT_INITIALIZERS,
)
from mmengine.registry import Registry

# Runner, loops, hooks and logging
RUNNERS = Registry('runner', parent=MMENGINE_RUNNERS, locations=['h4w.engine'])
RUNNER_CONSTRUCTORS = Registry(
    'runner constructor',
    parent=MMENGINE_RUNNER_CONSTRUCTORS,
    locations=['h4w.engine'],
)
LOOPS = Registry('loop', parent=MMENGINE_LOOPS, locations=['h4w.engine'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, locations=['h4w.engine'])
LOG_PROCESSORS = Registry(
    'log processor', parent=MMENGINE_LOG_PROCESSORS, locations=['h4w.engine']
)

# Data
DATASETS = Registry(
    'dataset', parent=MMENGINE_DATASETS, locations=['h4w.datasets']
)
DATA_SAMPLERS = Registry(
    'data sampler', parent=MMENGINE_DATA_SAMPLERS, locations=['h4w.datasets']
)
TRANSFORMS = Registry(
    'transform', parent=MMENGINE_TRANSFORMS, locations=['h4w.datasets']
)

# Crop geometry: not an mmengine concept, so no parent (as mmpose's)
KEYPOINT_CODECS = Registry('KEYPOINT_CODECS', locations=['h4w.codecs'])

# Person boxes for inference (json files, the whole frame, ONNX
# detectors): plain callables, not nn.Modules nor model internals, so
# neither MODELS nor TASK_UTILS; no mmengine counterpart, hence no parent
PERSON_DETECTORS = Registry(
    'person detector', locations=['h4w.apis.detectors']
)

# Models: every nn.Module (backbones, heads, body models, RoI crops,
# losses, data preprocessors, estimators)
MODELS = Registry('model', parent=MMENGINE_MODELS, locations=['h4w.models'])
MODEL_WRAPPERS = Registry(
    'model wrapper', parent=MMENGINE_MODEL_WRAPPERS, locations=['h4w.models']
)
WEIGHT_INITIALIZERS = Registry(
    'weight initializer',
    parent=MMENGINE_WEIGHT_INITIALIZERS,
    locations=['h4w.models'],
)

# Optimisation
OPTIMIZERS = Registry(
    'optimizer', parent=MMENGINE_OPTIMIZERS, locations=['h4w.engine']
)
OPTIM_WRAPPERS = Registry(
    'optim wrapper', parent=MMENGINE_OPTIM_WRAPPERS, locations=['h4w.engine']
)
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
    locations=['h4w.engine'],
)
PARAM_SCHEDULERS = Registry(
    'parameter scheduler',
    parent=MMENGINE_PARAM_SCHEDULERS,
    locations=['h4w.engine'],
)

# Evaluation
METRICS = Registry(
    'metric', parent=MMENGINE_METRICS, locations=['h4w.evaluation']
)
EVALUATOR = Registry('evaluator', parent=MMENGINE_EVALUATOR, locations=[])

# Visualisation
VISUALIZERS = Registry(
    'visualizer',
    parent=MMENGINE_VISUALIZERS,
    locations=['h4w.visualization.mesh_visualizer'],
)
VISBACKENDS = Registry(
    'vis backend', parent=MMENGINE_VISBACKENDS, locations=[]
)

# Misc
TASK_UTILS = Registry(
    'task util', parent=MMENGINE_TASK_UTILS, locations=['h4w.models']
)
INFERENCERS = Registry('inferencer', parent=MMENGINE_INFERENCERS, locations=[])
FUNCTIONS = Registry('function', parent=MMENGINE_FUNCTIONS, locations=[])

__all__ = [
    'RUNNERS',
    'RUNNER_CONSTRUCTORS',
    'LOOPS',
    'HOOKS',
    'LOG_PROCESSORS',
    'DATASETS',
    'DATA_SAMPLERS',
    'TRANSFORMS',
    'KEYPOINT_CODECS',
    'PERSON_DETECTORS',
    'MODELS',
    'MODEL_WRAPPERS',
    'WEIGHT_INITIALIZERS',
    'OPTIMIZERS',
    'OPTIM_WRAPPERS',
    'OPTIM_WRAPPER_CONSTRUCTORS',
    'PARAM_SCHEDULERS',
    'METRICS',
    'EVALUATOR',
    'VISUALIZERS',
    'VISBACKENDS',
    'TASK_UTILS',
    'INFERENCERS',
    'FUNCTIONS',
]
