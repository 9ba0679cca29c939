"""The linear and kNN probes: they score what the features encode, and kNN
matches a loop over the bank."""
import math

import pytest
import torch
import torch.nn.functional as F

from mmpixpro.evaluation import (confusion_matrix, fit_linear_probe,
                                 knn_predict, segmentation_scores)


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
