"""Boulders (``rocks.py``): unit rocks scaled by the layer's footprint, a quarter buried."""

from __future__ import annotations

from ...rocks import RockParams, rock_mesh
from ..families import Family, register, rock_material


def prototype(vegetation, k: int, n: int, rng):
    return rock_mesh(RockParams(kind="boulder", subdivisions=3), rng), "rock"


register(Family("boulders", "large", 50, prototype, rock_material, sink_scale=0.25, size_by_footprint=True))
