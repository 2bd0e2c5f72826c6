"""Depth or inverse depth -> disparity in pixels (left view, positive).

Two modes:

* metric: ``d = f * B / z`` when both focal length (px) and baseline are given;
* relative (default, Watson et al. 2020): make inverse depth unit-free, then
  scale it to a maximum disparity ``s ~ U(max_disp_min, max_disp_max)``; with
  probability ``p_extended`` ``s`` is instead drawn from
  ``extended_range * max_disp_max`` (the paper's rare larger range).

Unit-free inverse depth, ``normalise``:

* ``max``: ``(1/z) / max(1/z)``. Equivalent to a real rig whose ``f * B``
  puts the nearest point at disparity ``s``; ratios of disparities stay
  physically right. Default for z-depth input.
* ``minmax``: ``(inv - min) / (max - min)`` -> [0, 1], as in the paper; right
  for monocular-network inverse depth, which is only known up to scale and shift.
  Default for inverse-depth input.

Depth conventions (DESIGN.md): z-depth in metres; sky / no hit is ``inf``
(values >= 1e9, e.g. Cycles' 1e10, count as infinity) and gets disparity 0.
Depth that is NaN or <= 0 is invalid. For inverse depth, 0 means infinitely far
and NaN or negative values are invalid.
"""

from __future__ import annotations

import numpy as np

from .params import StereoParams

FAR = 1e9  # depth at or beyond this is "infinitely far"


class StereoInputError(ValueError):
    """Bad input to the stereo generator; the message is one line that names the problem."""


def inverse_depth(depth: np.ndarray, inverse: bool) -> tuple[np.ndarray, np.ndarray]:
    """Return (inverse depth float32 with 0 where invalid, valid bool)."""
    z = np.asarray(depth, dtype=np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        if inverse:
            valid = np.isfinite(z) & (z >= 0)
            inv = np.where(valid, z, 0).astype(np.float32)
        else:
            valid = ~np.isnan(z) & (z > 0)
            inv = np.where(valid & (z < FAR), 1.0 / z, 0).astype(np.float32)
    return inv, valid


def sample_max_disparity(params: StereoParams, rng: np.random.Generator) -> float:
    """Draw the maximum disparity s (pixels) as in the paper."""
    u_ext, u_s = rng.random(2)
    if u_ext < params.p_extended:
        lo, hi = params.extended_range
        return float(params.max_disp_max * (lo + (hi - lo) * u_s))
    return float(params.max_disp_min + (params.max_disp_max - params.max_disp_min) * u_s)


def depth_to_disparity(
    depth: np.ndarray, params: StereoParams, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, float]:
    """Depth map -> (disparity float32 px, 0 where invalid; valid mask; scale used).

    The scale is the sampled max disparity in relative mode, ``f * B`` in metric mode.
    """
    inv, valid = inverse_depth(depth, params.inverse)
    if not valid.any():
        raise StereoInputError("depth has no valid pixels (all NaN or <= 0)")
    s = sample_max_disparity(params, rng)  # always drawn, so the random stream does not depend on the mode
    if params.metric:
        scale = float(params.focal * params.baseline)
        return (inv * np.float32(scale)).astype(np.float32), valid, scale
    mode = params.normalise
    if mode == "auto":
        mode = "minmax" if params.inverse else "max"
    v = inv[valid]
    hi = float(v.max())
    lo = float(v.min()) if mode == "minmax" else 0.0
    if hi - lo <= 0:
        unit = np.zeros_like(inv)  # all at infinity, or one constant plane in minmax: no parallax
    else:
        unit = np.clip((inv - lo) / (hi - lo), 0, 1)
    disp = np.where(valid, unit * np.float32(s), 0).astype(np.float32)
    return disp, valid, s
