"""The pictures: sizes follow the panel layout, the views' pairs are the
positive pairs of the recipe (docs/recipe.md, "Positive pixel pairs"), the
heat maps show the PPM weights, label maps use the palette, loss curves
read mmengine's scalar logs.

Every row of panels is ``M + sum(w_i + M)`` wide and ``M + T + h + M`` high
(margin M, title band T), panel k's top-left corner at
``(M + sum_{i<k}(w_i + M), M + T)``.
"""
import json
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib import colormaps
from mmengine.config import Config
from PIL import Image

from mmpixpro.datasets.generated_scenes import generate_scene
from mmpixpro.registry import MODELS
from mmpixpro.visualization import (cell_centres, draw_label_maps,
                                    draw_loss_curves, draw_propagation_figure,
                                    draw_views_figure, label_palette,
                                    positive_pairs)
from tests import brute_force
from tests.utils import SMALL_CONFIG, load_tool_main

M, T = 8, 20
VIEW = 224  # the small config's crop size
GRID = 7  # 224 / 32, ResNet's output stride
H_IMG, W_IMG = 160, 200

show_views = load_tool_main('analysis', 'show_views.py')
show_propagation = load_tool_main('analysis', 'show_propagation.py')
plot_loss_curve = load_tool_main('analysis', 'plot_loss_curve.py')


def row_shape(widths, height):
    return (M + T + height + M, M + sum(w + M for w in widths), 3)


def panel(picture, widths, k, size):
    x0 = M + sum(w + M for w in widths[:k])
    return picture[M + T:M + T + size[0], x0:x0 + size[1]]


def read_png(path):
    assert path.stat().st_size > 0
    return np.asarray(Image.open(path).convert('RGB'))


@pytest.fixture(scope='module')
def scene(tmp_path_factory):
    path = tmp_path_factory.mktemp('img') / 'scene.png'
    Image.fromarray(generate_scene(np.random.default_rng(1), (H_IMG, W_IMG)).image).save(path)
    return path


# -- views and positive pairs -------------------------------------------------


@pytest.mark.parametrize('seed, flipped', [(0, [False, False]),
                                           (1, [True, False])])
def test_show_views(scene, tmp_path, capsys, seed, flipped):
    out = tmp_path / 'views.png'
    assert show_views(
        [SMALL_CONFIG,
         str(scene), '--out',
         str(out), '--seed',
         str(seed)]) == 0
    text = capsys.readouterr().out
    boxes = [[float(v) for v in m.split(', ')]
             for m in re.findall(r'= \(([^)]*)\)', text)]
    assert [', flipped' in line for line in text.splitlines()[:2]] == flipped
    count = int(re.search(r'(\d+) positive pairs', text).group(1))
    mask = brute_force.positive_mask(boxes[0], boxes[1], (GRID, GRID),
                                     (GRID, GRID), 0.7)
    assert count == mask.sum() > 0

    source_width = round(W_IMG * VIEW / H_IMG)
    assert read_png(out).shape == row_shape([source_width, VIEW, VIEW], VIEW)


def test_show_views_grid_option(scene, tmp_path, capsys):
    out = tmp_path / 'views.png'
    assert show_views(
        [SMALL_CONFIG,
         str(scene), '--out',
         str(out), '--grid', '4', '5']) == 0
    text = capsys.readouterr().out
    boxes = [[float(v) for v in m.split(', ')]
             for m in re.findall(r'= \(([^)]*)\)', text)]
    count = int(re.search(r'(\d+) positive pairs', text).group(1))
    assert count == brute_force.positive_mask(boxes[0], boxes[1], (4, 5),
                                              (4, 5), 0.7).sum()


def to_source(point, box, view_size):
    """A view point (x, y) in view pixels -> normalised source coords."""
    x1, y1, x2, y2 = box
    return (x1 + point[0] / view_size[1] * (x2 - x1),
            y1 + point[1] / view_size[0] * (y2 - y1))


@pytest.mark.parametrize(
    'boxes',
    [
        [[0.1, 0.2, 0.7, 0.9], [0.7, 0.2, 0.1, 0.9]],  # same crop, b flipped
        [[0.9, 0.0, 0.3, 0.6], [0.2, 0.3, 0.8, 1.0]],  # a flipped
        [[0.6, 0.1, 0.0, 0.5], [0.95, 0.4, 0.35, 0.8]],  # both flipped
    ])
def test_pair_lines_join_the_same_source_places(boxes):
    grids, view_size = ((6, 6), (4, 5)), (96, 120)
    pairs = positive_pairs(np.array(boxes), grids, 0.7)
    expected = brute_force.positive_mask(boxes[0], boxes[1], *grids, 0.7)
    assert {tuple(p)
            for p in pairs} == {tuple(p)
                                for p in expected.nonzero().tolist()}

    diag = max(brute_force.bin_diag(boxes[0], *grids[0]),
               brute_force.bin_diag(boxes[1], *grids[1]))
    ends = [cell_centres(g, view_size) for g in grids]  # what is drawn
    for i, j in pairs:
        a = to_source(ends[0][i], boxes[0], view_size)
        b = to_source(ends[1][j], boxes[1], view_size)
        assert np.hypot(a[0] - b[0], a[1] - b[1]) / diag < 0.7
    if boxes[0] == [0.1, 0.2, 0.7, 0.9]:
        # Mirror cells of the same crop see the same place: all paired.
        mirrors = {(r * 5 + c, r * 5 + 4 - c)
                   for r in range(4)
                   for c in range(5)}
        pairs = positive_pairs(np.array(boxes), ((4, 5), (4, 5)), 0.7)
        assert mirrors <= {tuple(p) for p in pairs}


# -- propagation heat maps ----------------------------------------------------


def cell_levels(heat_panel, view, grid=GRID):
    """(grid, grid) weight levels (0..255) read back at the centre pixel of
    each cell (224 / 7 = 32: pixel 16 + 32 k), inverting
    panel = round(view / 2 + jet[level] / 2); a cell's weight fills it."""
    idx = np.arange(grid) * (VIEW // grid) + VIEW // grid // 2
    at = np.ix_(idx, idx)
    lut = np.round(colormaps['jet'](np.linspace(0, 1, 256))[:, :3] * 255)
    colours = 2 * heat_panel[at].astype(np.float64) - view[at]
    return ((colours[:, :, None] - lut)**2).sum(-1).argmin(-1)


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    torch.manual_seed(3)
    model = MODELS.build(Config.fromfile(SMALL_CONFIG).model)
    model.init_weights()
    path = tmp_path_factory.mktemp('ckpt') / 'epoch_1.pth'
    torch.save({'state_dict': model.state_dict()}, path)
    return path, model.eval()


def test_propagation_from_checkpoint(scene, checkpoint, tmp_path, capsys):
    path, model = checkpoint
    out = tmp_path / 'prop.png'
    pixels = [(3, 3), (1, 5), (6, 0)]
    assert show_propagation(
        [SMALL_CONFIG,
         str(path),
         str(scene), '--out',
         str(out), '--pixels'] + [f'{y},{x}' for y, x in pixels]) == 0
    picture = read_png(out)
    widths = [VIEW] * len(pixels)
    assert picture.shape == row_shape(widths, VIEW)

    # Direct: cos similarity of the online projection, clamped, squared.
    view = np.asarray(
        Image.open(scene).convert('RGB').resize(
            (VIEW, VIEW), Image.BILINEAR)).astype(np.float64)
    mean = torch.tensor([123.675, 116.28, 103.53]).view(1, 3, 1, 1)
    std = torch.tensor([58.395, 57.12, 57.375]).view(1, 3, 1, 1)
    x = (torch.tensor(view).permute(2, 0, 1)[None].float() - mean) / std
    with torch.no_grad():
        proj = model.neck(model.backbone(x)[-1])[0].flatten(1)
    proj = F.normalize(proj.double(), dim=0)
    sim = (proj.T @ proj).clamp(min=0).pow(2).view(GRID, GRID, GRID, GRID)

    for k, (y, x) in enumerate(pixels):
        at_cells = cell_levels(panel(picture, widths, k, (VIEW, VIEW)), view)
        expected = np.round(sim[y, x].numpy() * 255)
        assert np.abs(at_cells - expected).max() <= 1, (y, x)
        # Its own similarity is 1, the largest weight: the map peaks there.
        assert sim[y, x, y, x] == pytest.approx(1, abs=1e-6)
        assert at_cells[y, x] == 255 == at_cells.max()


def test_propagation_random_init(scene, tmp_path, capsys):
    out = tmp_path / 'prop.png'
    assert show_propagation([
        SMALL_CONFIG, 'random',
        str(scene), '--out',
        str(out), '--size', '224'
    ]) == 0
    text = capsys.readouterr().out
    # Default pixels: the centre and the four quarter points of 7x7.
    shown = [(int(y), int(x))
             for y, x in re.findall(r'pixel \((\d+), (\d+)\)', text)]
    assert shown == [(3, 3), (1, 1), (1, 5), (5, 1), (5, 5)]
    picture = read_png(out)
    widths = [VIEW] * 5
    assert picture.shape == row_shape(widths, VIEW)
    view = np.asarray(
        Image.open(scene).convert('RGB').resize(
            (VIEW, VIEW), Image.BILINEAR)).astype(np.float64)
    for k, (y, x) in enumerate(shown):
        at_cells = cell_levels(panel(picture, widths, k, (VIEW, VIEW)), view)
        assert at_cells[y, x] == 255 == at_cells.max()


def test_propagation_refuses_bad_input(scene, checkpoint, tmp_path, capsys):
    path, model = checkpoint
    state_dict = model.state_dict()
    state_dict.pop('neck.linear1.weight')
    partial = tmp_path / 'partial.pth'
    torch.save({'state_dict': state_dict}, partial)
    out = tmp_path / 'prop.png'
    assert show_propagation(
        [SMALL_CONFIG, str(partial),
         str(scene), '--out',
         str(out)]) == 1
    assert 'neck.linear1.weight' in capsys.readouterr().err
    assert show_propagation([
        SMALL_CONFIG, 'random',
        str(scene), '--out',
        str(out), '--pixels', '7,0'
    ]) == 1
    assert 'outside the 7x7' in capsys.readouterr().err
    assert not out.exists()


# -- label maps ----------------------------------------------------------------


def test_label_maps_colours():
    image = generate_scene(np.random.default_rng(0), (24, 32)).image
    coarse = np.full((6, 8), 2)
    coarse[3:, :4], coarse[3:, 4:] = 255, 4
    fine = np.random.default_rng(1).integers(0, 5, (24, 32))
    fine[0, :5] = 255
    picture = draw_label_maps(image, [('gt', coarse), ('pred', fine)],
                              num_classes=5)
    widths = [32] * 3
    assert picture.dtype == np.uint8
    assert picture.shape == row_shape(widths, 24)
    np.testing.assert_array_equal(panel(picture, widths, 0, (24, 32)), image)

    palette = label_palette(5)
    assert len({tuple(c) for c in palette}) == 5
    assert palette.max(1).min() > 0  # no class is black
    for k, labels in ((1, np.kron(coarse, np.ones((4, 4), int))), (2, fine)):
        drawn = panel(picture, widths, k, (24, 32))
        for cls in range(5):
            assert (drawn[labels == cls] == palette[cls]).all()
        assert (drawn[labels == 255] == 0).all()

    with pytest.raises(ValueError, match=r'\[0, 5\)'):
        draw_label_maps(image, [('bad', np.full((6, 8), 7))], num_classes=5)


# -- loss curves ----------------------------------------------------------------


def write_scalars(run_dir, stamp, losses):
    vis = run_dir / stamp / 'vis_data'
    vis.mkdir(parents=True)
    with open(vis / 'scalars.json', 'w') as f:
        for i, loss in enumerate(losses):
            f.write(
                json.dumps(
                    dict(lr=0.1,
                         loss=loss,
                         loss_pixel=loss,
                         epoch=1,
                         iter=4 * i + 4,
                         step=4 * i + 4)) + '\n')
    return vis / 'scalars.json'


def test_plot_loss_curve(tmp_path, capsys):
    pixpro, byol = tmp_path / 'pixpro', tmp_path / 'byol'
    write_scalars(pixpro, '20240101_000000', [-1.0, -2.0])
    newest = write_scalars(pixpro, '20240102_000000', [-0.5, -1.5, -2.5])
    write_scalars(byol, '20240101_000000', [-3.0, -3.5])
    out = tmp_path / 'loss.png'

    assert plot_loss_curve([str(pixpro), '--out', str(out)]) == 0
    text = capsys.readouterr().out
    assert f'3 records from {newest}' in text
    # Default keys: loss and loss_pixel, one 640 x 240 subplot each.
    assert read_png(out).shape == (480, 640, 3)

    assert plot_loss_curve([
        str(pixpro),
        str(byol / '20240101_000000'), '--keys', 'loss', 'lr', 'loss_pixel',
        '--out',
        str(out)
    ]) == 0
    assert read_png(out).shape == (720, 640, 3)


def test_plot_loss_curve_errors(tmp_path, capsys):
    out = tmp_path / 'loss.png'
    (tmp_path / 'empty_run').mkdir()
    assert plot_loss_curve([str(tmp_path / 'empty_run'), '--out',
                            str(out)]) == 1
    assert 'no scalars found in' in capsys.readouterr().err
    scalars = write_scalars(tmp_path / 'run', '20240101_000000', [-1.0])
    assert plot_loss_curve([str(scalars), '--keys', 'acc', '--out',
                            str(out)]) == 1
    assert "no run logged ['acc']" in capsys.readouterr().err
    assert not out.exists()


# -- the package functions behind the tools ------------------------------------


def test_figure_functions_write_and_report(scene, checkpoint, tmp_path,
                                           capsys):
    """What the tools print goes to ``logger`` (None: stdout, 'silent':
    nowhere); each returns the file it wrote; bad input raises."""
    out = tmp_path / 'views.png'
    assert draw_views_figure(SMALL_CONFIG, str(scene), str(out), seed=1,
                             grid=(4, 5)) == str(out)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and lines[-1].startswith(f'wrote {out} (')
    boxes = [[float(v) for v in re.search(r'= \(([^)]*)\)', line).group(1)
              .split(', ')] for line in lines[:2]]
    count = int(brute_force.positive_mask(boxes[0], boxes[1], (4, 5), (4, 5),
                                          0.7).sum())
    assert lines[2] == f'pos_threshold 0.7: {count} positive pairs'

    path, _ = checkpoint
    out = tmp_path / 'prop.png'
    assert draw_propagation_figure(SMALL_CONFIG, str(path), str(scene),
                                   str(out), pixels=[(2, 3)],
                                   logger='silent') == str(out)
    assert capsys.readouterr().out == ''
    assert read_png(out).shape == row_shape([VIEW], VIEW)
    with pytest.raises(ValueError, match='outside the 7x7'):
        draw_propagation_figure(SMALL_CONFIG, 'random', str(scene),
                                str(tmp_path / 'no.png'), pixels=[(0, 7)])
    assert not (tmp_path / 'no.png').exists()

    scalars = write_scalars(tmp_path / 'run', '20240101_000000', [-1., -2.])
    out = tmp_path / 'loss.png'
    assert draw_loss_curves([str(tmp_path / 'run')], ['loss'],
                            str(out)) == str(out)
    assert f'2 records from {scalars}' in capsys.readouterr().out
    assert read_png(out).shape == (240, 640, 3)
    with pytest.raises(ValueError, match=r"no run logged \['acc'\]"):
        draw_loss_curves([str(scalars)], ['acc'], str(tmp_path / 'no.png'))
