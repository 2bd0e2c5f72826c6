"""An analytic stereo scene with exact ground truth, for testing `from_mono`.

Textured planes in camera (OpenCV) axes, rendered by exact ray casting for a
left camera at the origin and a right camera at (baseline, 0, 0), both with the
same pinhole K (rectified pair). Images are box-filtered over ``ss x ss``
sub-pixel samples (anti-aliased edges, like a real render); depth is the exact
z-depth at pixel centres (like Cycles' Z pass).

Scene: a back wall at z = 12, a ground plane 1.2 below the camera, and three
fronto-parallel rectangles at z = 2.4, 4 and 7. Every surface carries a smooth
multi-frequency procedural texture in its own coordinates (metres).

`covisible_right` marks right-view pixels whose surface point is also seen by
the left camera: the pixels a perfect warp could reproduce. The rest are the
true disocclusions plus the strip outside the left view.
"""

from __future__ import annotations

import numpy as np

WALL_Z = 12.0
GROUND_Y = 1.2
# (z, x0, x1, y0, y1, base colour)
RECTS = (
    (2.4, 0.05, 0.75, -0.45, 0.35, (0.85, 0.35, 0.25)),
    (4.0, -1.5, -0.35, -1.0, 0.7, (0.3, 0.6, 0.85)),
    (7.0, 0.4, 2.6, -1.8, 0.1, (0.6, 0.75, 0.35)),
)
WALL_COLOUR = (0.7, 0.7, 0.75)
GROUND_COLOUR = (0.55, 0.45, 0.3)


def _texture(a: np.ndarray, b: np.ndarray, k: int, base) -> np.ndarray:
    """Smooth procedural texture on plane coordinates (a, b) in metres."""
    rng = np.random.default_rng(1000 + k)
    t = np.zeros(a.shape, np.float64)
    for freq in (1.3, 2.9, 6.1):
        ang = rng.uniform(0, np.pi)
        ph = rng.uniform(0, 2 * np.pi)
        t += np.sin(2 * np.pi * freq * (a * np.cos(ang) + b * np.sin(ang)) + ph) / freq
    t = 0.5 + 0.5 * t / 1.1
    tint = rng.uniform(-0.15, 0.15, 3)
    return np.clip(np.asarray(base)[None, :] * (0.45 + 0.75 * t[:, None]) + tint * (t[:, None] - 0.5), 0, 1)


def _cast(dx: np.ndarray, dy: np.ndarray, ox: float):
    """Rays o + z * (dx, dy, 1) from o = (ox, 0, 0): (z, colour) of the nearest hit."""
    n = dx.size
    z = np.full(n, WALL_Z)
    col = _texture(ox + WALL_Z * dx, WALL_Z * dy, 0, WALL_COLOUR)
    with np.errstate(divide="ignore", invalid="ignore"):
        zg = np.where(dy > 0, GROUND_Y / dy, np.inf)
    hit = zg < z
    if hit.any():
        z[hit] = zg[hit]
        col[hit] = _texture(ox + zg[hit] * dx[hit], zg[hit], 1, GROUND_COLOUR)
    for k, (zr, x0, x1, y0, y1, base) in enumerate(RECTS):
        X, Y = ox + zr * dx, zr * dy
        hit = (X >= x0) & (X < x1) & (Y >= y0) & (Y < y1) & (zr < z)
        if hit.any():
            z[hit] = zr
            col[hit] = _texture(X[hit], Y[hit], 2 + k, base)
    return z, col


def render_view(width: int, height: int, focal: float, ox: float, ss: int = 3):
    """(image float32 (H, W, 3), z-depth at pixel centres (H, W)) for a camera at (ox, 0, 0)."""
    cx, cy = width / 2.0, height / 2.0
    v, u = np.mgrid[0:height, 0:width].astype(np.float64)
    offs = (np.arange(ss) + 0.5) / ss
    acc = np.zeros((height * width, 3))
    for oy in offs:
        for oxs in offs:
            _, c = _cast(((u + oxs - cx) / focal).ravel(), ((v + oy - cy) / focal).ravel(), ox)
            acc += c
    img = (acc / ss**2).reshape(height, width, 3).astype(np.float32)
    z, _ = _cast(((u + 0.5 - cx) / focal).ravel(), ((v + 0.5 - cy) / focal).ravel(), ox)
    return img, z.reshape(height, width).astype(np.float32)


def planes_scene(width: int = 320, height: int = 240, baseline: float = 0.12, ss: int = 3) -> dict:
    """Render the scene for a rectified pair; returns images, depths, GT disparity and co-visibility."""
    focal = 0.9 * width
    left, zl = render_view(width, height, focal, 0.0, ss)
    right, zr = render_view(width, height, focal, baseline, ss)
    # right pixel centre -> its 3D point -> the left camera; co-visible if the left camera sees that point
    v, u = np.mgrid[0:height, 0:width].astype(np.float64)
    cx = width / 2.0
    xr = (u + 0.5 - cx) / focal * zr + baseline  # point X in left-camera axes
    ul = focal * xr / zr + cx  # left image coordinate (edge-origin)
    inside = (ul >= 0) & (ul < width)
    zl_at, _ = _cast(((ul - cx) / focal).ravel(), ((v + 0.5 - height / 2.0) / focal).ravel(), 0.0)
    covis = inside & (np.abs(zl_at.reshape(height, width) - zr) <= 1e-6 * zr)
    return {"left": left, "right": right, "depth_left": zl, "depth_right": zr, "focal": focal,
            "baseline": baseline, "disparity_left": (focal * baseline / zl).astype(np.float32),
            "covisible_right": covis}
