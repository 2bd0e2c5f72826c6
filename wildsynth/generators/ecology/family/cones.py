"""Pine cones (``plants/deadwood.py``) under conifers."""

from __future__ import annotations

from ...plants.deadwood import pine_cone
from ..families import Family, plant_material, register


def prototype(vegetation, k: int, n: int, rng):
    return pine_cone(rng), "log"


register(Family("cones", "small", 150, prototype, plant_material("cones"), tilt=0.08, sink_scale=0.01))
