"""Volumetric terrain: signed distance fields meshed with marching cubes around the camera.

A heightfield cannot hold caves, overhangs or arches. Here the ground is a
signed distance field (negative in rock, positive in air) combined with
features by smooth booleans:

    rock = smooth_max(z - h(x, y), -tunnels(p))       caves carved out
    rock = smooth_min(rock, arches(p))                 rock formations added

Caves are turtle paths (a random walk with momentum) skinned as capsules of
varying radius, with chambers (big spheres) at some nodes and an entrance
tunnel that climbs to the surface; walls are roughened by 3D fractal noise.

Meshing (``mesh_sdf_spherical``): the SDF is sampled on one camera-centred
spherical grid, azimuth x elevation x log-radius, dense in the view and
coarser behind, so voxels subtend a constant number of pixels at every
distance (detail follows the camera). Marching cubes (scikit-image, Lewiner)
runs in grid-index space and vertices are mapped to world space. One grid
means no level-of-detail seams; the azimuth wraps around and its seam is
welded, so the surface has boundary edges only at the outer radius and at
the polar caps (straight up / down, outside any normal view).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from pydantic import BaseModel, ConfigDict, Field

from ...core.mesh import Mesh
from ...core.seeds import SeedTree
from ..noise import fbm3, perm_table


class CaveParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    depth: float = Field(14.0, ge=2.0, le=500.0, description="depth of the cave system below the surface, m")
    segments: int = Field(14, ge=1, le=200, description="tunnel segments in the turtle path")
    segment_length: float = Field(9.0, ge=1.0, le=100.0, description="length of one segment, m")
    radius: float = Field(2.6, ge=0.5, le=30.0, description="mean tunnel radius, m")
    radius_spread: float = Field(0.35, ge=0.0, le=0.9, description="relative variation of the radius")
    turn: float = Field(0.55, ge=0.0, le=2.0, description="heading change per segment, radians (std)")
    climb: float = Field(0.15, ge=0.0, le=1.0, description="pitch change per segment, radians (std)")
    chambers: int = Field(3, ge=0, le=50, description="chambers along the path")
    chamber_radius: float = Field(7.0, ge=1.0, le=60.0, description="mean chamber radius, m")
    branches: int = Field(2, ge=0, le=20, description="side tunnels")
    roughness: float = Field(0.35, ge=0.0, le=1.0, description="wall noise amplitude relative to the radius")
    blend: float = Field(1.5, ge=0.0, le=20.0, description="smoothing of the tunnel junctions, m")
    entrance: bool = Field(True, description="a tunnel climbs from the end of the path to the surface")
    skylight: float = Field(0.7, ge=0.0, le=1.0, description="radius of a collapsed shaft above the first chamber, relative to it (0: none)")


class SphericalGridParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pixels_per_voxel: float = Field(8.0, ge=1.0, le=64.0, description="voxel size in the view, pixels")
    radial_factor: float = Field(1.5, ge=0.5, le=10.0, description="radial / angular voxel size")
    r_min: float = Field(0.15, ge=0.01, le=100.0, description="innermost radius, m")
    r_max: float = Field(120.0, ge=1.0, le=100000.0, description="outer radius of the meshed volume, m")
    margin_deg: float = Field(15.0, ge=0.0, le=90.0, description="full-detail margin around the view, degrees")
    back_factor: float = Field(4.0, ge=1.0, le=50.0, description="angular coarsening outside the view")
    max_elevation_deg: float = Field(84.0, ge=10.0, le=89.9, description="elevation range meshed, +-degrees")


@njit(cache=True, parallel=True)
def _capsules_sdf(p, a, b, ra, rb, k):
    """Smooth union (polynomial smin with width k) of round cones a->b with radii ra->rb."""
    n = p.shape[0]
    out = np.empty(n)
    m = a.shape[0]
    for i in prange(n):
        px, py, pz = p[i, 0], p[i, 1], p[i, 2]
        d = 1e30
        for c in range(m):
            bax, bay, baz = b[c, 0] - a[c, 0], b[c, 1] - a[c, 1], b[c, 2] - a[c, 2]
            pax, pay, paz = px - a[c, 0], py - a[c, 1], pz - a[c, 2]
            bb = bax * bax + bay * bay + baz * baz
            t = (pax * bax + pay * bay + paz * baz) / bb if bb > 0 else 0.0
            t = min(max(t, 0.0), 1.0)
            dx, dy, dz = pax - t * bax, pay - t * bay, paz - t * baz
            e = np.sqrt(dx * dx + dy * dy + dz * dz) - (ra[c] + t * (rb[c] - ra[c]))
            if k > 0:
                h = max(k - abs(d - e), 0.0) / k
                d = min(d, e) - h * h * k * 0.25
            else:
                d = min(d, e)
        out[i] = d
    return out


def smooth_max(a, b, k):
    if k <= 0:
        return np.maximum(a, b)
    h = np.maximum(k - np.abs(a - b), 0.0) / k
    return np.maximum(a, b) + h * h * k * 0.25


class CaveSystem:
    """Tunnels and chambers below a height function; ``sdf(p)`` of the rock (negative inside rock)."""

    def __init__(self, params: CaveParams, seeds: SeedTree, height, start_xy=(0.0, 0.0)):
        self.p = params
        self.height = height
        rng = seeds.child("path").rng()
        self.perm = perm_table(seeds.child("walls").rng())
        p = params
        x0, y0 = float(start_xy[0]), float(start_xy[1])
        z0 = float(height(np.array([x0]), np.array([y0]))[0]) - p.depth
        segs_a, segs_b, ra, rb = [], [], [], []
        chambers = []

        def walk(start, heading, pitch, n, r):
            pts, rads = [np.asarray(start, float)], [r]
            for _ in range(n):
                heading += rng.normal(0, p.turn)
                pitch = float(np.clip(pitch * 0.6 + rng.normal(0, p.climb), -0.35, 0.35))
                d = np.array([np.cos(pitch) * np.cos(heading), np.cos(pitch) * np.sin(heading), np.sin(pitch)])
                nxt = pts[-1] + d * p.segment_length * rng.uniform(0.7, 1.3)
                # keep the path under the surface by at least its depth's half
                ground = float(height(nxt[:1], nxt[1:2])[0])
                nxt[2] = min(nxt[2], ground - 0.5 * p.depth)
                pts.append(nxt)
                rads.append(p.radius * float(np.exp(rng.normal(0, p.radius_spread))))
            return pts, rads

        heading = float(rng.uniform(0, 2 * np.pi))
        pts, rads = walk((x0, y0, z0), heading, 0.0, p.segments, p.radius)
        for i in range(len(pts) - 1):
            segs_a.append(pts[i]), segs_b.append(pts[i + 1]), ra.append(rads[i]), rb.append(rads[i + 1])
        self.path = np.array(pts)
        # chambers: the first node always (the camera's room), then random nodes
        picks = [0] + list(rng.choice(np.arange(1, len(pts)), size=min(max(p.chambers - 1, 0), len(pts) - 1),
                                      replace=False)) if p.chambers > 0 else []
        for i in picks:
            r = p.chamber_radius * float(rng.uniform(0.7, 1.3))
            c = pts[i] + np.array([0, 0, 0.35 * r])  # floor near the tunnel's floor
            segs_a.append(c - [0.4 * r, 0, 0]), segs_b.append(c + [0.4 * r, 0, 0]), ra.append(r), rb.append(r)
            chambers.append((c, r))
        for _ in range(p.branches):
            i = int(rng.integers(1, len(pts)))
            bp, br = walk(pts[i], float(rng.uniform(0, 2 * np.pi)), 0.0, max(p.segments // 3, 2), p.radius * 0.8)
            for j in range(len(bp) - 1):
                segs_a.append(bp[j]), segs_b.append(bp[j + 1]), ra.append(br[j]), rb.append(br[j + 1])
        if p.entrance:  # climb from the end of the path to the surface at about 35 degrees
            e0 = pts[-1]
            hd = float(rng.uniform(0, 2 * np.pi))
            d = np.array([np.cos(hd), np.sin(hd), 0.0])
            e1 = e0 + d * (p.depth * 2.2) + np.array([0, 0, p.depth * 1.6])
            segs_a.append(e0), segs_b.append(e1), ra.append(p.radius), rb.append(p.radius * 1.4)
        if p.skylight > 0 and chambers:  # a collapsed roof lets daylight into the first chamber
            c, r = chambers[0]
            top = float(height(c[:1], c[1:2])[0]) + 4.0
            ahead = pts[1] - pts[0] if len(pts) > 1 else np.array([1.0, 0.0, 0.0])
            ahead = np.array([ahead[0], ahead[1], 0.0]) / max(np.hypot(ahead[0], ahead[1]), 1e-9)
            off = 0.4 * r * ahead  # the shaft opens a little ahead of the chamber centre
            segs_a.append(c + off), segs_b.append(np.array([c[0] + off[0] * 1.5, c[1] + off[1] * 1.5, top]))
            ra.append(p.skylight * r), rb.append(p.skylight * r * 1.3)
        self.chambers = chambers
        self.a = np.ascontiguousarray(segs_a, dtype=np.float64)
        self.b = np.ascontiguousarray(segs_b, dtype=np.float64)
        self.ra = np.ascontiguousarray(ra, dtype=np.float64)
        self.rb = np.ascontiguousarray(rb, dtype=np.float64)

    def tunnels(self, pts: np.ndarray) -> np.ndarray:
        """Distance to the cave air (negative inside the cave), walls roughened by noise."""
        pts = np.ascontiguousarray(pts, dtype=np.float64)
        d = _capsules_sdf(pts, self.a, self.b, self.ra, self.rb, float(self.p.blend))
        if self.p.roughness > 0:
            near = d < self.p.radius * 2.0  # noise only where it can matter
            if near.any():
                q = pts[near]
                n = fbm3(q / (self.p.radius * 1.2), self.perm, octaves=4)
                d[near] += self.p.roughness * self.p.radius * n
        return d

    def sdf(self, pts: np.ndarray, ground=None) -> np.ndarray:
        """Rock SDF: negative in rock, positive in air (above ground or inside the cave)."""
        pts = np.asarray(pts, dtype=np.float64)
        g = ground(pts[:, 0], pts[:, 1]) if ground is not None else self.height(pts[:, 0], pts[:, 1])
        return smooth_max(pts[:, 2] - g, -self.tunnels(pts), 1.0)


def _axis(centre: float, view_half: float, step: float, back_factor: float, full: float,
          lo: float | None = None, hi: float | None = None) -> np.ndarray:
    """Angles: uniform ``step`` within centre +- view_half, ``back_factor`` coarser outside.
    With ``full`` = 2 pi the axis wraps (no lo/hi); else it spans [lo, hi]."""
    if full > 0:
        sector = min(2 * view_half, full)
        n_view = max(int(np.ceil(sector / step)), 4)
        rest = full - sector
        n_back = max(int(np.ceil(rest / (step * back_factor))), 4) if rest > 1e-9 else 0
        return np.concatenate([centre - sector / 2 + np.arange(n_view) * (sector / n_view),
                               centre + sector / 2 + np.arange(n_back) * (rest / max(n_back, 1))])
    a0, a1 = max(lo, centre - view_half), min(hi, centre + view_half)
    parts = []
    if a0 > lo:
        nb = max(int(np.ceil((a0 - lo) / (step * back_factor))), 1)
        parts.append(np.linspace(lo, a0, nb + 1)[:-1])
    nv = max(int(np.ceil((a1 - a0) / step)), 2)
    parts.append(np.linspace(a0, a1, nv + 1)[:-1] if a1 < hi else np.linspace(a0, a1, nv + 1))
    if a1 < hi:
        nb = max(int(np.ceil((hi - a1) / (step * back_factor))), 1)
        parts.append(np.linspace(a1, hi, nb + 1))
    return np.concatenate(parts)


def spherical_axes(eye, yaw: float, pitch: float, hfov: float, vfov: float, width: int,
                   params: SphericalGridParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The azimuth (wrapping), elevation and radius samples of the camera-centred grid."""
    gp = params
    step = hfov / width * gp.pixels_per_voxel
    m = np.radians(gp.margin_deg)
    lim = np.radians(gp.max_elevation_deg)
    theta = _axis(yaw, hfov / 2 + m, step, gp.back_factor, 2 * np.pi)
    phi = _axis(pitch, vfov / 2 + m, step, gp.back_factor, 0.0, -lim, lim)
    q = 1.0 + gp.radial_factor * step
    n_r = int(np.ceil(np.log(gp.r_max / gp.r_min) / np.log(q))) + 1
    r = gp.r_min * q ** np.arange(n_r)
    return theta, phi, r


def _to_world(eye, theta, phi, r):
    c = np.cos(phi)
    return np.stack([eye[0] + r * c * np.cos(theta), eye[1] + r * c * np.sin(theta), eye[2] + r * np.sin(phi)], -1)


def _eval_indices(sdf, eye, theta, phi, r, it, ip, ir, chunk=2_000_000):
    out = np.empty(len(it), dtype=np.float32)
    for s in range(0, len(it), chunk):
        sl = slice(s, s + chunk)
        out[sl] = sdf(_to_world(eye, theta[it[sl]], phi[ip[sl]], r[ir[sl]]))
    return out


def _sample_narrow_band(sdf, eye, theta, phi, r, k: int) -> np.ndarray:
    """The SDF on the full grid, evaluated exactly only near the surface.

    First every k-th node along each axis; a fine node is evaluated exactly
    only if a coarse neighbour's |value| is below the size of the coarse cell
    around it (an SDF changes no faster than distance, so farther nodes cannot
    be near the surface and keep their coarse neighbour's value: right sign,
    no crossing). Cuts SDF evaluations about tenfold."""
    nt, nph, nr = len(theta), len(phi), len(r)
    if k <= 1:
        it, ip, ir = (a.ravel() for a in np.meshgrid(np.arange(nt), np.arange(nph), np.arange(nr), indexing="ij"))
        return _eval_indices(sdf, eye, theta, phi, r, it, ip, ir).reshape(nt, nph, nr)
    ci = [np.unique(np.r_[np.arange(0, n, k), n - 1]) for n in (nt, nph, nr)]
    it, ip, ir = (a.ravel() for a in np.meshgrid(*ci, indexing="ij"))
    coarse = _eval_indices(sdf, eye, theta, phi, r, it, ip, ir).reshape(len(ci[0]), len(ci[1]), len(ci[2]))
    # nearest coarse node of every fine index, and the coarse cell size there (metres, conservative)
    near = [np.clip(np.searchsorted(c, np.arange(n) - k // 2), 0, len(c) - 1) for c, n in zip(ci, (nt, nph, nr))]
    dth = np.abs(np.diff(np.unwrap(np.r_[theta, theta[0] + 2 * np.pi])))
    dph = np.abs(np.diff(phi)).max() if nph > 1 else 0.0
    ang = (dth.max() * k + dph * k)  # radians across a coarse cell, worst case
    dr = np.r_[np.diff(r), np.diff(r)[-1:]] * k
    cell = 1.5 * (r * ang + dr)  # (nr,) metres
    vals = coarse[np.ix_(near[0], near[1], near[2])]
    band = np.abs(vals) < cell[None, None, :]
    fi, fp, fr = np.nonzero(band)
    vals[fi, fp, fr] = _eval_indices(sdf, eye, theta, phi, r, fi, fp, fr)
    return vals


def mesh_sdf_spherical(sdf, eye: np.ndarray, theta: np.ndarray, phi: np.ndarray, r: np.ndarray,
                       coarse: int = 4) -> Mesh:
    """Marching cubes of ``sdf`` (points (N, 3) -> values, negative = solid) on the spherical grid.

    Faces are oriented so normals point from solid into air. ``coarse`` > 1 samples
    the SDF exactly only in a narrow band around the surface (see ``_sample_narrow_band``).
    """
    from skimage.measure import marching_cubes

    eye = np.asarray(eye, dtype=np.float64)
    nt = len(theta)
    vals = _sample_narrow_band(sdf, eye, theta, phi, r, coarse)
    vol = np.concatenate([vals, vals[:1]], axis=0).astype(np.float32)  # wrap azimuth: slice nt == slice 0
    if not (vol.min() < 0 < vol.max()):
        return Mesh(np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int32))
    verts, faces, _, _ = marching_cubes(vol, level=0.0, gradient_direction="ascent", allow_degenerate=False)
    # weld the azimuth seam: vertices on slice nt are those of slice 0
    vi = verts.astype(np.float64)
    vi[:, 0] = np.where(vi[:, 0] >= nt, vi[:, 0] - nt, vi[:, 0])
    uniq, inv = np.unique(vi, axis=0, return_inverse=True)
    faces = inv.reshape(-1)[faces]
    faces = faces[(faces[:, 0] != faces[:, 1]) & (faces[:, 1] != faces[:, 2]) & (faces[:, 2] != faces[:, 0])]
    # index space -> angles and radius (linear inside each cell), then world
    th_ext = np.concatenate([theta, [theta[0] + 2 * np.pi]])
    t = np.interp(uniq[:, 0], np.arange(nt + 1), th_ext)
    p = np.interp(uniq[:, 1], np.arange(len(phi)), phi)
    rr = np.interp(uniq[:, 2], np.arange(len(r)), r)
    world = _to_world(eye, t, p, rr)
    mesh = Mesh(world, faces)
    # orientation check: the index -> world map keeps handedness (azimuth, elevation, radius) =
    # (east, north, up), so 'ascent' faces point into air; flip if a probe says otherwise
    if len(faces):
        fn = mesh.face_normals()
        c = world[faces[:64]].mean(axis=1)
        probe = sdf(c + 0.02 * fn[:64]) - sdf(c - 0.02 * fn[:64])
        if np.median(probe) < 0:
            mesh = Mesh(world, faces[:, ::-1])
    return mesh
