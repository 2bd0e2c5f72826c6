"""Rocks: boulders, cliff chunks and pebbles, scattered as Instances.

Every rock is a star-shaped solid about its centre, described exactly by its
radius along any ray from the centre, ``r(d)``, built by constructive steps:

- **boulder**: random points on a jittered ellipsoid -> ``scipy`` convex hull (a
  faceted polytope); a few hull face regions *extruded* outward (the union with
  a frustum, a convex hull of the region and its pushed, inset copy); flat
  *fracture* planes and stepped *ledges* (a wedge of two planes removed); a flat
  base; then multi-scale 3D noise with narrow crack grooves.
- **chunk**: a box cut by several random planes (few large flat faces, sharp
  edges), an optional ledge, optional strata (layers recessed by different
  depths), little noise, flat shading - talus under cliffs, rock piles.
- **pebble**: a small hull blended towards its ellipsoid (worn), a few hundred
  triangles, for instancing as pebbles and gravel.
- **block**: a jointed boulder: the chunk's plane-cut box with chips (small cuts
  just inside the support: flakes off edges and corners) and grainy faces.
- **slab**: a flat boulder split along its bedding (two large parallel faces).
- **river**: a stone worn round and smooth by water, flattened.

Fracture faces (a boulder's cuts, ledges and chips: the rock intersected with
half-spaces) are fresh: the large noise lumps fade on them (flat faces, sharp
edges), fine grain stays. ``RockParams.mix`` lets a scene's prototypes cycle
through several kinds. ``scatter_scree`` places talus: angular chunks where
steep ground breaks into gentle ground (``talus_field``), size-sorted down the
run-out, each resting on the local ground plane.

The mesh is an icosphere whose vertex directions are stretched by the rock's
axes (so triangles stay even on elongated rocks) and cast onto ``r(d)``. Because
every vertex lies on its own ray at a positive radius, the mesh is closed,
manifold, outward-oriented, with no degenerate triangle, whatever the
parameters. ``detail`` is the icosphere subdivision level (LOD): triangles =
20 * 4**detail; noise octaves and crack widths follow it (no detail finer than
the mesh can carry).

A few prototype meshes are made per scene; each placement picks one, with its
own size, rotation and tilt, and sinks partly into the ground.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy.spatial import ConvexHull, QhullError

from ..core.mesh import Instances, Mesh, compose_trs, rotation_align_z, rotation_z
from ..core.seeds import SeedTree
from .noise import fbm3, perm_table
from .scatter import poisson_thin

KINDS = ("boulder", "chunk", "pebble", "block", "slab", "river")
RockKind = Literal["boulder", "chunk", "pebble", "block", "slab", "river"]

# per-kind defaults for fields the caller leaves out (the field defaults are the boulder's)
PRESETS: dict[str, dict] = {
    "boulder": {},
    "chunk": {"elongation": 1.35, "flatness": 0.6, "cuts": 5, "ledges": 1, "extrusions": 0, "bevel": 0.0,
              "weathering": 0.0, "cracks": 0.35, "strata": 0.05, "detail": 4, "chips": 0},
    "pebble": {"elongation": 1.35, "flatness": 0.55, "facets": 10, "cuts": 0, "ledges": 0, "extrusions": 0,
               "bevel": 0.0, "weathering": 0.7, "cracks": 0.0, "strata": 0.0, "detail": 2, "chips": 0},
    # blocky: a boulder broken along several joints, flat faces and sharp, chipped edges
    "block": {"elongation": 1.25, "flatness": 0.75, "cuts": 4, "ledges": 1, "extrusions": 0,
              "bevel": 0.0, "weathering": 0.0, "cracks": 0.5, "strata": 0.0, "chips": 8, "roughness": 0.3},
    # a flat slab split along its bedding: two large parallel faces
    "slab": {"elongation": 1.5, "flatness": 0.32, "facets": 14, "cuts": 3, "ledges": 0, "extrusions": 0,
             "bevel": 0.015, "weathering": 0.05, "cracks": 0.4, "strata": 0.08, "chips": 6, "roughness": 0.15},
    # a river stone: worn round and smooth, flattened
    "river": {"elongation": 1.4, "flatness": 0.5, "facets": 24, "cuts": 0, "ledges": 0, "extrusions": 0,
              "bevel": 0.1, "weathering": 0.95, "cracks": 0.0, "strata": 0.0, "chips": 0, "roughness": 0.08},
}
# how strongly each kind responds to ``roughness`` (one knob, one meaning: a rock's roughness level)
_ROUGH_GAIN = {"boulder": 0.6, "chunk": 0.12, "pebble": 0.12, "block": 0.2, "slab": 0.6, "river": 0.3}


class RockShape(BaseModel):
    """Shape of one rock. Fields left out take the defaults of ``kind`` (``PRESETS``)."""

    model_config = ConfigDict(extra="forbid")

    kind: RockKind = Field("boulder", description="boulder (hull + extrusions + noise), chunk (plane-cut block), "
                                                  "pebble (worn, low-poly)")
    size: float = Field(1.0, gt=0.0, le=50.0, description="half-length of the long axis, m")
    elongation: float = Field(1.3, ge=1.0, le=3.0, description="long / middle axis (each rock varies by +-15 %)")
    flatness: float = Field(0.7, ge=0.2, le=1.0, description="vertical / long axis (varies by +-15 %)")
    facets: int = Field(16, ge=8, le=200, description="hull points of boulders and pebbles (fewer = larger faces)")
    extrusions: int = Field(2, ge=0, le=12, description="hull face regions pushed outward")
    extrusion_depth: float = Field(0.22, ge=0.0, le=0.6, description="extrusion height relative to size")
    cuts: int = Field(3, ge=0, le=16, description="flat fracture planes")
    ledges: int = Field(1, ge=0, le=8, description="stepped notches (a wedge of two planes removed)")
    chips: int = Field(4, ge=0, le=32, description="small flakes knocked off edges and corners (small planar cuts)")
    bevel: float = Field(0.025, ge=0.0, le=0.2, description="edge rounding radius relative to size")
    weathering: float = Field(0.1, ge=0.0, le=1.0, description="blend of the polytope towards its ellipsoid")
    roughness: float = Field(0.25, ge=0.0, le=0.6, description="noise displacement level (kind-scaled)")
    noise_scale: float = Field(1.0, ge=0.2, le=6.0, description="noise features per size")
    cracks: float = Field(0.6, ge=0.0, le=1.0, description="depth of crack grooves")
    strata: float = Field(0.0, ge=0.0, le=0.3, description="recess depth of sedimentary layers, relative to size")
    base: float = Field(0.55, ge=0.1, le=1.0, description="flat base at this fraction of the vertical half-axis "
                                                          "below the centre (1 = no base)")
    detail: int = Field(4, ge=0, le=6, description="icosphere subdivisions (LOD): 20 * 4**detail triangles")

    @model_validator(mode="before")
    @classmethod
    def _kind_defaults(cls, data):
        if isinstance(data, dict):
            kind = data.get("kind", "boulder")
            if kind in PRESETS:
                data = {**PRESETS[kind], **data}
        return data


class RockParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(120, ge=0, le=100000, description="number of boulders scattered")
    radius: float = Field(90.0, gt=0.0, le=5000.0, description="radius of the scatter area around the origin, m")
    size_median: float = Field(0.6, gt=0.01, le=50.0, description="median boulder size (radius), m")
    size_spread: float = Field(0.6, ge=0.0, le=2.0, description="log-normal spread of sizes")
    roughness: float | None = Field(None, ge=0.0, le=0.6, description="noise displacement level (boulders; chunks "
                                                                      "and pebbles respond less; None: the kind's own)")
    prototypes: int = Field(6, ge=1, le=64, description="distinct rock meshes")
    subdivisions: int = Field(3, ge=0, le=6, description="icosphere subdivisions per prototype (LOD)")
    sink: float = Field(0.25, ge=0.0, le=0.9, description="fraction of the size buried in the ground")
    kind: RockKind = Field("boulder", description="boulder, chunk (angular blocks: talus), pebble, block (jointed, "
                                                  "flat faces), slab (flat, bedded) or river (worn round)")
    mix: tuple[RockKind, ...] = Field((), description="further kinds the prototypes cycle through after ``kind``")


@lru_cache(maxsize=8)
def _icosphere_arrays(subdivisions: int) -> tuple[np.ndarray, np.ndarray]:
    t = (1.0 + 5 ** 0.5) / 2.0
    v = np.array([[-1, t, 0], [1, t, 0], [-1, -t, 0], [1, -t, 0], [0, -1, t], [0, 1, t],
                  [0, -1, -t], [0, 1, -t], [t, 0, -1], [t, 0, 1], [-t, 0, -1], [-t, 0, 1]], dtype=np.float64)
    f = np.array([[0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11], [1, 5, 9], [5, 11, 4],
                  [11, 10, 2], [10, 7, 6], [7, 1, 8], [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8],
                  [3, 8, 9], [4, 9, 5], [2, 4, 11], [6, 2, 10], [8, 6, 7], [9, 8, 1]], dtype=np.int64)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    for _ in range(subdivisions):
        edges = np.sort(np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]]), axis=1)
        uniq, inv = np.unique(edges, axis=0, return_inverse=True)
        mid = v[uniq[:, 0]] + v[uniq[:, 1]]
        mid /= np.linalg.norm(mid, axis=1, keepdims=True)
        m = len(v) + inv.reshape(3, -1).T  # midpoints of edges (01, 12, 20) per face
        v = np.concatenate([v, mid])
        a, b, c = f[:, 0], f[:, 1], f[:, 2]
        f = np.concatenate([np.stack([a, m[:, 0], m[:, 2]], -1), np.stack([b, m[:, 1], m[:, 0]], -1),
                            np.stack([c, m[:, 2], m[:, 1]], -1), m])
    v.setflags(write=False)
    f.setflags(write=False)
    return v, f


def icosphere(subdivisions: int) -> Mesh:
    """Unit icosphere (outward CCW faces), by repeated edge midpoints."""
    v, f = _icosphere_arrays(int(subdivisions))
    return Mesh(v.copy(), f.copy())


# ---------------------------------------------------------------- ray casting of r(d)

def _ray_t(d: np.ndarray, normals: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Distance along unit rays d (V, 3) from the centre to planes n.x = h (h > 0); inf where the ray
    runs away from the plane. (V, P)."""
    nd = d @ normals.T
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(nd > 1e-9, h[None, :] / nd, np.inf)


def _softmin(t: np.ndarray, radius: float) -> np.ndarray:
    """Minimum over axis 1, rounded where planes meet (rounding about ``radius``); never below half the
    hard minimum."""
    tmin = t.min(axis=1)
    if radius < 1e-6:  # below float resolution at rock scale: a hard minimum
        return tmin
    k = 1.0 / radius
    s = np.exp(-k * (t - tmin[:, None])).sum(axis=1)
    return np.maximum(tmin - np.log(s) / k, 0.5 * tmin)


def _planes(eq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """scipy hull equations (n.x + e <= 0 inside) -> unit normals and offsets h = -e."""
    n = eq[:, :3]
    norm = np.linalg.norm(n, axis=1)
    return n / norm[:, None], -eq[:, 3] / norm


def _random_dirs(rng: np.random.Generator, n: int) -> np.ndarray:
    g = rng.standard_normal((n, 3))
    return g / np.linalg.norm(g, axis=1, keepdims=True)


def _random_rotation(rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((3, 3)))
    q *= np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q


def _small_rotation(rng: np.random.Generator, angle: float) -> np.ndarray:
    """Rotation matrix (rows = rotated axes) by up to ``angle`` radians about a random axis."""
    a = _random_dirs(rng, 1)[0]
    t = rng.uniform(0.0, angle)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.eye(3) + np.sin(t) * k + (1 - np.cos(t)) * k @ k


def _axes(s: RockShape, rng: np.random.Generator) -> np.ndarray:
    """Half-axes (x long, y middle, z vertical) of a unit-size rock, jittered per rock."""
    j = rng.uniform(0.85, 1.15, 2)
    b = min(1.0, j[0] / s.elongation)
    c = min(1.0, s.flatness * j[1])
    return np.array([1.0, b, max(c, 0.12)])


def _hull_points(axes: np.ndarray, n: int, rng: np.random.Generator, jitter: float = 0.12) -> np.ndarray:
    """n points on a jittered ellipsoid; the first six are three antipodal pairs, so the centre is inside."""
    rot = _random_rotation(rng)
    dirs = np.concatenate([rot.T, -rot.T, _random_dirs(rng, max(n - 6, 0))])
    return dirs * axes * rng.uniform(1.0 - jitter, 1.0 + jitter, (len(dirs), 1))


def _extrude(d: np.ndarray, r: np.ndarray, pts: np.ndarray, hull: ConvexHull, count: int, depth: float,
             bevel: float, rng: np.random.Generator) -> np.ndarray:
    """Union with ``count`` frustums grown from hull face regions (a face and its neighbours)."""
    if count == 0 or depth <= 0.0:
        return r
    n_f, _ = _planes(hull.equations)
    tri = pts[hull.simplices]
    area = 0.5 * np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
    for _ in range(count):
        f = int(rng.choice(len(area), p=area / area.sum()))
        region = np.unique(np.concatenate([hull.simplices[f], hull.simplices[hull.neighbors[f]].ravel()]))
        base = pts[region]
        centre = base.mean(axis=0)
        nrm = n_f[f] + rng.normal(0.0, 0.25, 3)
        nrm /= np.linalg.norm(nrm)
        inset = rng.uniform(0.45, 0.8)
        top = centre + (base - centre) * inset + nrm * depth * rng.uniform(0.5, 1.0)
        try:
            q = ConvexHull(np.concatenate([base, top]))
        except QhullError:  # a flat region (qhull precision): no extrusion here
            continue
        qn = q.equations[:, :3]
        qe = q.equations[:, 3]
        nd = d @ qn.T  # constraint along the ray: t * nd + e <= 0
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = -qe[None, :] / nd
        enter = np.where(nd < -1e-9, bound, -np.inf).max(axis=1)
        blocked = np.any((np.abs(nd) <= 1e-9) & (qe[None, :] > 0), axis=1)
        exit_t = np.where(nd > 1e-9, bound, np.inf)
        t_out = _softmin(exit_t, bevel)
        hit = ~blocked & (enter <= exit_t.min(axis=1)) & (exit_t.min(axis=1) > 0)
        r = np.where(hit, np.maximum(r, t_out), r)
    return r


def _support(d: np.ndarray, r: np.ndarray, n: np.ndarray) -> float:
    return float(((d * r[:, None]) @ n).max())


def _ledge(d: np.ndarray, r: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two nearly perpendicular planes (normals (2, 3), offsets (2,)) whose wedge, removed, leaves a step."""
    n1 = _random_dirs(rng, 1)[0]
    n2 = np.cross(n1, _random_dirs(rng, 1)[0])
    n2 = n2 / np.linalg.norm(n2) * np.cos(rng.uniform(-0.35, 0.35)) + n1 * rng.uniform(-0.2, 0.2)
    n2 /= np.linalg.norm(n2)
    h = np.array([_support(d, r, n1) * rng.uniform(0.5, 0.8), _support(d, r, n2) * rng.uniform(0.2, 0.55)])
    return np.stack([n1, n2]), h


def _fracture(d: np.ndarray, r: np.ndarray, cuts: int, ledges: int, rng: np.random.Generator,
              chips: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Flat fracture planes (the rock intersected with half-spaces), ledges (the wedge beyond two planes
    removed: a step), then chips (small cuts near the support in random directions: flakes off edges
    and corners). Returns radii and which rays end on a fracture plane (fresh, flat faces)."""
    flat = np.zeros(len(r), dtype=bool)

    def cut(n, h):
        nonlocal r, flat
        t = _ray_t(d, n[None], np.array([h]))[:, 0]
        on = t < r
        r = np.where(on, t, r)
        flat |= on

    for _ in range(cuts):
        n = _random_dirs(rng, 1)[0]
        cut(n, _support(d, r, n) * rng.uniform(0.62, 0.88))
    for _ in range(ledges):
        n, h = _ledge(d, r, rng)
        t = _ray_t(d, n, h).max(axis=1)  # the wedge occupies the ray beyond both planes
        flat |= t < r
        r = np.minimum(r, t)
    for _ in range(chips):
        n = _random_dirs(rng, 1)[0]
        cut(n, _support(d, r, n) * rng.uniform(0.86, 0.95))
    return r, flat


class _Planes:
    """A convex polytope (planes ``[:n_convex]``) minus wedges (pairs of later planes): the exact radius
    along any ray, and which plane it lies on."""

    def __init__(self, normals: np.ndarray, h: np.ndarray):
        self.normals, self.h = normals, h
        self.n_convex = len(h)
        self.wedges: list[tuple[int, int]] = []

    def add_wedge(self, normals: np.ndarray, h: np.ndarray) -> None:
        k = len(self.h)
        self.normals, self.h = np.concatenate([self.normals, normals]), np.concatenate([self.h, h])
        self.wedges.append((k, k + 1))

    def radius(self, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = _ray_t(d, self.normals, self.h)
        lab = t[:, :self.n_convex].argmin(axis=1)
        rows = np.arange(len(d))
        r = t[rows, lab]
        for a, b in self.wedges:
            tw = np.maximum(t[:, a], t[:, b])
            cut = tw < r
            r = np.where(cut, tw, r)
            lab = np.where(cut, np.where(t[:, a] >= t[:, b], a, b), lab)
        return r, lab


def _edge_faces(faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each undirected edge of a closed manifold mesh: its vertices (E, 2) and its two faces (E, 2)."""
    he = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    fid = np.tile(np.arange(len(faces)), 3)
    key = np.sort(he, axis=1)
    order = np.argsort(key[:, 0].astype(np.int64) * (int(faces.max()) + 1) + key[:, 1])
    key, fid = key[order], fid[order]
    return key[0::2], np.stack([fid[0::2], fid[1::2]], axis=1)


def _snap_creases(d: np.ndarray, faces: np.ndarray, solid: _Planes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Move mesh vertices onto the polytope's corners and edges, then flip the mesh edges that cut across
    a crease, so sharp edges stay sharp at any detail. Every vertex stays on its own ray (a new
    direction), and a move or flip that would turn a triangle over (seen from the centre) is not made, so
    the mesh stays closed, manifold and outward. Returns directions, radii and faces."""
    d, faces = d.copy(), faces.copy()
    r, lab = solid.radius(d)
    x = d * r[:, None]
    nrm, h = solid.normals, solid.h
    edges, _ = _edge_faces(faces)
    reach = 0.6 * np.median(np.linalg.norm(x[edges[:, 0]] - x[edges[:, 1]], axis=1))
    on = np.left_shift(np.int64(1), lab.astype(np.int64))  # bit mask of the planes each vertex lies on
    moved = np.zeros(len(d), bool)

    def on_surface(p: np.ndarray) -> np.ndarray:
        q = np.linalg.norm(p, axis=1)
        rr, _ = solid.radius(p / q[:, None])
        return np.abs(rr - q) < 1e-7 * np.maximum(q, 1.0)

    # corners: a face whose three vertices lie on three different planes is near a corner
    fl = lab[faces]
    multi = np.flatnonzero((fl[:, 0] != fl[:, 1]) & (fl[:, 1] != fl[:, 2]) & (fl[:, 0] != fl[:, 2]))
    if len(multi):
        trip, first = np.unique(np.sort(fl[multi], axis=1), axis=0, return_index=True)
        n3 = nrm[trip]
        ok = np.abs(np.linalg.det(n3)) > 1e-3
        trip, first, n3 = trip[ok], multi[first[ok]], n3[ok]
        if len(trip):
            p = np.linalg.solve(n3, h[trip][..., None])[..., 0]
            good = on_surface(p)
            for t, f, c in zip(trip[good], first[good], p[good]):
                vs = faces[f]
                dist = np.linalg.norm(x[vs] - c, axis=1)
                v = int(vs[np.argmin(dist)])
                if not moved[v] and dist.min() < 1.2 * reach:
                    d[v], r[v] = c / np.linalg.norm(c), np.linalg.norm(c)
                    on[v] = np.bitwise_or.reduce(np.left_shift(np.int64(1), t.astype(np.int64)))
                    moved[v] = True
    # edges: for each mesh edge across two planes, the endpoint nearer the crease line moves onto it
    cross = edges[lab[edges[:, 0]] != lab[edges[:, 1]]]
    if len(cross):
        ab = lab[cross]  # (C, 2) plane pair
        n2 = nrm[ab]  # (C, 2, 3)
        g = n2 @ n2.transpose(0, 2, 1)
        okg = np.abs(np.linalg.det(g)) > 1e-6
        cross, ab, n2, g = cross[okg], ab[okg], n2[okg], g[okg]
        v = cross.T.ravel()  # both endpoints
        n2v, gv, abv = np.concatenate([n2, n2]), np.concatenate([g, g]), np.concatenate([ab, ab])
        res = np.einsum("cij,cj->ci", n2v, x[v]) - h[abv]
        p = x[v] - np.einsum("cji,cj->ci", n2v, np.linalg.solve(gv, res[..., None])[..., 0])
        dist = np.linalg.norm(p - x[v], axis=1)
        other = np.concatenate([cross[:, 1], cross[:, 0]])
        keep = (dist < reach) & on_surface(p)
        mask = np.left_shift(np.int64(1), abv[:, 0].astype(np.int64)) | np.left_shift(np.int64(1), abv[:, 1].astype(np.int64))
        for c in np.flatnonzero(keep)[np.argsort(dist[keep], kind="stable")]:
            a, o = v[c], other[c]
            if moved[a] or moved[o]:
                continue
            q = np.linalg.norm(p[c])
            d[a], r[a], on[a], moved[a] = p[c] / q, q, mask[c], True

    def det(tri: np.ndarray) -> np.ndarray:
        return np.einsum("...i,...i->...", d[tri[..., 0]], np.cross(d[tri[..., 1]], d[tri[..., 2]]))

    ref = 1e-3 * np.median(det(faces))
    # a move that turned a triangle over (or nearly flattened it) is undone
    for _ in range(4):
        bad = det(faces) < ref
        if not bad.any():
            break
        back = np.unique(faces[bad])
        back = back[moved[back]]
        d[back] = x[back] / np.linalg.norm(x[back], axis=1, keepdims=True)
        r[back] = np.linalg.norm(x[back], axis=1)
        on[back], moved[back] = np.left_shift(np.int64(1), lab[back].astype(np.int64)), False
    # flips: an edge between two vertices with no plane in common, whose opposite vertices share a
    # plane with each end, is turned to join the opposite vertices (the new edge lies on the crease)
    for _ in range(3):
        edges, ef = _edge_faces(faces)
        i, j = edges[:, 0], edges[:, 1]
        f0, f1 = ef[:, 0], ef[:, 1]
        k = faces[f0].sum(axis=1) - i - j
        m = faces[f1].sum(axis=1) - i - j
        cand = ((on[i] & on[j]) == 0) & ((on[k] & on[m] & on[i]) != 0) & ((on[k] & on[m] & on[j]) != 0) & (k != m)
        used = np.zeros(len(faces), bool)
        n_flip = 0
        for c in np.flatnonzero(cand):
            a0, a1 = f0[c], f1[c]
            if used[a0] or used[a1]:
                continue
            t0 = list(faces[a0])
            s0 = t0.index(k[c])
            u, w = t0[(s0 + 1) % 3], t0[(s0 + 2) % 3]  # face a0 = (k, u, w); u-w is the shared edge
            new0, new1 = np.array([k[c], u, m[c]]), np.array([m[c], w, k[c]])
            if det(new0) <= ref or det(new1) <= ref:
                continue
            faces[a0], faces[a1] = new0, new1
            used[a0] = used[a1] = True
            n_flip += 1
        if n_flip == 0:
            break
    return d, r, faces


def _fbm_batch(layers: list[tuple[np.ndarray, int, float]], perm: np.ndarray) -> list[np.ndarray]:
    """Several fractal noises (points, octaves, gain) in one numba call: every octave of every layer is
    stacked and evaluated as single-octave noise (one parallel launch instead of one per layer)."""
    pts, spans = [], []
    for k, (p, octaves, gain) in enumerate(layers):
        w = gain ** np.arange(octaves)
        for o in range(octaves):
            pts.append(p * 2.0 ** o + 17.31 * (o + 1) + 3.7 * k)
        spans.append(w / w.sum())
    vals = fbm3(np.concatenate(pts), perm, octaves=1).reshape(-1, len(layers[0][0]))
    out, i = [], 0
    for w in spans:
        out.append(np.tensordot(w, vals[i:i + len(w)], axes=1))
        i += len(w)
    return out


def _noise(x: np.ndarray, s: RockShape, rng: np.random.Generator) -> np.ndarray:
    """Relative radial displacement: lumps, fine detail and crack grooves, band-limited by ``detail``."""
    perm = perm_table(rng)
    off = rng.uniform(-100.0, 100.0, (3, 3))
    p = x * s.noise_scale
    level = s.detail
    amp = s.roughness * _ROUGH_GAIN[s.kind]
    fine_oct = int(np.clip(level - 1, 1, 5))
    layers = [(p * 1.2 + off[0], 2, 0.5), (p * 3.0 + off[1], fine_oct, 0.6)]
    cracks = s.cracks > 0.0 and level >= 2
    if cracks:
        layers.append((p * 1.6 + off[2], 2, 0.45))
    n = _fbm_batch(layers, perm)
    # fine detail as turbulence (|n|): sharp creases between rounded hollows, the grain of broken stone
    disp = amp * (0.6 * n[0] + 0.8 * (0.25 - np.abs(n[1])))
    if cracks:
        # grooves along the zero set of a noise: (1 - |n|)^k is 1 on the set and falls off over ~1.5 edges
        k = 0.3 * 2.0 ** level
        fade = min(1.0, (level - 1) / 3.0)  # coarse meshes cannot carry narrow cracks
        disp = disp - s.cracks * 0.06 * fade * (1.0 - np.minimum(np.abs(n[2]) * 1.4, 1.0)) ** k
    return np.clip(disp, -0.6, 0.6)


def _strata(x: np.ndarray, s: RockShape, rng: np.random.Generator) -> np.ndarray:
    """Per-layer radial factor: layers along a tilted bedding normal, each recessed by its own depth, with
    a short ramp between layers and a thin groove on each bedding plane."""
    tilt = rng.uniform(0.0, 0.5)
    az = rng.uniform(0, 2 * np.pi)
    b = np.array([np.sin(tilt) * np.cos(az), np.sin(tilt) * np.sin(az), np.cos(tilt)])
    spacing = rng.uniform(0.16, 0.3)
    u = x @ b / spacing + rng.uniform(0, 1)
    k = np.floor(u).astype(np.int64)
    f = u - k
    # band-limited like the noise: ramps and grooves at least ~1.5 mesh edges wide, none on coarse meshes
    fade = float(np.clip((s.detail - 2) / 2.0, 0.0, 1.0))
    depth = fade * s.strata * rng.uniform(0.0, 1.0, 64) ** 1.5
    t = np.clip((f - 0.55) / 0.45, 0.0, 1.0)
    t = t * t * (3.0 - 2.0 * t)
    recess = depth[k % 64] * (1.0 - t) + depth[(k + 1) % 64] * t
    groove = 0.3 * fade * s.strata * np.maximum(0.0, 1.0 - np.minimum(f, 1.0 - f) / 0.2) ** 2
    return 1.0 - recess - groove


def make_rock(shape: RockShape, rng: np.random.Generator) -> Mesh:
    """One rock of ``shape.size`` (half-length of its long axis), centred at the origin, Z up."""
    s = shape
    ico, faces = _icosphere_arrays(s.detail)
    if s.kind in ("chunk", "block"):
        d, r, faces, axes = _chunk(s, ico, faces, rng)
        flat = np.zeros(len(d), dtype=bool)  # already plane-cut, with little noise
    else:
        axes = _axes(s, rng)
        pts = _hull_points(axes, s.facets, rng)
        hull = ConvexHull(pts)
        normals, h = _planes(hull.equations)
        d = ico * axes
        d = d / np.linalg.norm(d, axis=1, keepdims=True)
        r = _softmin(_ray_t(d, normals, h), s.bevel)
        if s.weathering > 0.0:
            r_ell = 1.0 / np.sqrt(((d / axes) ** 2).sum(axis=1))
            r = (1.0 - s.weathering) * r + s.weathering * np.maximum(r_ell, r)
        r = _extrude(d, r, pts, hull, s.extrusions, s.extrusion_depth, s.bevel, rng)
        r, flat = _fracture(d, r, s.cuts, s.ledges, rng, s.chips)
        if s.base < 1.0:
            zb = s.base * axes[2]
            r = np.minimum(r, np.where(d[:, 2] < -1e-9, zb / np.maximum(-d[:, 2], 1e-9), np.inf))
    x = d * r[:, None]
    if s.strata > 0.0:
        r = r * _strata(x, s, rng)
    # fracture faces are fresh: flat, with fine grain only (the large lumps belong to weathered faces)
    n = _noise(x, s, rng)
    if flat.any():
        w = flat.astype(np.float64)
        for _ in range(2):  # a soft edge to the mask: no step where a fracture face meets the old surface
            acc, cnt = np.zeros(len(w)), np.zeros(len(w))
            np.add.at(acc, faces.ravel(), np.repeat(w[faces].mean(axis=1), 3))
            np.add.at(cnt, faces.ravel(), 1.0)
            w = acc / cnt
        n = n * (1.0 - 0.8 * w)
    r = r * (1.0 + n)
    v = d * r[:, None] * s.size
    return Mesh(v, np.array(faces), smooth=s.kind not in ("chunk", "block"))


def _chunk(s: RockShape, ico: np.ndarray, faces: np.ndarray, rng: np.random.Generator):
    """A tilted box cut by planes (and a base plane) minus ledge wedges, meshed with sharp edges."""
    axes = _axes(s, rng)
    box = axes * 0.8
    tilt = _small_rotation(rng, 0.25)
    n = _random_dirs(rng, s.cuts)
    h_cut = np.abs(n @ tilt.T) @ box * rng.uniform(0.45, 0.8, s.cuts)  # 45-80 % of the box's support
    normals, h = np.concatenate([tilt, -tilt, n]), np.concatenate([box, box, h_cut])
    if s.chips:  # flakes off edges and corners: planes just inside the box's support
        nc = _random_dirs(rng, s.chips)
        normals = np.concatenate([normals, nc])
        h = np.concatenate([h, np.abs(nc @ tilt.T) @ box * rng.uniform(0.84, 0.94, s.chips)])
    if s.base < 1.0:
        normals, h = np.concatenate([normals, [[0.0, 0.0, -1.0]]]), np.concatenate([h, [s.base * axes[2]]])
    solid = _Planes(normals, h)
    d = ico * (box / box.max())
    d = d / np.linalg.norm(d, axis=1, keepdims=True)
    for _ in range(s.ledges):
        r, _ = solid.radius(d)
        solid.add_wedge(*_ledge(d, r, rng))
    if s.bevel >= 1e-6 or s.weathering > 0.0:  # rounded: the soft radius, no crease snapping
        r = _softmin(_ray_t(d, solid.normals[:solid.n_convex], solid.h[:solid.n_convex]), s.bevel)
        if s.weathering > 0.0:
            r_ell = 1.0 / np.sqrt(((d / (box * 1.4)) ** 2).sum(axis=1))
            r = (1.0 - s.weathering) * r + s.weathering * np.maximum(r_ell, r)
        for a, b in solid.wedges:
            r = np.minimum(r, _ray_t(d, solid.normals[[a, b]], solid.h[[a, b]]).max(axis=1))
        return d, r, faces, axes
    d, r, faces = _snap_creases(d, np.array(faces), solid)
    return d, r, faces, axes


def rock_mesh(params: RockParams, rng: np.random.Generator) -> Mesh:
    """One rock of unit size of ``params.kind`` at ``params.subdivisions`` detail and ``params.roughness``."""
    extra = {} if params.roughness is None else {"roughness": params.roughness}
    return make_rock(RockShape(kind=params.kind, detail=params.subdivisions, **extra), rng)


def scatter_rocks(params: RockParams, seeds: SeedTree, height: Callable, normal: Callable) -> list[Instances]:
    """Prototypes and placements: one ``Instances`` per prototype (ids assigned by the scene)."""
    n = params.count
    if n == 0:
        return []
    kinds = (params.kind, *params.mix)
    protos = [rock_mesh(params.model_copy(update={"kind": kinds[k % len(kinds)]}), seeds.child(f"proto{k}").rng())
              for k in range(params.prototypes)]
    rng = seeds.child("placement").rng()
    # dart throwing in a disc with spacing by size (bigger rocks keep more room)
    cand = 4 * n
    rad = params.radius * np.sqrt(rng.uniform(0, 1, cand))
    ang = rng.uniform(0, 2 * np.pi, cand)
    xy = np.stack([rad * np.cos(ang), rad * np.sin(ang)], -1)
    size = params.size_median * np.exp(params.size_spread * rng.standard_normal(cand))
    size = np.clip(size, params.size_median * 0.15, params.size_median * 6.0)
    # greedy Poisson-disk thinning: bigger rocks keep more room
    idx = poisson_thin(xy, size, limit=n, factor=1.4)
    xy, size = xy[idx], size[idx]
    m = len(idx)
    z = height(xy[:, 0], xy[:, 1])
    nrm = normal(xy[:, 0], xy[:, 1])
    tilt = nrm + rng.normal(0, 0.15, (m, 3))
    rot = rotation_align_z(tilt) @ rotation_z(rng.uniform(0, 2 * np.pi, m))
    pos = np.stack([xy[:, 0], xy[:, 1], z - params.sink * size * 0.6], -1)
    mats = compose_trs(pos, rot, size)
    which = rng.integers(0, len(protos), m)
    return [Instances(protos[k], mats[which == k]) for k in range(len(protos)) if np.any(which == k)]


# ---------------------------------------------------------------- scree and talus at the foot of slopes

class ScreeParams(BaseModel):
    """Angular rocks fallen from steep ground, lying where the slope breaks (talus aprons)."""

    model_config = ConfigDict(extra="forbid")

    count: int = Field(0, ge=0, le=100000, description="most rocks placed (0: no scree)")
    radius: float = Field(150.0, gt=1.0, le=5000.0, description="radius of the area searched around the view, m")
    cell: float = Field(1.5, ge=0.2, le=50.0, description="spacing of the slope analysis grid, m")
    steep: float = Field(0.42, ge=0.05, le=0.95, description="slope (1 - n_z) of the cliffs rocks fall from")
    rest: float = Field(0.3, ge=0.02, le=0.95, description="steepest slope (1 - n_z) where a rock comes to rest")
    reach: float = Field(25.0, ge=1.0, le=1000.0, description="how far below the slope break rocks run out, m")
    size_min: float = Field(0.08, gt=0.005, le=10.0, description="size (half-length) of rocks at the break, m")
    size_max: float = Field(0.7, gt=0.005, le=20.0, description="size of the rocks that run out furthest, m")
    sink: float = Field(0.12, ge=0.0, le=0.8, description="part of a rock's size below the ground at its lowest point")
    prototypes: int = Field(6, ge=1, le=32, description="distinct chunk meshes")
    detail: int = Field(2, ge=1, le=4, description="icosphere subdivisions of the chunks (320 triangles at 2)")


def talus_field(params: ScreeParams, height: Callable, normal: Callable, centre) -> dict[str, np.ndarray]:
    """The slope-break analysis on a grid around ``centre``: cell centres (x, y), slope, distance to the
    nearest steep cell uphill (m; inf where none within reach) and the talus density in [0, 1]."""
    from scipy.ndimage import distance_transform_edt

    p = params
    n = int(np.ceil(2 * p.radius / p.cell)) + 1
    ax = np.arange(n) * p.cell - p.radius
    gx, gy = np.meshgrid(ax + float(centre[0]), ax + float(centre[1]), indexing="ij")
    z = height(gx.ravel(), gy.ravel()).reshape(n, n)
    slope = (1.0 - normal(gx.ravel(), gy.ravel())[:, 2]).reshape(n, n)
    steep = slope > p.steep
    if not steep.any():
        return {"x": gx, "y": gy, "slope": slope, "dist": np.full((n, n), np.inf), "density": np.zeros((n, n))}
    dist, (ii, jj) = distance_transform_edt(~steep, return_indices=True)
    dist = dist * p.cell
    above = z[ii, jj] > z + 0.25 * dist  # the nearest steep ground lies above (rocks fall down from it)
    ok = above & (slope < p.rest) & (dist <= p.reach) & ~steep
    density = np.where(ok, np.exp(-dist / (0.45 * p.reach)), 0.0)
    return {"x": gx, "y": gy, "slope": slope, "dist": np.where(ok, dist, np.inf), "density": density}


def scatter_scree(params: ScreeParams, seeds: SeedTree, height: Callable, normal: Callable,
                  centre=(0.0, 0.0), keep: Callable | None = None) -> list[Instances]:
    """Scree: up to ``count`` angular chunks where steep ground breaks into gentle ground, denser near
    the break; size grows with the distance run out below it (big blocks roll furthest). Each rock
    rests on the local ground plane with its lowest point ``sink`` of its size below it. ``keep(x, y)``:
    optional mask of where rocks may lie (dry land). One ``Instances`` per prototype."""
    p = params
    if p.count == 0:
        return []
    t = talus_field(p, height, normal, centre)
    dens = t["density"].ravel()
    if not (dens > 0).any():
        return []
    rng = seeds.child("placement").rng()
    cand = min(8 * p.count, 400000)
    w = dens / dens.sum()
    cell = rng.choice(len(dens), size=cand, p=w)
    xy = np.stack([t["x"].ravel()[cell], t["y"].ravel()[cell]], -1) + rng.uniform(-0.5, 0.5, (cand, 2)) * p.cell
    run = np.clip(t["dist"].ravel()[cell] / p.reach, 0.0, 1.0)
    size = (p.size_min + (p.size_max - p.size_min) * run ** 0.8) * np.exp(0.35 * rng.standard_normal(cand))
    size = np.clip(size, 0.5 * p.size_min, 1.5 * p.size_max)
    if keep is not None:
        ok = keep(xy[:, 0], xy[:, 1])
        xy, size = xy[ok], size[ok]
    idx = poisson_thin(xy, size, limit=p.count, factor=0.9)
    xy, size = xy[idx], size[idx]
    m = len(idx)
    if m == 0:
        return []
    protos = [make_rock(RockShape(kind="chunk", detail=p.detail, chips=0), seeds.child(f"proto{k}").rng())
              for k in range(p.prototypes)]
    which = rng.integers(0, len(protos), m)
    nrm = normal(xy[:, 0], xy[:, 1])
    rot = rotation_align_z(nrm + rng.normal(0, 0.25, (m, 3))) @ rotation_z(rng.uniform(0, 2 * np.pi, m))
    h0 = height(xy[:, 0], xy[:, 1])
    grad = -nrm[:, :2] / nrm[:, 2:3]  # dz/dx, dz/dy of the ground plane
    z = np.empty(m)
    for k, proto in enumerate(protos):
        sel = np.flatnonzero(which == k)
        if not len(sel):
            continue
        v = np.einsum("nij,vj->nvi", rot[sel], proto.vertices.astype(np.float64)) * size[sel, None, None]
        lift = (v[..., 2] - np.einsum("nvi,ni->nv", v[..., :2], grad[sel])).min(axis=1)  # lowest over the plane
        z[sel] = h0[sel] - lift - p.sink * size[sel]
    mats = compose_trs(np.stack([xy[:, 0], xy[:, 1], z], -1), rot, size)
    return [Instances(protos[k], mats[which == k]) for k in range(len(protos)) if np.any(which == k)]
