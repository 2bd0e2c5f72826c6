"""Surface-normal angle errors (numpy only).

Both fields are (H, W, 3) vectors in the same axes (wildsynth writes camera OpenCV
axes: x right, y down, z forward). Each is normalised; pixels where either is not
finite or has zero length (wildsynth's sky) are left out, as is anything outside an
optional mask. The angle is ``arccos(clip(n_p . n_g, -1, 1))`` in degrees.
"""

from __future__ import annotations

import numpy as np

THRESHOLDS = (11.25, 22.5, 30.0)


def angle_errors(pred: np.ndarray, gt: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Per-pixel angle errors in degrees over the valid pixels (1-D)."""
    p = np.asarray(pred, np.float64)
    g = np.asarray(gt, np.float64)
    if p.shape != g.shape or p.ndim != 3 or p.shape[-1] != 3:
        raise ValueError(f"normals must both be (H, W, 3); got prediction {p.shape}, ground truth {g.shape}")
    lp = np.linalg.norm(p, axis=-1)
    lg = np.linalg.norm(g, axis=-1)
    v = np.isfinite(lp) & np.isfinite(lg) & (lp > 1e-8) & (lg > 1e-8)
    if mask is not None:
        mask = np.asarray(mask, bool)
        if mask.shape != v.shape:
            raise ValueError(f"mask shape {mask.shape} differs from the normals' {v.shape}")
        v &= mask
    cos = np.einsum("nc,nc->n", p[v] / lp[v, None], g[v] / lg[v, None])
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def normal_metrics(pred: np.ndarray, gt: np.ndarray, mask: np.ndarray | None = None) -> dict:
    e = angle_errors(pred, gt, mask)
    if e.size == 0:
        raise ValueError("no valid pixels (both normals finite and non-zero)")
    out = {"valid_pixels": int(e.size), "mean_deg": float(e.mean()), "median_deg": float(np.median(e)),
           "rmse_deg": float(np.sqrt(np.mean(e * e)))}
    for t in THRESHOLDS:
        out[f"pct_below_{t:g}"] = float(100.0 * np.mean(e < t))
    return out
