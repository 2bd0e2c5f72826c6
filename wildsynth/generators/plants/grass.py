"""Grass tufts: curved, tapering blades bent by the wind, merged per tuft.

A tuft (one mesh, ~10-40 blades) is the unit that scenes scatter as
instances; a handful of tuft prototypes per scene gives endless variety once
each placement is rotated (within the wind's spread) and scaled.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ...core.mesh import Mesh
from .geometry import blade, merge


class GrassParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    blades: int = Field(24, ge=1, le=200, description="blades per tuft")
    height: float = Field(0.35, gt=0.02, le=2.0, description="median blade height, m")
    width: float = Field(0.006, gt=0.0005, le=0.05, description="blade half-width at the base, m")
    spread: float = Field(0.08, ge=0.0, le=1.0, description="radius of the tuft base, m")
    wind: float = Field(0.35, ge=0.0, le=1.5, description="bend along +X (the wind direction), relative to height")
    segments: int = Field(5, ge=2, le=12, description="segments along each blade")
    dry: float = Field(0.2, ge=0.0, le=1.0, description="fraction of the blade that is dry at the tip")


def tuft(params: GrassParams, rng: np.random.Generator) -> Mesh:
    """One tuft; blades lean out from the centre and bend with the wind (+X)."""
    n = params.blades
    r = params.spread * np.sqrt(rng.uniform(0, 1, n))
    a = rng.uniform(0, 2 * np.pi, n)
    h = params.height * np.exp(rng.normal(0, 0.25, n))
    parts = []
    for k in range(n):
        w = params.width * rng.uniform(0.7, 1.3)
        b = blade(lambda t: w * (1.0 - t**1.5) + 1e-4, 1.0, n_along=params.segments, n_across=2,
                  fold=0.3, twist=rng.uniform(-0.6, 0.6))
        v = b.vertices.astype(np.float64)
        t = v[:, 1].copy()  # 0..1 along the blade
        lean = rng.uniform(0.1, 0.5) + params.wind * 0.5
        # blade in its own vertical plane: up along Z, bending outward by lean*t^2
        z = t * h[k] * (1.0 - 0.3 * lean * t)
        out = lean * h[k] * t**2 * 0.6
        dirx, diry = np.cos(a[k]), np.sin(a[k])
        x = v[:, 0] * -diry + out * dirx + r[k] * dirx + params.wind * h[k] * t**2 * 0.5
        y = v[:, 0] * dirx + out * diry + r[k] * diry
        z = z + v[:, 2]
        parts.append(Mesh(np.stack([x, y, z], -1), b.faces, {"tip": b.attributes["tip"]}))
    return merge(parts)
