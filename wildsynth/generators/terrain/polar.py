"""The camera-centred polar grid every heightfield terrain is meshed on.

One connected grid of rings around the point below the eye: angular steps
subtend ``pixels_per_triangle`` pixels inside the view sector (plus a margin)
and six times that behind; ring radii grow geometrically, so a triangle's
projected size stays about constant with distance out to ``extent`` (the
horizon). A single grid has no level-of-detail seams, hence no cracks: every
interior edge is shared by exactly two triangles.

``sector_grid`` is the same grid with a dense set of several angle intervals
(the union of the view sectors of cameras that share one eye: a stereo pair, a
pan); ``polar_grid`` is its one-interval case. Grids whose detail follows
cameras at different places are in ``lod.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

TAU = 2.0 * np.pi


def ring_radii(step: float, extent: float, r0: float, radial_factor: float, near: float = 0.0,
               far_start: float = np.inf, far_factor: float | None = None, eye_height=0.0) -> np.ndarray:
    """Ring radii from ``r0`` to the first one at or beyond ``extent``.

    Radii grow by ``1 + radial_factor * step`` per ring. Inside ``near`` (ground the
    camera cannot see: below the bottom of the frame) they grow ten times faster;
    beyond ``far_start`` the factor rises smoothly to ``far_factor`` at ten times that
    distance (distant terrain coarser).

    With ``eye_height`` h > 0 (one or several eyes above flat ground), the factor near the
    eye is what foreshortening allows: a radial edge L at distance r spans L h / (r^2 + h^2)
    radians, so edges as long as ``(r^2 + h^2) / (h r)`` times the angular step keep their
    pixel size; the factor is that (at least 1, the least over the heights), capped at
    ``radial_factor``. Ground seen steeply near the camera gets square triangles.
    """
    hs = np.asarray(eye_height, dtype=np.float64).ravel()
    hs = hs[hs > 0]
    if near <= r0 and not np.isfinite(far_start) and not len(hs):
        q = 1.0 + radial_factor * step
        n_rings = int(np.ceil(np.log(extent / r0) / np.log(q))) + 1
        return r0 * q ** np.arange(n_rings)
    far_factor = radial_factor if far_factor is None else far_factor
    rs = [r0]
    while rs[-1] < extent:
        r = rs[-1]
        f = radial_factor
        if len(hs) and r >= near:
            f = min(f, max(1.0, float(np.min((r * r + hs * hs) / (hs * r)))))
        if r < near:
            f *= 10.0
        elif r > far_start:
            t = min(np.log(r / far_start) / np.log(10.0), 1.0)
            f += (far_factor - radial_factor) * t * t * (3 - 2 * t)
        rs.append(r * (1.0 + f * step))
    return np.array(rs)


def merge_sectors(lo: Sequence[float], hi: Sequence[float]) -> list[tuple[float, float]]:
    """The union of angle intervals [lo, hi] (radians, hi >= lo) on the circle, as sorted,
    disjoint ``(centre, width)`` pairs; one ``(lo, 2 pi)`` pair when they cover it all."""
    lo = np.asarray(lo, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    if len(lo) == 0:
        raise ValueError("merge_sectors: no intervals")
    if np.any(hi < lo):
        raise ValueError("merge_sectors: an interval ends before it starts")
    if np.any(hi - lo >= TAU):
        return [(float(lo[0]) + np.pi, TAU)]
    start = np.mod(lo, TAU)
    end = start + (hi - lo)
    order = np.argsort(start, kind="stable")
    merged: list[list[float]] = []
    for a, b in zip(start[order], end[order]):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    # the last interval may run past 2 pi into the first ones
    while len(merged) > 1 and merged[-1][1] >= merged[0][0] + TAU:
        first = merged.pop(0)
        merged[-1][1] = max(merged[-1][1], first[1] + TAU)
    if merged[-1][1] - merged[0][0] >= TAU:
        return [(merged[0][0] + np.pi, TAU)]
    return [((a + b) / 2, b - a) for a, b in merged]


def sector_angles(sectors: Sequence[tuple[float, float]], step: float, back_factor: float) -> np.ndarray:
    """Increasing ring angles: ``step`` apart inside the dense ``(centre, width)`` sectors (sorted,
    disjoint, within one turn), ``back_factor`` times coarser in the gaps between them.

    At least 8 angles over the dense sectors and 16 over the gaps (split by width).
    """
    widths = [w for _, w in sectors]
    dense = float(sum(widths))
    gaps = [(c1 - w1 / 2) - (c0 + w0 / 2) for (c0, w0), (c1, w1) in zip(sectors[:-1], sectors[1:])]
    gaps.append(2 * np.pi - dense - float(sum(gaps)))
    rest = max(float(sum(gaps)), 1e-300)
    parts = []
    for (c, w), g in zip(sectors, gaps):
        n_view = max(int(np.ceil(w / step)), int(np.ceil(8 * w / dense)))
        n_back = max(int(np.ceil(g / (step * back_factor))), int(np.ceil(16 * g / rest))) if g > 1e-6 else 0
        parts.append(c - w / 2 + np.arange(n_view) * (w / n_view))
        parts.append(c + w / 2 + np.arange(n_back) * (g / max(n_back, 1)))
    return np.concatenate(parts)


def polar_faces(n_theta: int, n_rings: int) -> np.ndarray:
    """Faces of a grid of vertex 0 (the centre) then ``n_rings`` rings of ``n_theta`` vertices:
    a centre fan, then two triangles per quad between consecutive rings (CCW from above)."""
    n = n_theta
    j = np.arange(n)
    jn = (j + 1) % n
    fan = np.stack([np.zeros(n, dtype=np.int64), 1 + j, 1 + jn], -1)
    i = np.arange(n_rings - 1)[:, None]
    a = 1 + i * n + j[None, :]
    b = 1 + i * n + jn[None, :]
    c = 1 + (i + 1) * n + jn[None, :]
    d = 1 + (i + 1) * n + j[None, :]
    quads = np.concatenate([np.stack([a, c, b], -1).reshape(-1, 3), np.stack([a, d, c], -1).reshape(-1, 3)])
    return np.concatenate([fan, quads])


def polar_mesh(eye: np.ndarray, theta: np.ndarray, radii: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertex x, y and faces of the grid: the point below ``eye``, then every ring of ``radii``
    at the increasing angles ``theta``."""
    cx, cy = float(eye[0]), float(eye[1])
    xs = cx + radii[:, None] * np.cos(theta)[None, :]
    ys = cy + radii[:, None] * np.sin(theta)[None, :]
    xv = np.concatenate([[cx], xs.ravel()])
    yv = np.concatenate([[cy], ys.ravel()])
    return xv, yv, polar_faces(len(theta), len(radii))


def sector_grid(eye: np.ndarray, sectors: Sequence[tuple[float, float]], step: float, extent: float,
                r0: float = 0.1, radial_factor: float = 3.0, back_factor: float = 6.0, near: float = 0.0,
                far_start: float = np.inf,
                far_factor: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A polar grid around ``eye`` whose dense angles (``step`` radians apart) fill the sorted,
    disjoint ``(centre, width)`` sectors (see ``merge_sectors``); rings as in ``ring_radii``."""
    theta = sector_angles(sectors, step, back_factor)
    return polar_mesh(eye, theta, ring_radii(step, extent, r0, radial_factor, near, far_start, far_factor))


def view_sector(yaw: float, hfov: float, margin_deg: float) -> tuple[float, float]:
    """The dense ``(centre, width)`` sector of one view: its field of view plus a margin each side."""
    return yaw, min(hfov + 2 * np.radians(margin_deg), 2 * np.pi)


def polar_grid(eye: np.ndarray, yaw: float, hfov: float, width: int, extent: float,
               pixels_per_triangle: float, margin_deg: float = 20.0, r0: float = 0.1,
               radial_factor: float = 3.0, back_factor: float = 6.0, near: float = 0.0,
               far_start: float = np.inf, far_factor: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertex x, y (V,) and faces (F, 3) of the polar grid (CCW seen from above).

    Angular step ``hfov / width * pixels_per_triangle`` inside the view sector (``hfov``
    plus ``margin_deg`` each side), ``back_factor`` times that behind; rings as in
    ``ring_radii``.
    """
    step = hfov / width * pixels_per_triangle  # radians per triangle in view
    return sector_grid(eye, [view_sector(yaw, hfov, margin_deg)], step, extent, r0, radial_factor,
                       back_factor, near, far_start, far_factor)


def polar_triangles(n_theta: int, n_rings: int) -> int:
    """Face count of a polar grid (centre fan plus two per quad)."""
    return n_theta * (2 * n_rings - 1)
