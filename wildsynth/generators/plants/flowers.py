"""Flowers: a curved stem, leaves, a ring (or two) of parametric petals and a centre.

The mesh carries a per-vertex ``tint`` (stem green, petal colour, centre) for
the ``plant_vcol`` material.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ...core.mesh import Mesh
from ..rocks import icosphere
from .geometry import Skeleton, blade, merge, skin

PALETTE = [(0.8, 0.75, 0.7), (0.85, 0.65, 0.02), (0.6, 0.05, 0.1), (0.35, 0.15, 0.6), (0.8, 0.3, 0.5),
           (0.2, 0.3, 0.8), (0.85, 0.35, 0.02)]


class FlowerParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    height: float = Field(0.35, gt=0.03, le=2.0, description="stem height, m")
    petals: int = Field(0, ge=0, le=40, description="petals per ring (0 = random 5-14)")
    petal_length: float = Field(0.035, gt=0.002, le=0.2, description="petal length, m")
    petal_width: float = Field(0.4, gt=0.05, le=1.5, description="petal width relative to length")
    cup: float = Field(0.3, ge=-0.5, le=1.5, description="how much petals curve upward (0 flat, 1 cup)")
    color: int = Field(-1, ge=-1, le=len(PALETTE) - 1, description="petal colour index (-1 random)")


def flower(params: FlowerParams, rng: np.random.Generator) -> Mesh:
    h = params.height * rng.uniform(0.8, 1.2)
    n = 8
    t = np.linspace(0, 1, n)
    lean = rng.normal(0, 0.12, 2) * h
    stem_pts = np.stack([lean[0] * t**2, lean[1] * t**2, h * t], -1)
    stem = skin(Skeleton(stem_pts, np.arange(n) - 1, np.full(n, 0.0025 * (h / 0.35) ** 0.5)), sides=5)
    top = stem_pts[-1]
    petals = params.petals or int(rng.integers(5, 15))
    L = params.petal_length * rng.uniform(0.8, 1.25)
    wrel = params.petal_width
    petal = blade(lambda s: wrel * 0.5 * np.sin(np.pi * np.clip(s, 0, 1) ** 0.8) + 1e-3, 1.0,
                  n_along=6, n_across=3, fold=0.1, curl=-params.cup * 0.5)
    col = PALETTE[params.color if params.color >= 0 else int(rng.integers(len(PALETTE)))]
    col = tuple(float(c) for c in np.clip(np.asarray(col) * rng.uniform(0.85, 1.15, 3), 0, 1))
    parts, cols = [stem], [(0.05, 0.12, 0.02)]
    rings = 2 if petals > 9 else 1
    for ring in range(rings):
        for k in range(petals):
            a = 2 * np.pi * (k + 0.5 * ring) / petals
            d = np.array([np.cos(a), np.sin(a), 0.15 + 0.3 * params.cup + 0.2 * ring])
            d /= np.linalg.norm(d)
            x = np.cross(d, [0.0, 0.0, 1.0])
            x /= np.linalg.norm(x)
            z = np.cross(x, d)
            s = L * (1.0 - 0.2 * ring)
            m = np.eye(4)
            m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = x * s, d * s, z * s, top + [0, 0, 0.002 * ring]
            parts.append(petal.transformed(m))
            cols.append(col)
    c = icosphere(1)
    m = np.diag([0.25 * L, 0.25 * L, 0.15 * L, 1.0])
    m[:3, 3] = top + [0, 0, 0.003]
    parts.append(c.transformed(m))
    cols.append((0.5, 0.35, 0.02) if rng.uniform() < 0.7 else (0.1, 0.06, 0.02))
    for k in range(int(rng.integers(1, 4))):  # stem leaves
        tz = rng.uniform(0.1, 0.5)
        a = rng.uniform(0, 2 * np.pi)
        lf = blade(lambda s: 0.15 * np.sin(np.pi * np.clip(s, 0, 1)) + 1e-3, 1.0, n_along=5, n_across=3,
                   fold=0.3, curl=0.2)
        d = np.array([np.cos(a), np.sin(a), 0.8])
        d /= np.linalg.norm(d)
        x = np.cross(d, [0.0, 0.0, 1.0])
        x /= np.linalg.norm(x)
        s = 0.3 * h
        m = np.eye(4)
        m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = x * s, d * s, np.cross(x, d) * s, [lean[0] * tz**2, lean[1] * tz**2, h * tz]
        parts.append(lf.transformed(m))
        cols.append((0.05, 0.13, 0.02))
    out = merge([Mesh(p.vertices, p.faces) for p in parts], colors=cols)
    return out
