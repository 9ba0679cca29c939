"""Batched photometric ops with per-sample parameters, in PIL's 8-bit
arithmetic.

Each op takes ``x``, an (n, 3, H, W) float tensor of integer values in
[0, 255] (RGB), and per-sample parameters, and returns the same kind of
tensor: the result that torchvision's op gives on a PIL image (which is
what the PIL path runs) up to rare off-by-one roundings, because the ops
reproduce PIL's integer steps rather than torchvision's float tensor
formulas:

- brightness, contrast, saturation: PIL's ``ImageEnhance`` blends (result
  truncated to an integer), contrast around the rounded mean of PIL's luma;
- grayscale: PIL's fixed-point luma ``(19595 R + 38470 G + 7471 B) >> 16``,
  rounded;
- hue: PIL's 8-bit HSV (hue in 256 steps) and torchvision's shift of
  ``int(hue * 255)`` steps, wrapping;
- blur: PIL's ``GaussianBlur``, which is three passes of an extended box
  blur per axis (fractional edge weights, replicated borders, rounding after
  every pass), in exact integer arithmetic;
- solarize: ``255 - x`` where ``x >= threshold``.

torchvision's tensor ops (``torchvision.transforms._functional_tensor``)
take one factor per call and use float HSV and a sampled Gaussian kernel;
their pixels differ from the PIL path's by several levels for hue and blur.
"""
from typing import Tuple

import numpy as np
import torch

_LUMA = (19595., 38470., 7471.)  # PIL's RGB -> L weights, sum 2**16


def _blend(base: torch.Tensor, x: torch.Tensor,
           factor: torch.Tensor) -> torch.Tensor:
    """PIL's ``Image.blend(base, x, factor)`` for 8-bit images: computed in
    float32, clipped, truncated."""
    f = factor.to(x.dtype).view(-1, 1, 1, 1)
    return torch.floor((base + f * (x - base)).clamp_(0, 255))


def luma(x: torch.Tensor) -> torch.Tensor:
    """(n, 1, H, W) PIL ``convert('L')`` of integer-valued RGB (exact in
    float32: the weighted sum stays below 2**24)."""
    s = x[:, 0:1] * _LUMA[0] + x[:, 1:2] * _LUMA[1] + x[:, 2:3] * _LUMA[2]
    return torch.floor((s + 32768.) / 65536.)


def adjust_brightness(x: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    return _blend(torch.zeros_like(x[:, :1]), x, factor)


def adjust_contrast(x: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    mean = luma(x).double().mean(dim=(1, 2, 3), keepdim=True)
    return _blend(torch.floor(mean + 0.5).to(x.dtype), x, factor)


def adjust_saturation(x: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    return _blend(luma(x), x, factor)


def to_grayscale(x: torch.Tensor) -> torch.Tensor:
    return luma(x).expand_as(x).contiguous()


def solarize(x: torch.Tensor, threshold: torch.Tensor) -> torch.Tensor:
    t = threshold.to(x.dtype).view(-1, 1, 1, 1)
    return torch.where(x >= t, 255. - x, x)


def _rgb_to_hsv8(x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
    """PIL's RGB -> HSV: (h, s, v), each (n, H, W) in 0..255 (float64)."""
    r, g, b = x[:, 0], x[:, 1], x[:, 2]
    maxc = torch.maximum(torch.maximum(r, g), b)
    minc = torch.minimum(torch.minimum(r, g), b)
    cr = maxc - minc
    flat = cr == 0
    crs = torch.where(flat, torch.ones_like(cr), cr)
    s = cr / torch.where(maxc == 0, torch.ones_like(maxc), maxc)  # float32
    rc, gc, bc = (maxc - r) / crs, (maxc - g) / crs, (maxc - b) / crs
    rc, gc, bc = rc.double(), gc.double(), bc.double()
    # PIL: float h = bc - gc, or double sums stored back in a float.
    h = torch.where(r == maxc, (bc - gc).float().double(),
                    torch.where(g == maxc, (2. + rc - bc).float().double(),
                                (4. + gc - rc).float().double()))
    h = torch.remainder(h / 6. + 1., 1.).float().double()
    zero = torch.zeros_like(h)
    uh = torch.where(flat, zero, torch.trunc(h * 255.).clamp_(0, 255))
    us = torch.where(flat, zero, torch.trunc(s.double() * 255.).clamp_(0, 255))
    return uh, us, maxc.double()


def _hsv8_to_rgb(h: torch.Tensor, s: torch.Tensor,
                 v: torch.Tensor) -> torch.Tensor:
    """PIL's HSV -> RGB of 0..255 planes (float64): (n, 3, H, W)."""
    h6 = h * 6. / 255.
    i = torch.floor(h6)
    f = (h6 - i).float().double()
    fs = (s / 255.).float().double()

    def c_round(t):  # C's round(): half away from zero (t >= 0 here)
        return torch.floor(t + 0.5).clamp_(0, 255)

    p = c_round(v * (1. - fs))
    q = c_round(v * (1. - fs * f))
    t = c_round(v * (1. - fs * (1. - f)))
    sector = torch.remainder(i, 6).long()
    # (r, g, b) per sector 0..5, as in colorsys.
    table = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)]
    rgb = []
    for c in range(3):
        out = v.clone()
        for k in range(6):
            out = torch.where(sector == k, table[k][c], out)
        rgb.append(torch.where(s == 0, v, out))
    return torch.stack(rgb, 1)


def adjust_hue(x: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """torchvision's ``adjust_hue`` on a PIL image: H in PIL's 8-bit HSV
    moves by ``int(factor * 255)`` steps of 1/256 turn, wrapping."""
    h, s, v = _rgb_to_hsv8(x)
    shift = torch.trunc(factor.double() * 255.).view(-1, 1, 1)
    h = torch.remainder(h + shift, 256.)
    return _hsv8_to_rgb(h, s, v).to(x.dtype)


def box_radius(sigma: np.ndarray) -> np.ndarray:
    """PIL's box radius for a 3-pass Gaussian of ``sigma`` (float32, as in
    its C code; Gwosdek et al. 2011's extended box)."""
    sigma = np.asarray(sigma, np.float32)
    sigma2 = sigma * sigma / np.float32(3)
    big_l = np.sqrt(np.float32(12) * sigma2 + np.float32(1)).astype(np.float32)
    small_l = np.floor((big_l - np.float32(1)) / np.float32(2))
    a = (2 * small_l + 1) * (small_l * (small_l + 1) - 3 * sigma2)
    a = a / (6 * (sigma2 - (small_l + 1) * (small_l + 1)))
    return (small_l + a).astype(np.float32)


def box_weights(sigma: np.ndarray) -> Tuple[np.ndarray, np.ndarray,
                                            np.ndarray]:
    """Per sample: integer radius, and PIL's fixed-point (2**24) weights of
    the 2 * radius + 1 inner taps and of the two fractional edge taps."""
    r = box_radius(sigma)
    ri = r.astype(np.int64)
    ww = (np.float32(1 << 24) / (r * np.float32(2) + np.float32(1))).astype(
        np.int64)
    fw = ((1 << 24) - (ri * 2 + 1) * ww) // 2
    return ri, ww, fw


def _box_pass(x: torch.Tensor, weights: torch.Tensor, reach: int,
              dim: int) -> torch.Tensor:
    """One rounded box pass along ``dim`` (int64 x; weights (n, 2*reach+1)
    of int64, centred), borders replicated."""
    size = x.shape[dim]
    idx = torch.arange(-reach, size + reach, device=x.device).clamp_(
        0, size - 1)
    xp = x.index_select(dim, idx)
    acc = torch.zeros_like(x)
    for k in range(2 * reach + 1):
        w = weights[:, k].view(-1, 1, 1, 1)
        acc += w * xp.narrow(dim, k, size)
    return (acc + (1 << 23)) >> 24


def gaussian_blur(x: torch.Tensor, sigma: np.ndarray) -> torch.Tensor:
    """PIL's ``GaussianBlur(radius=sigma)`` with a per-sample ``sigma``
    (host array, float32): three box passes along the width, then three
    along the height."""
    ri, ww, fw = box_weights(sigma)
    reach = int(ri.max()) + 1
    w = np.zeros((len(ri), 2 * reach + 1), np.int64)
    for n, (r, inner, edge) in enumerate(zip(ri, ww, fw)):
        w[n, reach - r:reach + r + 1] = inner
        w[n, reach - r - 1] = w[n, reach + r + 1] = edge
    w = torch.from_numpy(w).to(x.device)
    y = x.long()
    for dim in (3, 2):
        for _ in range(3):
            y = _box_pass(y, w, reach, dim)
    return y.to(x.dtype)
