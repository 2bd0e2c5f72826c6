"""Leaf meshes from parametric outlines (real geometry, not textured cards).

Every leaf lies along local +Y from its stalk at the origin, its upper side
facing +Z, 1 unit long (scale it by the placement). Shapes: ovate
(broadleaf, serrated for birch), lobed (oak), palmate (maple), needle sprays
(conifers) and pinnate fronds (palms, ferns).
"""

from __future__ import annotations

import numpy as np

from ...core.mesh import Mesh
from .geometry import blade, drop_degenerate, merge

LEAF_SHAPES = ("ovate", "serrated", "lobed", "palmate", "needles", "frond")


def ovate(rng: np.random.Generator, width: float = 0.32, teeth: int = 0, n_along: int = 7) -> Mesh:
    """Egg-shaped leaf with a pointed tip, optional saw teeth, slight fold and droop."""
    a = rng.uniform(0.7, 1.1)
    stalk = 0.12

    def hw(t):
        u = np.clip((t - stalk) / (1 - stalk), 0, 1)
        w = width * np.sin(np.pi * u**a) ** 1.2 * (1.0 - 0.25 * u)
        if teeth:
            w = w * (1.0 + 0.08 * np.abs(np.sin(u * teeth * np.pi)))
        return np.where(t < stalk, 0.012, w)

    return blade(hw, 1.0, n_along=n_along, n_across=3, fold=rng.uniform(0.1, 0.35),
                 curl=rng.uniform(0.02, 0.12), twist=rng.uniform(-0.2, 0.2))


def lobed(rng: np.random.Generator, lobes: int = 4) -> Mesh:
    """Oak-like: rounded lobes along the margin (needs more rows to resolve them)."""
    phase = rng.uniform(-0.2, 0.2)

    def hw(t):
        u = np.clip((t - 0.08) / 0.92, 0, 1)
        env = 0.36 * np.sin(np.pi * u**0.85) ** 0.8
        lobe = 0.55 + 0.45 * np.abs(np.sin((u * lobes + phase) * np.pi))
        return np.where(t < 0.08, 0.012, env * lobe)

    return blade(hw, 1.0, n_along=4 * lobes + 4, n_across=3, fold=0.15, curl=rng.uniform(0.03, 0.1))


def palmate(rng: np.random.Generator, lobes: int = 5, rings: int = 2) -> Mesh:
    """Maple-like: a fan of pointed lobes around the stalk point."""
    spread = rng.uniform(0.8, 0.92) * np.pi
    n_phi = lobes * 4 + 1
    phi = np.linspace(-spread, spread, n_phi)
    lobe_r = 0.5 + 0.5 * np.cos(np.pi * (lobes - 1) * phi / spread)  # peaks: the lobe tips
    r = 0.5 * (0.35 + 0.65 * lobe_r**3) * (1.0 - 0.35 * (np.abs(phi) / spread) ** 2)
    centre = np.array([0.0, 0.12, 0.0])
    s = np.linspace(0.0, 1.0, rings + 1)[1:]
    pts = [centre[None]]
    for k, f in enumerate(s):
        x = -np.sin(phi) * r * f
        y = np.cos(phi) * r * f + centre[1]
        z = 0.06 * f**2 * np.cos(phi * 2)  # cupped margin
        pts.append(np.stack([x, y, z], -1))
    v = np.concatenate(pts)
    faces = [np.stack([np.zeros(n_phi - 1, int), 1 + np.arange(n_phi - 1) + 1, 1 + np.arange(n_phi - 1)], -1)]
    for k in range(rings - 1):
        a = 1 + k * n_phi + np.arange(n_phi - 1)
        b = a + 1
        c, d = b + n_phi, a + n_phi
        faces += [np.stack([a, b, c], -1), np.stack([a, c, d], -1)]
    leaf = Mesh(v, np.concatenate(faces), {"tip": (np.linalg.norm(v - centre, axis=1) * 2).astype(np.float32)})
    stalk = blade(lambda t: np.full_like(t, 0.012), 0.13, n_along=2, n_across=2)
    return drop_degenerate(merge([leaf, stalk]))


def needles(rng: np.random.Generator, count: int = 60, length: float = 0.06) -> Mesh:
    """A conifer spray: a thin twig along +Y with needles spiralling round it."""
    twig = blade(lambda t: np.full_like(t, 0.004), 1.0, n_along=2, n_across=2)
    k = np.arange(count)
    t = (k + 0.5) / count
    ang = k * 2.39996  # golden angle
    base = np.stack([np.zeros(count), t, np.zeros(count)], -1)
    out = np.stack([np.cos(ang), np.full(count, 0.7), np.sin(ang) * 0.5 + 0.35], -1)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    nl = length * rng.uniform(0.8, 1.2, count) * (1.0 - 0.4 * t)
    tips = base + out * nl[:, None] * 4.0  # the spray is 1 unit long, needles about a quarter of it
    side = np.cross(out, [0.0, 1.0, 0.0])
    side /= np.maximum(np.linalg.norm(side, axis=1, keepdims=True), 1e-9)
    w = 0.012
    v = np.concatenate([base - side * w, base + side * w, tips])
    i = np.arange(count)
    f = np.stack([i, i + count, i + 2 * count], -1)
    nd = Mesh(v, f, {"tip": np.concatenate([np.zeros(2 * count), np.ones(count)]).astype(np.float32)})
    return merge([twig, nd])


def frond(rng: np.random.Generator, leaflets: int = 22, droop: float = 0.35, leaflet_len: float = 0.3,
          leaflet_width: float = 0.025) -> Mesh:
    """Pinnate frond: an arching rachis with narrow leaflets on both sides (palm, fern)."""
    n = leaflets
    parts = [blade(lambda t: 0.012 * (1 - 0.7 * t), 1.0, n_along=8, n_across=2, curl=droop)]
    t = np.linspace(0.12, 0.97, n)
    y = t
    z = -droop * t**2
    slope = -2 * droop * t
    fwd = np.stack([np.zeros(n), np.ones(n), slope], -1)
    fwd /= np.linalg.norm(fwd, axis=1, keepdims=True)
    size = leaflet_len * np.sin(np.pi * (0.15 + 0.85 * t)) ** 0.6 * rng.uniform(0.85, 1.1, n) + 0.02
    proto = blade(lambda s: leaflet_width / leaflet_len * np.sin(np.pi * np.clip(s, 0, 1)) ** 0.7 + 1e-3,
                  1.0, n_along=5, n_across=3, fold=0.2, curl=0.1)
    for side in (-1.0, 1.0):
        for k in range(n):
            d = np.array([side * 1.0, 0.45, -0.15]) + fwd[k] * 0.3
            d /= np.linalg.norm(d)
            x_ax = np.cross(d, [0.0, 0.0, 1.0])
            x_ax /= np.linalg.norm(x_ax)
            z_ax = np.cross(x_ax, d)
            m = np.eye(4)
            m[:3, 0], m[:3, 1], m[:3, 2] = x_ax * size[k], d * size[k], z_ax * size[k]
            m[:3, 3] = [0.0, y[k], z[k]]
            parts.append(proto.transformed(m))
    return merge(parts)


def leaf(shape: str, rng: np.random.Generator) -> Mesh:
    """A unit leaf of the named shape."""
    if shape == "ovate":
        return ovate(rng)
    if shape == "serrated":
        return ovate(rng, width=0.3, teeth=9, n_along=10)
    if shape == "lobed":
        return lobed(rng, lobes=int(rng.integers(3, 5)))
    if shape == "palmate":
        return palmate(rng)
    if shape == "needles":
        return needles(rng)
    if shape == "frond":
        return frond(rng)
    raise ValueError(f"leaf shape {shape!r} unknown; choose one of {LEAF_SHAPES}")


def cluster(single: Mesh, rng: np.random.Generator, count: int = 5, leaf_scale: float = 0.45) -> Mesh:
    """A twig of ``count`` leaves (alternate, angled out and up), 1 unit long along +Y.

    Trees place clusters rather than single leaves: five times fewer instances
    for the same foliage (each leaf is still real geometry). Each leaf keeps a random
    value in the per-vertex attribute ``leafvar`` (0..1; the stem 0.5), so the leaf
    material varies leaf by leaf within a cluster too."""
    stem = blade(lambda t: np.full_like(t, 0.008), 1.0, n_along=2, n_across=2)
    parts = [stem]
    var = [0.5]
    for k in range(count):
        t = 0.25 + 0.75 * k / max(count - 1, 1)
        side = 1.0 if k % 2 else -1.0
        d = np.array([side * rng.uniform(0.6, 1.0), rng.uniform(0.5, 0.9), rng.uniform(-0.1, 0.2)])
        if k == count - 1:
            d = np.array([0.0, 1.0, 0.1])
        d /= np.linalg.norm(d)
        x = np.cross(d, [0.0, 0.0, 1.0])
        x /= np.linalg.norm(x)
        z = np.cross(x, d)
        s = leaf_scale * rng.uniform(0.8, 1.1)
        m = np.eye(4)
        m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = x * s, d * s, z * s, [0.0, t, 0.0]
        parts.append(single.transformed(m))
        var.append(float(rng.uniform(0.0, 1.0)))
    parts = [Mesh(p.vertices, p.faces, {**p.attributes, "leafvar": np.full(len(p.vertices), v, dtype=np.float32)})
             for p, v in zip(parts, var)]
    return merge(parts)
