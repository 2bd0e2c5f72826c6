"""Fallen bark (``plants/groundcover.py``): curled slabs shed by old trees and logs."""

from __future__ import annotations

from ...plants.groundcover import bark_piece
from ..families import Family, plant_material, register


def prototype(vegetation, k: int, n: int, rng):
    return bark_piece(rng), "litter"


register(Family("bark", "small", 175, prototype, plant_material("bark_pieces", roughness=0.9), tilt=0.2))
