import pytest
import torch

from mmpixpro.models.utils import positive_pair_mask
from tests.brute_force import positive_mask


def random_boxes(n, flip_mask=None, generator=None):
    xy1 = torch.rand(n, 2, generator=generator) * 0.5
    wh = 0.2 + torch.rand(n, 2, generator=generator) * 0.5
    boxes = torch.cat([xy1, (xy1 + wh).clamp(max=1)], 1)
    if flip_mask is not None:
        boxes[flip_mask] = boxes[flip_mask][:, [2, 1, 0, 3]]
    return boxes


@pytest.mark.parametrize('threshold', [0.7, 0.3, 1.5])
@pytest.mark.parametrize('sizes', [((7, 7), (7, 7)), ((3, 4), (5, 2))])
def test_mask_matches_pairwise_loop(threshold, sizes):
    g = torch.Generator().manual_seed(0)
    n = 6
    flips_a = torch.tensor([0, 1, 0, 1, 0, 1], dtype=torch.bool)
    flips_b = torch.tensor([0, 0, 1, 1, 0, 1], dtype=torch.bool)
    boxes_a = random_boxes(n, flips_a, g)
    boxes_b = random_boxes(n, flips_b, g)
    mask = positive_pair_mask(boxes_a, boxes_b, *sizes, threshold)
    assert mask.shape == (n, sizes[0][0] * sizes[0][1],
                          sizes[1][0] * sizes[1][1])
    for b in range(n):
        expected = positive_mask(boxes_a[b], boxes_b[b], *sizes, threshold)
        assert torch.equal(mask[b], expected), f'image {b}'


def test_same_box_pairs_each_cell_with_itself_only():
    # Square cells: a neighbour is 1 / sqrt(2) = 0.707 diagonals away, just
    # above T = 0.7, so identical views pair each cell with itself alone.
    box = torch.tensor([[0.1, 0.2, 0.6, 0.7]])
    mask = positive_pair_mask(box, box, (7, 7), (7, 7), 0.7)
    assert torch.equal(mask[0], torch.eye(49))


def test_flipped_copy_pairs_mirrored_columns():
    box = torch.tensor([[0.1, 0.2, 0.6, 0.7]])
    flipped = box[:, [2, 1, 0, 3]]
    mask = positive_pair_mask(box, flipped, (7, 7), (7, 7), 0.7)[0]
    for i in range(49):
        r, c = divmod(i, 7)
        expected = torch.zeros(49)
        expected[r * 7 + (6 - c)] = 1
        assert torch.equal(mask[i], expected)


def test_disjoint_views_have_no_pair():
    a = torch.tensor([[0.0, 0.0, 0.3, 0.3]])
    b = torch.tensor([[0.6, 0.6, 0.9, 0.9]])
    assert positive_pair_mask(a, b, (7, 7), (7, 7), 0.7).sum() == 0


def test_mask_carries_no_gradient():
    a = torch.rand(2, 4, requires_grad=True)
    mask = positive_pair_mask(a, a.detach(), (3, 3), (3, 3), 0.7)
    assert not mask.requires_grad
