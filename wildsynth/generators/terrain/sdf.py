"""Volumetric terrain: signed distance fields meshed with marching cubes around the camera.

A heightfield cannot hold caves, overhangs or arches. Here the ground is a
signed distance field (negative in rock, positive in air) combined with
features by smooth booleans:

    rock = smooth_max(z - h(x, y), -tunnels(p))       caves carved out
    rock = smooth_min(z - h(x, y), formations(p))      rock formations added (formations.py)

Caves are turtle paths (a random walk with momentum) skinned as capsules of
varying radius, with chambers (big spheres) at some nodes and an entrance
tunnel that climbs to the surface; walls are roughened by 3D fractal noise.

Meshing (``mesh_sdf_spherical``): one camera-centred spherical grid, azimuth x
elevation x log-radius, with voxels of ``pixels_per_voxel`` pixels in the view
(2 by default: triangles ~1-2 px) and ``back_factor`` coarser outside it, so
detail follows the camera at every distance. One grid means no
level-of-detail seams; the azimuth wraps and its seam is welded (vertices are
keyed by grid edge), so the surface has boundary edges only at the outer
radius and in a 1-degree cone straight up and down.

The grid is never sampled densely (at 1280 x 720 it has ~4e8 nodes). A
coarse-to-fine pass (``_surface_cells``) starts from cells of 16 voxels and
splits only cells that may hold the surface (corners of both signs, or
min |value| below a Lipschitz bound on half the cell's diagonal); below 2
voxels only cells whose corners change sign are split. A closure pass then
adds every cell across a face whose corners change sign, until none is
missing, so the cut surface is watertight whatever the SDF's true Lipschitz
constant. Node values live in a hash table (each node evaluated once).
Marching cubes runs in numba on the surface cells only, with a case table
derived here from one face rule (``_build_tables``): on every cube face the
contour separates the solid corners, so two cells sharing a face always cut
it alike. Optional ``bound``: cells outside it are never visited (caves and
formations mesh only near their features; the heightfield mesh supplies the
ground, see ``keep_off_ground``).
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

    pixels_per_voxel: float = Field(2.0, ge=1.0, le=64.0, description="voxel size in the view, pixels")
    radial_factor: float = Field(3.0, ge=0.5, le=10.0,
                                 description="radial / angular voxel size (a radial step is seen foreshortened)")
    r_min: float = Field(0.15, ge=0.01, le=100.0, description="innermost radius, m")
    r_max: float = Field(120.0, ge=1.0, le=100000.0, description="outer radius of the meshed volume, m")
    margin_deg: float = Field(2.0, ge=0.0, le=90.0, description="full-detail margin around the view, degrees")
    back_factor: float = Field(32.0, ge=1.0, le=100.0, description="angular coarsening outside the view")
    max_elevation_deg: float = Field(89.0, ge=10.0, le=89.9,
                                     description="elevation range meshed, +-degrees (a cone around the vertical is not)")


@njit(cache=True)
def _capsule_bounds(a, b, ra, rb):
    """Bounding sphere (centre, radius) of each round cone."""
    c = 0.5 * (a + b)
    r = np.empty(a.shape[0])
    for i in range(a.shape[0]):
        half = 0.5 * np.sqrt((b[i, 0] - a[i, 0]) ** 2 + (b[i, 1] - a[i, 1]) ** 2 + (b[i, 2] - a[i, 2]) ** 2)
        r[i] = half + max(ra[i], rb[i])
    return c, r


@njit(cache=True)
def _capsules_at(px, py, pz, a, b, ra, rb, k, cc, cr):
    """Smooth union (polynomial smin with width k) of round cones a->b with radii ra->rb at one
    point. A cone whose bounding sphere lies farther than the running value + k cannot change
    it and is skipped."""
    d = 1e30
    for c in range(a.shape[0]):
        lim = d + k + cr[c]  # the cone is at least |p - centre| - cr away
        if lim <= 0:
            continue
        if lim < 1e29:
            qx, qy, qz = px - cc[c, 0], py - cc[c, 1], pz - cc[c, 2]
            if qx * qx + qy * qy + qz * qz >= lim * lim:
                continue
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
    return d


@njit(cache=True, parallel=True)
def _capsules_par(p, a, b, ra, rb, k):
    cc, cr = _capsule_bounds(a, b, ra, rb)
    out = np.empty(p.shape[0])
    for i in prange(p.shape[0]):
        out[i] = _capsules_at(p[i, 0], p[i, 1], p[i, 2], a, b, ra, rb, k, cc, cr)
    return out


@njit(cache=True)
def _capsules_seq(p, a, b, ra, rb, k):
    cc, cr = _capsule_bounds(a, b, ra, rb)
    out = np.empty(p.shape[0])
    for i in range(p.shape[0]):
        out[i] = _capsules_at(p[i, 0], p[i, 1], p[i, 2], a, b, ra, rb, k, cc, cr)
    return out


def _capsules_sdf(p, a, b, ra, rb, k):
    """Round cones' smooth union at points (N, 3); threads only for large batches (a parallel
    launch costs more than a few thousand points on a busy machine)."""
    fn = _capsules_par if len(p) > 20000 else _capsules_seq
    return fn(p, a, b, ra, rb, float(k))


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
        self.entrance = (np.asarray(e0, float), e1) if p.entrance else None
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

    @property
    def margin(self) -> float:
        """How far the rock surface can lie outside the bare capsules: blends and wall noise, m."""
        return 2.0 * self.p.blend + 2.5 * self.p.roughness * self.p.radius + 1.0

    def bound(self, pts: np.ndarray) -> np.ndarray:
        """A cheap bound: positive farther than ``margin`` from every tunnel and chamber, where the
        rock surface is the ground itself (no cave wall can lie there)."""
        d = _capsules_sdf(np.ascontiguousarray(pts, dtype=np.float64), self.a, self.b, self.ra, self.rb, 0.0)
        return d - self.margin

    def reach(self, eye: np.ndarray) -> float:
        """Distance from ``eye`` beyond which no part of the cave lies, m."""
        ends = np.concatenate([self.a, self.b])
        rad = np.concatenate([self.ra, self.rb])
        return float((np.linalg.norm(ends - np.asarray(eye), axis=1) + rad).max() + self.margin)

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



# ---------------------------------------------------------------------------
# Marching cubes. The case table is derived here from one face rule (no copied
# table): on each cube face the contour separates the negative (solid)
# corners; the face segments chain into loops around the cube, each loop is
# fanned into triangles. The rule depends only on a face's four values, so two
# cells sharing a face cut it identically: the surface is crack-free.

def _build_tables():
    edges, eid = [], {}
    for a in range(3):
        for c in range(8):
            if not (c >> a) & 1:
                eid[(c, c | (1 << a))] = len(edges)
                edges.append((c, a))
    faces = []
    for a in range(3):
        b, d = (a + 1) % 3, (a + 2) % 3
        for s in (0, 1):  # corner cycle counter-clockwise seen from outside the cube
            cyc = [(s << a) | (u << b) | (v << d) for u, v in ((0, 0), (1, 0), (1, 1), (0, 1))]
            faces.append(cyc if s else cyc[::-1])
    tris = np.full((256, 36), -1, dtype=np.int64)
    count = np.zeros(256, dtype=np.int64)
    for case in range(256):
        neg = [(case >> c) & 1 for c in range(8)]
        nxt = {}
        for cyc in faces:
            kind = []
            for i in range(4):
                p, q = cyc[i], cyc[(i + 1) % 4]
                kind.append(1 if neg[p] and not neg[q] else -1 if neg[q] and not neg[p] else 0)
            for i in range(4):
                if kind[i] == 1:  # leaving the solid: the segment runs back to the previous entry
                    j = (i - 1) % 4
                    while kind[j] != -1:
                        j = (j - 1) % 4
                    e_out = eid[tuple(sorted((cyc[i], cyc[(i + 1) % 4])))]
                    nxt[e_out] = eid[tuple(sorted((cyc[j], cyc[(j + 1) % 4])))]
        assert sorted(nxt) == sorted(nxt.values())
        seen, t = set(), 0
        for e0 in sorted(nxt):
            if e0 in seen:
                continue
            loop, e = [e0], nxt[e0]
            seen.add(e0)
            while e != e0:
                loop.append(e)
                seen.add(e)
                e = nxt[e]
            for k in range(1, len(loop) - 1):  # loops wind around the solid: reversed, normals point into air
                tris[case, 3 * t:3 * t + 3] = (loop[0], loop[k + 1], loop[k])
                t += 1
        count[case] = t
    return (tris, count, np.array([c for c, _ in edges], dtype=np.int64),
            np.array([a for _, a in edges], dtype=np.int64))


_TRIS, _TRI_COUNT, _EDGE_CORNER, _EDGE_AXIS = _build_tables()


@njit(cache=True)
def _case_counts(vals, tri_count):
    out = np.empty(vals.shape[0], dtype=np.int64)
    for c in range(vals.shape[0]):
        case = 0
        for q in range(8):
            if vals[c, q] < 0.0:
                case |= 1 << q
        out[c] = tri_count[case]
    return out


@njit(cache=True, parallel=True)
def _mc_emit(lo, vals, offs, tris, tri_count, ec, ea, nt, nph, nr, keys, pos):
    """Triangles of every cell: per corner of a triangle, the key of the grid edge it lies on
    (shared by the cells around that edge) and its position in grid-index space."""
    for c in prange(lo.shape[0]):
        case = 0
        for q in range(8):
            if vals[c, q] < 0.0:
                case |= 1 << q
        for t in range(tri_count[case]):
            for s in range(3):
                e = tris[case, 3 * t + s]
                ca = ec[e]
                ax = ea[e]
                va = np.float64(vals[c, ca])
                vb = np.float64(vals[c, ca | (1 << ax)])
                f = min(max(va / (va - vb), 0.01), 0.99)  # never on a node: no zero-area triangles
                i = lo[c, 0] + (ca & 1)
                j = lo[c, 1] + ((ca >> 1) & 1)
                k = lo[c, 2] + ((ca >> 2) & 1)
                im = i % nt
                w = 3 * (offs[c] + t) + s
                keys[w] = ((np.int64(im) * nph + j) * nr + k) * 3 + ax
                pos[w, 0] = (i + f) if ax == 0 else im
                pos[w, 1] = (j + f) if ax == 1 else j
                pos[w, 2] = (k + f) if ax == 2 else k


def _axis(centre: float, view_half: float, step: float, back_factor: float, full: float,
          lo: float | None = None, hi: float | None = None, multiple: int = 1) -> np.ndarray:
    """Angles: uniform ``step`` within centre +- view_half, ``back_factor`` coarser outside.
    With ``full`` = 2 pi the axis wraps (no lo/hi; its length is a multiple of ``multiple``);
    else it spans [lo, hi]."""
    if full > 0:
        sector = min(2 * view_half, full)
        n_view = max(int(np.ceil(sector / step)), 4)
        rest = full - sector
        n_back = max(int(np.ceil(rest / (step * back_factor))), 4) if rest > 1e-9 else 0
        n_back += -(n_view + n_back) % multiple
        if n_back == 0:
            n_view += -n_view % multiple
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


LEVELS = 4  # the sparse sampler starts from cells of 2**LEVELS voxels
LAST_S = 2  # cells this small (voxels) are split by the ``last`` bound (0: only if their corners change sign)


def spherical_axes(eye, yaw: float, pitch: float, hfov: float, vfov: float, width: int,
                   params: SphericalGridParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The azimuth (wrapping), elevation and radius samples of the camera-centred grid."""
    gp = params
    step = hfov / width * gp.pixels_per_voxel
    m = np.radians(gp.margin_deg)
    lim = np.radians(gp.max_elevation_deg)
    theta = _axis(yaw, hfov / 2 + m, step, gp.back_factor, 2 * np.pi, multiple=1 << LEVELS)
    phi = _axis(pitch, vfov / 2 + m, step, gp.back_factor, 0.0, -lim, lim)
    q = 1.0 + gp.radial_factor * step
    n_r = int(np.ceil(np.log(gp.r_max / gp.r_min) / np.log(q))) + 1
    r = gp.r_min * q ** np.arange(n_r)
    return theta, phi, r


def _to_world(eye, theta, phi, r):
    c = np.cos(phi)
    return np.stack([eye[0] + r * c * np.cos(theta), eye[1] + r * c * np.sin(theta), eye[2] + r * np.sin(phi)], -1)


# ---------------------------------------------------------------------------
# Node values: a hash table (open addressing, int64 keys, -1 = empty) filled on demand

@njit(cache=True)
def _slot(tk, key):
    mask = tk.shape[0] - 1
    h = ((key * 0x9E3779B1) ^ (key >> 15)) & mask
    while tk[h] != -1 and tk[h] != key:
        h = (h + 1) & mask
    return h


@njit(cache=True)
def _gather(tk, tv, keys, out, new_keys):
    """out[n] = value of keys[n]; unknown keys are inserted (value NaN) and listed once in
    new_keys. Returns the number of new keys."""
    m = 0
    for n in range(keys.shape[0]):
        h = _slot(tk, keys[n])
        if tk[h] == -1:
            tk[h] = keys[n]
            tv[h] = np.nan
            new_keys[m] = keys[n]
            m += 1
        out[n] = tv[h]
    return m


@njit(cache=True)
def _scatter(tk, tv, keys, vals):
    for n in range(keys.shape[0]):
        tv[_slot(tk, keys[n])] = vals[n]


@njit(cache=True)
def _lookup(tk, tv, keys):
    out = np.empty(keys.shape[0], dtype=np.float32)
    for n in range(keys.shape[0]):
        out[n] = tv[_slot(tk, keys[n])]
    return out


@njit(cache=True)
def _rehash(tk, tv, size):
    nk = np.full(size, -1, dtype=np.int64)
    nv = np.empty(size, dtype=np.float32)
    for h in range(tk.shape[0]):
        if tk[h] != -1:
            s = _slot(nk, tk[h])
            nk[s] = tk[h]
            nv[s] = tv[h]
    return nk, nv


@njit(cache=True, parallel=True)
def _node_points(keys, eye, theta, phi, r, nph, nr):
    out = np.empty((keys.shape[0], 3))
    for n in prange(keys.shape[0]):
        key = keys[n]
        k = key % nr
        j = (key // nr) % nph
        i = key // (nr * nph)
        rc = r[k] * np.cos(phi[j])
        out[n, 0] = eye[0] + rc * np.cos(theta[i])
        out[n, 1] = eye[1] + rc * np.sin(theta[i])
        out[n, 2] = eye[2] + r[k] * np.sin(phi[j])
    return out


@njit(cache=True)
def _closure_candidates(lo, v, nt, nph, nr, tk):
    """Neighbours across faces whose corners change sign that are not yet in the key set ``tk``
    (a hash table of cell keys; the neighbours found are added to it)."""
    out = np.empty((lo.shape[0] * 6, 3), dtype=np.int64)
    m = 0
    for n in range(lo.shape[0]):
        for a in range(3):
            for side in range(2):
                neg = False
                pos = False
                for q in range(8):
                    if ((q >> a) & 1) == side:
                        if v[n, q] < 0.0:
                            neg = True
                        else:
                            pos = True
                if not (neg and pos):
                    continue
                i, j, k = lo[n, 0], lo[n, 1], lo[n, 2]
                d = 1 if side == 1 else -1
                if a == 0:
                    i = (i + d + nt) % nt
                elif a == 1:
                    j += d
                    if j < 0 or j >= nph - 1:
                        continue
                else:
                    k += d
                    if k < 0 or k >= nr - 1:
                        continue
                key = (i * nph + j) * nr + k
                h = _slot(tk, key)
                if tk[h] == -1:
                    tk[h] = key
                    out[m, 0] = i
                    out[m, 1] = j
                    out[m, 2] = k
                    m += 1
    return out[:m]


@njit(cache=True)
def _insert_keys(tk, keys):
    for n in range(keys.shape[0]):
        tk[_slot(tk, keys[n])] = keys[n]


class _NodeValues:
    """The SDF at grid nodes (key = (i * n_phi + j) * n_r + k), each evaluated once, on demand."""

    def __init__(self, sdf, eye, theta, phi, r, chunk: int = 1 << 21):
        self.sdf, self.eye, self.theta, self.phi, self.r = sdf, eye, theta, phi, r
        self.nph, self.nr = len(phi), len(r)
        self.tk = np.full(1 << 16, -1, dtype=np.int64)
        self.tv = np.empty(1 << 16, dtype=np.float32)
        self.n = 0
        self.chunk = chunk

    def _eval(self, keys):
        out = np.empty(len(keys), dtype=np.float32)
        for s in range(0, len(keys), 1 << 20):
            pts = _node_points(keys[s:s + (1 << 20)], self.eye, self.theta, self.phi, self.r, self.nph, self.nr)
            out[s:s + (1 << 20)] = self.sdf(pts)
        return out

    def __call__(self, keys: np.ndarray) -> np.ndarray:
        flat = np.ascontiguousarray(keys, dtype=np.int64).ravel()
        out = np.empty(len(flat), dtype=np.float32)
        for s in range(0, len(flat), self.chunk):
            part = flat[s:s + self.chunk]
            if 2 * (self.n + len(part)) > len(self.tk):  # load factor stays below one half
                size = len(self.tk)
                while size < 2 * (self.n + len(part)):
                    size *= 4
                self.tk, self.tv = _rehash(self.tk, self.tv, size)
            o = out[s:s + self.chunk]
            new = np.empty(len(part), dtype=np.int64)
            m = _gather(self.tk, self.tv, part, o, new)
            if m:
                _scatter(self.tk, self.tv, new[:m], self._eval(new[:m]))
                self.n += m
                miss = np.flatnonzero(np.isnan(o))
                o[miss] = _lookup(self.tk, self.tv, part[miss])
        return out.reshape(keys.shape)


_CORNER_BITS = np.array([[(c >> a) & 1 for a in range(3)] for c in range(8)], dtype=np.int64)  # (8, 3)


@njit(cache=True)
def _classify(v, diag, c):
    """Cells that may hold the surface: corners of both signs, or min |value| <= c * diag."""
    out = np.empty(v.shape[0], dtype=np.bool_)
    for n in range(v.shape[0]):
        lo_, hi_, m = v[n, 0], v[n, 0], abs(v[n, 0])
        for q in range(1, 8):
            x = v[n, q]
            lo_ = min(lo_, x)
            hi_ = max(hi_, x)
            m = min(m, abs(x))
        out[n] = (lo_ < 0.0 and hi_ >= 0.0) or m <= c * diag[n]
    return out


@njit(cache=True)
def _cell_diag(lo, up, th_ext, phi, r):
    out = np.empty(lo.shape[0])
    for n in range(lo.shape[0]):
        r1 = r[up[n, 2]]
        dth = th_ext[up[n, 0]] - th_ext[lo[n, 0]]
        dph = phi[up[n, 1]] - phi[lo[n, 1]]
        dr = r1 - r[lo[n, 2]]
        out[n] = np.sqrt((r1 * dth) ** 2 + (r1 * dph) ** 2 + dr * dr)
    return out


@njit(cache=True)
def _dedupe(keys):
    """Vertex id per key (ids in order of first appearance) and the first index of each id."""
    size = 1
    while size < 2 * keys.shape[0]:
        size *= 2
    tk = np.full(size, -1, dtype=np.int64)
    tid = np.empty(size, dtype=np.int64)
    inv = np.empty(keys.shape[0], dtype=np.int64)
    first = np.empty(keys.shape[0], dtype=np.int64)
    m = 0
    for n in range(keys.shape[0]):
        h = _slot(tk, keys[n])
        if tk[h] == -1:
            tk[h] = keys[n]
            tid[h] = m
            first[m] = n
            m += 1
        inv[n] = tid[h]
    return inv, first[:m]


@njit(cache=True)
def _corner_keys(lo, up, nt, nph, nr):
    out = np.empty((lo.shape[0], 8), dtype=np.int64)
    for n in range(lo.shape[0]):
        for c in range(8):
            i = up[n, 0] if c & 1 else lo[n, 0]
            j = up[n, 1] if c & 2 else lo[n, 1]
            k = up[n, 2] if c & 4 else lo[n, 2]
            out[n, c] = ((i % nt) * nph + j) * nr + k
    return out


class _Grid:
    def __init__(self, eye, theta, phi, r):
        self.eye, self.theta, self.phi, self.r = eye, theta, phi, r
        self.nt, self.nph, self.nr = len(theta), len(phi), len(r)
        self.th_ext = np.concatenate([theta, [theta[0] + 2 * np.pi]])

    def upper(self, lo, s):
        return np.stack([np.minimum(lo[:, 0] + s, self.nt), np.minimum(lo[:, 1] + s, self.nph - 1),
                         np.minimum(lo[:, 2] + s, self.nr - 1)], -1)

    def corner_keys(self, lo, up):
        """(n, 8) node keys of the cells' corners."""
        return _corner_keys(lo, up, self.nt, self.nph, self.nr)

    def diag(self, lo, up):
        return _cell_diag(lo, up, self.th_ext, self.phi, self.r)

    def diag_centre(self, lo, up):
        """Cell diagonal (m, an upper bound) and centre (world)."""
        r1 = self.r[up[:, 2]]
        dth = self.th_ext[up[:, 0]] - self.th_ext[lo[:, 0]]
        dph = self.phi[up[:, 1]] - self.phi[lo[:, 1]]
        dr = r1 - self.r[lo[:, 2]]
        diag = np.sqrt((r1 * dth) ** 2 + (r1 * dph) ** 2 + dr ** 2)
        c = _to_world(self.eye, 0.5 * (self.th_ext[up[:, 0]] + self.th_ext[lo[:, 0]]),
                      0.5 * (self.phi[up[:, 1]] + self.phi[lo[:, 1]]), 0.5 * (r1 + self.r[lo[:, 2]]))
        return diag, c

    def key(self, lo):
        return ((lo[:, 0] % self.nt) * self.nph + lo[:, 1]) * self.nr + lo[:, 2]


def _surface_cells(sdf, grid: _Grid, lipschitz: float, bound=None, last: float | None = None,
                   chunk: int = 1 << 20):
    """Cells (lower corners, (n, 3)) whose corner values (n, 8) change sign, found coarse to fine.

    Starting from cells of 2**LEVELS voxels, a cell is split in eight only if it may hold the
    surface: its corners differ in sign, or the smallest |value| is below ``lipschitz`` times
    half its diagonal (every point of a cell lies within half a diagonal of a corner). So the
    SDF is evaluated only near the surface. Then a closure pass adds any cell across a face
    with a sign change that the bound missed, so the cut is watertight whatever the SDF's
    true Lipschitz constant. ``bound(points)``: optional; cells whose centre is farther than
    a diagonal outside it (bound > 0 outside) are skipped."""
    nodes = _NodeValues(sdf, grid.eye, grid.theta, grid.phi, grid.r)
    s = 1 << LEVELS
    g = np.meshgrid(np.arange(0, grid.nt, s), np.arange(0, max(grid.nph - 1, 1), s),
                    np.arange(0, max(grid.nr - 1, 1), s), indexing="ij")
    cells = np.stack([a.ravel() for a in g], -1).astype(np.int64)
    inside = np.zeros(len(cells), dtype=bool)  # known to lie wholly inside the bound
    out_lo, out_v = [], []
    while len(cells):
        kept, kept_in = [], []
        for c0 in range(0, len(cells), chunk):
            lo, ins = cells[c0:c0 + chunk], inside[c0:c0 + chunk]
            up = grid.upper(lo, s)
            if bound is not None and not ins.all():
                todo = np.flatnonzero(~ins)
                diag, centre = grid.diag_centre(lo[todo], up[todo])
                b = bound(centre)
                ok = np.ones(len(lo), dtype=bool)
                ok[todo] = b <= diag
                ins = ins.copy()
                ins[todo] = b < -diag
                lo, up, ins = lo[ok], up[ok], ins[ok]
            v = nodes(grid.corner_keys(lo, up))
            if s == 1:
                mixed = _classify(v, np.zeros(len(v)), 0.0)
                out_lo.append(lo[mixed])
                out_v.append(v[mixed])
                continue
            lip = lipschitz if (s > LAST_S or last is None) else last
            near = _classify(v, grid.diag(lo, up), 0.5 * lip)
            kept.append(lo[near])
            kept_in.append(ins[near])
        if s == 1:
            break
        parents, parents_in = np.concatenate(kept), np.concatenate(kept_in)
        h = s // 2
        ch, ch_in = [], []
        for off in _CORNER_BITS * h:
            c = parents + off
            ok = (c[:, 0] < grid.nt) & (c[:, 1] < grid.nph - 1) & (c[:, 2] < grid.nr - 1)
            ch.append(c[ok])
            ch_in.append(parents_in[ok])
        cells, inside = np.concatenate(ch), np.concatenate(ch_in)
        s = h
    lo = np.concatenate(out_lo) if out_lo else np.zeros((0, 3), dtype=np.int64)
    v = np.concatenate(out_v) if out_v else np.zeros((0, 8), dtype=np.float32)
    # closure: the neighbour across every face with a sign change must be a surface cell too
    n_found, rounds = len(lo), 0
    size = 1 << 16
    while size < 4 * (len(lo) + 1):
        size *= 2
    tk = np.full(size, -1, dtype=np.int64)
    _insert_keys(tk, grid.key(lo))
    n_keys = len(lo)
    new_lo, new_v = lo, v
    parts_lo, parts_v = [lo], [v]
    for rounds in range(1000):  # a round adds one layer of cells; usually a few rounds
        if 2 * (n_keys + 6 * len(new_lo)) > len(tk):
            size = len(tk)
            while size < 4 * (n_keys + 6 * len(new_lo)):
                size *= 2
            tk, _ = _rehash(tk, np.zeros(len(tk), dtype=np.float32), size)
        cand = _closure_candidates(new_lo, new_v, grid.nt, grid.nph, grid.nr, tk)
        n_keys += len(cand)
        if len(cand) and bound is not None:
            diag, centre = grid.diag_centre(cand, grid.upper(cand, 1))
            cand = cand[bound(centre) <= diag]
        if not len(cand):
            break
        new_lo = cand
        new_v = nodes(grid.corner_keys(cand, grid.upper(cand, 1)))
        parts_lo.append(new_lo)
        parts_v.append(new_v)
    lo, v = np.concatenate(parts_lo), np.concatenate(parts_v)
    return lo, v, {"sdf_evaluations": nodes.n, "surface_cells": len(lo), "closure_cells": len(lo) - n_found,
                    "closure_rounds": rounds}


def mesh_sdf_spherical(sdf, eye: np.ndarray, theta: np.ndarray, phi: np.ndarray, r: np.ndarray,
                       lipschitz: float = 1.5, bound=None, last: float | None = None,
                       stats: dict | None = None) -> Mesh:
    """Marching cubes of ``sdf`` (points (N, 3) -> values, negative = solid) on the spherical grid.

    Faces are oriented so normals point from solid into air. The SDF is evaluated only near
    its zero set (``_surface_cells``); ``bound`` optionally limits the meshed region."""
    eye = np.asarray(eye, dtype=np.float64)
    grid = _Grid(eye, theta, phi, r)
    lo, vals, info = _surface_cells(sdf, grid, lipschitz, bound, last)
    if stats is not None:
        stats.update(info, grid=[grid.nt, grid.nph, grid.nr])
    if not len(lo):
        return Mesh(np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int32))
    counts = _case_counts(vals, _TRI_COUNT)
    offs = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    n_tri = int(counts.sum())
    keys = np.empty(3 * n_tri, dtype=np.int64)
    pos = np.empty((3 * n_tri, 3), dtype=np.float64)
    _mc_emit(lo, vals, offs, _TRIS, _TRI_COUNT, _EDGE_CORNER, _EDGE_AXIS, grid.nt, grid.nph, grid.nr, keys, pos)
    inv, first = _dedupe(keys)
    faces = _drop_folded(inv.reshape(-1, 3))
    p = pos[first]
    t = np.interp(p[:, 0], np.arange(grid.nt + 1), grid.th_ext)
    ph = np.interp(p[:, 1], np.arange(grid.nph), phi)
    rr = np.interp(p[:, 2], np.arange(grid.nr), r)
    return Mesh(_to_world(eye, t, ph, rr), faces)


def _drop_folded(faces: np.ndarray) -> np.ndarray:
    """Faces without the pairs that are one triangle twice, in opposite windings (two cells fanning a
    loop that runs along their shared face both emit a triangle lying in it): a zero-volume fold;
    without it every edge is in two faces."""
    key = np.sort(faces, axis=1)
    _, inv, count = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    twice = count[inv.ravel()] > 1
    return faces[~twice] if twice.any() else faces


def keep_off_ground(mesh: Mesh, ground, eps: float, side: int, also=None) -> Mesh:
    """The part of an SDF mesh that is not the ground itself: faces with a vertex more than ``eps``
    above (``side`` = 1: rock formations) or below (``side`` = -1: caves) ``ground(x, y)``, or
    faces whose xy bounding box ``also(lo, hi)`` ((F, 2) each) flags. The heightfield mesh supplies
    the ground, so the two overlap along a band of width ~eps and leave no gap; the kept part's
    boundary lies within eps of the ground (or inside ``also``'s region)."""
    if not mesh.n_triangles:
        return mesh
    v = mesh.vertices.astype(np.float64)
    hit = side * (v[:, 2] - ground(v[:, 0], v[:, 1])) > eps
    keep = hit[mesh.faces].any(axis=1)
    if also is not None:
        xy = v[:, :2][mesh.faces]
        keep |= also(xy.min(axis=1), xy.max(axis=1))
    return submesh(mesh, keep)


@njit(cache=True)
def _mark_boxes(lo, hi, x0, y0, cell, nx, ny):
    mask = np.zeros((nx, ny), dtype=np.bool_)
    for t in range(lo.shape[0]):
        i0 = max(int(np.floor((lo[t, 0] - x0) / cell)) - 1, 0)
        i1 = min(int(np.floor((hi[t, 0] - x0) / cell)) + 1, nx - 1)
        j0 = max(int(np.floor((lo[t, 1] - y0) / cell)) - 1, 0)
        j1 = min(int(np.floor((hi[t, 1] - y0) / cell)) + 1, ny - 1)
        for i in range(i0, i1 + 1):
            for j in range(j0, j1 + 1):
                mask[i, j] = True
    return mask


class Footprint:
    """The xy bounding boxes of some triangles (T, 3, 2), grown by a cell, on a raster (cells about
    the triangles' median size): ``inside(x, y)`` and ``distance(x, y)`` (m to the region, 0 in it;
    a lower bound on the 3D distance to anything standing over it)."""

    def __init__(self, tris_xy: np.ndarray, max_cells: int = 1 << 22):
        from scipy.ndimage import distance_transform_edt

        lo, hi = tris_xy.min(axis=1), tris_xy.max(axis=1)
        span = hi.max(axis=0) - lo.min(axis=0)
        self.cell = max(float(np.median(hi - lo)), 1e-3, float(np.sqrt(span[0] * span[1] / max_cells)))
        pad = 4 * self.cell
        self.x0, self.y0 = lo.min(axis=0) - pad
        self.nx, self.ny = int((span[0] + 2 * pad) / self.cell) + 2, int((span[1] + 2 * pad) / self.cell) + 2
        self.mask = _mark_boxes(lo, hi, self.x0, self.y0, self.cell, self.nx, self.ny)
        self.sat = np.pad(self.mask.astype(np.int64).cumsum(0).cumsum(1), ((1, 0), (1, 0)))  # summed area
        self.dist = distance_transform_edt(~self.mask) * self.cell
        self.far = float(np.hypot(span[0], span[1]))

    def _ij(self, x, y):
        i = np.floor((np.asarray(x) - self.x0) / self.cell).astype(np.int64)
        j = np.floor((np.asarray(y) - self.y0) / self.cell).astype(np.int64)
        return i, j, (i >= 0) & (i < self.nx) & (j >= 0) & (j < self.ny)

    def overlaps(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Whether each box [lo, hi] ((N, 2) each) meets the region."""
        i0 = np.clip(np.floor((lo[:, 0] - self.x0) / self.cell).astype(np.int64), 0, self.nx)
        i1 = np.clip(np.floor((hi[:, 0] - self.x0) / self.cell).astype(np.int64) + 1, 0, self.nx)
        j0 = np.clip(np.floor((lo[:, 1] - self.y0) / self.cell).astype(np.int64), 0, self.ny)
        j1 = np.clip(np.floor((hi[:, 1] - self.y0) / self.cell).astype(np.int64) + 1, 0, self.ny)
        n = self.sat[i1, j1] - self.sat[i0, j1] - self.sat[i1, j0] + self.sat[i0, j0]
        return n > 0

    def inside(self, x, y):
        i, j, ok = self._ij(x, y)
        out = np.zeros(i.shape, dtype=bool)
        out[ok] = self.mask[i[ok], j[ok]]
        return out

    def distance(self, x, y):
        i, j, ok = self._ij(x, y)
        out = np.full(i.shape, np.inf)
        out[ok] = np.maximum(self.dist[i[ok], j[ok]] - self.cell * 1.5, 0.0)
        return out


def submesh(mesh: Mesh, keep_faces: np.ndarray) -> Mesh:
    """The faces selected by a boolean mask, with only the vertices (and attributes) they use."""
    f = mesh.faces[keep_faces]
    used = np.zeros(len(mesh.vertices), dtype=bool)
    used[f.ravel()] = True
    remap = np.cumsum(used) - 1
    return Mesh(mesh.vertices[used], remap[f], {k: a[used] for k, a in mesh.attributes.items()}, mesh.smooth)


def _view_pose(cam) -> tuple[float, float, float]:
    """Yaw, pitch and vertical field of view (radians) of a ``core.camera.Camera``."""
    fwd = cam.cam_to_world[:3, 2]
    vfov = 2 * np.arctan(0.5 * cam.height / cam.K[1, 1])
    return float(np.arctan2(fwd[1], fwd[0])), float(np.arcsin(np.clip(fwd[2], -1, 1))), float(vfov)


def _covering_arc(mask: np.ndarray) -> tuple[float, float] | None:
    """The smallest arc (centre, half-width, radians) holding every set bin of a circular mask."""
    n = len(mask)
    if not mask.any():
        return None
    if mask.all():
        return 0.0, np.pi
    on = np.flatnonzero(mask)
    gaps = np.diff(np.concatenate([on, [on[0] + n]]))  # bins from each set bin to the next
    k = int(np.argmax(gaps))
    start, length = on[(k + 1) % len(on)], n - gaps[k] + 1  # the arc starts after the largest gap
    w = 2 * np.pi / n
    return (start + 0.5 * length) * w, 0.5 * length * w


def shot_axes(cameras, params: SphericalGridParams, balls, r_near: float | None = None
              ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """One spherical grid for every camera of a shot, meshing what lies in ``balls`` ((centre, radius)
    pairs): its centre (the mean eye) and its azimuth, elevation and radius samples.

    A camera at ``delta`` from the centre sees a point P at |P - E| >= |P - C| - delta, so an angular
    step ``step_k * (1 - delta / r_near)`` from the centre (r_near: the nearest ball surface, or
    ``params.r_min``) keeps its voxels at most ``pixels_per_voxel`` pixels in its view (the factor
    is held at 1/4 or above). The dense azimuths and elevations are those of the balls that some
    camera's view (plus the margin, widened by delta / r_near) holds; with one camera this is
    ``spherical_axes`` of its own view limited to the balls. ``r_near``: a known lower bound on the
    distance from the mean eye to any surface to mesh (a cave's clearance), when the balls hold it."""
    cams = list(cameras)
    gp = params
    eyes = np.array([np.asarray(c.position, dtype=np.float64) for c in cams])
    centre = eyes.mean(axis=0)
    delta = np.linalg.norm(eyes - centre, axis=1)
    cs = np.array([np.asarray(c, dtype=np.float64) for c, _ in balls])
    rs = np.array([float(r) for _, r in balls])
    dist = np.linalg.norm(cs - centre, axis=1)
    inside = dist <= rs
    r_near = max(gp.r_min, float(np.min(np.where(inside, gp.r_min if r_near is None else r_near, dist - rs))))
    r_max = max(float(np.max(dist + rs)), r_near * 1.5)
    m = np.radians(gp.margin_deg)
    steps, mask = [], np.zeros(1440, dtype=bool)
    bins = (np.arange(1440) + 0.5) * (2 * np.pi / 1440)
    el_lo, el_hi = [], []
    ang_c = np.arctan2(cs[:, 1] - centre[1], cs[:, 0] - centre[0])
    half_c = np.where(inside, np.pi, np.arcsin(np.clip(rs / np.maximum(dist, 1e-9), 0, 1)))
    elev_c = np.arcsin(np.clip((cs[:, 2] - centre[2]) / np.maximum(dist, 1e-9), -1, 1))
    ball_mask = np.zeros(1440, dtype=bool)
    for a, h in zip(ang_c, half_c):
        ball_mask |= np.abs((bins - a + np.pi) % (2 * np.pi) - np.pi) <= h
    for cam, dk in zip(cams, delta):
        yaw, pitch, vfov = _view_pose(cam)
        extra = float(np.arcsin(min(1.0, dk / r_near)))
        steps.append(cam.hfov / cam.width * gp.pixels_per_voxel * max(0.25, 1.0 - dk / r_near))
        half = cam.hfov / 2 + m + extra
        mask |= np.abs((bins - yaw + np.pi) % (2 * np.pi) - np.pi) <= half
        el_lo.append(pitch - vfov / 2 - m - extra)
        el_hi.append(pitch + vfov / 2 + m + extra)
    step = min(steps)
    arc = _covering_arc(mask & ball_mask) or _covering_arc(mask)
    lim = np.radians(gp.max_elevation_deg)
    b_lo = np.where(inside, -lim, elev_c - half_c).min()
    b_hi = np.where(inside, lim, elev_c + half_c).max()
    lo_, hi_ = max(min(el_lo), b_lo), min(max(el_hi), b_hi)
    if hi_ <= lo_:  # no ball in any view: the views' elevations (coarse everywhere else anyway)
        lo_, hi_ = min(el_lo), max(el_hi)
    lo_, hi_ = max(lo_, -lim), min(hi_, lim)
    theta = _axis(arc[0], arc[1], step, gp.back_factor, 2 * np.pi, multiple=1 << LEVELS)
    phi = _axis(0.5 * (lo_ + hi_), 0.5 * (hi_ - lo_), step, gp.back_factor, 0.0, -lim, lim)
    q = 1.0 + gp.radial_factor * step
    r0 = max(gp.r_min, 0.9 * r_near) if not inside.all() else gp.r_min
    n_r = int(np.ceil(np.log(r_max / r0) / np.log(q))) + 1
    r = r0 * q ** np.arange(n_r)
    return centre, (theta, phi, r)
