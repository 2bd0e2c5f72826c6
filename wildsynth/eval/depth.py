"""Depth metrics, with and without least-squares alignment (numpy only).

Conventions (docs/evaluate.md):

- Valid pixels: ground truth finite and > 0 (sky is ``inf`` in wildsynth files), inside
  ``[min_depth, max_depth]`` when given, and the prediction finite; an optional mask
  narrows them further.
- ``pred_kind="depth"``: the prediction is z-depth. ``"disparity"``: the prediction is
  (affine-invariant) inverse depth, as MiDaS / DPT output; alignment is then fitted
  against ``1 / gt`` and the aligned disparity turned into depth (``1 / d``).
- Alignment is fitted on the valid pixels, in the space of the prediction:
  ``scale``: ``s = argmin sum (s p - g)^2 = sum(p g) / sum(p p)``;
  ``scale_shift``: ``(s, t) = argmin sum (s p + t - g)^2`` (ordinary least squares),
  where ``g`` is depth for a depth prediction and ``1 / depth`` for a disparity one.
- Aligned depth is clamped below at ``clamp`` metres (default 1e-3) so that log and
  ratio metrics stay finite where an affine fit goes negative; disparity is clamped
  below at ``1 / max_depth`` when ``max_depth`` is given, as MiDaS evaluates.
"""

from __future__ import annotations

import numpy as np

ALIGNMENTS = ("none", "scale", "scale_shift")
PRED_KINDS = ("depth", "disparity")


def valid_depth(gt: np.ndarray, pred: np.ndarray, mask: np.ndarray | None = None,
                min_depth: float | None = None, max_depth: float | None = None) -> np.ndarray:
    """The pixels a depth metric is taken over (see the module's conventions)."""
    gt = np.asarray(gt, np.float64)
    pred = np.asarray(pred, np.float64)
    if gt.shape != pred.shape:
        raise ValueError(f"prediction shape {pred.shape} differs from ground truth {gt.shape}")
    v = np.isfinite(gt) & (gt > 0) & np.isfinite(pred)
    if min_depth is not None:
        v &= gt >= min_depth
    if max_depth is not None:
        v &= gt <= max_depth
    if mask is not None:
        mask = np.asarray(mask, bool)
        if mask.shape != gt.shape:
            raise ValueError(f"mask shape {mask.shape} differs from ground truth {gt.shape}")
        v &= mask
    return v


def fit_scale(p: np.ndarray, g: np.ndarray) -> float:
    """Least-squares ``s`` with ``s p ~ g``."""
    den = float(np.dot(p, p))
    if den == 0:
        raise ValueError("prediction is zero on every valid pixel: no scale can be fitted")
    return float(np.dot(p, g)) / den


def fit_scale_shift(p: np.ndarray, g: np.ndarray) -> tuple[float, float]:
    """Least-squares ``(s, t)`` with ``s p + t ~ g``."""
    a = np.stack([p, np.ones_like(p)], 1)
    (s, t), *_ = np.linalg.lstsq(a, g, rcond=None)
    return float(s), float(t)


def depth_errors(pred: np.ndarray, gt: np.ndarray) -> dict[str, float]:
    """The standard errors (Eigen et al. 2014) of positive depths ``pred`` against ``gt`` (1-D arrays)."""
    p, g = np.asarray(pred, np.float64), np.asarray(gt, np.float64)
    d = p - g
    ratio = np.maximum(p / g, g / p)
    return {
        "abs_rel": float(np.mean(np.abs(d) / g)),
        "sq_rel": float(np.mean(d * d / g)),
        "rmse": float(np.sqrt(np.mean(d * d))),
        "rmse_log": float(np.sqrt(np.mean((np.log(p) - np.log(g)) ** 2))),
        "delta1": float(np.mean(ratio < 1.25)),
        "delta2": float(np.mean(ratio < 1.25 ** 2)),
        "delta3": float(np.mean(ratio < 1.25 ** 3)),
    }


def align(pred: np.ndarray, gt: np.ndarray, alignment: str, pred_kind: str = "depth",
          clamp: float = 1e-3, max_depth: float | None = None) -> tuple[np.ndarray, dict]:
    """Aligned depth (1-D, positive) from prediction values ``pred`` at valid pixels, and the fit."""
    if alignment not in ALIGNMENTS:
        raise ValueError(f"alignment {alignment!r}: choose one of {', '.join(ALIGNMENTS)}")
    if pred_kind not in PRED_KINDS:
        raise ValueError(f"pred_kind {pred_kind!r}: choose one of {', '.join(PRED_KINDS)}")
    p = np.asarray(pred, np.float64)
    target = gt if pred_kind == "depth" else 1.0 / gt
    fit: dict = {"space": pred_kind}
    if alignment == "scale":
        fit["scale"] = fit_scale(p, target)
        p = fit["scale"] * p
    elif alignment == "scale_shift":
        fit["scale"], fit["shift"] = fit_scale_shift(p, target)
        p = fit["scale"] * p + fit["shift"]
    if pred_kind == "disparity":
        low = 1.0 / max_depth if max_depth else 1.0 / np.finfo(np.float64).max
        p = 1.0 / np.maximum(p, low)
    return np.maximum(p, clamp), fit


def depth_metrics(pred: np.ndarray, gt: np.ndarray, mask: np.ndarray | None = None, *, pred_kind: str = "depth",
                  alignments: tuple[str, ...] = ALIGNMENTS, min_depth: float | None = None,
                  max_depth: float | None = None, clamp: float = 1e-3) -> dict:
    """Every depth metric of ``pred`` (H, W) against ``gt`` (H, W), one block per alignment.

    Returns ``{"valid_pixels": n, "pred_kind": ..., "none": {...}, "scale": {..., "fit": {...}}, ...}``.
    """
    v = valid_depth(gt, pred, mask, min_depth, max_depth)
    n = int(v.sum())
    if n == 0:
        raise ValueError("no valid pixels (ground truth finite and > 0, prediction finite)")
    g = np.asarray(gt, np.float64)[v]
    p = np.asarray(pred, np.float64)[v]
    out: dict = {"valid_pixels": n, "pred_kind": pred_kind}
    for a in alignments:
        aligned, fit = align(p, g, a, pred_kind, clamp, max_depth)
        block = depth_errors(aligned, g)
        if a != "none":
            block["fit"] = fit
        out[a] = block
    return out
