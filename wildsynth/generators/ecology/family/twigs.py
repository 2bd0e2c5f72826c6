"""Fallen twigs (``plants/deadwood.py``) on the forest floor."""

from __future__ import annotations

from ...plants.deadwood import twig
from ..families import Family, dead_bark_material, register


def prototype(vegetation, k: int, n: int, rng):
    return twig(rng.uniform(0.2, 0.6), rng), "log"


register(Family("twigs", "small", 140, prototype, dead_bark_material, tilt=0.08, sink_scale=0.01))
