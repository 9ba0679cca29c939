"""The dense probe against independent computations: scores and kNN by
loops over pixels, probes on features that do / do not encode the labels,
every checkpoint kind, both data layouts and the CLI."""
import copy
import importlib.util
import json
import math
import os

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config
from PIL import Image

from mmpixpro.converters import CheckpointFormatError
from mmpixpro.evaluation import (DenseData, build_backbone, confusion_matrix,
                                 dense_probe, fit_linear_probe, knn_predict,
                                 load_split, num_classes_in, read_split,
                                 run_probe, segmentation_scores)
from mmpixpro.registry import MODELS
from tests.conftest import DEMO_CONFIG, load_tool_main

probe_cli = load_tool_main('analysis', 'dense_probe.py')
extract = load_tool_main('model_converters', 'extract_backbone_weights.py')

# ------------------------------------------------------------- scores


def brute_force_scores(pred, gt, num_classes, ignore=255):
    """mIoU / accuracy in percent by a loop over pixels and classes."""
    inter, union = [0] * num_classes, [0] * num_classes
    correct = total = 0
    for p, g in zip(pred.reshape(-1).tolist(), gt.reshape(-1).tolist()):
        if g == ignore or g >= num_classes:
            continue
        total += 1
        correct += p == g
        for c in range(num_classes):
            inter[c] += p == c and g == c
            union[c] += p == c or g == c
    ious = [i / u for i, u in zip(inter, union) if u > 0]
    return 100 * sum(ious) / len(ious), 100 * correct / total


def test_scores_match_brute_force():
    g = torch.Generator().manual_seed(0)
    num_classes = 6
    gt = torch.randint(0, 4, (3, 9, 11), generator=g)  # 4, 5 never in gt
    pred = torch.randint(0, 5, (3, 9, 11), generator=g)  # 4 predicted only
    gt[0, :3] = 255  # ignored, whatever is predicted there
    gt[1, 0, :4] = 7  # a label >= num_classes is ignored too
    pred[0, :3] = 5  # class 5 is predicted on ignored pixels only
    scores = segmentation_scores(confusion_matrix(pred, gt, num_classes))
    miou, acc = brute_force_scores(pred, gt, num_classes)
    assert scores['mIoU'] == pytest.approx(miou)
    assert scores['aAcc'] == pytest.approx(acc)
    assert scores['IoU'][5] is None and scores['IoU'][4] == 0.0


# ------------------------------------------------------ probes and kNN


def pixels(num, num_classes, informative, seed):
    """Balanced labels (P, ) and features (P, 16): a noisy one-hot of the
    label in the first channels, or noise independent of the labels."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(num) % num_classes
    x = torch.randn(num, 16, generator=g)
    if informative:
        x[:, :num_classes] = 0.3 * x[:, :num_classes] + 3 * F.one_hot(
            y, num_classes)
    return x, y


@pytest.mark.parametrize('informative', [True, False])
def test_probes_score_what_the_features_encode(informative):
    num_classes = 4
    x, y = pixels(4000, num_classes, informative, seed=0)
    xv, yv = pixels(4000, num_classes, informative, seed=1)
    x = x * 5 + 2  # the probe standardises: scale and offset do not matter
    xv = xv * 5 + 2
    linear = fit_linear_probe(x, y, num_classes, epochs=5, batch_size=256,
                              seed=0)
    preds = dict(
        linear=linear(xv).argmax(1),
        knn=knn_predict(x - 2, y, xv - 2, num_classes, k=20))
    for name, pred in preds.items():
        scores = segmentation_scores(confusion_matrix(pred, yv, num_classes))
        if informative:
            assert scores['mIoU'] > 90 and scores['aAcc'] > 95, name
        else:
            # Predictions independent of balanced labels: class c, predicted
            # with frequency q, has expected IoU q / (1 + (C - 1) q), whose
            # mean over classes is largest for uniform q: 1 / (2C - 1).
            assert scores['mIoU'] < 100 / (2 * num_classes - 1) + 4, name
            assert scores['aAcc'] < 100 / num_classes + 4, name


def test_knn_matches_brute_force():
    g = torch.Generator().manual_seed(0)
    bank, queries = torch.randn(30, 5, generator=g), torch.randn(7, 5,
                                                                 generator=g)
    labels = torch.randint(0, 3, (30, ), generator=g)
    k, temperature = 5, 0.5
    expected = []
    for q in queries.tolist():
        sims = []
        for b, label in zip(bank.tolist(), labels.tolist()):
            dot = sum(u * v for u, v in zip(q, b))
            sims.append((dot / math.sqrt(sum(u * u for u in q) *
                                         sum(v * v for v in b)), label))
        votes = [0.] * 3
        for sim, label in sorted(sims, reverse=True)[:k]:
            votes[label] += math.exp(sim / temperature)
        expected.append(votes.index(max(votes)))
    got = knn_predict(bank, labels, queries, 3, k=k, temperature=temperature,
                      chunk_size=3)
    assert got.tolist() == expected


class LabelEncoder(nn.Module):
    """A stand-in backbone: at stride 4, a soft one-hot of the class that
    the red channel encodes (red = 60 * class; inputs normalised by
    mean 0, std 1)."""

    def forward(self, x):
        red = F.avg_pool2d(x[:, :1], 4)
        centres = 60. * torch.arange(4.).view(1, 4, 1, 1)
        return (torch.exp(-(red - centres)**2 / 200), )


def blocky_split(num, seed, size=64, block=16):
    """Labels constant on 16 px blocks (some ignored); red encodes them."""
    g = torch.Generator().manual_seed(seed)
    cls = torch.randint(0, 4, (num, size // block, size // block), generator=g)
    labels = cls.repeat_interleave(block, 1).repeat_interleave(block, 2)
    images = torch.randint(0, 256, (num, 3, size, size), generator=g)
    images[:, 0] = (labels * 60 + torch.randint(-5, 6, labels.shape,
                                                generator=g)).clamp(0, 255)
    labels[:, :block, :block] = 255
    return DenseData(images.to(torch.uint8), labels.to(torch.uint8),
                     [f'{i}.png' for i in range(num)])


def test_dense_probe_end_to_end_on_a_label_encoding_backbone():
    train, val = blocky_split(12, 0), blocky_split(6, 1)
    result = dense_probe(LabelEncoder(), train, val, stride=8,
                         mean=(0, 0, 0), std=(1, 1, 1), epochs=5,
                         knn_bank=500, batch_size=5, seed=0)
    assert result['num_classes'] == 4 and result['grid'] == [8, 8]
    assert result['train_pixels'] == 12 * (64 - 4)  # labelled cells
    assert result['bank_pixels'] == 500
    gt = result['predictions']['gt']
    assert gt.shape == (6, 8, 8) and (gt[:, :2, :2] == 255).all()
    np.testing.assert_array_equal(gt, val.labels[:, 4::8, 4::8].numpy())
    for name in ('linear', 'knn'):
        assert result[name]['mIoU'] > 99 and result[name]['aAcc'] > 99, name
        assert result['predictions'][name].shape == (6, 8, 8)


# ------------------------------------------------------------ checkpoints


@pytest.fixture(scope='module')
def demo_model():
    """The demo config's PixPro with a target that differs from online."""
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(Config.fromfile(DEMO_CONFIG).model))
    model.init_weights()
    with torch.no_grad():
        for p in model.target_net.parameters():
            p.add_(1.)
    return model


def assert_same_weights(module, expected):
    own = module.state_dict()
    assert set(own) == set(expected)
    for key, value in expected.items():
        assert torch.equal(own[key], value), key


def test_our_checkpoint_and_extracted_files(tmp_path, demo_model):
    path = tmp_path / 'epoch_4.pth'
    torch.save(dict(meta=dict(epoch=4), state_dict=demo_model.state_dict()),
               path)
    for target, source in ((False, demo_model.backbone),
                           (True, demo_model.target_net.module.backbone)):
        backbone, kind = build_backbone(DEMO_CONFIG, str(path), target=target)
        assert kind == 'pretraining' and not backbone.training
        assert_same_weights(backbone, source.state_dict())
    assert extract([str(path), str(tmp_path / 'backbone.pth')]) == 0
    torch.save(demo_model.backbone.state_dict(), tmp_path / 'bare.pth')
    for name in ('backbone.pth', 'bare.pth'):
        backbone, kind = build_backbone(DEMO_CONFIG, str(tmp_path / name))
        assert kind == 'backbone'
        assert_same_weights(backbone, demo_model.backbone.state_dict())


def test_byol_and_released_checkpoints(tmp_path, demo_model):
    online = demo_model.backbone.state_dict()
    target = demo_model.target_net.module.backbone.state_dict()
    byol = {f'backbone.{k}': v for k, v in online.items()}
    byol.update({f'target_net.module.0.{k}': v for k, v in target.items()})
    byol['neck.mlp.0.weight'] = torch.ones(4, 4)
    torch.save(dict(state_dict=byol), tmp_path / 'byol.pth')
    released = {f'module.encoder.{k}': v for k, v in online.items()}
    released.update({f'module.encoder_k.{k}': v for k, v in target.items()})
    for name in ('projector', 'projector_k'):
        released[f'module.{name}.linear1.weight'] = torch.ones(4, 4, 1, 1)
    torch.save(dict(model=released), tmp_path / 'released.pth')
    for name, kind in (('byol.pth', 'pretraining'),
                       ('released.pth', 'released')):
        for use_target, expected in ((False, online), (True, target)):
            backbone, got = build_backbone(DEMO_CONFIG, str(tmp_path / name),
                                           target=use_target)
            assert got == kind
            assert_same_weights(backbone, expected)


def test_a_backbone_that_does_not_fit_is_an_error(tmp_path):
    cfg = copy.deepcopy(Config.fromfile(DEMO_CONFIG).model.backbone)
    for name, change in (('wide', dict(base_channels=32)),
                         ('deeper', dict(depth=34))):
        other = MODELS.build(dict(cfg, **change))
        torch.save(dict(state_dict=other.state_dict()), tmp_path / name)
    with pytest.raises(CheckpointFormatError,
                       match=r'does not fit.*shape mismatches.*layer1.0.'):
        build_backbone(DEMO_CONFIG, str(tmp_path / 'wide'))
    with pytest.raises(CheckpointFormatError,
                       match=r'unexpected keys.*layer1.2.'):
        build_backbone(DEMO_CONFIG, str(tmp_path / 'deeper'))
    torch.save(dict(state_dict={'neck.w': torch.ones(1)}), tmp_path / 'neck')
    with pytest.raises(CheckpointFormatError, match='ResNet weights'):
        build_backbone(DEMO_CONFIG, str(tmp_path / 'neck'))


def test_random_init_is_seeded():
    state = torch.random.get_rng_state()
    weights = [
        build_backbone(DEMO_CONFIG, 'random', seed=s)[0].state_dict()
        for s in (0, 0, 1)
    ]
    assert torch.equal(torch.random.get_rng_state(), state)  # untouched
    key = 'layer2.0.conv1.weight'
    assert torch.equal(weights[0][key], weights[1][key])
    assert not torch.equal(weights[0][key], weights[2][key])


# ------------------------------------------------------------------ data


def write_cityscapes(root, splits=(('train', 4), ('val', 3)), size=64):
    rng = np.random.default_rng(0)
    labels = {}
    for split, count in splits:
        for i in range(count):
            city = ('aachen', 'bonn')[i % 2]
            for sub in ('leftImg8bit', 'gtFine'):
                os.makedirs(root / sub / split / city, exist_ok=True)
            stem = f'{city}_{i:06d}_000019'
            label = rng.choice([0, 1, 2, 255], (size, size)).astype(np.uint8)
            Image.fromarray(rng.integers(0, 256, (size, size, 3), np.uint8)) \
                .save(root / 'leftImg8bit' / split / city /
                      f'{stem}_leftImg8bit.png')
            Image.fromarray(label).save(root / 'gtFine' / split / city /
                                        f'{stem}_gtFine_labelTrainIds.png')
            labels[f'{split}/{stem}'] = label
    return labels


def test_cityscapes_reader(tmp_path):
    labels = write_cityscapes(tmp_path)
    pairs = read_split(str(tmp_path), 'cityscapes', 'train')
    assert [os.path.basename(p) for p, _ in pairs][:2] == [
        'aachen_000000_000019_leftImg8bit.png',
        'aachen_000002_000019_leftImg8bit.png'
    ]
    for img, label in pairs:
        assert label == img.replace('leftImg8bit', 'gtFine', 1).replace(
            '_leftImg8bit.png', '_gtFine_labelTrainIds.png')
    data = load_split(str(tmp_path), 'cityscapes', 'val', img_size=64)
    assert data.images.shape == (3, 3, 64, 64)
    assert data.images.dtype == torch.uint8
    stems = [os.path.basename(p)[:-len('_leftImg8bit.png')]
             for p in data.names]
    for i, stem in enumerate(stems):
        np.testing.assert_array_equal(data.labels[i], labels[f'val/{stem}'])
    small = load_split(str(tmp_path), 'cityscapes', 'val', (32, 48),
                       max_images=2)
    assert small.labels.shape == (2, 32, 48)
    assert set(small.labels.unique().tolist()) <= {0, 1, 2, 255}
    assert num_classes_in(data, small) == 3
    os.remove(pairs[0][1])
    with pytest.raises(FileNotFoundError, match='1 missing'):
        read_split(str(tmp_path), 'cityscapes', 'train')


def test_voc_reader(tmp_path):
    voc = tmp_path / 'VOCdevkit' / 'VOC2012'
    for sub in ('JPEGImages', 'SegmentationClass', 'ImageSets/Segmentation'):
        os.makedirs(voc / sub)
    rng = np.random.default_rng(0)
    ids = ['2007_000032', '2007_000033', '2008_000005']
    labels = {}
    for image_id in ids:
        Image.fromarray(rng.integers(0, 256, (40, 56, 3), np.uint8)).save(
            voc / 'JPEGImages' / f'{image_id}.jpg')
        label = rng.choice([0, 15, 20, 255], (40, 56)).astype(np.uint8)
        png = Image.frombytes('P', (56, 40), label.tobytes())
        png.putpalette(rng.integers(0, 256, 768, np.uint8).tolist())
        png.save(voc / 'SegmentationClass' / f'{image_id}.png')
        labels[image_id] = label
    (voc / 'ImageSets/Segmentation/val.txt').write_text('\n'.join(ids[::-1]))
    data = load_split(str(voc), 'voc', 'val', img_size=(40, 56))
    assert [os.path.basename(p) for p in data.names] == [
        f'{i}.jpg' for i in ids]
    for i, image_id in enumerate(ids):  # palette indices, not colours
        np.testing.assert_array_equal(data.labels[i], labels[image_id])
    assert num_classes_in(data) == 21
    with pytest.raises(FileNotFoundError, match='VOCdevkit/VOC2012'):
        read_split(str(voc), 'voc', 'train')


# ------------------------------------------------------------------- CLI


def test_cli_end_to_end(tmp_path, capsys):
    write_cityscapes(tmp_path / 'data')
    out = tmp_path / 'probe.json'
    argv = [DEMO_CONFIG, 'random', '--data-root', str(tmp_path / 'data'),
            '--format', 'cityscapes', '--img-size', '64', '--stage', '3',
            '--out', str(out), '--quiet', '--show-dir', str(tmp_path / 'show'),
            '--show', '2']
    assert probe_cli(argv) == 0
    stdout, stderr = capsys.readouterr()
    assert 'lin mIoU' in stdout and 'random' in stdout
    results = json.loads(out.read_text())['results']
    assert len(results) == 1
    result = results[0]
    assert result['kind'] == 'random' and result['stage'] == 3
    assert result['grid'] == [8, 8] and result['num_classes'] == 3
    # A random backbone's scores are not known in advance; the library's
    # own call on the same data and seed is the second path they must match.
    train, val = (load_split(str(tmp_path / 'data'), 'cityscapes', split, 64)
                  for split in ('train', 'val'))
    want = run_probe(DEMO_CONFIG, 'random', train, val, stage=3, seed=0)
    for probe in ('linear', 'knn'):
        for key in ('mIoU', 'aAcc'):
            assert result[probe][key] == pytest.approx(want[probe][key]), (
                probe, key)
    if importlib.util.find_spec('mmpixpro.visualization'):
        pictures = sorted(os.listdir(tmp_path / 'show'))
        assert pictures == ['0_random_000.png', '0_random_001.png']
        assert Image.open(tmp_path / 'show' / pictures[0]).mode == 'RGB'
    else:
        assert 'mmpixpro.visualization is not available' in stderr

    (tmp_path / 'bad.pth').write_text('not a checkpoint')
    assert probe_cli(argv[:1] + [str(tmp_path / 'bad.pth')] + argv[2:]) == 1
    assert 'error' in capsys.readouterr().err
