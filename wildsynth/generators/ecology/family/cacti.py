"""Cacti (``plants/cacti.py``): the kinds of ``VegetationParams.cactus_kinds`` in turn, 0.8-3.2 m (most
cacti a camera meets are young: a saguaro takes ~50 years to reach 2 m)."""

from __future__ import annotations

from ...plants.cacti import CactusParams, cactus
from ..families import Family, plant_material, register


def prototype(vegetation, k: int, n: int, rng):
    kinds = sorted(name for name, w in vegetation.cactus_kinds.items() if w > 0)
    kind = kinds[k % len(kinds)]
    return cactus(CactusParams(kind=kind, height=rng.uniform(0.8, 3.2)), rng), "cactus"


register(Family("cacti", "large", 30, prototype, plant_material("cacti", roughness=0.45), sink=0.02))
