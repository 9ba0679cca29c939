"""Generated data for the main job and the tests (nothing is downloaded)."""
from .scenes import (OBJECT_CLASSES, SCENE_CLASSES, SEG_METAINFO,
                     VOC_METAINFO, Scene, generate_scene, random_shapes_image,
                     scene, write_cityscapes_scenes, write_image_folder,
                     write_scene_datasets, write_unlabeled_folder,
                     write_voc_scenes)

__all__ = [
    'OBJECT_CLASSES', 'SCENE_CLASSES', 'SEG_METAINFO', 'VOC_METAINFO', 'Scene',
    'generate_scene', 'random_shapes_image', 'scene',
    'write_cityscapes_scenes', 'write_image_folder', 'write_scene_datasets',
    'write_unlabeled_folder', 'write_voc_scenes'
]
