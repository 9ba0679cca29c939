from .dense_probe import (FORMATS, IGNORE_INDEX, DenseData, build_backbone,
                          confusion_matrix, dense_probe, extract_features,
                          fit_linear_probe, knn_predict, label_grid,
                          load_pairs, load_split, num_classes_in,
                          read_backbone_weights, read_split, run_probe,
                          segmentation_scores)

__all__ = [
    'FORMATS', 'IGNORE_INDEX', 'DenseData', 'read_split', 'load_pairs',
    'load_split', 'num_classes_in', 'read_backbone_weights', 'build_backbone',
    'label_grid', 'extract_features', 'fit_linear_probe', 'knn_predict',
    'confusion_matrix', 'segmentation_scores', 'dense_probe', 'run_probe'
]
