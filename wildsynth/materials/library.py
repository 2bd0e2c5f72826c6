"""Material recipes: (rng, params) -> Graph. Randomised within natural ranges.

Shading cost dominates Cycles time on 2 cores, so noise octaves (``detail``)
are kept low: finer detail than a pixel only adds sampling noise.

Recipes read per-vertex masks written by the generators (``slope`` in [0, 1],
``height`` in metres) through attribute nodes; they never move geometry.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..core.scene import MaterialRef
from .graph import Graph

Recipe = Callable[[np.random.Generator, dict], Graph]
RECIPES: dict[str, Recipe] = {}


def recipe(name: str):
    def register(fn: Recipe) -> Recipe:
        RECIPES[name] = fn
        return fn
    return register


def build(ref: MaterialRef) -> Graph:
    """The graph for a material reference (same ref -> same graph)."""
    try:
        fn = RECIPES[ref.recipe]
    except KeyError:
        raise KeyError(f"unknown material {ref.recipe!r}; known: {', '.join(sorted(RECIPES))}") from None
    rng = np.random.default_rng(ref.seed)
    return fn(rng, dict(ref.params))


def _jitter(rng: np.random.Generator, rgb: tuple, amount: float = 0.08) -> tuple:
    """Scale a linear RGB colour by a random brightness and slight hue shift."""
    c = np.asarray(rgb) * rng.uniform(1 - amount, 1 + amount) * rng.uniform(1 - amount / 2, 1 + amount / 2, 3)
    return tuple(float(x) for x in np.clip(c, 0.0, 1.0))


@recipe("meadow_ground")
def meadow_ground(rng: np.random.Generator, params: dict) -> Graph:
    """Grass-covered ground with dirt patches, rock on steep slopes and snow up high."""
    g = Graph("meadow_ground")
    p = g.coords("Object")
    patches = g.noise(p, scale=0.05, detail=2.0, roughness=0.6)
    fine = g.noise(p, scale=3.0, detail=2.0, roughness=0.7)
    grass = g.ramp(patches["Fac"], [(0.35, _jitter(rng, (0.045, 0.11, 0.018))),
                                    (0.65, _jitter(rng, (0.13, 0.17, 0.035)))])
    grass = g.mix(0.3, grass, g.ramp(fine["Fac"], [(0.3, (0.03, 0.07, 0.012)), (0.7, (0.14, 0.19, 0.05))]))
    dirt = _jitter(rng, (0.16, 0.11, 0.065))
    dirt_mask = g.map_range(g.noise(p, scale=0.15, detail=1.0)["Fac"], 0.62, 0.7)
    ground = g.mix(dirt_mask, grass, dirt)
    rock_col = g.ramp(g.noise(p, scale=0.8, detail=3.0)["Fac"], [(0.3, _jitter(rng, (0.12, 0.11, 0.1))),
                                                               (0.7, _jitter(rng, (0.3, 0.28, 0.26)))])
    slope = g.attribute("slope")["Fac"]
    rock_mask = g.map_range(g.math("ADD", slope, g.math("MULTIPLY", fine["Fac"], 0.2)), 0.42, 0.5)
    col = g.mix(rock_mask, ground, rock_col)
    snowline = float(params.get("snowline", 400.0))
    height = g.attribute("height")["Fac"]
    snow_mask = g.map_range(g.math("ADD", height, g.math("MULTIPLY", patches["Fac"], 60.0)), snowline, snowline + 40.0)
    col = g.mix(g.math("MULTIPLY", snow_mask, g.math("SUBTRACT", 1.0, rock_mask)), col, (0.8, 0.82, 0.85))
    g.surface(g.principled(base_color=col, roughness=g.map_range(rock_mask, 0, 1, 0.95, 0.75),
                           normal=g.bump(fine["Fac"], strength=0.4, distance=0.05)))
    return g


@recipe("rock")
def rock(rng: np.random.Generator, params: dict) -> Graph:
    """Weathered grey-brown stone, varied per instance, with lichen spots."""
    g = Graph("rock")
    p = g.coords("Object")
    n = g.noise(p, scale=rng.uniform(1.5, 3.0), detail=4.0, roughness=0.65)
    cells = g.voronoi(p, scale=rng.uniform(3.0, 6.0))
    base = g.ramp(n["Fac"], [(0.3, _jitter(rng, (0.09, 0.085, 0.08), 0.2)),
                             (0.7, _jitter(rng, (0.32, 0.3, 0.27), 0.2))])
    tint = g.ramp(g.object_random(), [(0.0, (0.8, 0.8, 0.8)), (1.0, (1.15, 1.08, 1.0))])
    base = g.mix(1.0, base, tint, blend="MULTIPLY")
    lichen = g.map_range(g.noise(p, scale=6.0, detail=1.0)["Fac"], 0.63, 0.68)
    col = g.mix(lichen, base, _jitter(rng, (0.2, 0.22, 0.08), 0.2))
    height = g.math("ADD", n["Fac"], g.math("MULTIPLY", cells["Distance"], 0.5))
    g.surface(g.principled(base_color=col, roughness=0.85, normal=g.bump(height, strength=0.6, distance=0.05)))
    return g
