"""Shared geometry for plants: skeleton skinning, lathes, leaf blades, merging.

A *skeleton* is a set of nodes (positions, radii, parent index; a parent
always comes before its children) — trees, bushes, cacti, twigs and logs are
all skeletons. ``skin`` turns one into a closed-ish tube mesh: each chain of
"main" children is one tube, and a side branch starts with a ring placed at
its parent node, inside the parent's tube, so every branch is attached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from numba import njit

from ...core.mesh import Mesh
from ..noise import fbm3, perm_table


@dataclass
class Skeleton:
    pos: np.ndarray  # (N, 3) float64
    parent: np.ndarray  # (N,) int64, -1 for roots; parent[i] < i
    radius: np.ndarray  # (N,) float64

    def __len__(self) -> int:
        return int(len(self.pos))

    def children_count(self) -> np.ndarray:
        c = np.zeros(len(self), dtype=np.int64)
        np.add.at(c, self.parent[self.parent >= 0], 1)
        return c

    def tips(self) -> np.ndarray:
        return np.flatnonzero(self.children_count() == 0)

    def depth_from_tip(self) -> np.ndarray:
        """Hops from each node to its farthest descendant tip (0 at tips)."""
        d = np.zeros(len(self), dtype=np.int64)
        for i in range(len(self) - 1, 0, -1):
            p = self.parent[i]
            if p >= 0 and d[i] + 1 > d[p]:
                d[p] = d[i] + 1
        return d


def pipe_radii(parent: np.ndarray, tip_radius: float, exponent: float = 2.5) -> np.ndarray:
    """Pipe-model radii: r_parent^e = sum of r_child^e, tips get ``tip_radius``."""
    n = len(parent)
    acc = np.zeros(n)
    has_child = np.zeros(n, dtype=bool)
    has_child[parent[parent >= 0]] = True
    acc[~has_child] = tip_radius**exponent
    for i in range(n - 1, -1, -1):
        p = parent[i]
        if p >= 0:
            acc[p] += acc[i]
    return acc ** (1.0 / exponent)


@njit(cache=True)
def _frames(tangent, parent):
    """Normals transported from parent to child (no twisting along chains)."""
    n = len(tangent)
    u = np.zeros((n, 3))
    for i in range(n):
        t = tangent[i]
        p = parent[i]
        if p >= 0:
            ref = u[p]
        else:
            ref = np.array([1.0, 0.0, 0.0]) if abs(t[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
        d = ref[0] * t[0] + ref[1] * t[1] + ref[2] * t[2]
        w = ref - d * t
        nw = np.sqrt(w[0] ** 2 + w[1] ** 2 + w[2] ** 2)
        if nw < 1e-6:
            ref = np.array([1.0, 0.0, 0.0]) if abs(t[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
            d = ref[0] * t[0] + ref[1] * t[1] + ref[2] * t[2]
            w = ref - d * t
            nw = np.sqrt(w[0] ** 2 + w[1] ** 2 + w[2] ** 2)
        u[i] = w / nw
    return u


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


def skin(sk: Skeleton, sides: int = 8, profile: Callable | None = None, bark: float = 0.0,
         bark_scale: float = 6.0, rng: np.random.Generator | None = None, min_sides: int = 3) -> Mesh:
    """Tube mesh around a skeleton.

    profile(theta (sides,), node index (N,)) -> radius factors (N, sides) shapes the
    cross-section (cactus ribs); ``bark`` displaces rings radially by furrowed
    noise (relative amplitude), stretched along the branch. Thin branches get
    fewer sides (down to ``min_sides``). Per-vertex attributes: ``along`` (distance
    from the root in metres) and ``radius``.
    """
    n = len(sk)
    pos, par, rad = sk.pos.astype(np.float64), sk.parent, sk.radius.astype(np.float64)
    # main child of each node: the thickest child continues its tube
    main = np.full(n, -1, dtype=np.int64)
    best = np.full(n, -1.0)
    for i in range(n):
        p = par[i]
        if p >= 0 and rad[i] > best[p]:
            best[p], main[p] = rad[i], i
    incoming = np.where((par >= 0)[:, None], pos - pos[np.maximum(par, 0)], 0.0)
    outgoing = np.where((main >= 0)[:, None], pos[np.maximum(main, 0)] - pos, 0.0)
    tangent = _unit(_unit(incoming) + _unit(outgoing))
    bad = np.linalg.norm(tangent, axis=1) < 0.5
    tangent[bad] = np.array([0.0, 0.0, 1.0])
    u = _frames(tangent, par)
    v = np.cross(tangent, u)
    theta = np.linspace(0.0, 2.0 * np.pi, sides, endpoint=False)
    fac = np.ones((n, sides)) if profile is None else profile(theta, np.arange(n))
    # arc length from the root, for bark stretching and texture
    along = np.zeros(n)
    seg = np.linalg.norm(incoming, axis=1)
    for i in range(n):
        if par[i] >= 0:
            along[i] = along[par[i]] + seg[i]
    ring = pos[:, None, :] + rad[:, None, None] * fac[:, :, None] * (
        np.cos(theta)[None, :, None] * u[:, None, :] + np.sin(theta)[None, :, None] * v[:, None, :])
    if bark > 0.0:
        perm = perm_table(rng if rng is not None else np.random.default_rng(0))
        dirs = ring - pos[:, None, :]
        k = (1.5 + bark_scale * rad)[:, None]  # more furrows around thicker stems
        q = np.stack([np.cos(theta)[None, :] * k, np.sin(theta)[None, :] * k,
                      np.broadcast_to(along[:, None] * bark_scale / 4.0, (n, sides))], -1)
        furrow = np.abs(fbm3(q + 17.0, perm, octaves=3))
        ring = ring + dirs * (bark * (1.2 * furrow - 0.3))[..., None]
    verts = [ring.reshape(-1, 3)]
    nv = n * sides
    # side branches and roots: an extra start ring at the parent's position
    starts = np.flatnonzero((par >= 0) & (main[np.maximum(par, 0)] != np.arange(n)))
    roots = np.flatnonzero(par < 0)
    start_pos = pos[par[starts]]
    sring = start_pos[:, None, :] + rad[starts, None, None] * 0.95 * fac[starts][:, :, None] * (
        np.cos(theta)[None, :, None] * u[starts, None, :] + np.sin(theta)[None, :, None] * v[starts, None, :])
    verts.append(sring.reshape(-1, 3))
    j = np.arange(sides)
    jn = (j + 1) % sides
    faces = []

    def band(a0: np.ndarray, b0: np.ndarray) -> np.ndarray:
        a, b = a0[:, None] + j[None], a0[:, None] + jn[None]
        c, d = b0[:, None] + jn[None], b0[:, None] + j[None]
        return np.concatenate([np.stack([a, b, c], -1).reshape(-1, 3), np.stack([a, c, d], -1).reshape(-1, 3)])

    cont = np.flatnonzero((par >= 0) & (main[np.maximum(par, 0)] == np.arange(n)))
    faces.append(band(par[cont] * sides, cont * sides))
    faces.append(band(nv + np.arange(len(starts)) * sides, starts * sides))
    # caps: tips close with a small cone point, roots with a flat fan
    tips = np.flatnonzero(main < 0)
    tip_pts = pos[tips] + tangent[tips] * rad[tips, None] * 0.8
    base = nv + len(starts) * sides
    verts.append(tip_pts)
    ti = base + np.arange(len(tips))
    faces.append(np.stack([tips[:, None] * sides + j[None], tips[:, None] * sides + jn[None],
                           np.repeat(ti[:, None], sides, 1)], -1).reshape(-1, 3))
    root_pts = pos[roots] - tangent[roots] * rad[roots, None] * 0.3
    verts.append(root_pts)
    ri = base + len(tips) + np.arange(len(roots))
    faces.append(np.stack([roots[:, None] * sides + jn[None], roots[:, None] * sides + j[None],
                           np.repeat(ri[:, None], sides, 1)], -1).reshape(-1, 3))
    vv = np.concatenate(verts)
    node_of = np.concatenate([np.repeat(np.arange(n), sides), np.repeat(starts, sides), tips, roots])
    attrs = {"along": along[node_of].astype(np.float32), "radius": rad[node_of].astype(np.float32)}
    return Mesh(vv, np.concatenate(faces), attrs)


def lathe(r: np.ndarray, z: np.ndarray, sides: int = 16, close_bottom: bool = True, close_top: bool = True,
          modulate: Callable | None = None) -> Mesh:
    """Surface of revolution of a profile (r(z) listed bottom to top) about +Z.

    modulate(theta (sides,), k (m,)) -> radius factors (m, sides) (ribs, spirals).
    """
    m = len(r)
    theta = np.linspace(0, 2 * np.pi, sides, endpoint=False)
    fac = np.ones((m, sides)) if modulate is None else modulate(theta, np.arange(m))
    rr = np.asarray(r)[:, None] * fac
    verts = np.stack([rr * np.cos(theta)[None], rr * np.sin(theta)[None],
                      np.broadcast_to(np.asarray(z)[:, None], rr.shape)], -1).reshape(-1, 3)
    j = np.arange(sides)
    jn = (j + 1) % sides
    i = np.arange(m - 1)[:, None]
    a, b = i * sides + j, i * sides + jn
    c, d = (i + 1) * sides + jn, (i + 1) * sides + j
    faces = [np.stack([a, b, c], -1).reshape(-1, 3), np.stack([a, c, d], -1).reshape(-1, 3)]
    extra = []
    nv = m * sides
    if close_bottom:
        extra.append([0.0, 0.0, z[0]])
        faces.append(np.stack([jn, j, np.full(sides, nv)], -1))
    if close_top:
        extra.append([0.0, 0.0, z[-1]])
        top = nv + len(extra) - 1
        faces.append(np.stack([(m - 1) * sides + j, (m - 1) * sides + jn, np.full(sides, top)], -1))
    if extra:
        verts = np.concatenate([verts, np.array(extra)])
    return drop_degenerate(Mesh(verts, np.concatenate(faces)))


def blade(half_width: Callable, length: float, n_along: int = 8, n_across: int = 3, fold: float = 0.0,
          curl: float = 0.0, twist: float = 0.0) -> Mesh:
    """A leaf-like sheet along +Y from the origin: half_width(t in [0,1]) -> metres.

    ``fold`` lifts the sides (V-shaped midrib, relative to width), ``curl``
    bends the tip down along -Z (metres at the tip), ``twist`` rotates about Y
    (radians at the tip). Attribute ``tip`` = t (0 at the base, 1 at the tip).
    """
    t = np.linspace(0.0, 1.0, n_along)
    s = np.linspace(-1.0, 1.0, n_across)
    w = np.maximum(np.asarray(half_width(t), dtype=np.float64), 0.0)
    x = s[None, :] * w[:, None]
    z = fold * np.abs(s)[None, :] * w[:, None] - curl * t[:, None] ** 2
    y = np.broadcast_to(t[:, None] * length, x.shape)
    ang = twist * t[:, None]
    xr = x * np.cos(ang) - z * np.sin(ang)
    zr = x * np.sin(ang) + z * np.cos(ang)
    verts = np.stack([xr, y, zr], -1).reshape(-1, 3)
    i = np.arange(n_along - 1)[:, None]
    j = np.arange(n_across - 1)[None, :]
    a = i * n_across + j
    b, c, d = a + 1, a + n_across + 1, a + n_across
    faces = np.concatenate([np.stack([a, b, c], -1).reshape(-1, 3), np.stack([a, c, d], -1).reshape(-1, 3)])
    tip = np.repeat(t, n_across).astype(np.float32)
    return drop_degenerate(Mesh(verts, faces, {"tip": tip}))


def drop_degenerate(mesh: Mesh, min_area: float = 1e-12) -> Mesh:
    """Remove zero-area triangles (pointed tips make them) and unused vertices."""
    v = mesh.vertices.astype(np.float64)
    f = mesh.faces
    area = 0.5 * np.linalg.norm(np.cross(v[f[:, 1]] - v[f[:, 0]], v[f[:, 2]] - v[f[:, 0]]), axis=1)
    f = f[area > min_area]
    used = np.unique(f)
    remap = np.full(len(v), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    return Mesh(v[used], remap[f], {k: a[used] for k, a in mesh.attributes.items()}, mesh.smooth)


def merge(meshes: list[Mesh], colors: list | None = None) -> Mesh:
    """One mesh from many; attributes present in all parts are kept, ``colors``
    (one RGB per part) become a per-vertex ``tint`` attribute (not "color": Cycles does not
    deliver a generic attribute of that name to shaders)."""
    if colors is not None:
        colors = [c for m, c in zip(meshes, colors) if len(m.faces)]
    meshes = [m for m in meshes if len(m.faces)]
    offs = np.cumsum([0] + [len(m.vertices) for m in meshes[:-1]])
    v = np.concatenate([m.vertices for m in meshes])
    f = np.concatenate([m.faces + o for m, o in zip(meshes, offs)])
    keys = set.intersection(*(set(m.attributes) for m in meshes)) if meshes else set()
    attrs = {k: np.concatenate([m.attributes[k] for m in meshes]) for k in keys}
    if colors is not None:
        attrs["tint"] = np.concatenate([np.tile(np.asarray(c, dtype=np.float32), (len(m.vertices), 1))
                                         for m, c in zip(meshes, colors)])
    return drop_degenerate(Mesh(v, f, attrs))


def place(mesh: Mesh, matrix: np.ndarray) -> Mesh:
    return mesh.transformed(matrix)


def frame_matrix(origin: np.ndarray, y_axis: np.ndarray, up_hint: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """4x4 placing local +Y along ``y_axis`` with local +Z as close to ``up_hint`` as possible."""
    y = _unit(np.asarray(y_axis, dtype=np.float64))
    x = np.cross(y, up_hint)
    if np.linalg.norm(x) < 1e-6:
        x = np.cross(y, [1.0, 0.0, 0.0]) if abs(y[0]) < 0.9 else np.cross(y, [0.0, 1.0, 0.0])
    x = _unit(x)
    z = np.cross(x, y)
    m = np.eye(4)
    m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = x * scale, y * scale, z * scale, origin
    return m


def frames_matrix(origin: np.ndarray, y_axis: np.ndarray, up_hint: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Vectorised ``frame_matrix``: (N, 4, 4)."""
    y = _unit(np.asarray(y_axis, dtype=np.float64))
    up = np.broadcast_to(np.asarray(up_hint, dtype=np.float64), y.shape)
    x = np.cross(y, up)
    bad = np.linalg.norm(x, axis=1) < 1e-6
    x[bad] = np.cross(y[bad], [1.0, 0.0, 0.0]) + 1e-3 * np.cross(y[bad], [0.0, 1.0, 0.0])
    x = _unit(x)
    z = np.cross(x, y)
    s = np.asarray(scale, dtype=np.float64)[:, None]
    m = np.zeros((len(y), 4, 4))
    m[:, :3, 0], m[:, :3, 1], m[:, :3, 2], m[:, :3, 3] = x * s, y * s, z * s, origin
    m[:, 3, 3] = 1.0
    return m
