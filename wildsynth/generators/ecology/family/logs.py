"""Fallen logs (``plants/deadwood.py``): large, spaced, camera obstacles."""

from __future__ import annotations

from ...plants.deadwood import LogParams, log
from ..families import Family, dead_bark_material, register


def prototype(vegetation, k: int, n: int, rng):
    return log(LogParams(), rng), "log"


register(Family("logs", "large", 40, prototype, dead_bark_material, sink=0.02))
