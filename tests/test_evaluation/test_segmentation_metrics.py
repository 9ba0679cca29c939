"""mIoU and pixel accuracy against a loop over pixels and classes."""
import pytest
import torch

from mmpixpro.evaluation import confusion_matrix, segmentation_scores


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
