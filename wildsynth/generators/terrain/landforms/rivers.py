"""Water courses a landform shapes: a river valley's analytic axis and a traced river."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from scipy.spatial import cKDTree

from ...noise import fbm2


@dataclass
class ValleyAxis:
    """The analytic axis of a river valley along x' (rotated frame): centre y' = centre(x'), the
    valley floor falling along x'. The river itself is traced on the eroded grid by the terrain
    field (drainage), so it follows the terrain's own flow; this axis only shapes the valley."""

    angle: float  # rotation of the valley frame, radians
    meander: float
    wavelength: float
    gradient: float  # fall of the valley floor per metre along x'
    perm: np.ndarray
    offset: float

    def frame(self, x, y):
        c, s = np.cos(self.angle), np.sin(self.angle)
        return c * x + s * y, -s * x + c * y

    def centre(self, xr):
        return self.meander * fbm2(xr / self.wavelength + self.offset, 0.5 + 0 * xr, self.perm, 3)

    def point(self, xr):
        """World xy (N, 2) of the axis at x' = xr."""
        xr = np.asarray(xr, dtype=np.float64)
        yr = self.centre(xr)
        c, s = np.cos(self.angle), np.sin(self.angle)
        return np.stack([c * xr - s * yr, s * xr + c * yr], -1)

    def distance(self, x, y):
        xr, yr = self.frame(x, y)
        return np.abs(yr - self.centre(xr))

    def level(self, x, y):
        xr, _ = self.frame(x, y)
        return -self.gradient * xr


class River:
    """A river along a polyline course (upstream first): water level (non-increasing downstream),
    width and depth per course vertex. Queries project points on the course: distance, arc
    length, signed offset (left of the flow > 0), and the level / width / depth there.

    ``reach``: points farther than this from the course are not projected (distance = ``FAR``).
    """

    FAR = 1e9

    def __init__(self, course: np.ndarray, levels: np.ndarray, widths: np.ndarray, depths: np.ndarray,
                 reach: float = 150.0):
        self.course = np.ascontiguousarray(course, dtype=np.float64)
        self.levels = np.asarray(levels, dtype=np.float64)
        self.widths = np.asarray(widths, dtype=np.float64)
        self.depths = np.asarray(depths, dtype=np.float64)
        seg = np.diff(self.course, axis=0)
        self._seg = seg
        self._len = np.maximum(np.hypot(seg[:, 0], seg[:, 1]), 1e-12)
        self.s = np.concatenate([[0.0], np.cumsum(self._len)])
        self.reach = float(reach)
        self.width = float(self.widths.max())  # the widest point (for conservative bounds)
        self._tree = cKDTree(self.course)
        # a coarse raster of where the course is within reach: far points skip the tree query
        self._rc = max(self.reach / 2.0, float(self._len.max()))
        self._r0 = self.course.min(axis=0) - self.reach - 2 * self._rc
        shape = np.ceil((self.course.max(axis=0) + self.reach + 2 * self._rc - self._r0) / self._rc).astype(int) + 1
        hit = np.zeros(shape[::-1], dtype=bool)
        ij = ((self.course - self._r0) / self._rc).astype(int)
        hit[ij[:, 1], ij[:, 0]] = True
        self._near = ndimage.distance_transform_edt(~hit) <= self.reach / self._rc + 2.0

    def project(self, x, y) -> dict[str, np.ndarray]:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        shape = np.broadcast(x, y).shape
        q = np.stack([np.broadcast_to(x, shape).ravel(), np.broadcast_to(y, shape).ravel()], -1)
        n = len(q)
        d = np.full(n, self.FAR)
        off = np.full(n, self.FAR)
        s = np.zeros(n)
        ij = np.floor((q - self._r0) / self._rc).astype(np.int64)
        sh = self._near.shape
        cand = (ij[:, 0] >= 0) & (ij[:, 1] >= 0) & (ij[:, 0] < sh[1]) & (ij[:, 1] < sh[0])
        cand[cand] = self._near[ij[cand, 1], ij[cand, 0]]
        hit = np.zeros(n, dtype=bool)
        k = np.zeros(n, dtype=np.int64)
        if cand.any():
            dd, kc = self._tree.query(q[cand], distance_upper_bound=self.reach + self._len.max())
            hit[cand] = np.isfinite(dd)
            k[cand] = np.where(np.isfinite(dd), kc, 0)
        k = k[hit]
        if hit.any():
            qh, kh = q[hit], k
            best = np.full(len(qh), np.inf)
            bs, boff = np.zeros(len(qh)), np.zeros(len(qh))
            for seg in (np.maximum(kh - 1, 0), np.minimum(kh, len(self._len) - 1)):
                a, e, ln = self.course[seg], self._seg[seg], self._len[seg]
                rel = qh - a
                t = np.clip((rel[:, 0] * e[:, 0] + rel[:, 1] * e[:, 1]) / ln ** 2, 0.0, 1.0)
                px, py = rel[:, 0] - t * e[:, 0], rel[:, 1] - t * e[:, 1]
                dist = np.hypot(px, py)
                better = dist < best
                best = np.where(better, dist, best)
                bs = np.where(better, self.s[seg] + t * ln, bs)
                boff = np.where(better, np.sign(e[:, 0] * rel[:, 1] - e[:, 1] * rel[:, 0]) * dist, boff)
            d[hit], s[hit], off[hit] = best, bs, boff
        out = {"distance": d, "s": s, "offset": off, "level": np.interp(s, self.s, self.levels),
               "width": np.interp(s, self.s, self.widths), "depth": np.interp(s, self.s, self.depths)}
        return {key: v.reshape(shape) for key, v in out.items()}

    def distance(self, x, y):
        return self.project(x, y)["distance"]

    def level(self, x, y):
        return self.project(x, y)["level"]
