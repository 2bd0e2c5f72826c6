"""Terrain, water and ice materials for the landscape scenes.

``terrain`` is one layered ground shader driven by the per-vertex masks the
terrain generator writes (slope, height, snow, beach, moisture, patch, dirt),
with a palette per landscape (``palette`` param): base ground, rock on steep
slopes (with strata bands where the palette has them), beach sand, snow.
The same thresholds decide the semantic split of the terrain mesh (see
``scenes/landscapes.py``), so segmentation follows what the image shows.
Cheap on purpose (few noise octaves): shading dominates render time.

Its displacement (``terrain_relief``) is the relief of what the shader shows at
each vertex, weighted by the same masks: rock relief (with strata ledges where
the palette has bands) on steep slopes, sand ripples on beaches, snow drifts,
the palette's soil elsewhere.
"""

from __future__ import annotations

import numpy as np

from .graph import Graph
from .library import _jitter, recipe
from .relief import Relief, Surface, blend, ramp

# palette: ground (dark, light), rock (dark, light), strata band colour, strata spacing m (0: none)
PALETTES = {
    "mountain": ((0.05, 0.07, 0.03), (0.14, 0.13, 0.07), (0.09, 0.085, 0.08), (0.3, 0.28, 0.26), None, 0.0),
    "plains": ((0.04, 0.09, 0.015), (0.12, 0.15, 0.03), (0.1, 0.09, 0.08), (0.28, 0.26, 0.24), None, 0.0),
    "desert": ((0.42, 0.27, 0.13), (0.62, 0.43, 0.23), (0.35, 0.2, 0.1), (0.5, 0.32, 0.18), None, 0.0),
    "canyon": ((0.32, 0.17, 0.08), (0.48, 0.3, 0.16), (0.28, 0.11, 0.05), (0.55, 0.28, 0.14), (0.5, 0.34, 0.2), 9.0),
    "cliff": ((0.06, 0.09, 0.03), (0.15, 0.15, 0.07), (0.11, 0.09, 0.07), (0.27, 0.23, 0.18), (0.17, 0.13, 0.09), 6.0),
    "coast": ((0.06, 0.09, 0.03), (0.16, 0.16, 0.07), (0.14, 0.13, 0.12), (0.35, 0.33, 0.3), None, 0.0),
    "river": ((0.03, 0.08, 0.015), (0.1, 0.14, 0.03), (0.1, 0.09, 0.08), (0.28, 0.26, 0.24), None, 0.0),
    "arctic": ((0.1, 0.1, 0.09), (0.22, 0.21, 0.2), (0.07, 0.07, 0.075), (0.22, 0.21, 0.21), None, 0.0),
    "cave": ((0.1, 0.085, 0.07), (0.25, 0.21, 0.17), (0.08, 0.07, 0.06), (0.3, 0.26, 0.22), (0.18, 0.14, 0.1), 1.5),
}

# thresholds shared with the semantic split of the terrain mesh
ROCK_SLOPE = 0.42  # slope (1 - n_z) where bare rock starts
SAND = (0.5, 0.4, 0.27)
SNOW = (0.82, 0.85, 0.9)


# relief, metres: soil per palette (default _SOIL), rock with or without strata, beach sand, snow
_SOIL = Relief(1.0, 0.03, octaves=6)
_GROUND_RELIEF = {
    "desert": Relief(1.5, 0.008, octaves=3, ripple_wavelength=0.12, ripple_amplitude=0.004),
    "canyon": Relief(3.0, 0.01, octaves=3),
    "arctic": Relief(4.0, 0.012, octaves=4),  # frost-shattered gravel
    "cave": Relief(3.0, 0.01, octaves=4),
}
_ROCK = Relief(1.5, 0.05, octaves=5)
_SAND = Relief(4.0, 0.004, octaves=3, ripple_wavelength=0.1, ripple_amplitude=0.003)
_SNOW = Relief(0.7, 0.03, octaves=3)


def _rock_relief(palette: str) -> Relief:
    spacing = PALETTES[palette][5]
    return Relief(0.6, 0.06, octaves=5, strata=1.0 / spacing) if spacing > 0 else _ROCK


def terrain_weights(surface: Surface, params: dict) -> dict[str, np.ndarray]:
    """Per-vertex weights (sum 1) of ground, rock, sand and snow as ``terrain`` mixes its
    colours (its fine noise taken at its mean, 0.5)."""
    rs = float(params.get("rock_slope", ROCK_SLOPE))
    rock = ramp(surface.mask("slope") + 0.075, rs + 0.04, rs + 0.11)
    beach = ramp(surface.mask("beach"), 0.4, 0.6)
    snow = ramp(surface.mask("snow") + 0.05, 0.45, 0.6)
    return {"ground": (1 - rock) * (1 - beach) * (1 - snow), "rock": rock * (1 - beach) * (1 - snow),
            "sand": beach * (1 - snow), "snow": snow}


def terrain_relief(surface: Surface, rng: np.random.Generator, params: dict) -> np.ndarray:
    """Relief of the palette's ground, rock, sand and snow, blended as the shader blends them."""
    name = params.get("palette", "mountain")
    if name not in PALETTES:
        raise KeyError(f"terrain palette {name!r}; known: {', '.join(PALETTES)}")
    w = terrain_weights(surface, params)
    rock = _rock_relief(name)
    ground, bare = w["ground"], w["rock"]
    if name == "canyon":  # floors and plateaus are half the same red rock (as in the shader)
        ground, bare = 0.5 * ground, bare + 0.5 * ground
    return blend(surface, rng, params, [(ground, _GROUND_RELIEF.get(name, _SOIL)), (bare, rock),
                                        (w["sand"], _SAND), (w["snow"], _SNOW)])


@recipe("terrain", displacement=terrain_relief)
def terrain(rng: np.random.Generator, params: dict) -> Graph:
    """Layered ground for a landscape palette: ground, rock (strata), beach sand, snow."""
    name = params.get("palette", "mountain")
    if name not in PALETTES:
        raise KeyError(f"terrain palette {name!r}; known: {', '.join(PALETTES)}")
    g0, g1, r0, r1, band, spacing = PALETTES[name]
    rock_slope = float(params.get("rock_slope", ROCK_SLOPE))
    g = Graph(f"terrain_{name}")
    p = g.coords("Object")
    fine = g.noise(p, scale=3.0, detail=1.0, roughness=0.5)["Fac"]
    patch = g.attribute("patch")["Fac"]
    vary = g.math("ADD", patch, g.math("MULTIPLY", g.math("SUBTRACT", fine, 0.5), 0.6))
    ground = g.ramp(vary, [(0.2, _jitter(rng, g0)), (0.85, _jitter(rng, g1))])
    dirt = g.map_range(g.math("ADD", g.attribute("dirt")["Fac"], g.math("MULTIPLY", fine, 0.15)), 0.8, 0.9)
    ground = g.mix(dirt, ground, _jitter(rng, g0 if name in ("desert", "canyon") else (0.14, 0.1, 0.06)))
    wet = g.map_range(g.attribute("moisture")["Fac"], 0.55, 0.9)  # gullies and flow lines darker
    ground = g.mix(g.math("MULTIPLY", wet, 0.5), ground, (0.02, 0.02, 0.015), blend="MULTIPLY")
    rock = g.ramp(vary, [(0.2, _jitter(rng, r0)), (0.85, _jitter(rng, r1))])
    if band is not None and spacing > 0:
        z = g.attribute("height")["Fac"]
        layers = g.math("SINE", g.math("MULTIPLY", g.math("ADD", z, g.math("MULTIPLY", fine, 1.5)),
                                         2 * np.pi / spacing))
        rock = g.mix(g.map_range(layers, 0.3, 0.8, 0.0, 0.6), rock, _jitter(rng, band))
        if name in ("canyon",):  # canyon floors and plateaus show the same red rock
            ground = g.mix(0.5, ground, rock)
    slope = g.attribute("slope")["Fac"]
    rock_mask = g.map_range(g.math("ADD", slope, g.math("MULTIPLY", fine, 0.15)), rock_slope + 0.04,
                            rock_slope + 0.11)
    col = g.mix(rock_mask, ground, rock)
    beach = g.map_range(g.attribute("beach")["Fac"], 0.4, 0.6)
    col = g.mix(beach, col, _jitter(rng, SAND, 0.05))
    snow = g.map_range(g.math("ADD", g.attribute("snow")["Fac"], g.math("MULTIPLY", fine, 0.1)), 0.45, 0.6)
    col = g.mix(snow, col, SNOW)
    rough = g.map_range(rock_mask, 0, 1, 0.95, 0.8)
    g.surface(g.principled(base_color=col, roughness=rough,
                           normal=g.bump(fine, strength=0.25, distance=0.05)))
    return g


@recipe("water")
def water(rng: np.random.Generator, params: dict) -> Graph:
    """Clear water: glass-like principled BSDF (transmission, IOR 1.33), tinted."""
    g = Graph("water")
    tint = _jitter(rng, tuple(params.get("tint", (0.55, 0.75, 0.8))), 0.05)
    g.surface(g.principled(base_color=tint, roughness=0.02, ior=1.333, transmission_weight=1.0))
    return g


@recipe("ice")
def ice(rng: np.random.Generator, params: dict) -> Graph:
    """Lake ice: pale blue, glossy, with cracks and snow dust."""
    g = Graph("ice")
    p = g.coords("Object")
    cracks = g.map_range(g.voronoi(p, scale=0.15, feature="DISTANCE_TO_EDGE")["Distance"], 0.0, 0.03)
    dust = g.map_range(g.noise(p, scale=0.05, detail=2.0)["Fac"], 0.45, 0.7)
    col = g.mix(dust, _jitter(rng, (0.35, 0.55, 0.7), 0.05), (0.75, 0.8, 0.85))
    col = g.mix(g.math("SUBTRACT", 1.0, cracks), col, (0.85, 0.9, 0.95))
    g.surface(g.principled(base_color=col, roughness=g.map_range(dust, 0, 1, 0.08, 0.5)))
    return g
