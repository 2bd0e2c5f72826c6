"""Ferns: a rosette of arching fronds, each a rachis with pinnae that shrink to the tip."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ...core.mesh import Mesh
from .geometry import merge
from .leaves import frond


class FernParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fronds: int = Field(9, ge=1, le=40, description="fronds per plant")
    length: float = Field(0.7, gt=0.05, le=3.0, description="frond length, m")
    pinnae: int = Field(18, ge=3, le=60, description="pinnae (leaflets) per side")
    droop: float = Field(0.35, ge=0.0, le=1.0, description="arching of the frond")


def fern(params: FernParams, rng: np.random.Generator) -> Mesh:
    parts = []
    cols = []
    n = params.fronds
    for k in range(n):
        f = frond(rng, leaflets=params.pinnae, droop=params.droop * rng.uniform(0.7, 1.3),
                  leaflet_len=0.18, leaflet_width=0.04)
        a = 2 * np.pi * k / n + rng.normal(0, 0.2)
        elev = rng.uniform(0.5, 1.1)
        d = np.array([np.cos(a) * np.cos(elev), np.sin(a) * np.cos(elev), np.sin(elev)])
        x = np.cross(d, [0.0, 0.0, 1.0])
        x /= np.linalg.norm(x)
        z = np.cross(x, d)
        s = params.length * rng.uniform(0.7, 1.1)
        m = np.eye(4)
        m[:3, 0], m[:3, 1], m[:3, 2] = x * s, d * s, z * s
        parts.append(f.transformed(m))
        g = rng.uniform(0.8, 1.2)
        cols.append((0.035 * g, 0.1 * g, 0.02 * g))
    return merge(parts, colors=cols)
