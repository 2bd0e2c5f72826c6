"""The camera-centred polar grid every heightfield terrain is meshed on.

One connected grid of rings around the point below the eye: angular steps
subtend ``pixels_per_triangle`` pixels inside the view sector (plus a margin)
and six times that behind; ring radii grow geometrically, so a triangle's
projected size stays about constant with distance out to ``extent`` (the
horizon). A single grid has no level-of-detail seams, hence no cracks: every
interior edge is shared by exactly two triangles.
"""

from __future__ import annotations

import numpy as np


def polar_grid(eye: np.ndarray, yaw: float, hfov: float, width: int, extent: float,
               pixels_per_triangle: float, margin_deg: float = 20.0, r0: float = 0.1,
               radial_factor: float = 3.0, back_factor: float = 6.0, near: float = 0.0,
               far_start: float = np.inf, far_factor: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertex x, y (V,) and faces (F, 3) of the polar grid (CCW seen from above).

    Ring radii grow by ``1 + radial_factor * step`` per ring. Inside ``near`` (ground
    the camera cannot see: below the bottom of the frame) they grow ten times faster;
    beyond ``far_start`` the factor rises smoothly to ``far_factor`` at ten times that
    distance (distant terrain coarser).
    """
    step = hfov / width * pixels_per_triangle  # radians per triangle in view
    margin = np.radians(margin_deg)
    sector = min(hfov + 2 * margin, 2 * np.pi)
    n_view = max(int(np.ceil(sector / step)), 8)
    rest = 2 * np.pi - sector
    n_back = max(int(np.ceil(rest / (step * back_factor))), 16) if rest > 1e-6 else 0
    theta = np.concatenate([
        yaw - sector / 2 + np.arange(n_view) * (sector / n_view),
        yaw + sector / 2 + np.arange(n_back) * (rest / max(n_back, 1)),
    ])
    # ring growth: radial steps longer than angular ones (ground is seen at grazing angles)
    if near <= r0 and not np.isfinite(far_start):
        q = 1.0 + radial_factor * step
        n_rings = int(np.ceil(np.log(extent / r0) / np.log(q))) + 1
        radii = r0 * q ** np.arange(n_rings)
    else:
        far_factor = radial_factor if far_factor is None else far_factor
        rs = [r0]
        while rs[-1] < extent:
            r = rs[-1]
            f = radial_factor
            if r < near:
                f *= 10.0
            elif r > far_start:
                t = min(np.log(r / far_start) / np.log(10.0), 1.0)
                f += (far_factor - radial_factor) * t * t * (3 - 2 * t)
            rs.append(r * (1.0 + f * step))
        radii = np.array(rs)
        n_rings = len(radii)
    cx, cy = float(eye[0]), float(eye[1])
    xs = cx + radii[:, None] * np.cos(theta)[None, :]
    ys = cy + radii[:, None] * np.sin(theta)[None, :]
    n = len(theta)
    xv = np.concatenate([[cx], xs.ravel()])
    yv = np.concatenate([[cy], ys.ravel()])
    # faces: centre fan, then quads between consecutive rings (wrapping in theta)
    j = np.arange(n)
    jn = (j + 1) % n
    fan = np.stack([np.zeros(n, dtype=np.int64), 1 + j, 1 + jn], -1)
    i = np.arange(n_rings - 1)[:, None]
    a = 1 + i * n + j[None, :]
    b = 1 + i * n + jn[None, :]
    c = 1 + (i + 1) * n + jn[None, :]
    d = 1 + (i + 1) * n + j[None, :]
    quads = np.concatenate([np.stack([a, c, b], -1).reshape(-1, 3), np.stack([a, d, c], -1).reshape(-1, 3)])
    return xv, yv, np.concatenate([fan, quads])
