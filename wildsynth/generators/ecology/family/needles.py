"""Needle litter (``plants/groundcover.py``): mats of fallen needles under conifers, sharing the
litter's ids per ground cell ("litter patch")."""

from __future__ import annotations

from ...plants.groundcover import needle_litter
from ..families import Family, plant_material, register
from .litter import LITTER_CELL


def prototype(vegetation, k: int, n: int, rng):
    return needle_litter(rng), "litter"


register(Family("needles", "small", 170, prototype, plant_material("needles", roughness=0.7),
                id_cell=LITTER_CELL, id_namespace="litter_patch", tilt=0.15))
