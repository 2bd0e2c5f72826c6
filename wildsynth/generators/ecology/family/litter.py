"""Leaf litter (``plants/groundcover.py``): drifts of fallen leaves under broadleaf trees,
sharing one id per ground cell ("litter patch"); a drift is mostly one kind of leaf."""

from __future__ import annotations

from ...plants.groundcover import leaf_litter
from ..families import Family, plant_material, register

LITTER_CELL = 4.0  # metres: litter shares one id per cell


def prototype(vegetation, k: int, n: int, rng):
    shapes = vegetation.litter_shapes or ("ovate",)
    return leaf_litter(rng, shapes=(shapes[k % len(shapes)], shapes[(k + 1) % len(shapes)])), "litter"


register(Family("litter", "small", 165, prototype, plant_material("litter", translucency=0.1, roughness=0.75),
                id_cell=LITTER_CELL, id_namespace="litter_patch", tilt=0.15, clump_protos=0.7))
