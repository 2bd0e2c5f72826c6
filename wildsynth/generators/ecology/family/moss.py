"""Moss cushions and lichen crusts (``plants/groundcover.py``) on shaded, moist ground; the
layer's ``lichen`` share of prototypes are lichen. One id per ground cell ("moss patch")."""

from __future__ import annotations

from ...plants.groundcover import lichen_patch, moss_patch
from ..families import Family, plant_material, register

MOSS_CELL = 4.0  # metres


def prototype(vegetation, k: int, n: int, rng):
    lichens = round(vegetation.lichen * n)
    return (lichen_patch(rng) if k >= n - lichens else moss_patch(rng)), "moss"


register(Family("moss", "small", 180, prototype, plant_material("moss", translucency=0.05, roughness=0.95),
                id_cell=MOSS_CELL, id_namespace="moss_patch", tilt=0.1, clump_protos=0.6, lod_power=1.5))
