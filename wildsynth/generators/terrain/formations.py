"""Rock formations a heightfield cannot hold: arches, hoodoos, buttes, mesas, weathered outcrops.

Each formation is a signed distance field (negative inside rock) built in its
own frame (a along its strike, b across, z up from its base): a base shape
(``_shape``) whose outline is warped by 3D noise, then weathered by its
``Geology`` (``geology.py``): horizontal beds that retreat by their softness
(hard beds stand out as ledges, soft ones are undercut), two joint sets
(planar block faces, a few open cracks), and honeycomb (tafoni) pits. Beds
are weathered in the unwarped frame, so they run level across a formation.

Kinds:

- **arch**: a sandstone fin (a rounded slab) with an elliptical opening through it;
- **hoodoo**: a cluster of two to four spires, each a tapering stem under a wider, harder cap;
- **butte** / **mesa**: a flat-topped block with steep walls over a talus apron
  (a butte about as tall as wide, a mesa much wider than tall);
- **outcrop** (``warped`` is the same): a few smoothly joined, weathered lumps of sandstone.

The formations are joined to the ground by a smooth union (polynomial smooth
min of width ``blend``) with the ground's SDF g = z - h(x, y):

    solid(p) = smin(g(p), formations(p), blend)

so rock flows into the ground through a fillet. ``solid`` is meshed with the
spherical marching cubes (``sdf.py``) for every camera of the shot
(``shot_axes``) only inside balls that hold the formations and their fillets;
of that mesh only the faces standing more than ``ground_eps`` above the ground
are kept (rock and fillet). The heightfield mesh stays complete underneath,
so there is no hole: the kept mesh's boundary lies within ``ground_eps`` of
the ground and the fillet meets the ground tangentially.

Placement (``Formations``) follows the first camera's pose (never its pixel
size): each formation tries ``candidates`` spots in the view, at distances
between ``distance_min`` and ``distance_max`` (the first one, the hero, in the
nearer third), and keeps the one whose probe points (a grid over its
silhouette) are most visible from the eye over the terrain, away from the
formations placed before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ...core.mesh import Mesh
from ...core.seeds import SeedTree
from ..noise import fbm3, perm_table
from .geology import Geology, GeologyParams
from .sdf import SphericalGridParams, keep_off_ground, mesh_sdf_spherical, shot_axes, submesh

KINDS = ("arch", "hoodoo", "butte", "mesa", "outcrop", "warped")


class FormationParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(0, ge=0, le=20, description="formations placed in view")
    kinds: tuple[str, ...] = Field(("arch", "hoodoo", "outcrop"),
                                   description="kinds drawn from: arch, hoodoo, butte, mesa, outcrop (warped)")
    size: float = Field(14.0, ge=1.0, le=300.0, description="typical size (arch fin half-length, hoodoo height / 2), m")
    distance_min: float = Field(30.0, ge=2.0, le=5000.0, description="nearest placement from the camera, m")
    distance_max: float = Field(90.0, ge=2.0, le=5000.0, description="farthest placement from the camera, m")
    spread: float = Field(0.42, ge=0.0, le=1.0, description="placement heading off the view axis, fraction of the hfov")
    candidates: int = Field(24, ge=1, le=500, description="spots tried per formation (the most visible one wins)")
    warp: float = Field(0.12, ge=0.0, le=1.0, description="noise warp of the outline relative to the size")
    geology: GeologyParams = Field(default_factory=GeologyParams, description="strata, joints and honeycomb pits")
    pixels_per_voxel: float = Field(2.0, ge=1.0, le=64.0, description="marching-cubes voxel size in the view, pixels")
    blend: float = Field(1.5, ge=0.0, le=50.0, description="width of the smooth union with the ground (fillet), m")
    ground_eps: float = Field(0.03, ge=0.001, le=5.0,
                              description="faces this far above the ground are kept (the rest is the ground), m")

    def model_post_init(self, _ctx) -> None:
        bad = [k for k in self.kinds if k not in KINDS]
        if bad or not self.kinds:
            raise ValueError(f"formations.kinds: {bad or '()'} not allowed; choose from {', '.join(KINDS)}")


@dataclass
class Formation:
    """One placed formation: its kind, base centre (world), strike angle, size, shape jitter, reach."""

    kind: str
    centre: np.ndarray  # (3,) base centre on the ground
    angle: float  # strike (the frame's a axis), radians
    size: float
    jit: np.ndarray  # (4,) shape draws in [0.8, 1.2]
    radius: float  # every part of the rock lies within this distance of the centre
    height: float  # top of the rock above the centre, m
    geology: Geology
    spires: np.ndarray  # (S, 3) hoodoo spires: a, b offset and height factor


def _extent(kind: str, s: float) -> tuple[float, float]:
    """Horizontal radius and height of a formation of size s (before warp and jitter, within 1.2x)."""
    return {"arch": (1.9 * s, 1.25 * s), "hoodoo": (1.3 * s, 2.4 * s), "butte": (2.8 * s, 1.7 * s),
            "mesa": (4.6 * s, 1.1 * s), "outcrop": (1.5 * s, 0.9 * s), "warped": (1.5 * s, 0.9 * s)}[kind]


class Formations:
    """A set of formations placed in ``camera``'s view over ``height`` and their joint SDF."""

    def __init__(self, params: FormationParams, seeds: SeedTree, camera, height):
        self.p = params
        self.height = height
        rng = seeds.child("place").rng()
        self.perm = perm_table(seeds.child("warp").rng())
        self.items: list[Formation] = []
        eye = np.asarray(camera.position, dtype=np.float64)
        fwd = camera.cam_to_world[:3, 2]
        yaw = float(np.arctan2(fwd[1], fwd[0]))
        hfov = float(camera.hfov)
        for k in range(params.count):
            kind = str(rng.choice(list(params.kinds)))
            s = params.size * float(rng.uniform(0.8, 1.2))
            rad, top = _extent(kind, s)
            lo, hi = params.distance_min, max(params.distance_min, params.distance_max)
            if k == 0:  # the hero: in the nearer third
                hi = lo + (hi - lo) / 3.0
            n = params.candidates
            d = np.maximum(rng.uniform(lo, hi, n) + rad * 0.5, rad + 5.0)
            a = yaw + rng.uniform(-params.spread, params.spread, n) * hfov
            strike = rng.uniform(0, np.pi, n)
            xy = eye[None, :2] + d[:, None] * np.stack([np.cos(a), np.sin(a)], -1)
            # the visible share of its silhouette's area in the frame (at most a third of the frame)
            fx = 0.5 * camera.width / np.tan(0.5 * hfov)
            area = (1.4 * rad) * (0.7 * top) * fx ** 2 / d ** 2 / (camera.width * camera.height)
            score = np.minimum(self._visibility(eye, camera, xy, rad, top) * area, 0.33)
            for f in self.items:  # keep clear of the formations placed before
                gap = np.hypot(*(xy - f.centre[None, :2]).T) - 0.75 * (rad + f.radius)
                score = np.where(gap < 0, score - 1.0, score)
            best = int(np.argmax(score))
            # the arch's fin faces the camera (its opening seen), others any way
            ang = float(a[best] + np.pi / 2 + rng.uniform(-0.35, 0.35)) if kind == "arch" else float(strike[best])
            z = float(height(xy[best, :1], xy[best, 1:2])[0])
            centre = np.array([xy[best, 0], xy[best, 1], z])
            jit = rng.uniform(0.8, 1.2, 4)
            geo = Geology(params.geology, seeds.child(f"geology{k}").rng(), strike=ang)
            n_sp = int(rng.integers(2, 5)) if kind == "hoodoo" else 0
            spires = np.stack([rng.uniform(-0.8, 0.8, n_sp) * s, rng.uniform(-0.8, 0.8, n_sp) * s,
                               rng.uniform(0.55, 1.0, n_sp)], -1) if n_sp else np.zeros((0, 3))
            if n_sp:
                spires[0] = (0.0, 0.0, 1.0)
            # lowered a little: on sloping ground no side of the base hangs in the air
            slope_drop = self._drop(centre, rad)
            centre[2] -= slope_drop
            self.items.append(Formation(kind, centre, ang, s, jit, 1.25 * rad + 0.35 * s,
                                        1.25 * top + slope_drop, geo, spires))

    def _drop(self, centre: np.ndarray, rad: float) -> float:
        """How far the ground falls below the centre's height within 0.8 of the radius (m)."""
        t = np.linspace(0, 2 * np.pi, 16, endpoint=False)
        x = centre[0] + 0.8 * rad * np.cos(t)
        y = centre[1] + 0.8 * rad * np.sin(t)
        return float(max(0.0, centre[2] - self.height(x, y).min()))

    def _visibility(self, eye, camera, xy, rad, top) -> np.ndarray:
        """Share of each candidate's probe points (a 5 x 4 grid over its silhouette) seen from the eye
        over the terrain and inside the frame."""
        n = len(xy)
        zc = self.height(xy[:, 0], xy[:, 1])
        to = xy - eye[None, :2]
        side = np.stack([-to[:, 1], to[:, 0]], -1) / np.maximum(np.hypot(*to.T), 1e-9)[:, None]
        u = np.linspace(-0.7, 0.7, 5)
        w = np.linspace(0.15, 0.85, 4)
        px = xy[:, None, None, :] + u[None, :, None, None] * rad * side[:, None, None, :]
        pz = zc[:, None, None] + w[None, None, :] * top + 0 * u[None, :, None]
        p = np.concatenate([np.broadcast_to(px, (n, 5, 4, 2)), pz[..., None]], -1).reshape(-1, 3)
        # line of sight: 32 samples along the way (the last 15 % is the formation's own ground)
        t = np.linspace(0.02, 0.85, 32)
        ray = eye[None, None, :] + t[None, :, None] * (p - eye[None, :])[:, None, :]
        ground = self.height(ray[..., 0].ravel(), ray[..., 1].ravel()).reshape(ray.shape[:2])
        seen = np.all(ray[..., 2] > ground, axis=1)
        uv, z = camera.project(p)
        inside = (z > 0) & (uv[:, 0] >= 0) & (uv[:, 0] < camera.width) & (uv[:, 1] >= 0) & (uv[:, 1] < camera.height)
        return (seen & inside).reshape(n, -1).mean(axis=1)

    # -- the SDF -------------------------------------------------------------------------------------
    def _shape(self, f: Formation, a, b, z) -> np.ndarray:
        """The base shape (before geology) in the formation's frame."""
        s, j = f.size, f.jit
        if f.kind == "arch":
            L, T, H = 1.6 * s * j[0], 0.42 * s * j[1], 1.15 * s * j[2]
            fin = _round_box(a, b, z - 0.5 * H + 0.3 * s, L, T, 0.5 * H + 0.3 * s, 0.35 * T)
            fin = fin + 0.25 * T * np.clip(z / H, 0, 1) ** 2  # thinner towards the top
            ra, rz, z0 = 0.55 * L * j[3], 0.62 * H, 0.12 * H
            hole = (np.sqrt((a / ra) ** 2 + ((z - z0) / rz) ** 2) - 1.0) * min(ra, rz)
            return np.maximum(fin, -hole)
        if f.kind == "hoodoo":
            out = np.full(len(a), 1e9)
            for da, db, hf in f.spires:
                h = 2.2 * s * j[0] * hf
                r = np.hypot(a - da, b - db)
                zr = np.clip(z / h, 0.0, 1.0)
                stem = r - np.maximum(0.32 * s * hf * (1.15 - 0.45 * zr), 1.2 + self.p.geology.recess)
                stem = np.maximum(stem, np.maximum(-z - s, z - h))
                rc = np.maximum(0.36 * s * hf, 1.8 + self.p.geology.recess)  # wider than the stem below it
                cap = (np.sqrt(r ** 2 + ((z - h) / (0.5 * j[1])) ** 2) - rc) * 0.5
                out = np.minimum(out, np.minimum(stem, cap))
            return out
        if f.kind in ("butte", "mesa"):
            R, H = (1.6 * s * j[0], 1.5 * s * j[1]) if f.kind == "butte" else (3.6 * s * j[0], 0.95 * s * j[1])
            ell = np.hypot(a / (R * 1.0), b / (R * 0.75 * j[2]))  # a little elongated
            wall = (ell - 1.0) * R * 0.75
            block = np.maximum(wall, np.maximum(z - H, -z - s))
            # talus apron: a cone from 40 % of the height at the wall to the ground 0.8 H out
            apron = (z - 0.4 * H * (1.0 - np.clip((ell - 1.0) * R / (0.8 * H), 0.0, 1.5))) * 0.55
            apron = np.maximum(apron, -z - s)
            return smooth_min(block, apron, 0.15 * H)
        # outcrop: a few lumps joined smoothly
        out = np.full(len(a), 1e9)
        for i, (ca, cb, cz, ra_, rb_, rz_) in enumerate(((0.0, 0.0, 0.15, 1.0, 0.75, 0.7),
                                                         (0.75, 0.25, 0.0, 0.6, 0.55, 0.55),
                                                         (-0.7, -0.2, 0.05, 0.7, 0.5, 0.5))):
                e = np.sqrt(((a / s - ca) / (ra_ * j[i % 4])) ** 2 + ((b / s - cb) / rb_) ** 2
                            + ((z / s - cz) / (rz_ * j[(i + 1) % 4])) ** 2)
                out = smooth_min(out, (e - 1.0) * s * min(ra_, rb_, rz_), 0.3 * s)
        return out

    def sdf(self, p: np.ndarray) -> np.ndarray:
        p = np.asarray(p, dtype=np.float64)
        out = np.full(len(p), 1e9)
        for f in self.items:
            q = p - f.centre
            near = np.einsum("ij,ij->i", q[:, :2], q[:, :2]) < f.radius ** 2
            near &= (q[:, 2] < f.height + 0.2 * f.size) & (q[:, 2] > -2.0 * f.size)
            if not near.any():
                continue
            qn = q[near]
            ca, sa = np.cos(f.angle), np.sin(f.angle)
            loc = np.stack([qn[:, 0] * ca + qn[:, 1] * sa, -qn[:, 0] * sa + qn[:, 1] * ca, qn[:, 2]], -1)
            w = loc
            if self.p.warp > 0:
                n = np.stack([fbm3(loc / (0.7 * f.size) + o, self.perm, octaves=2) for o in (0.0, 31.7, -57.1)], -1)
                w = loc + self.p.warp * f.size * n * np.array([1.0, 1.0, 0.35])  # outlines wander, beds stay level
            d = self._shape(f, w[:, 0], w[:, 1], w[:, 2])
            d, _ = f.geology.apply(d, loc)
            # outside the ball the formation is not evaluated: fade to "far" so the SDF stays continuous
            r = np.hypot(loc[:, 0], loc[:, 1])
            d = np.maximum(d, r - f.radius + self.p.blend + 1.0)
            out[near] = np.minimum(out[near], d)
        return out

    def beds(self, p: np.ndarray) -> np.ndarray:
        """Softness (0 hard, 1 soft) of the bed each point lies in (of the nearest formation)."""
        p = np.asarray(p, dtype=np.float64)
        out = np.zeros(len(p), dtype=np.float32)
        best = np.full(len(p), np.inf)
        for f in self.items:
            dist = np.hypot(*(p[:, :2] - f.centre[None, :2]).T)
            take = dist < best
            if take.any():
                _, bed = f.geology.apply(np.zeros(int(take.sum())), p[take] - f.centre)
                out[take] = f.geology.bed_soft[bed]
                best[take] = dist[take]
        return out

    def ground(self, p: np.ndarray) -> np.ndarray:
        """The ground's SDF g = z - h(x, y) (not a true distance on slopes; its sign is exact)."""
        p = np.asarray(p, dtype=np.float64)
        return p[:, 2] - self.height(p[:, 0], p[:, 1])

    def solid(self, p: np.ndarray) -> np.ndarray:
        """Ground and formations joined by a polynomial smooth union of width ``blend``."""
        return smooth_min(self.ground(p), self.sdf(p), self.p.blend)

    def reach(self, f: Formation) -> float:
        """Radius around a formation's centre beyond which neither it nor its fillet lies, m."""
        return float(np.hypot(f.radius, max(f.height, 2.0 * f.size))) + self.p.blend

    def _lattices(self):
        """Per formation: the SDF on a lattice of spacing size / 6 over its reach (built once)."""
        if getattr(self, "_lat", None) is None:
            self._lat = []
            for f in self.items:
                h = f.size / 6.0
                lo = f.centre - np.array([f.radius, f.radius, 2.0 * f.size]) - self.p.blend
                hi = f.centre + np.array([f.radius, f.radius, f.height + 0.2 * f.size]) + self.p.blend
                n = np.ceil((hi - lo) / h).astype(int) + 1
                axes = [lo[i] + h * np.arange(n[i]) for i in range(3)]
                g = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, 3)
                self._lat.append((lo, h, self.sdf(g).reshape(*n)))
        return self._lat

    def _interpolated(self, p: np.ndarray, margin=lambda h: 0.0) -> np.ndarray:
        """The formations' SDF at ``p`` interpolated from the lattices, less ``margin(spacing)``;
        inf outside every lattice."""
        from scipy.ndimage import map_coordinates

        p = np.asarray(p, dtype=np.float64)
        out = np.full(len(p), np.inf)
        for x0, h, lat in self._lattices():
            q = (p - x0) / h
            inside = np.all((q >= 0) & (q <= np.array(lat.shape) - 1), axis=1)
            if inside.any():
                out[inside] = np.minimum(out[inside], map_coordinates(lat, q[inside].T, order=1) - margin(h))
        return out

    def bound(self, p: np.ndarray) -> np.ndarray:
        """Negative where a formation or its fillet may lie: the formations' SDF interpolated from a
        lattice (``_lattices``), less ``blend`` and the interpolation's worst error (a Lipschitz
        constant of 2 times the lattice diagonal). Cells outside are never meshed."""
        return self._interpolated(p, lambda h: self.p.blend + 2.0 * np.sqrt(3.0) * h)

    def mesh(self, cameras, stats: dict | None = None) -> Mesh:
        """Marching cubes of ``solid`` around the formations, for every camera of ``cameras`` (each
        sees its pixels' detail), minus the faces that are the ground."""
        cams = list(cameras)
        if not self.items or not cams:
            return Mesh(np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int32))
        balls = [(f.centre + np.array([0.0, 0.0, 0.4 * f.height]), self.reach(f)) for f in self.items]
        gp = SphericalGridParams(pixels_per_voxel=self.p.pixels_per_voxel, margin_deg=10.0, back_factor=4.0)
        eye, axes = shot_axes(cams, gp, balls)
        m = mesh_sdf_spherical(self.solid, eye, *axes, lipschitz=2.0, bound=self.bound, last=0.0, stats=stats)
        m = keep_off_ground(m, self.height, self.p.ground_eps, side=1)
        if m.n_triangles:  # and only where a formation acts (not ground that marching cubes bent)
            near = self.sdf(m.vertices.astype(np.float64)) < self.p.blend + self.p.ground_eps
            m = submesh(m, near[m.faces].any(axis=1))
        if m.n_triangles:  # no rock hangs in the air: pieces weathering cut loose are gone
            m = submesh(m, grounded_faces(m, self.height, self.p.ground_eps + 0.3))
        return m

    def clearance(self, p: np.ndarray) -> np.ndarray:
        """Distance-like value of points to the rock (negative inside), cheap: from the lattice."""
        return self._interpolated(p)


def grounded_faces(mesh: Mesh, height, tol: float) -> np.ndarray:
    """Faces of the connected pieces of ``mesh`` that reach within ``tol`` of the ground ``height(x, y)``."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    f = mesh.faces
    n = len(mesh.vertices)
    adj = coo_matrix((np.ones(f.size), (f.ravel(), np.roll(f, 1, axis=1).ravel())), shape=(n, n))
    k, lab = connected_components(adj, directed=False)
    v = mesh.vertices.astype(np.float64)
    low = np.full(k, np.inf)
    np.minimum.at(low, lab, v[:, 2] - height(v[:, 0], v[:, 1]))
    return (low <= tol)[lab[f[:, 0]]]


def _round_box(a, b, z, ha, hb, hz, r):
    """Signed distance to a box of half-extents (ha, hb, hz) with edges rounded by r."""
    qa, qb, qz = np.abs(a) - ha + r, np.abs(b) - hb + r, np.abs(z) - hz + r
    out = np.sqrt(np.maximum(qa, 0) ** 2 + np.maximum(qb, 0) ** 2 + np.maximum(qz, 0) ** 2)
    return out + np.minimum(np.maximum(qa, np.maximum(qb, qz)), 0.0) - r


def smooth_min(a: np.ndarray, b: np.ndarray, k: float) -> np.ndarray:
    """Polynomial smooth minimum of width k (the union of two solids with a fillet)."""
    if k <= 0:
        return np.minimum(a, b)
    h = np.maximum(k - np.abs(a - b), 0.0) / k
    return np.minimum(a, b) - h * h * k * 0.25
