"""The ``mmpixpro`` registry scope.

Every registry here is a child of mmpretrain's registry of the same kind, so a
config with ``default_scope='mmpixpro'`` reaches mmpretrain's (and through it
mmengine's and mmcv's) modules by their plain names: ``ResNet``, ``LARS``,
``CosineEMA``, ``RandomApply``, ``PackInputs`` ...
"""
from mmengine.registry import Registry
from mmpretrain import registry as mmpretrain_registry

__all__ = [
    'RUNNERS', 'RUNNER_CONSTRUCTORS', 'LOOPS', 'HOOKS', 'LOG_PROCESSORS',
    'OPTIMIZERS', 'OPTIM_WRAPPERS', 'OPTIM_WRAPPER_CONSTRUCTORS',
    'PARAM_SCHEDULERS', 'DATASETS', 'DATA_SAMPLERS', 'TRANSFORMS', 'MODELS',
    'MODEL_WRAPPERS', 'WEIGHT_INITIALIZERS', 'BATCH_AUGMENTS', 'TASK_UTILS',
    'METRICS', 'EVALUATORS', 'VISUALIZERS', 'VISBACKENDS'
]


def _child(name: str, location: str = None) -> Registry:
    parent = getattr(mmpretrain_registry, name)
    return Registry(
        parent.name,
        parent=parent,
        scope='mmpixpro',
        locations=[location] if location else None)


RUNNERS = _child('RUNNERS', 'mmpixpro.engine')
RUNNER_CONSTRUCTORS = _child('RUNNER_CONSTRUCTORS', 'mmpixpro.engine')
LOOPS = _child('LOOPS', 'mmpixpro.engine')
HOOKS = _child('HOOKS', 'mmpixpro.engine')
LOG_PROCESSORS = _child('LOG_PROCESSORS', 'mmpixpro.engine')
OPTIMIZERS = _child('OPTIMIZERS', 'mmpixpro.engine')
OPTIM_WRAPPERS = _child('OPTIM_WRAPPERS', 'mmpixpro.engine')
OPTIM_WRAPPER_CONSTRUCTORS = _child('OPTIM_WRAPPER_CONSTRUCTORS',
                                    'mmpixpro.engine')
PARAM_SCHEDULERS = _child('PARAM_SCHEDULERS', 'mmpixpro.engine')
DATASETS = _child('DATASETS', 'mmpixpro.datasets')
DATA_SAMPLERS = _child('DATA_SAMPLERS', 'mmpixpro.datasets')
TRANSFORMS = _child('TRANSFORMS', 'mmpixpro.datasets')
MODELS = _child('MODELS', 'mmpixpro.models')
MODEL_WRAPPERS = _child('MODEL_WRAPPERS', 'mmpixpro.models')
WEIGHT_INITIALIZERS = _child('WEIGHT_INITIALIZERS', 'mmpixpro.models')
BATCH_AUGMENTS = _child('BATCH_AUGMENTS', 'mmpixpro.models')
TASK_UTILS = _child('TASK_UTILS', 'mmpixpro.models')
# mmpixpro adds no metric or visualizer: these find mmpretrain's.
METRICS = _child('METRICS', 'mmpretrain.evaluation')
EVALUATORS = _child('EVALUATORS', 'mmpretrain.evaluation')
VISUALIZERS = _child('VISUALIZERS', 'mmpretrain.visualization')
VISBACKENDS = _child('VISBACKENDS', 'mmpretrain.visualization')
