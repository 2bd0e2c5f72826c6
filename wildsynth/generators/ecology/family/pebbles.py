"""Pebbles: small rocks (``rocks.py``, kind pebble) strewn near the camera."""

from __future__ import annotations

from ...rocks import RockParams, rock_mesh
from ..families import Family, register, rock_material


def prototype(vegetation, k: int, n: int, rng):
    return rock_mesh(RockParams(kind="pebble", subdivisions=2), rng), "rock"


register(Family("pebbles", "small", 160, prototype, rock_material, tilt=0.08, sink_scale=0.01))
