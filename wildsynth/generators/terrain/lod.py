"""Terrain level of detail that follows EVERY camera of a shot: one crack-free polar grid.

A camera needs, at a ground point P at horizontal distance d from its eye, edges
of about ``pixels_per_triangle`` (ppt) pixels: ground lengths up to
``a = step * d`` across its line of sight (``step = hfov / width * ppt`` radians)
and up to ``f * a`` along it (f = ``radial_factor``: ground seen at grazing
angles is foreshortened; f rises to ``far_factor`` beyond ``far_start``). That
is what ``polar.polar_grid`` gives one camera; ``lod_grid`` gives it to several,
in one of three ways (``lod_plan`` says which, before any vertex exists):

* **single** -- one cone: ``polar_grid`` itself, bit for bit (same code path,
  same cost).
* **shared** -- eyes within ``max(5 cm, 2 % of the smallest near)`` of their mean
  (a stereo pair, a pan, a rig on one tripod): one polar grid around the mean
  eye whose dense angles fill the UNION of the view sectors
  (``polar.sector_grid``), at the finest camera's step, with the smallest near.
  An eye off the centre by delta sees triangles resized by at most delta / d:
  under 2 % beyond its near.
* **spread** -- eyes apart (a multiview ring, a walk): a polar grid around the
  eyes' centroid C whose ring radii and per-ring angles come from every camera.
  Camera k sees P = C + r (cos t, sin t) if P is in its sector (``hfov`` plus
  ``margin_deg`` each side) and beyond its ``near``; the grid's radial direction
  makes an angle psi with its line of sight there, so its ellipse of allowed
  edges (``a_k`` across, ``f a_k`` along) admits a tangential (along-ring) edge
  ``a_k / sqrt(cos^2 psi + sin^2 psi / f^2)`` and a radial one
  ``a_k / sqrt(sin^2 psi + cos^2 psi / f^2)``. Ring r's angular density is the
  largest any camera asks for, ``rho(t) = r / tangential`` (and
  ``1 / (back_factor * step)`` where no camera looks); the next ring is the
  smallest radial edge any camera allows anywhere on ring r away (at most ten
  times the ``r * f * step`` growth of a grid centred at C). Rings are marched
  outwards in numba; each ring's angles invert its integrated density (dense
  only where some camera needs it); consecutive rings with different angle sets
  are stitched by a zipper, a merge of their two sorted angle lists (one
  triangle per vertex of either ring, every interior edge in exactly two
  triangles, no T-junctions). A ring's angle spacing also stays below
  ``0.8 sqrt(2 gap / r)`` (gap: to the ring inside), which keeps every zipper
  triangle CCW (no fold).

**Guarantee.** In every view, a ground triangle the camera sees (in its sector
with margin, beyond its near) has edges that fit the ellipse above: about ppt
pixels across the line of sight at most, ``f`` times that (in ground length)
along it -- ``f * ppt * eye height / d`` pixels tall -- as ``polar_grid`` gives
its one camera (a zipper diagonal spans one tangential and one radial step).
Densities are evaluated at the edges of ``m`` angle bins (one to two dense
steps each) and a bin takes the larger, so sampling never coarsens the grid.
Triangles can be much finer than that where another camera sees the same
ground from closer (the ground is meshed for its closest viewer) and, in the
spread mode, radially finer where another camera needs fine rings elsewhere on
the ring (rings are circles). The ``max_triangles`` budget comes first: a grid
that would exceed it is planned again at a uniformly larger ppt until it fits,
with a warning (``LodPlan.pixels_per_triangle`` is the ppt used).

A cone's ``height`` (its eye above the ground, > 0) lowers the radial factor near the
eye to what foreshortening allows there (``polar.ring_radii``): ground seen steeply
close to the camera gets square triangles of about ppt pixels instead of f times
taller ones (single and shared modes; the spread mode keeps ``f``).

Give every cone its ``near`` (the caller knows the ground height): with
``near = 0`` in the spread mode, the ground right below each eye counts as seen
and is meshed at centimetres, at many times the cost (a 48-frame walk at
320x180: 8.9 M triangles instead of 0.3-0.4 M).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit

from .polar import merge_sectors, polar_mesh, polar_triangles, ring_radii, sector_angles, view_sector

log = logging.getLogger(__name__)

TAU = 2.0 * np.pi
MIN_RING = 24  # fewest vertices on a ring of the spread grid (polar_grid has 8 + 16)
SHARED_TOL_M = 0.05  # eyes this close (or 2 % of the nearest ground) share one polar grid
SHARED_TOL_FRAC = 0.02
FOLD_SAFETY = 0.8  # ring spacing <= this * sqrt(2 gap / r) < acos(r_inner / r): no zipper triangle folds


@dataclass(frozen=True)
class ViewCone:
    """What the mesher needs of one camera."""

    eye: np.ndarray  # (3,) world position, metres, Z up
    yaw: float  # heading of the optical axis in the XY plane, radians (atan2(fwd_y, fwd_x))
    hfov: float  # horizontal field of view, radians
    width: int  # image width, pixels
    near: float = 0.0  # ground closer than this (horizontally) is below the frame: may be coarse
    height: float = 0.0  # eye above the ground below it, m (0: unknown; > 0: square triangles near the eye)

    def step(self, pixels_per_triangle: float) -> float:
        """Radians per triangle edge in this view."""
        return self.hfov / self.width * pixels_per_triangle

    @classmethod
    def from_camera(cls, camera, near: float = 0.0, height: float = 0.0) -> "ViewCone":
        """The cone of a ``core.camera.Camera`` (OpenCV axes: column 2 of the rotation is forward).
        A camera looking (almost) straight down sees all headings: its cone is the full circle,
        with the width scaled to keep its radians per pixel."""
        fwd = camera.cam_to_world[:3, 2]
        hfov, width = float(camera.hfov), int(camera.width)
        if math.hypot(fwd[0], fwd[1]) < 1e-3:
            width = int(math.ceil(width * TAU / hfov))
            hfov = TAU
        return cls(np.asarray(camera.position, dtype=np.float64), float(np.arctan2(fwd[1], fwd[0])), hfov, width,
                   float(near), float(max(height, 0.0)))


def cones_from_cameras(cameras, near: float | Sequence[float] | None = None,
                       heights: Sequence[float] | None = None) -> list[ViewCone]:
    """View cones of ``core.camera.Camera`` objects (any iterable, or a ``Shot``: all its cameras).
    ``near``: one distance for all, one per camera, or None (0: every ground point may be seen);
    ``heights``: each eye above its ground (None: unknown)."""
    cams = list(cameras.cameras()) if hasattr(cameras, "cameras") and callable(cameras.cameras) else list(cameras)
    if near is None:
        nears = [0.0] * len(cams)
    elif np.ndim(near) == 0:
        nears = [float(near)] * len(cams)
    else:
        nears = [float(v) for v in near]
        if len(nears) != len(cams):
            raise ValueError(f"cones_from_cameras: {len(nears)} near distances for {len(cams)} cameras")
    hs = [0.0] * len(cams) if heights is None else [float(h) for h in heights]
    if len(hs) != len(cams):
        raise ValueError(f"cones_from_cameras: {len(hs)} heights for {len(cams)} cameras")
    return [ViewCone.from_camera(c, n, h) for c, n, h in zip(cams, nears, hs)]


@dataclass(frozen=True)
class LodPlan:
    """The grid ``lod_grid`` builds, before any vertex exists (cheap to inspect)."""

    mode: str  # "single" (polar_grid), "shared" (one eye, union of sectors) or "spread" (per-ring angles)
    centre: np.ndarray  # (2,) x, y of the grid's centre vertex
    radii: np.ndarray  # (R,) ring radii
    theta: np.ndarray  # single/shared: the angles of every ring; spread: all rings' angles, ring after ring
    counts: np.ndarray  # (R,) vertices per ring
    n_triangles: int
    pixels_per_triangle: float  # used: the requested one, or larger to fit max_triangles
    requested_pixels_per_triangle: float


def lod_plan(cones: Sequence[ViewCone], extent: float, pixels_per_triangle: float, margin_deg: float = 20.0,
             r0: float = 0.1, radial_factor: float = 3.0, back_factor: float = 6.0, far_start: float = np.inf,
             far_factor: float | None = None, max_triangles: int = 12_000_000) -> LodPlan:
    """Choose the grid for ``cones`` (see the module docstring); ppt grows until it fits ``max_triangles``."""
    cones = list(cones)
    _validate(cones, extent, pixels_per_triangle, r0, radial_factor, back_factor, max_triangles)
    ppt = float(pixels_per_triangle)
    for _ in range(12):
        plan = _plan(cones, extent, ppt, margin_deg, r0, radial_factor, back_factor, far_start, far_factor,
                     float(pixels_per_triangle))
        if plan.n_triangles <= max_triangles:
            return plan
        ppt *= max(math.sqrt(plan.n_triangles / max_triangles) * 1.02, 1.05)
    raise ValueError(f"lod_grid: cannot fit {max_triangles} triangles (still {plan.n_triangles} at "
                     f"pixels_per_triangle={ppt:.3g}); raise max_triangles")


def lod_grid(cones: Sequence[ViewCone], extent: float, pixels_per_triangle: float, margin_deg: float = 20.0,
             r0: float = 0.1, radial_factor: float = 3.0, back_factor: float = 6.0, far_start: float = np.inf,
             far_factor: float | None = None,
             max_triangles: int = 12_000_000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertex x, y (V,) and faces (F, 3) int64, CCW seen from above, of one crack-free grid whose
    detail follows every cone: about ``pixels_per_triangle`` pixels per triangle edge in each view.

    One cone: exactly ``polar_grid(cone.eye, cone.yaw, cone.hfov, cone.width, extent, ppt, margin_deg,
    r0, radial_factor, back_factor, cone.near, far_start, far_factor)``. Over ``max_triangles``, ppt
    is scaled up uniformly and a warning says so.
    """
    plan = lod_plan(cones, extent, pixels_per_triangle, margin_deg, r0, radial_factor, back_factor, far_start,
                    far_factor, max_triangles)
    if plan.pixels_per_triangle != plan.requested_pixels_per_triangle:
        log.warning("lod_grid: %d views would exceed %d triangles at %.3g pixels per triangle; meshed at %.3g "
                    "(%d triangles)", len(cones), max_triangles, plan.requested_pixels_per_triangle,
                    plan.pixels_per_triangle, plan.n_triangles)
    return mesh_plan(plan)


def mesh_plan(plan: LodPlan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertices and faces of a ``LodPlan``."""
    if plan.mode != "spread":
        return polar_mesh(plan.centre, plan.theta, plan.radii)
    ring = np.repeat(np.arange(len(plan.radii)), plan.counts)
    r = plan.radii[ring]
    xv = np.concatenate([[plan.centre[0]], plan.centre[0] + r * np.cos(plan.theta)])
    yv = np.concatenate([[plan.centre[1]], plan.centre[1] + r * np.sin(plan.theta)])
    return xv, yv, zipper_faces(plan.theta, plan.counts)


def zipper_faces(theta: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Faces (F, 3) int64, CCW from above, of vertex 0 (the centre) and rings of ``counts[i]``
    vertices at the increasing angles ``theta`` (in [0, 2 pi), ring after ring): a fan, then each
    pair of rings stitched by merging their sorted angle lists (a zipper: one triangle per vertex
    of either ring, every interior edge in exactly two triangles, no T-junctions)."""
    counts = np.ascontiguousarray(counts, dtype=np.int64)
    return _zipper(np.ascontiguousarray(theta, dtype=np.float64), counts)


@njit(cache=True)
def _zipper(theta, counts):
    n_rings = len(counts)
    faces = np.empty((2 * counts.sum() - counts[-1], 3), dtype=np.int64)
    n0 = counts[0]
    for j in range(n0):
        faces[j, 0], faces[j, 1], faces[j, 2] = 0, 1 + j, 1 + (j + 1) % n0
    o, sa = n0, 0
    for i in range(n_rings - 1):
        na, nb = counts[i], counts[i + 1]
        sb = sa + na
        ia, ib = 0, 0
        ca, cb = na - 1, nb - 1  # the edge the zipper stands on: last inner vertex, last outer vertex
        while ia < na or ib < nb:
            if ib == nb or (ia < na and theta[sa + ia] <= theta[sb + ib]):  # inner side advances
                faces[o, 0], faces[o, 1], faces[o, 2] = 1 + sa + ca, 1 + sb + cb, 1 + sa + ia
                ca = ia
                ia += 1
            else:  # outer side advances
                faces[o, 0], faces[o, 1], faces[o, 2] = 1 + sb + cb, 1 + sb + ib, 1 + sa + ca
                cb = ib
                ib += 1
            o += 1
        sa = sb
    return faces


def _validate(cones, extent, ppt, r0, radial_factor, back_factor, max_triangles) -> None:
    if not cones:
        raise ValueError("lod_grid: no view cones (give at least one camera)")
    for name, v in (("extent", extent), ("pixels_per_triangle", ppt), ("r0", r0), ("radial_factor", radial_factor),
                    ("back_factor", back_factor), ("max_triangles", max_triangles)):
        if not (np.isfinite(v) and v > 0):
            raise ValueError(f"lod_grid: {name}={v!r} must be a positive number")
    if extent <= r0:
        raise ValueError(f"lod_grid: extent={extent!r} must exceed r0={r0!r}")
    for i, c in enumerate(cones):
        if not (np.all(np.isfinite(c.eye)) and np.isfinite(c.yaw) and 0 < c.hfov <= TAU + 1e-9 and c.width >= 1
                and np.isfinite(c.near) and c.near >= 0):
            raise ValueError(f"lod_grid: cone {i} is invalid (eye {c.eye}, yaw {c.yaw}, hfov {c.hfov}, "
                             f"width {c.width}, near {c.near}): need finite values, 0 < hfov <= 2 pi, width >= 1, near >= 0")


def _plan(cones, extent, ppt, margin_deg, r0, rf, back, far_start, far_factor, requested) -> LodPlan:
    if len(cones) == 1:  # polar_grid's own computation, step by step
        c = cones[0]
        step = c.step(ppt)
        theta = sector_angles([view_sector(c.yaw, c.hfov, margin_deg)], step, back)
        radii = ring_radii(step, extent, r0, rf, c.near, far_start, far_factor, c.height)
        return LodPlan("single", np.asarray(c.eye)[:2], radii, theta, np.full(len(radii), len(theta)),
                       polar_triangles(len(theta), len(radii)), ppt, requested)
    eyes = np.array([np.asarray(c.eye, dtype=np.float64)[:2] for c in cones])
    mean = eyes.mean(axis=0)
    spread = float(np.max(np.hypot(*(eyes - mean).T)))
    step = min(c.step(ppt) for c in cones)
    if spread <= max(SHARED_TOL_M, SHARED_TOL_FRAC * min(c.near for c in cones)):
        half = [min(c.hfov / 2 + np.radians(margin_deg), np.pi) for c in cones]
        sectors = merge_sectors([c.yaw - h for c, h in zip(cones, half)], [c.yaw + h for c, h in zip(cones, half)])
        theta = sector_angles(sectors, step, back)
        radii = ring_radii(step, extent, r0, rf, min(c.near for c in cones), far_start, far_factor,
                           [c.height for c in cones])
        return LodPlan("shared", mean, radii, theta, np.full(len(radii), len(theta)),
                       polar_triangles(len(theta), len(radii)), ppt, requested)
    centre = mean
    yaw = np.array([c.yaw for c in cones])
    half = np.array([min(c.hfov / 2 + np.radians(margin_deg), np.pi) for c in cones])
    steps = np.array([c.step(ppt) for c in cones])
    m = int(np.clip(2 ** math.ceil(math.log2(np.pi / step)), 256, 4096))  # angle bins of one or two steps
    radii, rho, counts = _march(float(centre[0]), float(centre[1]), eyes[:, 0].copy(), eyes[:, 1].copy(),
                                np.cos(yaw), np.sin(yaw), np.cos(half), steps,
                                np.array([c.near for c in cones], dtype=np.float64), float(r0), float(extent),
                                float(rf), float(far_start), float(rf if far_factor is None else far_factor),
                                float(back), m)
    theta = _ring_angles(rho, counts)
    n_tri = int(2 * counts.sum() - counts[-1])
    return LodPlan("spread", centre, radii, theta, counts, n_tri, ppt, requested)


@njit(cache=True, fastmath=True)
def _ring_demand(r, f, cx, cy, ct, st, ex, ey, fx, fy, cos_half, step, near, r0, rho_back, edge):
    """Ring r: the squared angular density every camera asks for at each bin edge (into ``edge``)
    and the squared radial step the most demanding one allows (returned). Squares: no sqrt in the
    inner loop, which numba vectorises."""
    m = len(ct)
    inv_f2 = 1.0 / (f * f)
    r2 = r * r
    edge[:] = rho_back * rho_back
    rmin2 = np.inf
    for k in range(len(ex)):
        s2 = step[k] * step[k]
        near2 = near[k] * near[k]
        ch = cos_half[k]
        ch2 = ch * ch
        for j in range(m):
            ux, uy = ct[j], st[j]
            vx, vy = cx + r * ux - ex[k], cy + r * uy - ey[k]
            d2 = max(vx * vx + vy * vy, 1e-24)
            g = vx * fx[k] + vy * fy[k]  # along the camera's heading
            inside = ((g >= 0.0) & (g * g >= d2 * ch2)) if ch >= 0.0 else ((g >= 0.0) | (g * g <= d2 * ch2))
            vis = inside & (d2 >= near2)
            dot = ux * vx + uy * vy  # |v| cos psi: psi between the grid's radial and the line of sight
            crs = ux * vy - uy * vx  # |v| sin psi
            a2d2 = s2 * max(d2, r0 * r0) * d2  # (ppt pixels across the sight, metres)^2 * d^2
            want = r2 * (dot * dot + crs * crs * inv_f2) / a2d2  # (r / tangential edge)^2
            allow = a2d2 / (crs * crs + dot * dot * inv_f2 + 1e-300)  # radial edge^2
            edge[j] = max(edge[j], want if vis else 0.0)
            rmin2 = min(rmin2, allow if vis else np.inf)
    return rmin2


@njit(cache=True)
def _march(cx, cy, ex, ey, fx, fy, cos_half, step, near, r0, extent, rf, far_start, far_factor, back, m):
    """Rings of the spread grid, outwards from r0: radii (R,), angular density per bin (R, m) in
    vertices per radian, and vertices per ring (R,)."""
    smin = step.min()
    ts = 2.0 * np.pi / m
    ct = np.cos(np.arange(m) * ts)
    st = np.sin(np.arange(m) * ts)
    cap = 1024
    radii = np.empty(cap)
    rho = np.empty((cap, m), dtype=np.float32)
    counts = np.empty(cap, dtype=np.int64)
    edge = np.empty(m)
    rho_back = 1.0 / (back * smin)
    r, prev, i = r0, -1.0, 0
    while True:
        f = rf
        if r > far_start:
            t = min(np.log(r / far_start) / np.log(10.0), 1.0)
            f += (far_factor - rf) * t * t * (3 - 2 * t)
        rmin = np.sqrt(_ring_demand(r, f, cx, cy, ct, st, ex, ey, fx, fy, cos_half, step, near, r0, rho_back, edge))
        if i == cap:  # grow the buffers
            cap *= 2
            radii2 = np.empty(cap)
            rho2 = np.empty((cap, m), dtype=np.float32)
            counts2 = np.empty(cap, dtype=np.int64)
            radii2[:i], rho2[:i], counts2[:i] = radii, rho, counts
            radii, rho, counts = radii2, rho2, counts2
        floor = 0.0 if prev < 0 else 1.0 / (FOLD_SAFETY * np.sqrt(2.0 * (r - prev) / r))  # the zipper never folds
        total = 0.0
        for j in range(m):
            b = np.float32(max(np.sqrt(max(edge[j], edge[(j + 1) % m])), floor))  # a bin: the larger edge
            rho[i, j] = b
            total += np.float64(b)
        radii[i] = r
        counts[i] = max(int(np.ceil(total * ts)), MIN_RING)
        i += 1
        if r >= extent:
            break
        prev = r
        r += min(rmin, 10.0 * r * f * smin)
    return radii[:i].copy(), rho[:i].copy(), counts[:i].copy()


@njit(cache=True)
def _ring_angles(rho, counts):
    """Each ring's ``counts[i]`` angles at equal steps of its integrated density (inverse CDF over
    the bins), ring after ring, in [0, 2 pi)."""
    n_rings, m = rho.shape
    ts = 2.0 * np.pi / m
    out = np.empty(counts.sum())
    o = 0
    for i in range(n_rings):
        total = 0.0
        for j in range(m):
            total += np.float64(rho[i, j])
        n = counts[i]
        h = total / n
        acc, j = 0.0, 0
        for q in range(n):
            t = (q + 0.5) * h
            while j < m - 1 and acc + rho[i, j] < t:
                acc += rho[i, j]
                j += 1
            out[o + q] = (j + min(max((t - acc) / rho[i, j], 0.0), 1.0)) * ts
        o += n
    return out
