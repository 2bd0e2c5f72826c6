"""Mushrooms (``plants/mushrooms.py``): clusters of one to four caps."""

from __future__ import annotations

from ...plants.mushrooms import MushroomParams, mushroom
from ..families import Family, plant_material, register


def prototype(vegetation, k: int, n: int, rng):
    return mushroom(MushroomParams(cluster=int(rng.integers(1, 5))), rng), "mushroom"


register(Family("mushrooms", "small", 130, prototype, plant_material("mushrooms", roughness=0.5), tilt=0.08,
                sink_scale=0.01))
