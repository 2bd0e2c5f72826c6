"""Ground cover: what lies on a forest floor or a meadow between the plants.

- ``leaf_litter``: a drift of fallen leaves (the tree leaf outlines of ``leaves.py``) lying
  almost flat, overlapping, each its own brown, ochre or faded colour;
- ``needle_litter``: a mat of fallen conifer needles, criss-crossed;
- ``bark_piece``: a curled slab of fallen bark;
- ``moss_patch`` and ``lichen_patch``: low cushions of moss (bumpy, several greens) and
  flat crusts of lichen (grey-green or ochre), with an irregular outline.

Every mesh lies on its local z = 0 plane (the ground), +Z up, and carries a per-vertex
``tint`` (linear RGB reflectance in natural ranges) for the ``plant_vcol`` material.
"""

from __future__ import annotations

import numpy as np

from ...core.mesh import Mesh
from ..noise import fbm2, perm_table
from .geometry import blade, merge
from .leaves import leaf

# dry leaves: brown, ochre, rust, grey-brown, faded yellow (linear reflectance 0.05-0.3)
LITTER = np.array([(0.2, 0.11, 0.045), (0.28, 0.17, 0.06), (0.24, 0.09, 0.03), (0.13, 0.09, 0.06),
                   (0.33, 0.25, 0.09), (0.1, 0.065, 0.035)])
NEEDLES = np.array([(0.22, 0.11, 0.05), (0.3, 0.17, 0.08), (0.15, 0.08, 0.04)])
BARK = np.array([(0.09, 0.06, 0.04), (0.16, 0.12, 0.08), (0.06, 0.045, 0.035)])
MOSS = np.array([(0.07, 0.15, 0.025), (0.11, 0.19, 0.03), (0.05, 0.11, 0.03), (0.14, 0.17, 0.04)])
LICHEN = np.array([(0.3, 0.32, 0.24), (0.38, 0.33, 0.12), (0.22, 0.25, 0.18)])


def _flat(mesh: Mesh, x: float, y: float, yaw: float, size: float, tilt: np.ndarray, z: float) -> Mesh:
    """A unit part laid on the ground: rotated by ``yaw``, tilted a little, lifted by ``z``."""
    c, s = np.cos(yaw), np.sin(yaw)
    m = np.eye(4)
    m[:3, :3] = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]) * size
    m[2, :2] = tilt * size
    m[:3, 3] = (x, y, z)
    return mesh.transformed(m)


def leaf_litter(rng: np.random.Generator, shapes=("ovate", "lobed", "palmate"), count: int = 14,
                radius: float = 0.3, size: float = 0.07) -> Mesh:
    """``count`` fallen leaves within ``radius`` of the origin, each ``size`` m long (varied)."""
    protos = [leaf(s, rng) for s in shapes]
    parts, cols = [], []
    for k in range(count):
        r = radius * np.sqrt(rng.uniform())
        a = rng.uniform(0, 2 * np.pi)
        m = protos[int(rng.integers(len(protos)))]
        # curled leaves: the fold and droop of the unit leaf point up or down at random
        flip = 1.0 if rng.uniform() < 0.7 else -1.0
        part = _flat(m, r * np.cos(a), r * np.sin(a), rng.uniform(0, 2 * np.pi), size * rng.uniform(0.7, 1.3),
                     rng.normal(0, 0.15, 2), 0.002 + 0.0015 * k)
        if flip < 0:
            part = Mesh(part.vertices * np.array([1.0, 1.0, -1.0]) + np.array([0.0, 0.0, 0.004 + 0.003 * k]),
                        part.faces[:, ::-1], part.attributes)
        parts.append(part)
        cols.append(LITTER[int(rng.integers(len(LITTER)))] * rng.uniform(0.8, 1.2, 3))
    return merge(parts, colors=cols)


def needle_litter(rng: np.random.Generator, count: int = 160, radius: float = 0.25, length: float = 0.05) -> Mesh:
    """A mat of fallen needles: thin slivers, criss-crossed, a few layers deep."""
    r = radius * np.sqrt(rng.uniform(0, 1, count))
    a = rng.uniform(0, 2 * np.pi, count)
    centre = np.stack([r * np.cos(a), r * np.sin(a), rng.uniform(0.001, 0.006, count)], -1)
    d = rng.uniform(0, 2 * np.pi, count)
    half = 0.5 * length * rng.uniform(0.6, 1.3, count)
    along = np.stack([np.cos(d), np.sin(d), rng.normal(0, 0.08, count)], -1) * half[:, None]
    side = np.stack([-np.sin(d), np.cos(d), np.zeros(count)], -1) * 0.0008
    v = np.concatenate([centre - along - side, centre - along + side, centre + along])
    i = np.arange(count)
    faces = np.stack([i, i + count, i + 2 * count], -1)
    col = NEEDLES[rng.integers(len(NEEDLES), size=count)] * rng.uniform(0.8, 1.2, (count, 3))
    return Mesh(v, faces, {"tint": np.tile(col, (3, 1)).astype(np.float32)})


def bark_piece(rng: np.random.Generator, length: float = 0.18) -> Mesh:
    """A slab of fallen bark curled across its width (outer side up), rough at the edges."""
    L = length * rng.uniform(0.6, 1.4)
    half = L * rng.uniform(0.2, 0.35)
    curl = rng.uniform(0.8, 2.2)  # radians the slab wraps
    ragged = rng.uniform(0.75, 1.0, 7)
    sheet = blade(lambda t: half * np.interp(t, np.linspace(0, 1, 7), ragged), L, n_along=7, n_across=5)
    v = sheet.vertices.astype(np.float64)
    th = v[:, 0] / max(half, 1e-9) * curl / 2.0  # across the width: an arc of the log's radius
    R = half / max(curl / 2.0, 1e-3)
    v = np.stack([R * np.sin(th), v[:, 1] - L / 2, R * (np.cos(th) - np.cos(curl / 2.0)) + 0.003], -1)
    col = BARK[int(rng.integers(len(BARK)))] * rng.uniform(0.85, 1.15, 3)
    return Mesh(v, sheet.faces, {"tint": np.tile(col, (len(v), 1)).astype(np.float32)})


def _cushion(rng: np.random.Generator, radius: float, height: float, rings: int, sides: int,
             bumps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A low dome with a noisy outline: vertices (N, 3), faces, radial position (N,) in 0..1."""
    perm = perm_table(rng)
    off = rng.uniform(-100, 100, 2)
    th = np.linspace(0, 2 * np.pi, sides, endpoint=False)
    edge = radius * (1.0 + 0.35 * fbm2(np.cos(th) * 1.3 + off[0], np.sin(th) * 1.3 + off[1], perm, 3))
    f = np.linspace(0.0, 1.0, rings + 1)[1:]
    x = (f[:, None] * edge[None] * np.cos(th)[None]).ravel()
    y = (f[:, None] * edge[None] * np.sin(th)[None]).ravel()
    rel = np.repeat(f, sides)
    x, y, rel = np.concatenate([[0.0], x]), np.concatenate([[0.0], y]), np.concatenate([[0.0], rel])
    z = height * np.sqrt(np.clip(1.0 - rel**2, 0.0, 1.0)) * (
        1.0 + bumps * fbm2(x / (0.15 * radius) + off[0], y / (0.15 * radius) + off[1], perm, 3))
    z = np.maximum(z, 0.0) + 0.002
    faces = [np.stack([np.zeros(sides, int), 1 + np.arange(sides), 1 + (np.arange(sides) + 1) % sides], -1)]
    for k in range(rings - 1):
        a = 1 + k * sides + np.arange(sides)
        b = 1 + k * sides + (np.arange(sides) + 1) % sides
        faces += [np.stack([a, a + sides, b + sides], -1), np.stack([a, b + sides, b], -1)]
    return np.stack([x, y, z], -1), np.concatenate(faces), rel


def moss_patch(rng: np.random.Generator, radius: float = 0.25, height: float = 0.035) -> Mesh:
    """A cushion of moss: bumpy, greener in the middle, drier and browner at the rim."""
    v, faces, rel = _cushion(rng, radius * rng.uniform(0.6, 1.4), height * rng.uniform(0.6, 1.4), 5, 18, 0.6)
    a, b = MOSS[rng.choice(len(MOSS), 2, replace=False)]
    perm = perm_table(rng)
    n = np.clip(0.5 + fbm2(v[:, 0] / 0.05, v[:, 1] / 0.05, perm, 2), 0, 1)[:, None]
    col = a * (1 - n) + b * n
    rim = np.clip((rel - 0.7) / 0.3, 0, 1)[:, None] * 0.5
    col = col * (1 - rim) + np.array([0.12, 0.1, 0.04]) * rim
    return Mesh(v, faces, {"tint": col.astype(np.float32)})


def lichen_patch(rng: np.random.Generator, radius: float = 0.12) -> Mesh:
    """A flat crust of lichen (grey-green or ochre), paler at its growing rim."""
    v, faces, rel = _cushion(rng, radius * rng.uniform(0.5, 1.5), 0.003, 3, 14, 0.3)
    c = LICHEN[int(rng.integers(len(LICHEN)))] * rng.uniform(0.85, 1.15, 3)
    col = c[None] * (0.85 + 0.3 * rel[:, None])
    return Mesh(v, faces, {"tint": col.astype(np.float32)})
