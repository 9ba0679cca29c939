from .photometric_params import NUM_PARAMS, PARAM_INDEX, PARAM_NAMES

__all__ = ['PARAM_NAMES', 'PARAM_INDEX', 'NUM_PARAMS']
