"""Wildflowers (``plants/flowers.py``): with three or more prototypes each gets its own colour."""

from __future__ import annotations

from ...plants.flowers import FlowerParams, flower
from ..families import Family, plant_material, register


def prototype(vegetation, k: int, n: int, rng):
    return flower(FlowerParams(color=k % 7 if n >= 3 else -1), rng), "flower"


register(Family("flowers", "small", 110, prototype, plant_material("flowers", translucency=0.3), tilt=0.08,
                sink_scale=0.01, clump_protos=0.85))  # a clustered patch is mostly one colour
