"""Grass: tufts of blades (``plants/grass.py``), sharing one instance id per ground cell."""

from __future__ import annotations

from ....core.scene import MaterialRef
from ...plants.grass import tuft
from ..families import Family, register

GRASS_CELL = 4.0  # metres: grass tufts share one id per cell ("grass patch")


def prototype(vegetation, k: int, n: int, rng):
    return tuft(vegetation.grass_tuft, rng), "grass"


def material(vegetation, mats) -> MaterialRef:
    return MaterialRef("grass", mats.child("grass").int(), (("dry", vegetation.grass_tuft.dry),))


def counts(vegetation, n: int) -> dict[str, int]:
    return {"grass_blades": n * vegetation.grass_tuft.blades}


register(Family("grass", "small", 100, prototype, material, id_cell=GRASS_CELL, id_namespace="grass_patch",
                tilt=0.08, sink_scale=0.01, lod_power=1.5, wind_yaw=True, counts=counts))
