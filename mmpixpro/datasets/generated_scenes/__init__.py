"""Generated scenes: the main job's data and the tests' (nothing is
downloaded)."""
from .generator import (IGNORE_INDEX, OBJECT_CLASSES, SCENE_CLASSES,
                        SCENE_PALETTE, SEG_METAINFO, TEXTURE_MODES,
                        VOC_METAINFO, Instance, Scene, generate_scene, scene)
from .writers import (SCENES_MARKER, scene_set_changes, scene_set_settings,
                      write_cityscapes_scenes, write_scene_datasets,
                      write_unlabeled_folder, write_voc_scenes)

__all__ = [
    'IGNORE_INDEX', 'OBJECT_CLASSES', 'SCENE_CLASSES', 'SCENE_PALETTE',
    'SEG_METAINFO', 'TEXTURE_MODES', 'VOC_METAINFO', 'Instance', 'Scene',
    'SCENES_MARKER', 'generate_scene', 'scene', 'scene_set_changes',
    'scene_set_settings', 'write_cityscapes_scenes', 'write_scene_datasets',
    'write_unlabeled_folder', 'write_voc_scenes'
]
