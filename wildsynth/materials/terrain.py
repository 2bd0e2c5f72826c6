"""Terrain and water materials for the landscape and vegetated scenes.

``terrain`` is one layered ground shader driven by the per-vertex masks the
terrain generator writes (slope, height, snow, beach, moisture, water_dist,
patch, dirt), with a palette per landscape (``palette`` param): the palette's
ground (plant cover, sand or soil) with bare soil where ``dirt`` is high, rock
on steep slopes (with strata bands where the palette has them), beach sand and
snow. The layers share one noise per scale (``layers.Scales``); the ground
takes its metre-scale variation from the ``patch`` mask, rock only from 3D
noise (a 2D mask would stretch vertically on a cliff). Ground within a few
metres of water (``water_dist``) and in wet gullies (``moisture``) is wet:
darker and glossier. The same thresholds decide the semantic split of the
terrain mesh (see ``scenes/landscapes.py``), so segmentation follows what the
image shows.

Its displacement (``terrain_relief``) is the relief of what the shader shows at
each vertex, weighted by the same masks: beds, joints and fractal relief on
rock, tussocks, ripples or gravel on the palette's ground, ripples on beaches,
drifts on snow. ``meadow_ground`` is the same idea for the heightfield scenes
(meadow, forest, plains), whose meshes carry slope, height, patch and dirt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .graph import Graph
from .ground import GREEN_HUE, SAND_HUE, SOIL_HUE, sand_layer, snow_layer, soil_layer, vegetation_layer
from .layers import Layer, Scales, add, finish, jitter_tone, mix_layers, wetness
from .library import _jitter, recipe
from .relief import Cells, Relief, Ripples, Strata, Surface, WindRipples, blend, ramp, stack
from .stone import rock_layer


@dataclass(frozen=True)
class Palette:
    """A landscape's ground and rock: ``ground`` kind ("plants", "sand" or "soil") with its
    luminance range and hue, its bare-soil tone, rock luminance and hue, strata spacing
    (m, 0: none) and band luminance, how dry the plant cover is, and the ground's relief."""

    ground: str
    ground_y: tuple
    ground_hue: tuple
    soil_y: float
    rock_y: tuple
    rock_hue: tuple
    strata: float = 0.0
    band_y: float = 0.1
    dry: float = 0.3
    relief: object = None
    rock_hue_light: tuple | None = None  # the rock's light end, its own hue (None: ``rock_hue``)
    honeycomb: float = 0.0  # share of the rock with honeycomb (tafoni) weathering, shaded and displaced
    # beach sand and snow layers in the shader (False: the meshes carry beach = snow = 0, so both
    # mix masks are exactly 0 and the layers' noise would be evaluated for nothing)
    sand_snow: bool = True


_TURF = stack(Cells(0.12, 0.012, "clods", cover=0.85), Relief(1.0, 0.025, octaves=4))
_GRAVEL = stack(Cells(0.05, 0.012, "pebbles", cover=0.8), Relief(3.0, 0.01, octaves=3))
PALETTES = {
    "mountain": Palette("plants", (0.06, 0.14), (0.65, 1.0, 0.3), 0.07, (0.14, 0.28), (1.0, 0.96, 0.9), dry=0.45,
                        relief=_TURF),
    "plains": Palette("plants", (0.07, 0.16), GREEN_HUE, 0.08, (0.13, 0.26), (1.0, 0.96, 0.9), dry=0.35,
                      relief=_TURF),
    # wind ripples ~11 cm with forks and ends, megaripples ~0.75 m in patches; none in the dunes' wind shadow
    # red to buff sandstone (Navajo, Entrada: linear albedo ~0.15-0.35, R/G ~2) with honeycomb pits
    "desert": Palette("sand", (0.3, 0.42), SAND_HUE, 0.25, (0.17, 0.3), (1.0, 0.42, 0.26),
                      relief=stack(Relief(1.5, 0.008, octaves=3), WindRipples(0.11, 0.005),
                                   WindRipples(0.75, 0.02, lee=0.35, defects=0.35, patches=0.65)),
                      rock_hue_light=(1.0, 0.56, 0.38), honeycomb=0.7),
    "canyon": Palette("soil", (0.16, 0.26), (1.0, 0.62, 0.4), 0.14, (0.14, 0.28), (1.0, 0.55, 0.35), strata=9.0,
                      band_y=0.22, relief=stack(Relief(3.0, 0.01, octaves=3), Cells(0.04, 0.008, "pebbles", cover=0.5))),
    "cliff": Palette("plants", (0.07, 0.15), GREEN_HUE, 0.08, (0.14, 0.25), (1.0, 0.92, 0.82), strata=6.0,
                     band_y=0.1, dry=0.3, relief=_TURF),
    "coast": Palette("plants", (0.07, 0.16), (0.7, 1.0, 0.35), 0.09, (0.16, 0.3), (1.0, 0.98, 0.95), dry=0.5,
                     relief=_TURF),
    "river": Palette("plants", (0.06, 0.14), GREEN_HUE, 0.06, (0.13, 0.26), (1.0, 0.96, 0.9), dry=0.2,
                     relief=_TURF),
    "arctic": Palette("soil", (0.12, 0.22), (1.0, 0.95, 0.88), 0.1, (0.08, 0.2), (1.0, 1.0, 1.02), relief=_GRAVEL),
    "cave": Palette("soil", (0.1, 0.2), SOIL_HUE, 0.08, (0.12, 0.24), (1.0, 0.88, 0.75), strata=1.5, band_y=0.1,
                    relief=stack(Relief(3.0, 0.01, octaves=4), Cells(0.05, 0.006, "pebbles", cover=0.4)),
                    sand_snow=False),
}

# thresholds shared with the semantic split of the terrain mesh
ROCK_SLOPE = 0.42  # slope (1 - n_z) where bare rock starts

_SAND = stack(Relief(4.0, 0.004, octaves=3), Ripples(0.1, 0.004))
_SNOW = stack(Relief(0.7, 0.03, octaves=3), Ripples(0.6, 0.006, lee=0.2))


def _palette(params: dict) -> Palette:
    name = params.get("palette", "mountain")
    if name not in PALETTES:
        raise KeyError(f"terrain palette {name!r}; known: {', '.join(PALETTES)}")
    return PALETTES[name]


def rock_relief(strata: float, honeycomb: float = 0.0):
    """Bare rock: fractal relief and joints, plus beds (thinner than the colour bands) where the
    palette has strata, and honeycomb hollows ~25 cm (``honeycomb``: share of cells) where it has them."""
    base = stack(Relief(1.5, 0.05, octaves=5), Cells(1.8, 0.05, "joints", width=0.03))
    if honeycomb > 0:
        base = stack(base, Cells(0.25, -0.05, "pebbles", cover=honeycomb))
    return stack(base, Strata(strata / 5.0, 0.1)) if strata > 0 else base


def terrain_weights(surface: Surface, params: dict) -> dict[str, np.ndarray]:
    """Per-vertex weights (sum 1) of ground, rock, sand and snow as ``terrain`` mixes its
    layers (its metre-scale noise taken at its mean, 0.5)."""
    rs = float(params.get("rock_slope", ROCK_SLOPE))
    rock = ramp(surface.mask("slope") + 0.075, rs + 0.04, rs + 0.11)
    beach = ramp(surface.mask("beach"), 0.4, 0.6)
    snow = ramp(surface.mask("snow") + 0.05, 0.45, 0.6)
    return {"ground": (1 - rock) * (1 - beach) * (1 - snow), "rock": rock * (1 - beach) * (1 - snow),
            "sand": beach * (1 - snow), "snow": snow}


def terrain_relief(surface: Surface, rng: np.random.Generator, params: dict) -> np.ndarray:
    """Relief of the palette's ground, rock, sand and snow, blended as the shader blends them."""
    pal = _palette(params)
    w = terrain_weights(surface, params)
    ground, bare = w["ground"], w["rock"]
    if params.get("palette") == "canyon":  # floors and plateaus are half the same red rock (as in the shader)
        ground, bare = 0.5 * ground, bare + 0.5 * ground
    return blend(surface, rng, params, [(ground, pal.relief), (bare, rock_relief(pal.strata, pal.honeycomb)),
                                        (w["sand"], _SAND), (w["snow"], _SNOW)])


def _ground_layer(g: Graph, rng, s: Scales, pal: Palette) -> Layer:
    if pal.ground == "sand":
        return sand_layer(g, rng, s, pal.ground_y, pal.ground_hue)
    if pal.ground == "soil":
        return soil_layer(g, rng, s, pal.ground_y, pal.ground_hue)
    return vegetation_layer(g, rng, s, pal.ground_y, pal.ground_hue, dry_y=0.2, dry=pal.dry, soil_y=pal.soil_y)


def _cheap_bump(g: Graph, s: Scales, layer: Layer) -> Layer:
    """One bump height for all layers (centimetre and millimetre noise): Cycles evaluates a
    bump's height graph three times, so it must not pull in the masks and the metre noise."""
    return Layer(layer.color, layer.rough, add(g, (s.mid, 0.55), (s.fine, 0.45)), layer.wet_darken)


@recipe("terrain", displacement=terrain_relief)
def terrain(rng: np.random.Generator, params: dict) -> Graph:
    """Layered ground for a landscape palette: plant cover / sand / soil, bare soil, rock
    (strata), beach sand, snow; wet near water."""
    pal = _palette(params)
    name = params.get("palette", "mountain")
    rock_slope = float(params.get("rock_slope", ROCK_SLOPE))
    g = Graph(f"terrain_{name}")
    s = Scales.make(g, rng, 0.4, 10.0, 180.0)
    # the ground's metre scale follows the terrain's patch mask (flat ground: no stretching)
    flat = Scales(s.p, add(g, (g.attribute("patch")["Fac"], 0.6), (s.large, 0.4)), s.mid, s.fine)
    ground = _ground_layer(g, rng, flat, pal)
    if pal.ground != "soil":
        dirt = g.map_range(add(g, (g.attribute("dirt")["Fac"], 1.0), (s.mid, 0.15)), 0.875, 0.975)
        bare = soil_layer(g, rng, flat, (pal.soil_y * 0.8, pal.soil_y * 1.3), SOIL_HUE)
        ground = mix_layers(g, dirt, ground, bare)
    rock = rock_layer(g, rng, s, pal.rock_y, pal.rock_hue, bands=pal.strata, band_y=pal.band_y,
                      lichen=0.15 if pal.ground == "plants" else 0.0, hue_light=pal.rock_hue_light,
                      honeycomb=pal.honeycomb)
    if name == "canyon":  # canyon floors and plateaus show the same red rock
        ground = mix_layers(g, 0.5, ground, rock)
    rock_mask = g.map_range(add(g, (g.attribute("slope")["Fac"], 1.0), (s.large, 0.15)), rock_slope + 0.04,
                            rock_slope + 0.11)
    layer = mix_layers(g, rock_mask, ground, rock)
    snow = None
    if pal.sand_snow:
        beach = g.map_range(g.attribute("beach")["Fac"], 0.4, 0.6)
        layer = mix_layers(g, beach, layer, sand_layer(g, rng, s, (0.3, 0.4), SAND_HUE))
        snow = g.map_range(add(g, (g.attribute("snow")["Fac"], 1.0), (s.large, 0.1)), 0.45, 0.6)
        layer = mix_layers(g, snow, layer, snow_layer(g, rng, s))
    else:  # mixes at fac 0 would leave the layer as it is but for the wet darkening: the most of all layers'
        layer = Layer(layer.color, layer.rough, layer.height, max(layer.wet_darken, 0.5, 0.15))  # sand's, snow's
    layer = _cheap_bump(g, s, layer)
    gully = g.map_range(g.attribute("moisture")["Fac"], 0.55, 0.9, 0.0, 0.6)  # flow lines
    if snow is None:
        wet = g.math("MAXIMUM", wetness(g, params, water_dist=True), gully)
    else:
        wet = g.math("MAXIMUM", wetness(g, params, water_dist=True),
                     g.math("MULTIPLY", gully, g.math("SUBTRACT", 1.0, snow)))
    finish(g, layer, params, bump=0.35, distance=0.01, wet=wet)
    return g


# -- heightfield scenes (meadow, forest, plains): slope, height, patch, dirt ----------------------

_MEADOW_SOIL = _TURF
_MEADOW_DIRT = stack(Relief(3.0, 0.015, octaves=4), Cells(0.05, 0.008, "clods", cover=0.7))
_MEADOW_ROCK = rock_relief(0.0)
_MEADOW_SNOW = stack(Relief(0.7, 0.03, octaves=3), Ripples(0.6, 0.006, lee=0.2))


def _meadow_masks(surface: Surface, params: dict) -> tuple:
    rock = ramp(surface.mask("slope") + 0.075, 0.45, 0.52)
    dirt = ramp(surface.mask("dirt") + 0.075, 0.82, 0.9)
    snowline = float(params.get("snowline", 400.0))
    snow = ramp(surface.mask("height") + 80.0 * surface.mask("patch", 0.5), snowline, snowline + 40.0) * (1 - rock)
    return rock, dirt, snow


def meadow_ground_relief(surface: Surface, rng: np.random.Generator, params: dict) -> np.ndarray:
    """Relief of what ``meadow_ground`` shows at each vertex, weighted by the shader's own
    masks (its metre-scale noise taken at its mean, 0.5)."""
    rock, dirt, snow = _meadow_masks(surface, params)
    ground = (1 - rock) * (1 - snow)
    return blend(surface, rng, params, [(ground * (1 - dirt), _MEADOW_SOIL), (ground * dirt, _MEADOW_DIRT),
                                        (rock * (1 - snow), _MEADOW_ROCK), (snow, _MEADOW_SNOW)])


@recipe("meadow_ground", displacement=meadow_ground_relief)
def meadow_ground(rng: np.random.Generator, params: dict) -> Graph:
    """Grass-covered ground with dirt patches, rock on steep slopes and snow up high.

    Large-scale variation comes from the terrain's per-vertex masks (patch, dirt, slope,
    height) and a 3D noise; centimetre clumps and millimetre blades from two more noises.
    Wet near water where the mesh carries ``water_dist`` (param ``water_dist``: True).
    """
    g = Graph("meadow_ground")
    s = Scales.make(g, rng, 0.25, 9.0, 220.0)
    patch = g.attribute("patch")["Fac"]
    flat = Scales(s.p, add(g, (patch, 0.6), (s.large, 0.4)), s.mid, s.fine)
    grass = vegetation_layer(g, rng, flat, (0.06, 0.15), (0.6, 1.0, 0.28), dry_y=0.2, dry=0.3, soil_y=0.06)
    dirt_mask = g.map_range(add(g, (g.attribute("dirt")["Fac"], 1.0), (s.large, 0.15)), 0.82, 0.9)
    ground = mix_layers(g, dirt_mask, grass, soil_layer(g, rng, flat, (0.06, 0.12), SOIL_HUE))
    rock = rock_layer(g, rng, s, (0.13, 0.28), (1.0, 0.96, 0.9), lichen=0.2)
    rock_mask = g.map_range(add(g, (g.attribute("slope")["Fac"], 1.0), (s.large, 0.15)), 0.45, 0.52)
    layer = mix_layers(g, rock_mask, ground, rock)
    snowline = float(params.get("snowline", 400.0))
    snow_mask = g.map_range(add(g, (g.attribute("height")["Fac"], 1.0), (patch, 80.0)), snowline, snowline + 40.0)
    layer = mix_layers(g, g.math("MULTIPLY", snow_mask, g.math("SUBTRACT", 1.0, rock_mask)), layer,
                       snow_layer(g, rng, s))
    finish(g, _cheap_bump(g, s, layer), params, bump=0.35, distance=0.01)
    return g




# -- the forest floor (forest scene): litter over humus, moss, bare soil, rock ----------------------

LITTER_HUE = (1.0, 0.5, 0.24)
MOSS_HUE = (0.55, 1.0, 0.18)
_FOREST_LITTER = stack(Cells(0.06, 0.01, "clods", cover=0.75), Relief(0.8, 0.025, octaves=3))
_FOREST_MOSS = stack(Cells(0.09, 0.018, "clods", cover=0.9), Relief(0.8, 0.02, octaves=3))
_FOREST_SOIL = stack(Relief(2.0, 0.015, octaves=4), Cells(0.04, 0.008, "clods", cover=0.6))


def _forest_masks(surface: Surface, params: dict) -> tuple:
    """Rock, bare soil and moss weights as ``forest_ground`` makes them (its 3D noise at its mean)."""
    rock = ramp(surface.mask("slope") + 0.075, 0.45, 0.52)
    soil = ramp(surface.mask("dirt") + 0.075, 0.8, 0.9)
    moss = ramp(surface.mask("patch", 0.5) + 0.15, 0.85, 0.97)  # the dampest patches
    return rock, soil, moss


def forest_ground_relief(surface: Surface, rng: np.random.Generator, params: dict) -> np.ndarray:
    """Relief of what ``forest_ground`` shows: litter mounds, moss cushions, soil crumbs, rock."""
    rock, soil, moss = _forest_masks(surface, params)
    floor = 1 - rock
    return blend(surface, rng, params, [(floor * (1 - soil) * (1 - moss), _FOREST_LITTER),
                                        (floor * (1 - soil) * moss, _FOREST_MOSS), (floor * soil, _FOREST_SOIL),
                                        (rock, _MEADOW_ROCK)])


@recipe("forest_ground", displacement=forest_ground_relief)
def forest_ground(rng: np.random.Generator, params: dict) -> Graph:
    """A forest floor: leaf and needle litter over dark humus (each leaf a cell: brown, tan, a few
    fresh; dark gaps), moss in the damp patches, bare soil where the ``dirt`` mask is high, rock
    on steep slopes. Litter albedo 0.05-0.12 (humus and litter: Post et al. 2000)."""
    g = Graph("forest_ground")
    s = Scales.make(g, rng, 0.3, 11.0, 200.0)
    patch = g.attribute("patch")["Fac"]
    flat = Scales(s.p, add(g, (patch, 0.5), (s.large, 0.5)), s.mid, s.fine)
    leaves = g.voronoi(s.p, scale=1.0 / 0.045 * rng.uniform(0.9, 1.1), feature="F1", randomness=1.0)
    kind = g.node("ShaderNodeSeparateColor", {"Color": leaves["Color"]})["Red"]
    col = g.ramp(kind, [(0.0, jitter_tone(rng, 0.04, LITTER_HUE)), (0.35, jitter_tone(rng, 0.075, LITTER_HUE)),
                        (0.7, jitter_tone(rng, 0.12, (1.0, 0.62, 0.3))), (0.9, jitter_tone(rng, 0.15, (1.0, 0.72, 0.38))),
                        (1.0, jitter_tone(rng, 0.085, (0.85, 1.0, 0.3)))])
    col = g.mix(g.map_range(flat.large, 0.35, 0.7, 0.0, 0.45), col, jitter_tone(rng, 0.04, SOIL_HUE))  # humus shows
    gap = g.map_range(leaves["Distance"], 0.4, 0.55)
    col = g.mix(gap, col, jitter_tone(rng, 0.025, SOIL_HUE))
    litter = Layer(col, g.map_range(s.fine, 0.3, 0.7, 0.85, 0.65), None, 0.4)
    moss = vegetation_layer(g, rng, flat, (0.035, 0.08), MOSS_HUE, dry_y=0.08, dry=0.15, soil_y=0.03)
    moss_mask = g.map_range(add(g, (patch, 1.0), (s.large, 0.3)), 0.85, 0.97)
    ground = mix_layers(g, moss_mask, litter, moss)
    soil_mask = g.map_range(add(g, (g.attribute("dirt")["Fac"], 1.0), (s.large, 0.15)), 0.8, 0.9)
    ground = mix_layers(g, soil_mask, ground, soil_layer(g, rng, flat, (0.03, 0.07), SOIL_HUE))
    rock = rock_layer(g, rng, s, (0.1, 0.22), (1.0, 0.96, 0.9))
    rock_mask = g.map_range(add(g, (g.attribute("slope")["Fac"], 1.0), (s.large, 0.15)), 0.45, 0.52)
    layer = mix_layers(g, rock_mask, ground, rock)
    bump = add(g, (g.math("SUBTRACT", 1.0, gap), 0.45), (s.mid, 0.25), (s.fine, 0.3))  # leaf edges, crumbs
    finish(g, Layer(layer.color, layer.rough, bump, layer.wet_darken), params, bump=0.45, distance=0.006)
    return g


@recipe("water")
def water(rng: np.random.Generator, params: dict) -> Graph:
    """Clear water: glass-like principled BSDF (transmission, IOR 1.33), tinted."""
    g = Graph("water")
    tint = _jitter(rng, tuple(params.get("tint", (0.55, 0.75, 0.8))), 0.05)
    g.surface(g.principled(base_color=tint, roughness=0.02, ior=1.333, transmission_weight=1.0))
    return g
