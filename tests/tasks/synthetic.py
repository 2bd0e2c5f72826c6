"""A ray-cast toy scene (ground plane + sphere) with exact depth and a smooth colour, numpy only."""

from __future__ import annotations

import numpy as np

from wildsynth.core.axes import look_at
from wildsynth.core.camera import Camera

CENTRE, RADIUS = np.array([0.0, 0.0, 1.0]), 1.0


def colour(p: np.ndarray) -> np.ndarray:
    """A smooth colour of world points (..., 3) -> (..., 3) in [0, 1]."""
    return np.stack([0.5 + 0.4 * np.sin(1.3 * p[..., 0]), 0.5 + 0.4 * np.cos(1.1 * p[..., 1]),
                     0.5 + 0.4 * np.sin(0.9 * p[..., 2] + p[..., 0])], -1)


def camera(eye, target=(0.0, 0.0, 0.8), width=96, height=64, hfov=60.0) -> Camera:
    return Camera.from_hfov(width, height, hfov, look_at(np.asarray(eye, float), np.asarray(target, float)))


def render(cam: Camera) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(colour (H, W, 3), z-depth (H, W) inf on sky, instance (H, W): 1 plane, 2 sphere)."""
    d = cam.pixel_rays()
    o = cam.position
    # plane z = 0 (only below the horizon, |x|, |y| < 8)
    with np.errstate(divide="ignore", invalid="ignore"):
        tp = -o[2] / d[..., 2]
    pp = o + tp[..., None] * d
    tp = np.where((tp > 0) & (np.abs(pp[..., 0]) < 8) & (np.abs(pp[..., 1]) < 8), tp, np.inf)
    # sphere
    oc = o - CENTRE
    b = d @ oc
    c = oc @ oc - RADIUS ** 2
    disc = b * b - c
    ts = np.where(disc > 0, -b - np.sqrt(np.maximum(disc, 0)), np.inf)
    ts = np.where(ts > 0, ts, np.inf)
    t = np.minimum(tp, ts)
    inst = np.where(np.isinf(t), 0, np.where(ts < tp, 2, 1))
    p = o + np.where(np.isfinite(t), t, 0.0)[..., None] * d
    forward = cam.cam_to_world[:3, 2]
    z = np.where(np.isfinite(t), t * (d @ forward), np.inf)
    col = np.where(np.isfinite(t)[..., None], colour(p), 0.0)
    return col.astype(np.float32), z.astype(np.float32), inst.astype(np.int64)
