"""Grass tufts: blades of several shapes, bent by the wind, each with its own green-to-dry colour.

A tuft (one mesh, ~10-60 blades) is the unit that scenes scatter as
instances; a handful of tuft prototypes per scene gives endless variety once
each placement is rotated (within the wind's spread) and scaled.

Every blade draws its shape (fine, linear or broad), width, height, lean and
droop, and a colour: one of a few greens, mixed towards straw at the tip (by
``dry``, on half the blades) and wholly straw or brown for the ``dead`` share. Some
blades carry a seed head (a nodding spikelet of small scales). The colour is
a per-vertex ``tint`` (base darker, where the tuft shades itself) and the
position along the blade a per-vertex ``tip``; the ``grass`` material reads
both.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ...core.mesh import Mesh
from .geometry import blade, merge

# linear RGB reflectances (green grass ~0.1-0.2 luminance, straw ~0.25-0.3)
GREENS = np.array([(0.06, 0.15, 0.025), (0.09, 0.17, 0.03), (0.05, 0.12, 0.04), (0.12, 0.18, 0.035)])
STRAW = np.array([(0.34, 0.27, 0.13), (0.26, 0.2, 0.1), (0.17, 0.12, 0.065)])
SEED = np.array([(0.3, 0.24, 0.12), (0.22, 0.14, 0.12), (0.36, 0.3, 0.16)])
SHAPES = ("fine", "linear", "broad")


class GrassParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    blades: int = Field(24, ge=1, le=200, description="blades per tuft")
    height: float = Field(0.35, gt=0.02, le=2.0, description="median blade height, m")
    width: float = Field(0.006, gt=0.0005, le=0.05, description="median blade half-width at the base, m")
    spread: float = Field(0.08, ge=0.0, le=1.0, description="radius of the tuft base, m")
    wind: float = Field(0.35, ge=0.0, le=1.5, description="bend along +X (the wind direction), relative to height")
    segments: int = Field(5, ge=2, le=12, description="segments along each blade")
    dry: float = Field(0.2, ge=0.0, le=1.0, description="fraction of the blade that is dry at the tip")
    dead: float = Field(0.1, ge=0.0, le=1.0, description="share of blades that are wholly dry (straw or brown)")
    shapes: tuple[float, float, float] = Field((0.3, 0.55, 0.15), description="weights of the fine, linear and broad blade shapes")
    droop: float = Field(0.25, ge=0.0, le=1.0, description="share of blades whose tips droop over")
    seed_heads: float = Field(0.06, ge=0.0, le=1.0, description="share of blades ending in a seed head")


def _half_width(shape: str, w: float):
    if shape == "fine":
        return lambda t: 0.45 * w * (1.0 - t) + 1e-4
    if shape == "broad":
        return lambda t: 1.7 * w * np.sin(np.pi * (0.12 + 0.88 * t)) ** 0.5 * (1.0 - t**4) + 1e-4
    return lambda t: w * (1.0 - t**1.5) + 1e-4


def _seed_head(rng: np.random.Generator, length: float) -> Mesh:
    """A spikelet along +Y from the origin: small scales alternating round a thin axis."""
    parts = [blade(lambda t: np.full_like(t, 0.0012), length, n_along=2, n_across=2)]
    n = int(rng.integers(5, 10))
    for k in range(n):
        t = 0.15 + 0.85 * k / n
        a = 2.39996 * k
        d = np.array([np.cos(a) * 0.5, 1.0, np.sin(a) * 0.5])
        d /= np.linalg.norm(d)
        x = np.cross(d, [0.0, 0.0, 1.0])
        x /= max(np.linalg.norm(x), 1e-9)
        z = np.cross(x, d)
        s = length * 0.28 * (1.0 - 0.5 * t)
        m = np.eye(4)
        m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = x * s, d * s, z * s, [0.0, t * length, 0.0]
        parts.append(blade(lambda u: 0.3 * np.sin(np.pi * np.clip(u, 0, 1)) + 1e-3, 1.0, n_along=3,
                           n_across=2).transformed(m))
    return merge(parts)


def _bend(v: np.ndarray, h: float, lean: float, droop: float, wind: float, r: float, a: float) -> np.ndarray:
    """Blade vertices (local: x across, y = t along 0..1, z fold) to the tuft frame."""
    t = v[:, 1]
    z = t * h * (1.0 - 0.3 * lean * t) - droop * h * t**3
    out = lean * h * t**2 * 0.6 + droop * 0.6 * h * t**2
    dirx, diry = np.cos(a), np.sin(a)
    x = v[:, 0] * -diry + out * dirx + r * dirx + wind * h * t**2 * 0.5
    y = v[:, 0] * dirx + out * diry + r * diry
    return np.stack([x, y, z + v[:, 2]], -1)


def tuft(params: GrassParams, rng: np.random.Generator) -> Mesh:
    """One tuft; blades lean out from the centre and bend with the wind (+X)."""
    p = params
    n = p.blades
    r = p.spread * np.sqrt(rng.uniform(0, 1, n))
    a = rng.uniform(0, 2 * np.pi, n)
    h = p.height * np.exp(rng.normal(0, 0.25, n))
    w_shape = np.asarray(p.shapes, dtype=np.float64)
    w_shape = w_shape / w_shape.sum() if w_shape.sum() > 0 else np.array([0.0, 1.0, 0.0])
    shape = rng.choice(len(SHAPES), n, p=w_shape)
    dead = rng.uniform(0, 1, n) < p.dead
    droopy = rng.uniform(0, 1, n) < p.droop
    heads = rng.uniform(0, 1, n) < p.seed_heads
    parts, tints, tips = [], [], []
    for k in range(n):
        w = p.width * np.exp(rng.normal(0, 0.25))
        b = blade(_half_width(SHAPES[shape[k]], w), 1.0, n_along=p.segments, n_across=2,
                  fold=0.3, twist=rng.uniform(-0.8, 0.8))
        v = b.vertices.astype(np.float64)
        lean = rng.uniform(0.05, 0.6) + p.wind * 0.5
        droop = rng.uniform(0.15, 0.45) if droopy[k] else 0.0
        t = b.attributes["tip"].astype(np.float64)
        # colour: a green, dry towards the tip (its own share of ``dry``), or wholly dry
        green = GREENS[rng.integers(len(GREENS))] * rng.uniform(0.85, 1.15, 3)
        straw = STRAW[rng.integers(len(STRAW))] * rng.uniform(0.9, 1.1, 3)
        if dead[k]:
            col = np.broadcast_to(straw, (len(t), 3))
        else:
            # half the living blades are green to the tip, the others dry over their own share of ``dry``
            d = np.clip(p.dry * rng.uniform(0.5, 2.0), 0.0, 1.0) if rng.uniform() < 0.5 else 0.0
            f = np.clip((t - (1.0 - d)) / max(d, 1e-3), 0.0, 1.0)[:, None] if d > 0 else np.zeros((len(t), 1))
            col = green * (1.0 - f) + straw * f
        col = col * (0.55 + 0.45 * np.sqrt(t))[:, None]  # the base sits in the tuft's own shade
        parts.append(Mesh(_bend(v, h[k], lean, droop, p.wind, r[k], a[k]), b.faces))
        tints.append(col)
        tips.append(t)
        if heads[k] and not droopy[k]:  # a nodding spikelet where the blade ends
            sh = _seed_head(rng, h[k] * rng.uniform(0.12, 0.2))
            sv = sh.vertices.astype(np.float64)
            top = _bend(np.array([[0.0, 1.0, 0.0], [0.0, 0.97, 0.0]]), h[k], lean, 0.0, p.wind, r[k], a[k])
            axis = top[0] - top[1]
            axis = axis / max(np.linalg.norm(axis), 1e-9) + np.array([0.0, 0.0, 0.3])
            axis /= np.linalg.norm(axis)
            x = np.cross(axis, [0.0, 0.0, 1.0])
            x = x / np.linalg.norm(x) if np.linalg.norm(x) > 1e-6 else np.array([1.0, 0.0, 0.0])
            z = np.cross(x, axis)
            sv = sv[:, :1] * x + sv[:, 1:2] * axis + sv[:, 2:3] * z + top[0]
            parts.append(Mesh(sv, sh.faces))
            tints.append(np.broadcast_to(SEED[rng.integers(len(SEED))] * rng.uniform(0.85, 1.15, 3), (len(sv), 3)))
            tips.append(np.ones(len(sv)))
    return merge([Mesh(m.vertices, m.faces, {"tint": np.asarray(c, dtype=np.float32),
                                             "tip": np.asarray(t, dtype=np.float32)})
                  for m, c, t in zip(parts, tints, tips)])
