"""The 1 % / 10 % COCO subsets: sampling (counts, seeds, nesting, every
annotation of a chosen image kept, checked against an independent grouping
of the original file) and the CLI (table, refusals, no silent overwrite).
The configs that train on them: tests/test_evaluation/
test_coco_subset_configs.py."""
import json
import os
import os.path as osp
import random
from collections import defaultdict

import numpy as np
import pytest

from mmpixpro.converters.coco_subset import (CocoFormatError,
                                             check_coco_instances,
                                             sample_image_ids, subset_size)
from tests.utils import REPO, load_tool_main

COCO_DIR = osp.join(REPO, 'configs', 'benchmarks', 'mmdetection', 'coco')
FULL_CONFIG = osp.join(COCO_DIR, 'mask-rcnn_r50-fpn_ms-1x_coco.py')
SUBSET_CONFIGS = {
    1: osp.join(COCO_DIR, 'mask-rcnn_r50-fpn_1pct_coco.py'),
    10: osp.join(COCO_DIR, 'mask-rcnn_r50-fpn_10pct_coco.py'),
}
COCO_TRAIN_IMAGES = 118287


def coco_subset_main(argv):
    return load_tool_main('dataset_converters', 'coco_subset.py')(argv)


def fake_instances(num_images=1000, seed=0):
    """A COCO instances dict (no pixels): 0 to 4 annotations per image
    (about a fifth of the images have none), some crowd boxes, 80
    categories of which the annotations use 12; images listed in shuffled
    id order."""
    rng = np.random.default_rng(seed)
    ids = [int(i) for i in rng.permutation(np.arange(1, num_images + 1) * 7)]
    images = [dict(id=i, file_name=f'{i:012d}.jpg', height=480, width=640)
              for i in ids]
    annotations = []
    for i in ids:
        for _ in range(int(rng.choice(5, p=[.2, .3, .2, .2, .1]))):
            annotations.append(dict(
                id=len(annotations) + 100, image_id=i,
                category_id=int(rng.integers(1, 13)),
                bbox=[1., 2., 30., 40.], area=1200.,
                iscrowd=int(rng.random() < 0.05), segmentation=[]))
    random.Random(seed).shuffle(annotations)
    return dict(info=dict(description='fake', year=2017),
                licenses=[dict(id=1, name='x', url='')], images=images,
                annotations=annotations,
                categories=[dict(id=c, name=f'c{c}') for c in range(1, 81)])


@pytest.fixture(scope='module')
def source():
    return fake_instances()


@pytest.fixture(scope='module')
def ann_file(source, tmp_path_factory):
    path = tmp_path_factory.mktemp('coco') / 'instances_train2017.json'
    path.write_text(json.dumps(source))
    return str(path)


def read(path):
    with open(path) as f:
        return json.load(f)


def image_ids(data):
    return {img['id'] for img in data['images']}


def test_subset_size_rounds():
    assert subset_size(COCO_TRAIN_IMAGES, 1) == 1183   # 1182.87
    assert subset_size(COCO_TRAIN_IMAGES, 10) == 11829  # 11828.7
    assert subset_size(1000, 1) == 10
    assert subset_size(1000, 12.5) == 125
    assert subset_size(250, 1) == 3   # 2.5: halves round up
    assert subset_size(1000, 100) == 1000
    with pytest.raises(ValueError):
        subset_size(1000, 0)
    with pytest.raises(ValueError):
        sample_image_ids(range(40), 1, seed=1)  # 0.4 images


@pytest.mark.parametrize('percent,count', [(1, 10), (10, 100), (50, 500),
                                           (100, 1000)])
def test_sample_counts(source, percent, count):
    chosen = sample_image_ids(image_ids(source), percent, seed=3)
    assert len(chosen) == len(set(chosen)) == count
    assert set(chosen) <= image_ids(source)


def test_seeds_differ_and_repeat(source):
    ids = image_ids(source)
    draws = {s: sample_image_ids(ids, 10, s) for s in (1, 2, 3, 4, 5)}
    assert len({tuple(d) for d in draws.values()}) == 5
    assert sample_image_ids(ids, 10, 1) == draws[1]
    # The draw depends on the ids, not on their order in the file.
    assert sample_image_ids(sorted(ids, reverse=True), 10, 1) == draws[1]


def test_pool_is_every_image(source):
    """Images without annotations are drawn too (the STAC / mmdet
    split_coco pool is all of ``images``)."""
    annotated = {a['image_id'] for a in source['annotations']}
    chosen = set(sample_image_ids(image_ids(source), 50, seed=1))
    assert chosen - annotated and chosen & annotated


def test_cli_writes_subsets(source, ann_file, tmp_path, capsys):
    out = tmp_path / 'semi'
    assert coco_subset_main([ann_file, str(out), '--percents', '1', '10',
                             '50', '--seeds', '1', '2']) == 0
    names = sorted(os.listdir(out))
    assert names == sorted(f'instances_train2017.{s}@{p}.json'
                           for s in (1, 2) for p in (1, 10, 50))
    # Independent grouping of the original annotations by image.
    by_image = defaultdict(list)
    for ann in source['annotations']:
        by_image[ann['image_id']].append(ann)
    table = {line.split()[0]: line.split()
             for line in capsys.readouterr().out.splitlines()}
    header = table['file']
    for seed in (1, 2):
        subsets = {}
        for percent, count in ((1, 10), (10, 100), (50, 500)):
            name = f'instances_train2017.{seed}@{percent}.json'
            data = read(out / name)
            ids = image_ids(data)
            assert len(data['images']) == len(ids) == count
            assert ids <= image_ids(source)
            expected = [a for i in ids for a in by_image[i]]
            assert sorted(data['annotations'], key=lambda a: a['id']) == \
                sorted(expected, key=lambda a: a['id'])
            for key in ('categories', 'info', 'licenses'):
                assert data[key] == source[key]
            row = dict(zip(header, table[name]))
            assert (row['seed'], row['percent']) == (str(seed), str(percent))
            assert int(row['images']) == count
            assert int(row['annotated']) == sum(1 for i in ids
                                                if by_image[i])
            assert int(row['boxes']) == len(expected)
            assert int(row['crowd']) == sum(a['iscrowd'] for a in expected)
            assert int(row['categories']) == len(
                {a['category_id'] for a in expected})
            subsets[percent] = ids
        # One permutation per seed, prefixes per percent: nested.
        assert subsets[1] < subsets[10] < subsets[50]
    source_row = dict(zip(header, table['instances_train2017.json']))
    assert int(source_row['images']) == 1000
    assert int(source_row['boxes']) == len(source['annotations'])


def test_cli_is_deterministic(ann_file, tmp_path, capsys):
    for run in ('a', 'b'):
        assert coco_subset_main([ann_file, str(tmp_path / run),
                                 '--percents', '10', '--seeds', '4']) == 0
    name = 'instances_train2017.4@10.json'
    assert (tmp_path / 'a' / name).read_bytes() == \
        (tmp_path / 'b' / name).read_bytes()


def test_cli_does_not_overwrite(ann_file, tmp_path, capsys):
    out = str(tmp_path / 'semi')
    args = [ann_file, out, '--percents', '10', '--seeds', '1']
    assert coco_subset_main(args) == 0
    path = osp.join(out, 'instances_train2017.1@10.json')
    with open(path, 'w') as f:
        f.write('sentinel')
    capsys.readouterr()
    assert coco_subset_main(args) == 1
    err = capsys.readouterr().err
    assert 'exist' in err and '--force' in err
    assert open(path).read() == 'sentinel'
    assert coco_subset_main(args + ['--force']) == 0
    assert len(read(path)['images']) == 100


def captions_file():
    return dict(images=[dict(id=1, file_name='a.jpg')],
                annotations=[dict(id=1, image_id=1, caption='a cat')])


@pytest.mark.parametrize('content,message', [
    ('not json {', 'not a JSON file'),
    (json.dumps([1, 2]), 'JSON object'),
    (json.dumps(dict(captions_file(), categories=[])), 'captions'),
    (json.dumps(captions_file()), 'categories'),
    (json.dumps(dict(images=[], annotations=[], categories=[])),
     'images" is empty'),
    (json.dumps(dict(images=[dict(id=1)], categories=[], annotations=[
        dict(id=1, image_id=2, bbox=[0, 0, 1, 1], category_id=1)])),
     'not in "images"'),
    (json.dumps(dict(images=[dict(id=1), dict(id=1)], annotations=[],
                     categories=[])), 'not unique'),
])
def test_cli_refuses_non_instances_file(tmp_path, capsys, content, message):
    bad = tmp_path / 'instances_train2017.json'
    bad.write_text(content)
    out = tmp_path / 'semi'
    assert coco_subset_main([str(bad), str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith('error:') and message in err, err
    assert 'nothing written' in err and not out.exists()


def test_cli_refuses_missing_file_and_empty_subset(ann_file, tmp_path,
                                                   capsys):
    out = tmp_path / 'semi'
    assert coco_subset_main([str(tmp_path / 'none.json'), str(out)]) == 1
    assert coco_subset_main([ann_file, str(out), '--percents', '0.01']) == 1
    err = capsys.readouterr().err
    assert 'No such file' in err and 'no image' in err
    assert not out.exists()


def test_check_accepts_generated_coco(tmp_path):
    from tests.utils.generated_coco import write_coco
    root = write_coco(str(tmp_path / 'coco'), splits=(('train2017', 2), ))
    check_coco_instances(read(osp.join(root, 'annotations',
                                       'instances_train2017.json')))
    with pytest.raises(CocoFormatError):
        check_coco_instances(captions_file())
