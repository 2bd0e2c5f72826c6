"""Ferns (``plants/ferns.py``): shade and moisture lovers of the forest floor."""

from __future__ import annotations

from ...plants.ferns import FernParams, fern
from ..families import Family, plant_material, register


def prototype(vegetation, k: int, n: int, rng):
    return fern(FernParams(), rng), "fern"


register(Family("ferns", "small", 120, prototype, plant_material("ferns", translucency=0.3), tilt=0.08,
                sink_scale=0.01))
