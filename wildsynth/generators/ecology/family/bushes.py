"""Bushes and saplings: small trees (``plants/trees.py`` species bush, sapling, ...)."""

from __future__ import annotations

from ..families import Family, register
from .trees import grow, materials

register(Family("bushes", "tree", 20, grow, materials, semantic="bush", tilt=0.02, sink=0.15))
