"""Reference computations written as explicit loops over pixels and pixel
pairs, straight from the recipe's formulas (docs/recipe.md, "Model",
"Positive pixel pairs" and "Loss"), sharing no code with mmpixpro. Slow by
design; use on tiny maps."""
import math

import torch


def cell_centre(box, r, c, h, w):
    """Centre of cell (r, c) of an h x w map laid over box (x1, y1, x2, y2)."""
    x1, y1, x2, y2 = [float(v) for v in box]
    bin_w, bin_h = (x2 - x1) / w, (y2 - y1) / h
    return x1 + (c + 0.5) * bin_w, y1 + (r + 0.5) * bin_h


def bin_diag(box, h, w):
    x1, y1, x2, y2 = [float(v) for v in box]
    return math.sqrt(((x2 - x1) / w)**2 + ((y2 - y1) / h)**2)


def positive_mask(box_a, box_b, size_a, size_b, threshold):
    """(Ha*Wa, Hb*Wb) 0/1 mask for one image, by looping over pairs."""
    (ha, wa), (hb, wb) = size_a, size_b
    diag = max(bin_diag(box_a, ha, wa), bin_diag(box_b, hb, wb))
    mask = torch.zeros(ha * wa, hb * wb)
    for i in range(ha * wa):
        xa, ya = cell_centre(box_a, i // wa, i % wa, ha, wa)
        for j in range(hb * wb):
            xb, yb = cell_centre(box_b, j // wb, j % wb, hb, wb)
            if math.sqrt((xa - xb)**2 + (ya - yb)**2) / diag < threshold:
                mask[i, j] = 1
    return mask


def cos(u, v):
    return (u * v).sum() / (u.norm().clamp(min=1e-12) * v.norm().clamp(
        min=1e-12))


def propagate(x, g, gamma, clamp_min):
    """PPM for one image. x: (C, H, W); g: a function on (C,) vectors.
    Returns (C, H, W): y_i = sum_j s(x_i, x_j) * g(x_j) / |g(x_j)|."""
    c, h, w = x.shape
    pix = pixels(x)
    vals = [g(p) for p in pix]
    vals = [v / v.norm().clamp(min=1e-12) for v in vals]
    out = []
    for i in range(h * w):
        y = torch.zeros(c, dtype=x.dtype)
        for j in range(h * w):
            s = torch.clamp(cos(pix[i], pix[j]), min=clamp_min)
            if gamma < 1:
                s = s + 1e-6
            y = y + s**gamma * vals[j]
        out.append(y)
    return torch.stack(out, 1).view(c, h, w)


def pixels(x):
    """The (C,) vectors of a (C, H, W) map, in row-major order."""
    w = x.shape[2]
    return [x[:, k // w, k % w] for k in range(x.shape[1] * w)]


def images(a, b, boxes_a, boxes_b, threshold):
    """Per image of a batch: the pixels of view a, those of view b and the
    positive mask between them."""
    for k in range(a.shape[0]):
        yield pixels(a[k]), pixels(b[k]), positive_mask(
            boxes_a[k], boxes_b[k], a.shape[-2:], b.shape[-2:], threshold)


def pixel_loss(pred, target, box_pred, box_target, threshold):
    """One direction of the pixel loss for a batch, by loops.
    pred: (N, C, H, W) PPM output of view a; target: (N, C, H', W')."""
    total = 0.
    for xs, ys, mask in images(pred, target, box_pred, box_target,
                               threshold):
        acc, count = 0., 0.
        for i, x in enumerate(xs):
            for j, y in enumerate(ys):
                if mask[i, j]:
                    acc = acc + cos(x, y)
                    count += 1
        total = total + acc / (count + 1e-6)
    return -2 * total / pred.shape[0]


def pixel_contrast_loss(online, target, boxes_a, boxes_b, tau=0.3,
                        threshold=0.7):
    """One direction of PixContrast's loss for a batch, by loops (the
    paper's definition): for each pixel i of view a with a positive,
    -log(sum_{j in P_i} exp(cos/tau) / sum_{all k of view b} exp(cos/tau));
    mean over those pixels (0 for an image without any), then over images."""
    total = 0.
    for xs, ys, mask in images(online, target, boxes_a, boxes_b, threshold):
        acc, count = 0., 0
        for i, x in enumerate(xs):
            pos, every = 0., 0.
            for j, y in enumerate(ys):
                e = torch.exp(cos(x, y) / tau)
                every = every + e
                if mask[i, j]:
                    pos = pos + e
            if mask[i].any():
                acc = acc - torch.log(pos / every)
                count += 1
        total = total + (acc / count if count else 0.)
    return total / online.shape[0]
