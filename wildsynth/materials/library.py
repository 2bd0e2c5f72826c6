"""Material recipes: (rng, params) -> Graph. Randomised within natural ranges.

Shading cost dominates Cycles time on 2 cores, so noise octaves (``detail``)
are kept low: finer detail than a pixel only adds sampling noise.

Recipes read per-vertex masks written by the generators (``slope`` in [0, 1],
``height`` in metres) through attribute nodes; shaders never move geometry.

A recipe may also register a numpy displacement (``@recipe(name,
displacement=fn)``, usually a ``relief.Relief`` or a blend of them by the same
masks the shader uses). It changes shape in the displacement stage
(``displace.apply_displacements``), which the pipeline runs between scene build
and render, so RGB and every ground-truth pass see the displaced surface. Each
displacement is band-limited to the tessellation of the shot: octaves whose
wavelength is below about twice the local vertex spacing (or the pixel
footprint, when cameras are given) are dropped (see ``relief``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..core.scene import MaterialRef
from .graph import Graph
from .relief import Relief, Surface, blend, ramp

Recipe = Callable[[np.random.Generator, dict], Graph]
# (surface: points, normals, band-limit spacing, masks; rng; params) -> offsets along the normals (V,), metres
Displacement = Callable[[Surface, np.random.Generator, dict], np.ndarray]
RECIPES: dict[str, Recipe] = {}
DISPLACEMENTS: dict[str, Displacement] = {}


def recipe(name: str, displacement: Displacement | None = None):
    """Register a recipe under ``name``, optionally with a numpy displacement that
    moves vertices before any renderer sees the mesh (so ground truth follows it)."""
    def register(fn: Recipe) -> Recipe:
        if name in RECIPES and RECIPES[name].__module__ != fn.__module__:
            raise ValueError(f"material {name!r} is registered twice ({RECIPES[name].__module__} and {fn.__module__})")
        RECIPES[name] = fn
        if displacement is not None:
            DISPLACEMENTS[name] = displacement
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


# meadow ground relief, metres: grass-root tussocks on soil, clods on bare dirt, rock, wind-blown snow
_MEADOW_SOIL = Relief(1.0, 0.03, octaves=6)
_MEADOW_DIRT = Relief(3.0, 0.02, octaves=4)
_MEADOW_ROCK = Relief(1.5, 0.05, octaves=5)
_MEADOW_SNOW = Relief(0.7, 0.03, octaves=3)


def meadow_ground_relief(surface: Surface, rng: np.random.Generator, params: dict) -> np.ndarray:
    """Relief of what ``meadow_ground`` shows at each vertex, weighted by the shader's own
    masks (its fine noise taken at its mean, 0.5)."""
    rock = ramp(surface.mask("slope") + 0.075, 0.45, 0.52)
    dirt = ramp(surface.mask("dirt") + 0.075, 0.82, 0.9)
    snowline = float(params.get("snowline", 400.0))
    snow = ramp(surface.mask("height") + 80.0 * surface.mask("patch", 0.5), snowline, snowline + 40.0) * (1 - rock)
    ground = (1 - rock) * (1 - snow)
    return blend(surface, rng, params, [(ground * (1 - dirt), _MEADOW_SOIL), (ground * dirt, _MEADOW_DIRT),
                                        (rock * (1 - snow), _MEADOW_ROCK), (snow, _MEADOW_SNOW)])


@recipe("meadow_ground", displacement=meadow_ground_relief)
def meadow_ground(rng: np.random.Generator, params: dict) -> Graph:
    """Grass-covered ground with dirt patches, rock on steep slopes and snow up high.

    Large-scale variation comes from the terrain's per-vertex masks (patch,
    dirt, slope, height); one cheap noise adds detail finer than a triangle.
    """
    g = Graph("meadow_ground")
    p = g.coords("Object")
    fine = g.noise(p, scale=4.0, detail=1.0, roughness=0.5)["Fac"]
    patch = g.attribute("patch")["Fac"]
    vary = g.math("ADD", patch, g.math("MULTIPLY", g.math("SUBTRACT", fine, 0.5), 0.5))
    grass = g.ramp(vary, [(0.2, _jitter(rng, (0.035, 0.09, 0.015))), (0.5, _jitter(rng, (0.08, 0.14, 0.025))),
                          (0.85, _jitter(rng, (0.16, 0.17, 0.04)))])
    dirt_mask = g.map_range(g.math("ADD", g.attribute("dirt")["Fac"], g.math("MULTIPLY", fine, 0.15)), 0.82, 0.9)
    ground = g.mix(dirt_mask, grass, _jitter(rng, (0.16, 0.11, 0.065)))
    rock_col = g.ramp(vary, [(0.2, _jitter(rng, (0.1, 0.095, 0.09))), (0.8, _jitter(rng, (0.3, 0.28, 0.26)))])
    slope = g.attribute("slope")["Fac"]
    rock_mask = g.map_range(g.math("ADD", slope, g.math("MULTIPLY", fine, 0.15)), 0.45, 0.52)
    col = g.mix(rock_mask, ground, rock_col)
    snowline = float(params.get("snowline", 400.0))
    height = g.attribute("height")["Fac"]
    snow_mask = g.map_range(g.math("ADD", height, g.math("MULTIPLY", patch, 80.0)), snowline, snowline + 40.0)
    col = g.mix(g.math("MULTIPLY", snow_mask, g.math("SUBTRACT", 1.0, rock_mask)), col, (0.8, 0.82, 0.85))
    g.surface(g.principled(base_color=col, roughness=g.map_range(rock_mask, 0, 1, 0.95, 0.75)))
    return g


# in object units: rock prototypes have a half-length of about 1 (placements scale them), so a
# 0.6 m boulder gets ~0.5 cm typical, ~2 cm peak relief, a 2.5 m one ~8 cm peak
@recipe("rock", displacement=Relief(1.2, 0.05, octaves=5))
def rock(rng: np.random.Generator, params: dict) -> Graph:
    """Weathered grey-brown stone, varied per instance, with lichen spots."""
    g = Graph("rock")
    p = g.coords("Object")
    n = g.noise(p, scale=rng.uniform(1.5, 3.0), detail=2.0, roughness=0.65)
    base = g.ramp(n["Fac"], [(0.3, _jitter(rng, (0.09, 0.085, 0.08), 0.2)),
                             (0.7, _jitter(rng, (0.32, 0.3, 0.27), 0.2))])
    tint = g.ramp(g.object_random(), [(0.0, (0.8, 0.8, 0.8)), (1.0, (1.15, 1.08, 1.0))])
    base = g.mix(1.0, base, tint, blend="MULTIPLY")
    lichen = g.map_range(g.noise(p, scale=9.0, detail=0.0)["Fac"], 0.66, 0.7, 0.0, 0.6)
    col = g.mix(lichen, base, _jitter(rng, (0.16, 0.17, 0.09), 0.2))
    g.surface(g.principled(base_color=col, roughness=0.85, normal=g.bump(n["Fac"], strength=0.5, distance=0.05)))
    return g
