"""Evaluation of pre-trained weights: the dense probe (linear and kNN
segmentation scores of a frozen backbone) and the check that they arrive
in downstream models."""
from mmpixpro.converters import read_backbone_weights
from .dense_data import (FORMATS, IGNORE_INDEX, DenseData, load_pairs,
                         load_split, num_classes_in, read_split)
from .dense_features import extract_features, label_grid
from .dense_probe import (check_num_classes, check_probe_settings,
                          dense_probe, run_probe)
from .probe_backbone import build_backbone
from .probes import fit_linear_probe, knn_predict
from .segmentation_metrics import confusion_matrix, segmentation_scores
from .weight_check import (NEW_MODULES, PretrainedWeightsCheckHook,
                           build_downstream_model, check_config_weights,
                           check_pretrained_weights, check_transfer_weights,
                           set_pretrained)

__all__ = [
    'FORMATS', 'IGNORE_INDEX', 'DenseData', 'read_split', 'load_pairs',
    'load_split', 'num_classes_in', 'read_backbone_weights', 'build_backbone',
    'label_grid', 'extract_features', 'fit_linear_probe', 'knn_predict',
    'confusion_matrix', 'segmentation_scores', 'check_probe_settings',
    'check_num_classes', 'dense_probe', 'run_probe', 'NEW_MODULES',
    'set_pretrained', 'build_downstream_model', 'check_pretrained_weights',
    'check_config_weights', 'check_transfer_weights',
    'PretrainedWeightsCheckHook'
]
