"""Mushrooms: a lathed stem and cap (dome or flat, optional spots) with gills below."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ...core.mesh import Mesh
from .geometry import lathe, merge

CAPS = [(0.45, 0.25, 0.12), (0.6, 0.05, 0.02), (0.75, 0.65, 0.5), (0.3, 0.18, 0.08), (0.7, 0.45, 0.1)]


class MushroomParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    height: float = Field(0.08, gt=0.01, le=0.5, description="stem height, m")
    cap_radius: float = Field(0.04, gt=0.005, le=0.4, description="cap radius, m")
    dome: float = Field(0.6, ge=0.0, le=1.5, description="cap height relative to its radius")
    cluster: int = Field(3, ge=1, le=12, description="mushrooms in one cluster")


def mushroom(params: MushroomParams, rng: np.random.Generator) -> Mesh:
    parts, cols = [], []
    cap_col = CAPS[int(rng.integers(len(CAPS)))]
    for k in range(params.cluster):
        h = params.height * rng.uniform(0.6, 1.3)
        rc = params.cap_radius * rng.uniform(0.6, 1.3)
        off = np.array([*rng.normal(0, rc * 0.9, 2), 0.0]) if k else np.zeros(3)
        zs = np.linspace(0, h, 6)
        rs = 0.18 * rc * (1.0 + 0.3 * (1 - zs / h) ** 2)
        stem = lathe(rs, zs, sides=10, close_bottom=True, close_top=False)
        phi = np.linspace(0, np.pi / 2, 8)
        dome = params.dome * rng.uniform(0.7, 1.3)
        cr = rc * np.sin(phi)[::-1]
        cz = h + dome * rc * np.cos(phi)[::-1] * 0.9
        cap = lathe(np.concatenate([[rc * 0.98], cr]), np.concatenate([[h - 0.05 * rc], cz]), sides=16,
                    close_bottom=False, close_top=True)
        gills = lathe(np.array([0.2 * rc, 0.98 * rc]), np.array([h - 0.15 * rc * dome, h - 0.05 * rc]), sides=16,
                      close_bottom=False, close_top=False)
        gills = Mesh(gills.vertices, gills.faces[:, ::-1])  # facing down
        tilt = np.eye(4)
        tilt[:3, 3] = off
        for p, c in ((stem, (0.75, 0.7, 0.6)), (cap, cap_col), (gills, (0.6, 0.52, 0.42))):
            parts.append(p.transformed(tilt))
            cols.append(tuple(float(x) for x in np.clip(np.asarray(c) * rng.uniform(0.85, 1.15), 0, 1)))
    return merge(parts, colors=cols)
