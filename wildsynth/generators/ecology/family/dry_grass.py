"""Dry grass: tufts of dead and sunburnt blades (``plants/grass.py`` with the layer's own tuft
parameters), in patches; they share the grass's ids per ground cell ("grass patch")."""

from __future__ import annotations

from ....core.scene import MaterialRef
from ...plants.grass import tuft
from ..families import Family, register
from .grass import GRASS_CELL


def prototype(vegetation, k: int, n: int, rng):
    return tuft(vegetation.dry_grass_tuft, rng), "grass"


def material(vegetation, mats) -> MaterialRef:
    return MaterialRef("grass", mats.child("grass/dry").int(), (("dry", vegetation.dry_grass_tuft.dry),))


def counts(vegetation, n: int) -> dict[str, int]:
    return {"dry_grass_blades": n * vegetation.dry_grass_tuft.blades}


register(Family("dry_grass", "small", 102, prototype, material, id_cell=GRASS_CELL, id_namespace="grass_patch",
                tilt=0.1, sink_scale=0.01, lod_power=1.5, wind_yaw=True, counts=counts))
