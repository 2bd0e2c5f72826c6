"""PSNR and SSIM on valid pixels (numpy + scipy.ndimage).

Images are float arrays in ``[0, data_range]`` (8-bit images are divided by 255 and
use ``data_range = 1``), (H, W) or (H, W, C).

- PSNR: ``10 log10(R^2 / MSE)`` with the MSE over valid pixels and every channel.
- SSIM (Wang et al. 2004): Gaussian window sigma 1.5 truncated at 3.5 sigma (11 x 11),
  ``K1 = 0.01``, ``K2 = 0.03``, population covariances, reflect padding — the settings
  ``skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5,
  use_sample_covariance=False)`` uses. With a mask the local means and moments are
  normalised Gaussian averages over the valid pixels only (``G(x m) / G(m)``), so invalid
  pixels never leak in; the SSIM map is averaged over valid pixels at least 5 px (the
  window radius) from the image border, as skimage crops it, channels averaged. Without
  a mask (all valid) this equals skimage's value.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter

SIGMA = 1.5
TRUNCATE = 3.5
RADIUS = int(TRUNCATE * SIGMA + 0.5)


def as_float_image(a: np.ndarray) -> tuple[np.ndarray, float]:
    """(float64 image, its data range): 8-bit -> /255, 16-bit -> /65535, float kept (range 1)."""
    a = np.asarray(a)
    if a.dtype == np.uint8:
        return a.astype(np.float64) / 255.0, 1.0
    if a.dtype == np.uint16:
        return a.astype(np.float64) / 65535.0, 1.0
    return a.astype(np.float64), 1.0


def _check(pred: np.ndarray, gt: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    if pred.shape != gt.shape:
        raise ValueError(f"prediction shape {pred.shape} differs from ground truth {gt.shape}")
    if pred.ndim not in (2, 3):
        raise ValueError(f"images must be (H, W) or (H, W, C), got {pred.shape}")
    v = np.ones(gt.shape[:2], bool) if mask is None else np.asarray(mask, bool)
    if v.shape != gt.shape[:2]:
        raise ValueError(f"mask shape {v.shape} differs from the image's {gt.shape[:2]}")
    fin = np.isfinite(pred) & np.isfinite(gt)
    return v & (fin if fin.ndim == 2 else fin.all(-1))


def psnr(pred: np.ndarray, gt: np.ndarray, mask: np.ndarray | None = None, data_range: float = 1.0) -> float:
    p, g = np.asarray(pred, np.float64), np.asarray(gt, np.float64)
    v = _check(p, g, mask)
    if not v.any():
        raise ValueError("no valid pixels")
    mse = float(np.mean((p[v] - g[v]) ** 2))
    return float("inf") if mse == 0 else float(10.0 * np.log10(data_range ** 2 / mse))


def _ssim_map(x: np.ndarray, y: np.ndarray, m: np.ndarray, data_range: float) -> np.ndarray:
    def avg(a):
        return gaussian_filter(a * m, SIGMA, truncate=TRUNCATE, mode="reflect") / w

    w = gaussian_filter(m, SIGMA, truncate=TRUNCATE, mode="reflect")
    w = np.where(w > 1e-12, w, 1.0)
    ux, uy = avg(x), avg(y)
    vx = avg(x * x) - ux * ux
    vy = avg(y * y) - uy * uy
    vxy = avg(x * y) - ux * uy
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    return ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2))


def ssim(pred: np.ndarray, gt: np.ndarray, mask: np.ndarray | None = None, data_range: float = 1.0) -> float:
    p, g = np.asarray(pred, np.float64), np.asarray(gt, np.float64)
    v = _check(p, g, mask)
    h, w = v.shape
    if h <= 2 * RADIUS or w <= 2 * RADIUS:
        raise ValueError(f"SSIM needs images larger than {2 * RADIUS + 1} px on each side, got {w}x{h}")
    m = v.astype(np.float64)
    inner = np.zeros_like(v)
    inner[RADIUS:h - RADIUS, RADIUS:w - RADIUS] = True
    keep = v & inner
    if not keep.any():
        raise ValueError("no valid pixels away from the image border")
    p = np.where(v[..., None] if p.ndim == 3 else v, p, 0.0)
    g = np.where(v[..., None] if g.ndim == 3 else v, g, 0.0)
    chans = [(p, g)] if p.ndim == 2 else [(p[..., c], g[..., c]) for c in range(p.shape[-1])]
    return float(np.mean([_ssim_map(a, b, m, data_range)[keep].mean() for a, b in chans]))


def image_metrics(pred: np.ndarray, gt: np.ndarray, mask: np.ndarray | None = None) -> dict:
    """PSNR, SSIM and mean absolute error of two images (any dtype; see ``as_float_image``)."""
    p, r = as_float_image(pred)
    g, _ = as_float_image(gt)
    if p.ndim == 3 and g.ndim == 3 and p.shape[-1] != g.shape[-1]:  # RGBA against RGB: colour only
        c = min(p.shape[-1], g.shape[-1], 3)
        p, g = p[..., :c], g[..., :c]
    v = _check(p, g, mask)
    out = {"valid_pixels": int(v.sum()), "psnr": psnr(p, g, v, r), "ssim": ssim(p, g, v, r),
           "mae": float(np.mean(np.abs(p[v] - g[v])))}
    return out
