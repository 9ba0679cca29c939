"""A dataset of every image under a folder, without labels or annotations."""
import os.path as osp
from typing import Sequence

from mmpretrain.datasets import CustomDataset

from mmpixpro.registry import DATASETS

IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif',
                  '.tiff', '.webp')


@DATASETS.register_module()
class UnlabeledImageFolder(CustomDataset):
    """All images below ``data_root/data_prefix``, searched recursively (an
    ImageNet ``train`` folder, COCO ``train2017``, any folder of photos).

    A missing folder, or one with no image in it, fails when the dataset is
    built (before training starts) with an error naming the path.

    Args:
        data_root: the dataset's root folder.
        data_prefix: sub-folder holding the images ('' for the root itself).
        extensions: file name endings (case-insensitive) taken as images.
        pipeline: the data pipeline.
    """

    def __init__(self,
                 data_root: str = '',
                 data_prefix: str = '',
                 extensions: Sequence[str] = IMG_EXTENSIONS,
                 pipeline: Sequence = (),
                 **kwargs) -> None:
        folder = osp.join(data_root, data_prefix)
        if not osp.isdir(folder):
            raise FileNotFoundError(
                f'UnlabeledImageFolder: data folder "{folder}" does not exist '
                '(set data_root / data_prefix to a folder of images)')
        try:
            super().__init__(
                data_root=data_root,
                data_prefix=data_prefix,
                ann_file='',
                with_label=False,
                extensions=tuple(extensions),
                pipeline=pipeline,
                **kwargs)
        except RuntimeError as e:
            if 'Found 0 files' not in str(e):
                raise
            raise FileNotFoundError(
                f'UnlabeledImageFolder: no image in "{folder}" (searched '
                f'recursively for {", ".join(extensions)})') from None
