"""Ecological scattering: density maps from terrain masks, Poisson-disk spacing,
ground-aligned placements, and level of detail by distance to the cameras.

The pieces are independent so every scene composes them the same way:

1. ``Ecology`` evaluates masks anywhere (slope, altitude, moisture, distance
   to water, shade under trees) from a terrain field (``height``/``normal``,
   optionally ``masks``) and the trees placed so far.
2. ``Niche`` turns those masks into a density per square metre for one family.
3. ``sample_density`` draws points from a density (thinning a Poisson process,
   so counts follow the density), optionally only in a camera's view sector or
   a region within the sampled disk (the union of a shot's views);
   ``sample_clustered`` does the same from a Thomas cluster process (parents
   Poisson, children Gaussian around them), so ground cover clumps the way
   seeds, fallen leaves and pebbles do; ``sample_niche`` picks one of the two
   by the niche.
4. ``poisson_thin`` keeps points no closer than the sum of their radii (also
   to fixed obstacles), so large objects never intersect.
5. ``ground_transforms`` aligns placements to the ground normal with scale and
   rotation jitter; ``lod_thin`` thins small things with the distance to the
   nearest camera and enlarges the survivors, so coverage holds while counts fall.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numba import njit
from pydantic import BaseModel, ConfigDict, Field
from scipy.spatial import cKDTree

from ..core.mesh import compose_trs, rotation_align_z, rotation_z
from .noise import fbm2, perm_table


@njit(cache=True)
def _thin(xy, r, n_fixed, limit, x0, y0, cell, nx, ny, factor):
    n = len(xy)
    head = np.full(nx * ny, -1, dtype=np.int64)
    nxt = np.full(n, -1, dtype=np.int64)
    keep = np.zeros(n, dtype=np.bool_)
    count = 0
    for i in range(n):
        cx = min(max(int((xy[i, 0] - x0) / cell), 0), nx - 1)
        cy = min(max(int((xy[i, 1] - y0) / cell), 0), ny - 1)
        ok = True
        if i >= n_fixed:
            for gx in range(max(cx - 1, 0), min(cx + 2, nx)):
                for gy in range(max(cy - 1, 0), min(cy + 2, ny)):
                    j = head[gx * ny + gy]
                    while j >= 0:
                        dx, dy = xy[i, 0] - xy[j, 0], xy[i, 1] - xy[j, 1]
                        lim = factor * (r[i] + r[j])
                        if dx * dx + dy * dy < lim * lim:
                            ok = False
                            break
                        j = nxt[j]
                    if not ok:
                        break
                if not ok:
                    break
        if ok:
            keep[i] = True
            c = cx * ny + cy
            nxt[i] = head[c]
            head[c] = i
            if i >= n_fixed:
                count += 1
                if limit >= 0 and count >= limit:
                    break
    return keep


def poisson_thin(xy: np.ndarray, radius: np.ndarray | float, limit: int | None = None,
                 fixed_xy: np.ndarray | None = None, fixed_radius: np.ndarray | None = None,
                 factor: float = 1.0) -> np.ndarray:
    """Indices of the candidates kept by greedy Poisson-disk thinning, in the given order.

    A candidate is kept unless a kept one (or a fixed obstacle) is closer than
    ``factor * (r_i + r_j)``. Shuffle the candidates first for an unbiased pick;
    ``limit`` stops after that many are kept.
    """
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    r = np.broadcast_to(np.asarray(radius, dtype=np.float64), (len(xy),))
    fxy = np.zeros((0, 2)) if fixed_xy is None else np.asarray(fixed_xy, dtype=np.float64).reshape(-1, 2)
    fr = np.zeros(0) if fixed_radius is None else np.broadcast_to(np.asarray(fixed_radius, dtype=np.float64), (len(fxy),))
    allp = np.concatenate([fxy, xy])
    allr = np.concatenate([fr, r])
    if len(xy) == 0:
        return np.zeros(0, dtype=np.int64)
    lo, hi = allp.min(0), allp.max(0)
    cell = max(2.0 * factor * float(allr.max()), 1e-6)
    cell = max(cell, float(np.max(hi - lo)) / 4096.0)  # at most 4096^2 cells
    nx, ny = int((hi[0] - lo[0]) / cell) + 1, int((hi[1] - lo[1]) / cell) + 1
    keep = _thin(allp, allr, len(fxy), -1 if limit is None else int(limit), lo[0], lo[1], cell, nx, ny, float(factor))
    return np.flatnonzero(keep[len(fxy):])


def sample_density(rng: np.random.Generator, density: Callable[[np.ndarray, np.ndarray], np.ndarray],
                   max_density: float, centre=(0.0, 0.0), radius: float = 50.0, r_min: float = 0.0,
                   sector: tuple[float, float] | None = None, max_points: int = 20_000_000,
                   inside: Callable[[np.ndarray], np.ndarray] | None = None) -> np.ndarray:
    """Points (M, 2) from a density (per m^2, at most ``max_density``) in an annulus
    (optionally the sector yaw +- half_angle): uniform Poisson points, each kept
    with probability density / max_density, so the expected count is the integral.

    ``inside(xy) -> mask`` restricts the points to a region within the annulus (the
    union of several cameras' views): the annulus is sampled once and the points
    outside are dropped before the density is evaluated, so counts follow the
    density over that region."""
    if max_density <= 0 or radius <= r_min:
        return np.zeros((0, 2))
    yaw, half = (0.0, np.pi) if sector is None else sector
    half = min(half, np.pi)
    area = half * (radius**2 - r_min**2)
    n = min(int(rng.poisson(max_density * area)), max_points)
    rr = np.sqrt(rng.uniform(r_min**2, radius**2, n))
    aa = yaw + rng.uniform(-half, half, n)
    xy = np.stack([centre[0] + rr * np.cos(aa), centre[1] + rr * np.sin(aa)], -1)
    if inside is not None:
        xy = xy[inside(xy)]
        n = len(xy)
    d = np.clip(np.asarray(density(xy[:, 0], xy[:, 1]), dtype=np.float64), 0.0, max_density)
    return xy[rng.uniform(0, max_density, n) < d]


def _in_region(xy: np.ndarray, centre, r_min: float, radius: float, yaw: float, half: float,
               grow: float = 0.0) -> np.ndarray:
    """Points of the annulus sector (widened by ``grow`` metres on every side)."""
    dx, dy = xy[:, 0] - centre[0], xy[:, 1] - centre[1]
    r = np.hypot(dx, dy)
    ok = (r >= r_min - grow) & (r <= radius + grow)
    if half < np.pi:
        ang = np.abs((np.arctan2(dy, dx) - yaw + np.pi) % (2 * np.pi) - np.pi)
        widen = np.arcsin(np.clip(grow / np.maximum(r, 1e-9), 0.0, 1.0)) if grow > 0 else 0.0
        ok &= (ang <= half + widen) | (r <= grow)
    return ok


def sample_clustered(rng: np.random.Generator, density: Callable[[np.ndarray, np.ndarray], np.ndarray],
                     max_density: float, cluster_radius: float, cluster_size: float, centre=(0.0, 0.0),
                     radius: float = 50.0, r_min: float = 0.0, sector: tuple[float, float] | None = None,
                     max_points: int = 20_000_000, inside: Callable[[np.ndarray], np.ndarray] | None = None,
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Points (M, 2) of a Thomas cluster process thinned by a density, and the cluster of each (M,).

    Parents are Poisson with intensity ``max_density / cluster_size`` (over the region widened
    by three ``cluster_radius``, so clusters straddling its edge are complete); each has
    Poisson(``cluster_size``) children displaced by an isotropic Gaussian of standard deviation
    ``cluster_radius``. The children have intensity ``max_density`` everywhere on average (the
    process is stationary) and are kept with probability density / max_density, so expected
    counts equal those of ``sample_density`` while the points clump: the variance of counts in
    cells of about the cluster size is well above their mean (Poisson: equal)."""
    empty = (np.zeros((0, 2)), np.zeros(0, dtype=np.int64))
    if max_density <= 0 or radius <= r_min:
        return empty
    yaw, half = (0.0, np.pi) if sector is None else sector
    half = min(half, np.pi)
    sigma = max(float(cluster_radius), 1e-6)
    mu = max(float(cluster_size), 1e-3)
    grow = 3.0 * sigma
    R = radius + grow
    n_par = int(rng.poisson(max_density / mu * np.pi * R * R))
    n_par = min(n_par, max(1, int(max_points / mu)))
    rr = np.sqrt(rng.uniform(0.0, R * R, n_par))
    aa = rng.uniform(-np.pi, np.pi, n_par)
    parents = np.stack([centre[0] + rr * np.cos(aa), centre[1] + rr * np.sin(aa)], -1)
    near = np.flatnonzero(_in_region(parents, centre, r_min, radius, yaw, half, grow))
    kids = rng.poisson(mu, len(near))
    owner = np.repeat(near, kids)
    xy = parents[owner] + rng.normal(0.0, sigma, (len(owner), 2))
    ok = _in_region(xy, centre, r_min, radius, yaw, half)
    xy, owner = xy[ok], owner[ok]
    if inside is not None:
        ok = inside(xy)
        xy, owner = xy[ok], owner[ok]
    d = np.clip(np.asarray(density(xy[:, 0], xy[:, 1]), dtype=np.float64), 0.0, max_density)
    keep = rng.uniform(0, max_density, len(xy)) < d
    return xy[keep], owner[keep]


def sample_niche(rng: np.random.Generator, niche: "Niche", density: Callable, max_density: float,
                 centre=(0.0, 0.0), radius: float = 50.0, sector: tuple[float, float] | None = None,
                 inside: Callable[[np.ndarray], np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Points of a niche: Poisson (``sample_density``; clusters None) unless the niche clumps
    (``cluster_radius`` > 0: ``sample_clustered``, with each point's cluster)."""
    if niche.cluster_radius > 0:
        return sample_clustered(rng, density, max_density, niche.cluster_radius, niche.cluster_size, centre,
                                radius, sector=sector, inside=inside)
    return sample_density(rng, density, max_density, centre, radius, sector=sector, inside=inside), None


def variance_to_mean(xy: np.ndarray, centre, half: float, cell: float) -> float:
    """Variance-to-mean ratio of the point counts in square cells of side ``cell`` tiling the
    square ``centre`` +- ``half`` (1 for a Poisson process, above 1 when points clump)."""
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    n = max(int(2 * half / cell), 1)
    edges = [np.linspace(c - half, c + half, n + 1) for c in centre]
    counts, _, _ = np.histogram2d(xy[:, 0], xy[:, 1], bins=edges)
    m = counts.mean()
    return float(counts.var() / m) if m > 0 else 0.0


def ground_transforms(xy: np.ndarray, rng: np.random.Generator, height: Callable, normal: Callable,
                      scale: np.ndarray | float = 1.0, align: float = 1.0, tilt: float = 0.05,
                      sink: float = 0.0, yaw: np.ndarray | None = None) -> np.ndarray:
    """(N, 4, 4): on the ground at ``xy``, +Z blended between world up (``align`` 0)
    and the ground normal (1) plus ``tilt`` jitter, random yaw unless given,
    lowered by ``sink`` (metres or per-point array)."""
    n = len(xy)
    if n == 0:
        return np.zeros((0, 4, 4))
    z = height(xy[:, 0], xy[:, 1])
    nrm = normal(xy[:, 0], xy[:, 1])
    up = np.array([0.0, 0.0, 1.0])
    axis = (1.0 - align) * up + align * nrm + rng.normal(0, tilt, (n, 3))
    axis[:, 2] = np.maximum(axis[:, 2], 0.2)
    yaw = rng.uniform(0, 2 * np.pi, n) if yaw is None else yaw
    rot = rotation_align_z(axis) @ rotation_z(yaw)
    pos = np.stack([xy[:, 0], xy[:, 1], z - sink], -1)
    return compose_trs(pos, rot, np.broadcast_to(np.asarray(scale, dtype=np.float64), (n,)))


def lod_thin(xy: np.ndarray, eye: np.ndarray, near: float, rng: np.random.Generator,
             min_keep: float = 0.02, power: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Keep mask and scale factors: beyond ``near`` metres from the eye a point
    survives with probability (near/d)^power (at least ``min_keep``), and the
    survivors grow by 1/sqrt(p) (capped at 3) so the covered area stays about the same.

    ``eye`` is one point (2 or 3,) or several (K, 2 or 3): then d is the horizontal
    distance to the nearest (detail follows every camera of a shot)."""
    eye = np.asarray(eye, dtype=np.float64)
    if eye.ndim == 2 and len(eye) > 1:
        d = cKDTree(eye[:, :2]).query(np.asarray(xy, dtype=np.float64).reshape(-1, 2))[0]
    else:
        eye = eye.reshape(-1)
        d = np.hypot(xy[:, 0] - eye[0], xy[:, 1] - eye[1])
    p = np.clip((near / np.maximum(d, 1e-6)) ** power, min_keep, 1.0)
    keep = rng.uniform(0, 1, len(xy)) < p
    return keep, np.minimum(1.0 / np.sqrt(p[keep]), 3.0)


def view_sector(eye: np.ndarray, forward: np.ndarray, hfov: float, margin: float = 0.35) -> tuple[float, float]:
    """(yaw, half angle) of the camera's horizontal view, widened by ``margin`` radians."""
    yaw = float(np.arctan2(forward[1], forward[0]))
    return yaw, min(hfov / 2.0 + margin, np.pi)


class GridField:
    """A height function cached on a regular grid (bilinear), with normals from the grid.

    Density maps and alignment need the terrain at millions of candidate points;
    evaluating a many-octave height function there costs seconds, the grid
    milliseconds. Points outside the grid fall back to the exact functions.
    """

    def __init__(self, height: Callable, normal: Callable, centre, radius: float, step: float = 1.0,
                 masks: Callable | None = None):
        self._h, self._n, self._masks = height, normal, masks
        self.step = float(step)
        n = int(np.ceil(2 * radius / step)) + 3
        self.x0 = float(centre[0]) - radius - step
        self.y0 = float(centre[1]) - radius - step
        gx = self.x0 + np.arange(n) * step
        gy = self.y0 + np.arange(n) * step
        X, Y = np.meshgrid(gx, gy, indexing="ij")
        self.grid = height(X, Y)
        self.n = n
        self.mask_grids: dict[str, np.ndarray] = {}
        if masks is not None:  # the terrain's own masks (moisture, water_dist, snow...), cached too
            nrm = self.normal(X.ravel(), Y.ravel())
            for k, a in masks(X.ravel(), Y.ravel(), self.grid.ravel(), nrm).items():
                self.mask_grids[k] = np.asarray(a, dtype=np.float64).reshape(n, n)

    def mask(self, name: str, x, y) -> np.ndarray | None:
        """A cached terrain mask (bilinear), or None if the terrain has no such mask."""
        g = self.mask_grids.get(name)
        if g is None:
            return None
        fu, fv, i, j, _ = self._cells(x, y)
        return (g[i, j] * (1 - fu) * (1 - fv) + g[i + 1, j] * fu * (1 - fv) + g[i, j + 1] * (1 - fu) * fv
                + g[i + 1, j + 1] * fu * fv)

    def _cells(self, x, y):
        u = (np.asarray(x, dtype=np.float64) - self.x0) / self.step
        v = (np.asarray(y, dtype=np.float64) - self.y0) / self.step
        inside = (u >= 1) & (v >= 1) & (u < self.n - 2) & (v < self.n - 2)
        i = np.clip(np.floor(u).astype(np.int64), 0, self.n - 2)
        j = np.clip(np.floor(v).astype(np.int64), 0, self.n - 2)
        return u - i, v - j, i, j, inside

    def height(self, x, y) -> np.ndarray:
        fu, fv, i, j, inside = self._cells(x, y)
        g = self.grid
        h = (g[i, j] * (1 - fu) * (1 - fv) + g[i + 1, j] * fu * (1 - fv) + g[i, j + 1] * (1 - fu) * fv
             + g[i + 1, j + 1] * fu * fv)
        if not np.all(inside):
            out = ~inside
            h = np.array(h, dtype=np.float64)
            h[out] = self._h(np.broadcast_to(x, h.shape)[out], np.broadcast_to(y, h.shape)[out])
        return h

    def normal(self, x, y) -> np.ndarray:
        e = self.step
        dx = (self.height(np.asarray(x) + e, y) - self.height(np.asarray(x) - e, y)) / (2 * e)
        dy = (self.height(x, np.asarray(y) + e) - self.height(x, np.asarray(y) - e)) / (2 * e)
        n = np.stack([-dx, -dy, np.ones_like(dx)], -1)
        return n / np.linalg.norm(n, axis=-1, keepdims=True)


class Niche(BaseModel):
    """Where a plant family grows: each term is a soft window on one mask, multiplied."""

    model_config = ConfigDict(extra="forbid")

    density: float = Field(0.05, ge=0.0, le=10000.0, description="plants per m^2 where conditions are ideal")
    slope_max: float = Field(0.35, ge=0.0, le=1.0, description="slope (1 - n_z) above which nothing grows")
    altitude_min: float = Field(-1e4, description="lowest altitude, m")
    altitude_max: float = Field(1e4, description="highest altitude, m")
    altitude_fade: float = Field(5.0, gt=0.0, le=5000.0, description="density ramps from zero at altitude_min / altitude_max to full over this height, m (a treeline band)")
    moisture: float = Field(0.0, ge=-1.0, le=1.0, description="preference: +1 wet ground only, -1 dry only, 0 indifferent")
    shade: float = Field(0.0, ge=-1.0, le=1.0, description="preference: +1 under trees, -1 open ground, 0 indifferent")
    patchiness: float = Field(0.5, ge=0.0, le=1.0, description="how much the density clumps into patches")
    water_min: float = Field(0.0, ge=0.0, le=1000.0, description="least height above the water level, m")
    water_dist_max: float = Field(1e9, gt=0.0, description="grows only this close to water, m (riverbanks)")
    snow_max: float = Field(0.5, ge=0.0, le=1.0, description="snow cover above which nothing grows")
    gaps: float = Field(0.0, ge=0.0, le=0.95, description="share of the ground left bare: zero density where a patch noise falls below this level (clearings, paths, bare spots)")
    gap_scale: float = Field(8.0, gt=0.1, le=1000.0, description="size of the bare patches and the patches between them, m")
    cluster_radius: float = Field(0.0, ge=0.0, le=100.0, description="clumping: points scatter this far (Gaussian sigma, m) around cluster centres (Thomas process); 0 = independent (Poisson)")
    cluster_size: float = Field(10.0, gt=0.0, le=10000.0, description="mean points per cluster (with cluster_radius > 0)")


@dataclass
class Ecology:
    """Masks anywhere on a terrain field, plus shade from placed trees."""

    height: Callable
    normal: Callable
    seed_rng: np.random.Generator
    water_level: float | Callable | None = None  # altitude, or a function (x, y) -> level (-inf: none)
    tree_xy: np.ndarray | None = None
    tree_radius: np.ndarray | None = None
    masks: Callable | None = None  # (name, x, y) -> terrain mask or None (e.g. GridField.mask)

    def __post_init__(self) -> None:
        self._perm = perm_table(self.seed_rng)
        self._offset = self.seed_rng.uniform(-1e3, 1e3, 2)
        self._tree_index = None

    def set_trees(self, xy: np.ndarray, radius: np.ndarray) -> None:
        self.tree_xy, self.tree_radius = np.asarray(xy).reshape(-1, 2), np.asarray(radius).reshape(-1)
        self._tree_index = cKDTree(self.tree_xy) if len(self.tree_xy) else None

    def slope(self, x, y) -> np.ndarray:
        return 1.0 - self.normal(x, y)[..., 2]

    def patch(self, x, y, scale: float = 12.0) -> np.ndarray:
        return np.clip(0.5 + 0.9 * fbm2((x + self._offset[0]) / scale, (y + self._offset[1]) / scale, self._perm, 3), 0, 1)

    def _mask(self, name: str, x, y):
        return None if self.masks is None else self.masks(name, x, y)

    def above_water(self, x, y, z=None) -> np.ndarray:
        if self.water_level is None:
            return np.full(np.shape(x), np.inf)
        z = self.height(x, y) if z is None else z
        lvl = self.water_level(x, y) if callable(self.water_level) else self.water_level
        return z - lvl

    def water_distance(self, x, y) -> np.ndarray:
        """Horizontal distance to water, m (from the terrain's mask; inf if unknown)."""
        d = self._mask("water_dist", x, y)
        return np.full(np.shape(x), np.inf) if d is None else d

    def moisture(self, x, y, z=None) -> np.ndarray:
        """The terrain's moisture mask if it has one, else noise plus closeness to water, in [0, 1]."""
        m = self._mask("moisture", x, y)
        if m is not None:
            return np.clip(m, 0.0, 1.0)
        base = self.patch(x, y, 40.0)
        w = self.above_water(x, y, z)
        near_water = np.exp(-np.maximum(w, 0.0) / 3.0) if self.water_level is not None else 0.0
        return np.clip(0.7 * base + near_water, 0.0, 1.0)

    def shade(self, x, y) -> np.ndarray:
        """0 in the open, towards 1 under crowns (sum of cone falloffs of nearby trees)."""
        x = np.asarray(x, dtype=np.float64)
        out = np.zeros(x.shape)
        if self._tree_index is None:
            return out
        rmax = float(self.tree_radius.max())
        pts = np.stack([x.ravel(), np.asarray(y, dtype=np.float64).ravel()], -1)
        d, idx = self._tree_index.query(pts, k=min(6, len(self.tree_xy)), distance_upper_bound=rmax * 1.3)
        d, idx = np.atleast_2d(d.T).T, np.atleast_2d(idx.T).T
        ok = np.isfinite(d)
        rr = np.where(ok, self.tree_radius[np.minimum(idx, len(self.tree_radius) - 1)], 1.0)
        s = np.where(ok, np.clip(1.0 - d / (1.3 * rr), 0.0, 1.0), 0.0).sum(axis=1)
        return np.clip(s, 0.0, 1.0).reshape(x.shape)

    def density(self, niche: Niche) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        def f(x, y):
            z = self.height(x, y)
            d = np.full(np.shape(x), niche.density)
            d *= np.clip((niche.slope_max - self.slope(x, y)) / max(0.25 * niche.slope_max, 1e-3), 0, 1)
            fade = niche.altitude_fade
            d *= np.clip((z - niche.altitude_min) / fade, 0, 1) * np.clip((niche.altitude_max - z) / fade, 0, 1)
            if niche.patchiness > 0:  # factor in [1 - p, 1 + p]
                d *= 1.0 - niche.patchiness + niche.patchiness * 2.0 * self.patch(x, y)
            if niche.moisture != 0:
                m = self.moisture(x, y, z)
                d *= np.clip(1.0 + niche.moisture * (2.0 * m - 1.0), 0, 1)
            if niche.shade != 0:
                s = self.shade(x, y)
                d *= np.clip(1.0 + niche.shade * (2.0 * s - 1.0), 0, 1)
            if self.water_level is not None:
                d *= self.above_water(x, y, z) >= niche.water_min
            if niche.water_dist_max < 1e8:
                d *= self.water_distance(x, y) <= niche.water_dist_max
            snow = self._mask("snow", x, y)
            if snow is not None:
                d *= snow <= niche.snow_max
            if niche.gaps > 0:  # bare where a second noise is low: soft-edged holes
                g = self.patch(np.asarray(x) + 311.7, np.asarray(y) - 97.3, niche.gap_scale)
                d *= np.clip((g - niche.gaps) / 0.08 + 0.5, 0.0, 1.0)
            return d
        return f

    def max_density(self, niche: Niche) -> float:
        """An upper bound of ``density(niche)`` (for ``sample_density``)."""
        return niche.density * (1.0 + niche.patchiness)
