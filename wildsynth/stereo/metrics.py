"""Image similarity inside a mask: PSNR and SSIM (Wang et al. 2004, Gaussian window sigma 1.5)."""

from __future__ import annotations

import numpy as np
from scipy import ndimage


def psnr(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None, peak: float = 1.0) -> float:
    err = (np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2
    if err.ndim == 3:
        err = err.mean(axis=2)
    mse = float(err[mask].mean() if mask is not None else err.mean())
    return float("inf") if mse == 0 else 10.0 * np.log10(peak**2 / mse)


def ssim_map(a: np.ndarray, b: np.ndarray, peak: float = 1.0, sigma: float = 1.5) -> np.ndarray:
    """Per-pixel SSIM averaged over channels."""
    a = np.atleast_3d(np.asarray(a, np.float64))
    b = np.atleast_3d(np.asarray(b, np.float64))
    c1, c2 = (0.01 * peak) ** 2, (0.03 * peak) ** 2
    out = np.zeros(a.shape[:2])
    for k in range(a.shape[2]):
        x, y = a[..., k], b[..., k]
        f = lambda t: ndimage.gaussian_filter(t, sigma, truncate=3.5)  # noqa: E731
        mx, my = f(x), f(y)
        sxx, syy, sxy = f(x * x) - mx * mx, f(y * y) - my * my, f(x * y) - mx * my
        out += ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return out / a.shape[2]


def ssim(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None, peak: float = 1.0) -> float:
    m = ssim_map(a, b, peak)
    return float(m[mask].mean() if mask is not None else m.mean())


def synthetic_scene_report(width: int = 320, height: int = 240, fill: str = "background") -> dict:
    """Run `from_mono` in metric mode on the analytic scene and compare with the true right view."""
    from .pair import from_mono
    from .synthetic import planes_scene

    sc = planes_scene(width, height)
    pair = from_mono(sc["left"], sc["depth_left"], 0, focal=sc["focal"], baseline=sc["baseline"], fill=fill)
    cov = sc["covisible_right"]
    eval_mask = cov & ~pair.holes
    holes_gt = ~cov
    inter = float((pair.holes & holes_gt).sum())
    union = float((pair.holes | holes_gt).sum())
    return {
        "resolution": f"{width}x{height}",
        "psnr_covisible_db": round(psnr(pair.right, sc["right"], eval_mask), 2),
        "ssim_covisible": round(ssim(pair.right, sc["right"], eval_mask), 4),
        "psnr_all_db": round(psnr(pair.right, sc["right"]), 2),
        "hole_fraction": round(float(pair.holes.mean()), 4),
        "hole_fraction_true": round(float(holes_gt.mean()), 4),
        "hole_iou": round(inter / union, 4) if union else 1.0,
        "covisible_fraction_evaluated": round(float(eval_mask.sum() / max(cov.sum(), 1)), 4),
        "disparity_epe_px": round(float(np.abs(pair.disparity - sc["disparity_left"]).mean()), 4),
    }
