"""Occlusion boundaries from the exact depth and instance maps (numpy only).

A pixel is an occlusion boundary when it is the *nearer* side of a
discontinuity with one of its 4 neighbours:

- the neighbour shows another instance (or sky) and is farther away, or
- same instance, but the depth jumps: ``|z_p - z_q| > rel * min(z_p, z_q)``
  and the jump is more than ``ramp`` times the depth step of the pixels on
  either side of it (so steep but smooth ramps, like grazing ground, are not
  boundaries), and ``p`` is the nearer one.

Sky pixels are never boundaries (the object pixel next to them is).
"""

from __future__ import annotations

import numpy as np


def occlusion_boundaries(depth: np.ndarray, instance: np.ndarray, rel: float = 0.05, ramp: float = 3.0) -> np.ndarray:
    """(H, W) bool map of occluding-side boundary pixels."""
    z = np.where(np.isfinite(depth), depth, np.inf).astype(np.float64)
    out = np.zeros(z.shape, dtype=bool)
    for axis in (0, 1):
        a = z.swapaxes(0, 1) if axis == 0 else z
        ids = instance.swapaxes(0, 1) if axis == 0 else instance
        res = out.swapaxes(0, 1) if axis == 0 else out  # a view: writes land in ``out``
        za, zb = a[:, :-1], a[:, 1:]  # pairs (p, q) along this axis
        with np.errstate(invalid="ignore"):
            jump = np.abs(zb - za)
            step = np.abs(np.diff(a, axis=1))  # same as jump, used for the sides
            left = np.pad(step, ((0, 0), (1, 0)), constant_values=0.0)[:, :-1]
            right = np.pad(step, ((0, 0), (0, 1)), constant_values=0.0)[:, 1:]
            side = np.fmax(np.where(np.isfinite(left), left, 0.0), np.where(np.isfinite(right), right, 0.0))
            near = np.minimum(za, zb)
            depth_edge = (jump > rel * near) & (jump > ramp * side)
            diff_id = ids[:, :-1] != ids[:, 1:]
            edge = (diff_id | depth_edge) & np.isfinite(near)
            res[:, :-1] |= edge & (za < zb)
            res[:, 1:] |= edge & (zb < za)
    return out
