from .image_folder import UnlabeledImageFolder
from .scenes import (SCENE_CLASSES, SEG_METAINFO, VOC_METAINFO, Scene,
                     generate_scene, scene, write_cityscapes_scenes,
                     write_unlabeled_folder, write_voc_scenes)
from .transforms import *  # noqa: F401,F403

__all__ = ['UnlabeledImageFolder']
__all__ += [
    'SCENE_CLASSES', 'SEG_METAINFO', 'VOC_METAINFO', 'Scene', 'generate_scene',
    'scene', 'write_cityscapes_scenes', 'write_unlabeled_folder',
    'write_voc_scenes'
]
