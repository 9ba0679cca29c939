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


# Pairs exactly at T, and just either side. The boxes and cell sizes are
# dyadic, so every centre, difference and diagonal is exact in float32 and
# float64 and d lands exactly on the threshold: d = 1 for diagonal
# neighbours of identical square cells (|(b, b)| / |(b, b)|), d = 1 for
# diagonal neighbours of 3-4-5 cells (0.375 x 0.5, diagonal 0.625), d = 2
# two cells along the diagonal. The recipe says strictly less than T
# (docs/recipe.md, "Positive pixel pairs").
JUST = 2.0**-20  # representable next to 1 and 2 in float32


def neighbour_counts(mask, h, w):
    """For identical views: how many pairs are self, edge and diagonal
    neighbours (by cell offsets), read off a (HW, HW) mask."""
    counts = dict(self=0, edge=0, diagonal=0, other=0)
    for i, j in mask.nonzero().tolist():
        dr, dc = abs(i // w - j // w), abs(i % w - j % w)
        kind = {(0, 0): 'self', (0, 1): 'edge', (1, 0): 'edge',
                (1, 1): 'diagonal'}.get((dr, dc), 'other')
        counts[kind] += 1
    return counts


@pytest.mark.parametrize('threshold,diagonal', [(1.0, False),
                                                (1.0 - JUST, False),
                                                (1.0 + JUST, True)])
@pytest.mark.parametrize('flip', [False, True])
def test_square_cells_at_threshold_one(threshold, diagonal, flip):
    box = torch.tensor([[0.0, 0.0, 1.0, 1.0]])  # 4 x 4 cells of 0.25
    other = box[:, [2, 1, 0, 3]] if flip else box
    mask = positive_pair_mask(box, other, (4, 4), (4, 4), threshold)[0]
    expected = positive_mask(box[0], other[0], (4, 4), (4, 4), threshold)
    assert torch.equal(mask, expected)
    if flip:  # mirror the columns back: then it is the unflipped case
        mask = mask.view(16, 4, 4).flip(-1).reshape(16, 16)
    # 16 self pairs, 2 * 24 edge pairs at d = 0.707 < T; the 2 * 18
    # diagonal pairs sit at d = 1 exactly: in only when T > 1.
    assert neighbour_counts(mask, 4, 4) == dict(
        self=16, edge=48, diagonal=36 if diagonal else 0, other=0)


@pytest.mark.parametrize('threshold,diagonal', [(1.0, False),
                                                (1.0 - JUST, False),
                                                (1.0 + JUST, True)])
def test_non_square_cells_at_threshold_one(threshold, diagonal):
    # 2 x 2 cells of 0.375 x 0.5: diagonal 0.625, so edge neighbours are
    # at 0.6 and 0.8 and diagonal neighbours at exactly 1.
    box = torch.tensor([[0.0, 0.0, 0.75, 1.0]])
    mask = positive_pair_mask(box, box, (2, 2), (2, 2), threshold)[0]
    assert torch.equal(mask, positive_mask(box[0], box[0], (2, 2), (2, 2),
                                           threshold))
    assert neighbour_counts(mask, 2, 2) == dict(
        self=4, edge=8, diagonal=4 if diagonal else 0, other=0)


@pytest.mark.parametrize('threshold,count', [(2.0, 0), (2.0 - JUST, 0),
                                             (2.0 + JUST, 1)])
def test_two_diagonal_cells_apart_at_threshold_two(threshold, count):
    # 3 x 3 maps of 0.25 cells; view b starts where view a's last cell
    # centre plus (0.5, 0.5) is b's first centre: that pair is at d = 2
    # exactly, every other pair further away.
    a = torch.tensor([[0.0, 0.0, 0.75, 0.75]])
    b = torch.tensor([[1.0, 1.0, 1.75, 1.75]])
    mask = positive_pair_mask(b, a, (3, 3), (3, 3), threshold)[0]
    assert torch.equal(mask, positive_mask(b[0], a[0], (3, 3), (3, 3),
                                           threshold))
    assert int(mask.sum()) == count
    if count:
        assert mask[0, 8] == 1  # b's first cell and a's last cell


@pytest.mark.parametrize('threshold,count', [(0.25, 0), (0.25 - JUST, 0),
                                             (0.25 + JUST, 16)])
def test_different_grids_at_exact_distances(threshold, count):
    # 4 x 4 and 2 x 2 maps over the same box: the larger diagonal is the
    # 2 x 2 cell's, 0.5 * sqrt(2). Each small cell's centre is a quarter
    # cell diagonal, d = 0.25 exactly, from one large cell's centre, and
    # every other pair is further apart.
    box = torch.tensor([[0.0, 0.0, 1.0, 1.0]])
    mask = positive_pair_mask(box, box, (4, 4), (2, 2), threshold)[0]
    assert torch.equal(mask, positive_mask(box[0], box[0], (4, 4), (2, 2),
                                           threshold))
    assert int(mask.sum()) == count
