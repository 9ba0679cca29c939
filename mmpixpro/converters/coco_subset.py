"""Labelled subsets of COCO instance annotations (1 %, 10 %, ... of train2017)
for the label-scarce detection benchmarks.

Sampling (the convention of STAC and mmdet's ``tools/misc/split_coco.py``,
whose files the Unbiased-Teacher / SoftTeacher configs read):

- the pool is every entry of ``images``, annotated or not (train2017 has
  1,021 images without annotations; mmdet's training filter drops them
  later, as it does for the full set);
- ``round(percent / 100 * len(images))`` images (halves round up), drawn
  without replacement with ``numpy.random.default_rng(seed)``: one
  permutation of the image ids sorted ascending per seed, of which every
  percent takes a prefix, so for one seed the 1 % subset lies inside the
  10 % one, and the draw does not depend on the order of ``images`` in the
  file. (STAC and mmdet draw ``int(p * n)`` indices with replacement, so
  their 1 % files hold ~1,176 distinct images, not 1,183.)
- the subset keeps every annotation of a chosen image and no other, in the
  original order, plus ``info``, ``licenses`` and all ``categories``.

Same file and seed give a byte-identical output file. The draw relies on
numpy's PCG64 stream, which numpy does not promise to keep across major
versions: keep the written files, not just the seed, to share a split.
"""
import json
import math
import os
import os.path as osp
from typing import Dict, Iterable, List, Sequence

import numpy as np

__all__ = [
    'CocoFormatError', 'load_coco_instances', 'check_coco_instances',
    'subset_size', 'sample_image_ids', 'make_subset', 'subset_stats',
    'subset_file_name', 'write_subsets'
]


class CocoFormatError(ValueError):
    """The file is not a COCO instances annotation file."""


def check_coco_instances(data) -> None:
    """Raise :class:`CocoFormatError` unless ``data`` looks like a COCO
    instances file: lists ``images`` (unique ``id``), ``annotations`` (each
    with ``image_id`` of a listed image, ``bbox``, ``category_id``) and
    ``categories``."""
    if not isinstance(data, dict):
        raise CocoFormatError(
            f'expected a JSON object, found a {type(data).__name__}')
    missing = [k for k in ('images', 'annotations', 'categories')
               if not isinstance(data.get(k), list)]
    if missing:
        raise CocoFormatError(
            f'no list {missing} (found keys {sorted(data)}); a COCO '
            'instances file has images, annotations and categories')
    if not data['images']:
        raise CocoFormatError('"images" is empty')
    ids = [img.get('id') if isinstance(img, dict) else None
           for img in data['images']]
    if any(not isinstance(i, int) for i in ids):
        raise CocoFormatError('every image needs an integer "id"')
    if len(set(ids)) != len(ids):
        raise CocoFormatError('image ids are not unique')
    known = set(ids)
    for ann in data['annotations']:
        if not isinstance(ann, dict) or not {'image_id', 'bbox',
                                             'category_id'} <= set(ann):
            raise CocoFormatError(
                'an annotation without image_id, bbox and category_id '
                f'(a captions file?): {str(ann)[:120]}')
        if ann['image_id'] not in known:
            raise CocoFormatError(
                f'annotation {ann.get("id")} refers to image '
                f'{ann["image_id"]}, which is not in "images"')


def load_coco_instances(path: str) -> dict:
    """Read and check a COCO instances file."""
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CocoFormatError(f'not a JSON file ({e})') from None
    check_coco_instances(data)
    return data


def subset_size(num_images: int, percent: float) -> int:
    """``round(percent / 100 * num_images)``, halves rounded up."""
    if not 0 < percent <= 100:
        raise ValueError(f'percent must be in (0, 100], got {percent}')
    return int(math.floor(num_images * percent / 100 + 0.5))


def sample_image_ids(image_ids: Iterable[int], percent: float,
                     seed: int) -> List[int]:
    """The sorted ids of ``subset_size(len(ids), percent)`` images: the
    first ones of a permutation of the sorted ids drawn with
    ``default_rng(seed)``, so for one seed a smaller percent is a subset."""
    ids = np.array(sorted(image_ids), dtype=np.int64)
    count = subset_size(len(ids), percent)
    if count == 0:
        raise ValueError(f'{percent}% of {len(ids)} images is no image')
    order = np.random.default_rng(seed).permutation(len(ids))
    return sorted(ids[order[:count]].tolist())


def make_subset(data: dict, image_ids: Iterable[int]) -> dict:
    """The annotation file restricted to ``image_ids``: their images and all
    their annotations (original order), every category, info, licenses."""
    keep = set(image_ids)
    out = {k: data[k] for k in ('info', 'licenses') if k in data}
    out['images'] = [img for img in data['images'] if img['id'] in keep]
    out['annotations'] = [a for a in data['annotations']
                          if a['image_id'] in keep]
    out['categories'] = data['categories']
    return out


def subset_stats(data: dict) -> Dict[str, int]:
    """Counts of an annotation file: images, images with at least one
    annotation, boxes (annotations), crowd boxes, categories present."""
    anns = data['annotations']
    return dict(
        images=len(data['images']),
        annotated=len({a['image_id'] for a in anns}),
        boxes=len(anns),
        crowd=sum(1 for a in anns if a.get('iscrowd', 0)),
        categories=len({a['category_id'] for a in anns}))


def subset_file_name(stem: str, seed: int, percent: float) -> str:
    """``{stem}.{seed}@{percent}.json``, e.g. ``instances_train2017.1@10.json``
    (the STAC / Unbiased-Teacher / SoftTeacher naming)."""
    return f'{stem}.{seed}@{percent:g}.json'


def write_subsets(data: dict, out_dir: str, percents: Sequence[float],
                  seeds: Sequence[int], stem: str = 'instances_train2017',
                  force: bool = False) -> List[dict]:
    """Write one file per (seed, percent) to ``out_dir``; return one row per
    file: ``path``, ``seed``, ``percent`` and :func:`subset_stats`. Refuses
    (``FileExistsError``, nothing written) when a file exists and not
    ``force``."""
    jobs = [(seed, p, osp.join(out_dir, subset_file_name(stem, seed, p)))
            for seed in seeds for p in percents]
    existing = [path for _, _, path in jobs if osp.exists(path)]
    if existing and not force:
        raise FileExistsError(
            f'{len(existing)} output file(s) exist, e.g. {existing[0]}')
    all_ids = [img['id'] for img in data['images']]
    for p in percents:  # every size is valid before anything is written
        if subset_size(len(all_ids), p) == 0:
            raise ValueError(f'{p}% of {len(all_ids)} images is no image')
    os.makedirs(out_dir, exist_ok=True)
    rows = []
    for seed, p, path in jobs:
        subset = make_subset(data, sample_image_ids(all_ids, p, seed))
        tmp = path + '.part'
        with open(tmp, 'w', encoding='utf-8') as f:
            json.dump(subset, f)
        os.replace(tmp, path)
        rows.append(dict(path=path, seed=seed, percent=p,
                         **subset_stats(subset)))
    return rows
