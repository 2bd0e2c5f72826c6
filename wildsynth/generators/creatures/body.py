"""Body plans: a skeleton of bones, parts swept along bone chains, smooth skinning weights.

Creature space (the bind pose): x forward, y left, z up, metres, the ground under the body at
z = 0. A bone is a 4x4 frame: origin at its head, x along the bone. A part (torso, neck, head,
leg, tail, fin, wing) is a closed tube swept along a centreline with an elliptical section whose
half-axes follow two profiles: ``width`` along the section axis ``tangent x up`` and ``height``
along ``up`` (the part's up hint made perpendicular to the tangent). Both end rings close on a
pole vertex, so every part is a closed surface; parts overlap (a body is their union).

Vertex attributes for the skin material: ``rest`` (bind-pose position: patterns are taken
there, so they stay on the body as it deforms), ``dorsal`` (+1 back, -1 belly: counter-shading)
and ``region`` (0 body, 1 fins, wings and ears, 2 hooves, horns and beaks).

Skinning: each part names the bones that move it; a vertex takes weights from its ring centre's
distance ``d`` to each of those bone segments, ``w ~ exp(-(d / blend)^2)``, keeps the largest
``K`` and normalises them, so sections move rigidly and bend smoothly over ``blend`` metres at
the joints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...core.mesh import Mesh

K_BONES = 3  # bones per vertex


def cross3(a, b) -> np.ndarray:
    """Cross product of two 3-vectors (np.cross costs ~50 us per call on small arrays)."""
    return np.array([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]])


def frame(origin, x_axis, up_hint=(0.0, 0.0, 1.0)) -> np.ndarray:
    """A 4x4 frame at ``origin`` with x along ``x_axis`` and z as close to ``up_hint`` as it can be."""
    x = np.asarray(x_axis, dtype=np.float64)
    x = x / max(np.linalg.norm(x), 1e-12)
    up = np.asarray(up_hint, dtype=np.float64)
    if abs(float(up @ x)) > 0.999 * np.linalg.norm(up):
        up = np.array([1.0, 0.0, 0.0]) if abs(x[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    z = up - (up @ x) * x
    z /= np.linalg.norm(z)
    m = np.eye(4)
    m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = x, cross3(z, x), z, origin
    return m


def rot_x(a) -> np.ndarray:
    c, s = np.cos(a), np.sin(a)
    return np.array([[1.0, 0, 0], [0, c, -s], [0, s, c]])


def rot_y(a) -> np.ndarray:
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, 0, s], [0, 1.0, 0], [-s, 0, c]])


def rot_z(a) -> np.ndarray:
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1.0]])


def hom(r: np.ndarray, t=(0.0, 0.0, 0.0)) -> np.ndarray:
    m = np.eye(4)
    m[:3, :3], m[:3, 3] = r, t
    return m


@dataclass
class Skeleton:
    """Bones in topological order (a parent before its children); ``bind`` in creature space."""

    names: list[str] = field(default_factory=list)
    parent: list[int] = field(default_factory=list)
    bind: list[np.ndarray] = field(default_factory=list)
    length: list[float] = field(default_factory=list)

    def add(self, name: str, parent: str | None, head, tail, up=(0.0, 0.0, 1.0)) -> int:
        head, tail = np.asarray(head, float), np.asarray(tail, float)
        self.names.append(name)
        self.parent.append(self.names.index(parent) if parent else -1)
        self.bind.append(frame(head, tail - head, up))
        self.length.append(float(np.linalg.norm(tail - head)))
        return len(self.names) - 1

    def index(self, name: str) -> int:
        return self.names.index(name)

    def __len__(self) -> int:
        return len(self.names)

    def rest_local(self) -> np.ndarray:
        """(B, 4, 4) each bone's bind frame in its parent's (the root's in creature space)."""
        b = np.stack(self.bind)
        return np.stack([b[i] if p < 0 else np.linalg.inv(b[p]) @ b[i] for i, p in enumerate(self.parent)])

    def fk(self, root: np.ndarray, local: np.ndarray, override: dict[int, np.ndarray] | None = None,
           rest: np.ndarray | None = None) -> np.ndarray:
        """World bone frames (B, 4, 4): ``W_i = W_parent rest_local_i rot(local_i)`` (``root`` for
        the root's parent); ``override`` gives some bones' world frames outright (IK)."""
        rest = self.rest_local() if rest is None else rest
        out = np.empty((len(self), 4, 4))
        for i, p in enumerate(self.parent):
            if override and i in override:
                out[i] = override[i]
                continue
            out[i] = (root if p < 0 else out[p]) @ rest[i] @ hom(local[i])
        return out

    def tail(self, world: np.ndarray, i: int) -> np.ndarray:
        """World position of bone ``i``'s tail in frames ``world``."""
        return world[i, :3, 3] + world[i, :3, 0] * self.length[i]


@dataclass
class Part:
    """A tube along ``centre`` (n, 3) with half-axes ``width``, ``height`` (n,), moved by ``bones``."""

    name: str
    centre: np.ndarray
    width: np.ndarray
    height: np.ndarray
    bones: list[int]
    up: tuple = (0.0, 0.0, 1.0)
    segments: int = 12
    blend: float = 0.05
    region: float = 0.0  # a per-vertex mask the skin material reads (0 body, 1 belly/fin, ...)


def profile(s: np.ndarray, knots: list[tuple[float, float]]) -> np.ndarray:
    """Piecewise-linear profile through (s, value) knots, then smoothed by a cubic ease per span."""
    ks = np.array([k[0] for k in knots])
    kv = np.array([k[1] for k in knots])
    j = np.clip(np.searchsorted(ks, s, side="right") - 1, 0, len(ks) - 2)
    u = np.clip((s - ks[j]) / np.maximum(ks[j + 1] - ks[j], 1e-12), 0.0, 1.0)
    u = u * u * (3.0 - 2.0 * u)
    return kv[j] + (kv[j + 1] - kv[j]) * u


def polyline(points, n: int) -> np.ndarray:
    """``n`` points evenly spaced along the polyline (or Catmull-Rom-smoothed if > 2 points)."""
    p = np.asarray(points, dtype=np.float64)
    seg = np.linalg.norm(np.diff(p, axis=0), axis=1)
    acc = np.concatenate([[0.0], np.cumsum(seg)])
    s = np.linspace(0.0, acc[-1], n)
    return np.stack([np.interp(s, acc, p[:, d]) for d in range(3)], -1)


def sweep(part: Part) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertices (V, 3), outward faces (F, 3) and each vertex's side (V,) in [-1, 1] (+1 along
    the section's up axis: the back, -1 the belly) of the closed tube of ``part``."""
    c = np.asarray(part.centre, dtype=np.float64)
    n, m = len(c), part.segments
    tan = np.gradient(c, axis=0)
    tan /= np.maximum(np.linalg.norm(tan, axis=1, keepdims=True), 1e-12)
    up = np.asarray(part.up, dtype=np.float64)
    u = up[None] - (tan @ up)[:, None] * tan
    bad = np.linalg.norm(u, axis=1) < 1e-6
    if bad.any():
        alt = np.array([1.0, 0.0, 0.0]) if abs(up[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
        u[bad] = alt - (tan[bad] @ alt)[:, None] * tan[bad]
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    w = np.cross(tan, u)
    a = np.linspace(0.0, 2 * np.pi, m, endpoint=False)
    ring = (c[:, None] + part.width[:, None, None] * np.cos(a)[None, :, None] * w[:, None]
            + part.height[:, None, None] * np.sin(a)[None, :, None] * u[:, None])
    v = np.concatenate([ring.reshape(-1, 3), c[:1], c[-1:]])
    i, j = np.meshgrid(np.arange(n - 1), np.arange(m), indexing="ij")
    q = (j + 1) % m
    k = lambda r, s: (r * m + s).ravel()  # noqa: E731
    f = [np.stack([k(i, j), k(i + 1, j), k(i + 1, q)], -1), np.stack([k(i, j), k(i + 1, q), k(i, q)], -1)]
    s0, s1 = n * m, n * m + 1
    jj = np.arange(m)
    f.append(np.stack([np.full(m, s0), jj, (jj + 1) % m], -1))
    f.append(np.stack([np.full(m, s1), (n - 1) * m + (jj + 1) % m, (n - 1) * m + jj], -1))
    f = np.concatenate(f)
    # orient outward: the sign of (w x u) . tan decides the winding of the side faces
    fn = np.cross(v[f[:, 1]] - v[f[:, 0]], v[f[:, 2]] - v[f[:, 0]])
    ctr = np.concatenate([np.repeat(c[:-1], m, 0), np.repeat(c[:-1], m, 0)])
    side = len(ctr)
    out = np.einsum("ij,ij->i", fn[:side], v[f[:side]].mean(1) - ctr)
    if np.median(out) < 0:
        f = f[:, ::-1]
    side_of = np.concatenate([np.tile(np.sin(a), n), [0.0, 0.0]])
    return v, f, side_of


def _segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ab = b - a
    t = np.clip(((p - a) @ ab) / max(float(ab @ ab), 1e-18), 0.0, 1.0)
    return np.linalg.norm(p - (a + t[:, None] * ab), axis=1)


@dataclass
class Body:
    """A creature in its bind pose: mesh, skeleton, skinning weights, per-part vertex masks."""

    mesh: Mesh
    skeleton: Skeleton
    bone_index: np.ndarray  # (V, K)
    bone_weight: np.ndarray  # (V, K)

    @property
    def bind_inverse(self) -> np.ndarray:
        return np.linalg.inv(np.stack(self.skeleton.bind))


def assemble(skeleton: Skeleton, parts: list[Part]) -> Body:
    """Sweep every part, weight its vertices to its bones and join them into one mesh."""
    verts, faces, idx, wts, region, dorsal, offset = [], [], [], [], [], [], 0
    heads = np.stack([b[:3, 3] for b in skeleton.bind])
    tails = np.stack([skeleton.tail(np.stack(skeleton.bind), i) for i in range(len(skeleton))])
    for part in parts:
        v, f, side = sweep(part)
        m = part.segments
        centres = np.concatenate([np.repeat(part.centre, m, 0), part.centre[:1], part.centre[-1:]])
        d = np.stack([_segment_distance(centres, heads[b], tails[b]) for b in part.bones], -1)
        w = np.exp(-(d / max(part.blend, 1e-6)) ** 2) + 1e-12 * (d == d.min(1, keepdims=True))
        order = np.argsort(-w, axis=1)[:, :K_BONES]
        top = np.take_along_axis(w, order, 1)
        bones = np.asarray(part.bones)[order]
        if top.shape[1] < K_BONES:  # fewer bones than K: pad with zero weights
            pad = K_BONES - top.shape[1]
            top = np.pad(top, ((0, 0), (0, pad)))
            bones = np.pad(bones, ((0, 0), (0, pad)), constant_values=part.bones[0])
        verts.append(v)
        faces.append(f + offset)
        idx.append(bones)
        wts.append(top / top.sum(1, keepdims=True))
        region.append(np.full(len(v), part.region))
        dorsal.append(side)
        offset += len(v)
    v = np.concatenate(verts)
    # ``rest``: bind-pose position, so skin patterns stay on the body while it moves
    mesh = Mesh(v, np.concatenate(faces), {"region": np.concatenate(region), "dorsal": np.concatenate(dorsal),
                                           "rest": v.copy(), "skinned": np.ones(len(v))})
    return Body(mesh, skeleton, np.concatenate(idx).astype(np.int64), np.concatenate(wts))
