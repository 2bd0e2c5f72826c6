"""Ground covers: sands, pebbles and scree, soils and mud, moss and turf, snow and ice, salt.

Each ground is a layer function ``(g, rng, scales) -> Layer`` (reused by the terrain
shader, which shares one set of noises between its layers) and a recipe that wraps it
with its own noises, wetness and bump. Colours are set by luminance (the linear albedo
``measured.RANGES`` checks) times a hue. Where relief changes the silhouette or casts
shadows at 1-2 m (ripples, pebbles, clods, cracks, drifts) it is a numpy displacement,
band-limited to the mesh (``relief``); finer grain is bump only.
"""

from __future__ import annotations

from .graph import Graph
from .layers import Layer, Scales, add, finish, jitter_tone, shade, spread, tone
from .library import recipe
from .relief import Cells, Relief, Ripples, stack

SAND_HUE = (1.0, 0.7, 0.42)
RED_SAND_HUE = (1.0, 0.62, 0.38)
SOIL_HUE = (1.0, 0.78, 0.58)
CLAY_HUE = (1.0, 0.62, 0.42)
GREEN_HUE = (0.55, 1.0, 0.25)
SNOW_HUE = (0.96, 0.98, 1.0)


# -- layers ---------------------------------------------------------------------------------------

def sand_layer(g: Graph, rng, s: Scales, y=(0.31, 0.42), hue=SAND_HUE) -> Layer:
    """Dry sand: metre-scale tint drift, darker heavy-mineral streaks (cm), grain bump (mm)."""
    tint = shade(g, spread(g, s.large, 2.0), jitter_tone(rng, y[0], hue), jitter_tone(rng, y[1], hue))
    streak = g.map_range(s.mid, 0.55, 0.75, 0.0, 0.35)  # heavy minerals collect in ripple troughs
    col = g.mix(streak, tint, jitter_tone(rng, y[0] * 0.75, hue))
    speck = g.map_range(s.fine, 0.62, 0.7, 0.0, 0.5)  # single dark and bright grains
    col = g.mix(speck, col, jitter_tone(rng, y[1] * 1.1, (1.0, 0.95, 0.85)))
    return Layer(col, g.map_range(s.mid, 0.3, 0.7, 0.97, 0.88), add(g, (s.fine, 0.7), (s.mid, 0.3)), 0.5)


def pebble_layer(g: Graph, rng, s: Scales, size: float = 0.045, y=(0.12, 0.32), gap=0.06,
                 hue=(1.0, 0.93, 0.85), rough=(0.55, 0.8)) -> Layer:
    """Pebbles of ``size`` m: one tone per stone (cell colour), dark sand in the gaps, pitted skin."""
    cells = g.voronoi(s.p, scale=1.0 / size, feature="F1", randomness=0.9)
    stones = g.ramp(g.node("ShaderNodeSeparateColor", {"Color": cells["Color"]})["Red"],
                    [(0.0, jitter_tone(rng, y[0], hue)), (0.45, jitter_tone(rng, 0.5 * (y[0] + y[1]), (1.0, 0.9, 0.8))),
                     (0.8, jitter_tone(rng, y[1] * 0.85, (0.9, 0.95, 1.0))), (1.0, jitter_tone(rng, y[1], hue))])
    stones = g.mix(g.map_range(s.large, 0.35, 0.65, 0.0, 0.3), stones, jitter_tone(rng, y[0], (1.0, 0.85, 0.7)))
    between = g.map_range(cells["Distance"], 0.5, 0.72)
    col = g.mix(between, stones, jitter_tone(rng, gap, SOIL_HUE))
    height = add(g, (g.math("SUBTRACT", 1.0, between), 0.8), (s.fine, 0.2))
    return Layer(col, g.map_range(s.fine, 0.3, 0.7, *rough), height, 0.45)


def soil_layer(g: Graph, rng, s: Scales, y=(0.05, 0.14), hue=SOIL_HUE, organic: float = 0.0) -> Layer:
    """Bare soil: damp/dry patches (m), clods and crumbs (cm), fine crumb bump (mm);
    ``organic`` in [0, 1] scatters light leaf and twig fragments."""
    tint = shade(g, spread(g, s.large, 2.0), jitter_tone(rng, y[0], hue), jitter_tone(rng, y[1], hue))
    clod = g.map_range(s.mid, 0.35, 0.65)
    col = g.mix(g.math("MULTIPLY", clod, 0.5), tint, jitter_tone(rng, y[1] * 1.15, hue))
    if organic > 0:
        bits = g.map_range(g.voronoi(s.p, scale=40.0, feature="F1")["Distance"], 0.12, 0.05, 0.0, organic)
        col = g.mix(bits, col, jitter_tone(rng, y[1] * 1.5, (1.0, 0.7, 0.35)))
    return Layer(col, g.map_range(clod, 0, 1, 0.95, 0.82), add(g, (s.mid, 0.5), (s.fine, 0.5)), 0.45)


def crack_layer(g: Graph, rng, s: Scales, size: float = 0.25, y=(0.17, 0.28), hue=CLAY_HUE) -> Layer:
    """Dried mud: polygonal plates ``size`` m across, each a shade, dark cracks between."""
    cells = g.voronoi(s.p, scale=1.0 / size, feature="DISTANCE_TO_EDGE")
    plates = g.voronoi(s.p, scale=1.0 / size, feature="F1")["Color"]
    tone_ = g.node("ShaderNodeSeparateColor", {"Color": plates})["Green"]
    base = shade(g, add(g, (tone_, 0.6), (s.large, 0.4)), jitter_tone(rng, y[0], hue), jitter_tone(rng, y[1], hue),
                 0.2, 0.8)
    crack = g.map_range(cells["Distance"], 0.0, 0.045)
    col = g.mix(crack, jitter_tone(rng, 0.03, hue), base)
    flake = g.map_range(s.fine, 0.6, 0.68, 0.0, 0.3)  # crust flakes
    col = g.mix(flake, col, jitter_tone(rng, y[1] * 1.1, hue))
    return Layer(col, 0.93, add(g, (crack, 0.7), (s.fine, 0.3)), 0.55)


def vegetation_layer(g: Graph, rng, s: Scales, y=(0.07, 0.16), hue=GREEN_HUE, dry_y: float = 0.2,
                     dry: float = 0.3, soil_y: float = 0.06) -> Layer:
    """Low plant cover seen from above (moss, turf, stubble): green-to-straw drift (m), clumps
    with soil between (cm), blade and leaflet bump (mm)."""
    green = shade(g, spread(g, s.large, 2.0), jitter_tone(rng, y[0], hue), jitter_tone(rng, y[1], hue))
    straw = g.map_range(s.large, 0.6 - 0.3 * dry, 0.75 - 0.3 * dry, 0.0, min(1.0, 0.3 + dry))
    col = g.mix(straw, green, jitter_tone(rng, dry_y, (1.0, 0.85, 0.45)))
    soil = g.map_range(s.mid, 0.3, 0.22)  # gaps between clumps
    col = g.mix(soil, col, jitter_tone(rng, soil_y, SOIL_HUE))
    tips = g.map_range(s.fine, 0.6, 0.72, 0.0, 0.4)  # sunlit tips and leaflets
    col = g.mix(tips, col, jitter_tone(rng, y[1] * 1.3, hue))
    return Layer(col, g.map_range(s.fine, 0.3, 0.7, 0.98, 0.88), add(g, (s.mid, 0.6), (s.fine, 0.4)), 0.3)


def snow_layer(g: Graph, rng, s: Scales, y=(0.8, 0.9), dirt: float = 0.0) -> Layer:
    """Snow: wind-packed and fresh patches (m), drift ribs and sun cups (cm), grain sparkle via
    bump (mm); ``dirt`` in [0, 1] adds dust, soot and debris (old snow)."""
    col = shade(g, spread(g, s.large, 2.0), jitter_tone(rng, y[0], SNOW_HUE, 0.02),
                jitter_tone(rng, y[1], SNOW_HUE, 0.02))
    col = g.mix(g.map_range(s.mid, 0.4, 0.7, 0.0, 0.5), col, tone(y[0] * 0.94, (0.9, 0.95, 1.0)))
    if dirt > 0:
        dust = g.map_range(add(g, (s.large, 0.6), (s.mid, 0.4)), 0.62 - 0.25 * dirt, 0.5 - 0.25 * dirt, 0.0, dirt)
        col = g.mix(dust, col, jitter_tone(rng, 0.12, (1.0, 0.85, 0.7)))
        debris = g.map_range(g.voronoi(s.p, scale=30.0)["Distance"], 0.09, 0.04, 0.0, dirt)
        col = g.mix(debris, col, jitter_tone(rng, 0.04, SOIL_HUE))
    return Layer(col, g.map_range(s.mid, 0.3, 0.7, 0.75, 0.55), add(g, (s.mid, 0.6), (s.fine, 0.4)), 0.15)


# -- sands ----------------------------------------------------------------------------------------

RIPPLE_SAND = stack(Relief(1.2, 0.012, octaves=3), Ripples(0.09, 0.0045))


@recipe("ripple_sand", displacement=RIPPLE_SAND)
def ripple_sand(rng, params):
    """Dry wind-rippled sand: irregular, forking ripple crests ~9 cm apart (displaced), heavy-mineral
    streaks, grain bump."""
    g = Graph("ripple_sand")
    finish(g, sand_layer(g, rng, Scales.make(g, rng, 0.6, 11.0, 250.0)), params, bump=0.25, distance=0.004)
    return g


@recipe("coarse_wet_sand", displacement=stack(Relief(3.0, 0.004, octaves=3), Cells(0.035, 0.003, "pebbles", cover=0.5)))
def coarse_wet_sand(rng, params):
    """Coarse sand at the water line: dark with water, glossy in film patches, shell grit."""
    g = Graph("coarse_wet_sand")
    s = Scales.make(g, rng, 0.8, 20.0, 300.0)
    layer = sand_layer(g, rng, s, y=(0.24, 0.42), hue=(1.0, 0.85, 0.65))
    wet = g.math("MAXIMUM", g.map_range(s.large, 0.3, 0.6, 0.65, 1.0), g.attribute("wet")["Fac"])
    finish(g, layer, params, bump=0.6, distance=0.003, wet=wet)
    return g


@recipe("salt_flat", displacement=stack(Cells(0.9, -0.015, "cracks", width=0.05, curl=0.6),
                                        Cells(0.2, 0.004, "clods", cover=0.7), Relief(4.0, 0.002, 2)))
def salt_flat(rng, params):
    """A dry salt pan: white crust in polygons ~1 m across with raised ridges, grey mud showing."""
    g = Graph("salt_flat")
    s = Scales.make(g, rng, 0.3, 10.0, 200.0)
    ridge = g.map_range(g.voronoi(s.p, scale=1.0 / 0.9, feature="DISTANCE_TO_EDGE")["Distance"], 0.0, 0.06)
    crust = shade(g, spread(g, s.large, 2.0), jitter_tone(rng, 0.62, (1.0, 0.97, 0.92)),
                  jitter_tone(rng, 0.8, (1.0, 0.99, 0.97)))
    col = g.mix(g.map_range(s.mid, 0.6, 0.75, 0.0, 0.5), crust, jitter_tone(rng, 0.45, (1.0, 0.92, 0.82)))
    col = g.mix(ridge, jitter_tone(rng, 0.82, (1.0, 1.0, 1.0)), col)
    finish(g, Layer(col, g.map_range(s.fine, 0.3, 0.7, 0.9, 0.75), add(g, (ridge, 0.4), (s.mid, 0.3), (s.fine, 0.3)),
                    0.35), params, bump=0.6, distance=0.005)
    return g


# -- pebbles and scree ----------------------------------------------------------------------------

@recipe("pebble_beach", displacement=stack(Cells(0.045, 0.014, "pebbles"), Relief(1.5, 0.01, 3)))
def pebble_beach(rng, params):
    """A shingle beach: rounded flint, granite and quartz pebbles ~4 cm, sand between."""
    g = Graph("pebble_beach")
    finish(g, pebble_layer(g, rng, Scales.make(g, rng, 0.5, 10.0, 250.0), 0.045, gap=0.2, hue=(1.0, 0.95, 0.88)),
           params, bump=0.6, distance=0.01)
    return g


@recipe("river_pebbles", displacement=stack(Cells(0.06, 0.02, "pebbles"), Relief(1.0, 0.01, 3)))
def river_pebbles(rng, params):
    """River-bed cobbles ~6 cm, varied in colour, damp and glossier than dry stone."""
    g = Graph("river_pebbles")
    layer = pebble_layer(g, rng, Scales.make(g, rng, 0.5, 10.0, 250.0), 0.06, y=(0.08, 0.24), gap=0.05,
                         hue=(1.0, 0.9, 0.78), rough=(0.35, 0.65))
    finish(g, layer, params, bump=0.6, distance=0.01, wet=g.math("MAXIMUM", g.attribute("wet")["Fac"], 0.3))
    return g


@recipe("scree", displacement=stack(Cells(0.14, 0.05, "pebbles", cover=0.9), Cells(0.04, 0.01, "pebbles"),
                                    Relief(2.0, 0.015, 3)))
def scree(rng, params):
    """Angular rock debris below a cliff: fragments 4-15 cm, lichen-free, sharp-edged."""
    g = Graph("scree")
    s = Scales.make(g, rng, 0.4, 8.0, 150.0)
    finish(g, pebble_layer(g, rng, s, 0.12, y=(0.15, 0.3), gap=0.1, hue=(1.0, 0.96, 0.92), rough=(0.75, 0.9)),
           params, bump=0.8, distance=0.02)
    return g


@recipe("gravel", displacement=stack(Cells(0.03, 0.01, "pebbles"), Relief(3.0, 0.006, 3)))
def gravel(rng, params):
    """Loose grey-brown gravel, stones ~3 cm."""
    g = Graph("gravel")
    finish(g, pebble_layer(g, rng, Scales.make(g, rng, 0.6, 14.0, 250.0), 0.03, y=(0.12, 0.28), gap=0.08,
                           rough=(0.7, 0.88)), params, bump=0.6, distance=0.01)
    return g


# -- soils and mud --------------------------------------------------------------------------------

@recipe("cracked_mud", displacement=stack(Cells(0.25, 0.012, "cracks", width=0.06, curl=0.35),
                                          Relief(1.5, 0.006, 3)))
def cracked_mud(rng, params):
    """Dried mud in polygons ~25 cm with curled edges and dark cracks."""
    g = Graph("cracked_mud")
    finish(g, crack_layer(g, rng, Scales.make(g, rng, 0.4, 12.0, 200.0)), params, bump=0.5, distance=0.01)
    return g


@recipe("dry_soil", displacement=stack(Cells(0.4, 0.008, "cracks", width=0.04, curl=0.2), Relief(3.0, 0.008, 3)))
def dry_soil(rng, params):
    """Dry, cracked light-brown soil."""
    g = Graph("dry_soil")
    s = Scales.make(g, rng, 0.5, 10.0, 200.0)
    finish(g, crack_layer(g, rng, s, 0.4, y=(0.16, 0.26), hue=SOIL_HUE), params, bump=0.5, distance=0.01)
    return g


@recipe("clay_soil", displacement=stack(Cells(0.05, 0.008, "clods", cover=0.8), Relief(1.5, 0.01, 3)))
def clay_soil(rng, params):
    """Red-brown clay soil, ploughed into clods ~5 cm."""
    g = Graph("clay_soil")
    finish(g, soil_layer(g, rng, Scales.make(g, rng, 0.5, 18.0, 220.0), y=(0.12, 0.22), hue=CLAY_HUE), params,
           bump=0.5, distance=0.01)
    return g


@recipe("forest_soil", displacement=stack(Cells(0.04, 0.006, "clods", cover=0.6), Relief(1.0, 0.015, 3)))
def forest_soil(rng, params):
    """Dark humus with crumbs, leaf fragments and twigs."""
    g = Graph("forest_soil")
    finish(g, soil_layer(g, rng, Scales.make(g, rng, 0.6, 20.0, 220.0), y=(0.035, 0.09), organic=0.7), params,
           bump=0.5, distance=0.01)
    return g


@recipe("peat", displacement=Relief(1.5, 0.012, octaves=3))
def peat(rng, params):
    """Wet, fibrous black-brown peat."""
    g = Graph("peat")
    s = Scales.make(g, rng, 0.5, 25.0, 250.0)
    fibres = g.node("ShaderNodeTexWave", {"Vector": s.p, "Scale": 30.0, "Distortion": 6.0, "Detail": 1.0},
                    wave_type="BANDS", bands_direction="X")["Fac"]
    base = soil_layer(g, rng, s, y=(0.035, 0.07), hue=(1.0, 0.72, 0.5))
    col = g.mix(g.map_range(fibres, 0.75, 0.95, 0.0, 0.5), base.color, jitter_tone(rng, 0.09, (1.0, 0.65, 0.35)))
    wet = g.math("MAXIMUM", g.attribute("wet")["Fac"], 0.25)
    finish(g, Layer(col, base.rough, add(g, (fibres, 0.4), (s.fine, 0.6)), 0.3), params, bump=0.4,
           distance=0.005, wet=wet)
    return g


@recipe("wet_mud", displacement=stack(Relief(1.5, 0.012, octaves=3), Cells(0.08, 0.006, "clods", cover=0.5)))
def wet_mud(rng, params):
    """Dark wet mud with glossy puddles and foot-churned lumps."""
    g = Graph("wet_mud")
    s = Scales.make(g, rng, 0.7, 14.0, 200.0)
    layer = soil_layer(g, rng, s, y=(0.07, 0.16), hue=(1.0, 0.8, 0.6))
    puddle = g.map_range(s.large, 0.56, 0.62)
    wet = g.math("MAXIMUM", g.attribute("wet")["Fac"], g.map_range(puddle, 0, 1, 0.55, 1.0))
    finish(g, layer, params, bump=0.3, distance=0.01, wet=wet)
    return g


# -- plant-covered grounds ------------------------------------------------------------------------

@recipe("moss_carpet", displacement=stack(Cells(0.07, 0.012, "clods", cover=0.9), Relief(1.0, 0.01, 3)))
def moss_carpet(rng, params):
    """A cushion moss carpet: lumpy cushions ~7 cm, yellow-green to deep green."""
    g = Graph("moss_carpet")
    layer = vegetation_layer(g, rng, Scales.make(g, rng, 0.8, 14.0, 300.0), y=(0.05, 0.12), hue=(0.6, 1.0, 0.2),
                             dry_y=0.14, dry=0.1, soil_y=0.035)
    finish(g, layer, params, bump=0.6, distance=0.004)
    return g


@recipe("alpine_turf", displacement=stack(Cells(0.12, 0.015, "clods", cover=0.85), Relief(1.0, 0.02, 3)))
def alpine_turf(rng, params):
    """Short alpine turf in tussocks ~12 cm, with soil and small stones showing between."""
    g = Graph("alpine_turf")
    layer = vegetation_layer(g, rng, Scales.make(g, rng, 0.5, 9.0, 250.0), y=(0.07, 0.15), hue=(0.6, 1.0, 0.3),
                             dry_y=0.2, dry=0.35, soil_y=0.08)
    finish(g, layer, params, bump=0.6, distance=0.008)
    return g


@recipe("dry_grass_ground", displacement=stack(Cells(0.1, 0.012, "clods", cover=0.7), Relief(1.0, 0.015, 3)))
def dry_grass_ground(rng, params):
    """Sun-cured grass and stubble over dry soil: straw yellow, some green in patches."""
    g = Graph("dry_grass_ground")
    layer = vegetation_layer(g, rng, Scales.make(g, rng, 0.5, 12.0, 250.0), y=(0.12, 0.2), hue=(0.8, 1.0, 0.35),
                             dry_y=0.26, dry=0.9, soil_y=0.12)
    finish(g, layer, params, bump=0.6, distance=0.006)
    return g


@recipe("forest_floor", displacement=stack(Cells(0.06, 0.008, "clods", cover=0.7), Relief(0.8, 0.02, 3)))
def forest_floor(rng, params):
    """Leaf litter over humus: brown, tan and a few fresh leaves, each leaf a cell, dark gaps."""
    g = Graph("forest_floor")
    s = Scales.make(g, rng, 0.5, 15.0, 250.0)
    leaves = g.voronoi(s.p, scale=1.0 / 0.05, feature="F1", randomness=1.0)
    hue = g.node("ShaderNodeSeparateColor", {"Color": leaves["Color"]})["Red"]
    col = g.ramp(hue, [(0.0, jitter_tone(rng, 0.07, (1.0, 0.55, 0.25))), (0.4, jitter_tone(rng, 0.13, (1.0, 0.7, 0.35))),
                       (0.75, jitter_tone(rng, 0.2, (1.0, 0.8, 0.45))), (1.0, jitter_tone(rng, 0.1, (0.8, 1.0, 0.3)))])
    col = g.mix(g.map_range(s.large, 0.4, 0.7, 0.0, 0.5), col, jitter_tone(rng, 0.05, SOIL_HUE))
    gap = g.map_range(leaves["Distance"], 0.42, 0.55)
    col = g.mix(gap, col, jitter_tone(rng, 0.03, SOIL_HUE))
    height = add(g, (g.math("SUBTRACT", 1.0, gap), 0.6), (s.fine, 0.4))
    finish(g, Layer(col, g.map_range(s.fine, 0.3, 0.7, 0.85, 0.65), height, 0.4), params, bump=0.5,
           distance=0.006)
    return g


@recipe("lichen_crust", displacement=Relief(2.0, 0.006, octaves=3))
def lichen_crust(rng, params):
    """Crustose lichen on stone: grey-green rosettes with orange and black colonies."""
    g = Graph("lichen_crust")
    s = Scales.make(g, rng, 0.8, 16.0, 250.0)
    rosettes = g.voronoi(s.p, scale=14.0, feature="F1")
    stone = shade(g, spread(g, s.large, 2.0), jitter_tone(rng, 0.18, (1.0, 0.98, 0.95)),
                  jitter_tone(rng, 0.3, (1.0, 0.98, 0.95)))
    which = g.node("ShaderNodeSeparateColor", {"Color": rosettes["Color"]})["Blue"]
    lichen = g.ramp(which, [(0.0, jitter_tone(rng, 0.22, (0.85, 1.0, 0.7))), (0.6, jitter_tone(rng, 0.3, (0.9, 1.0, 0.75))),
                            (0.8, jitter_tone(rng, 0.3, (1.0, 0.55, 0.12))), (0.95, jitter_tone(rng, 0.04, (1, 1, 1)))],
                    interpolation="CONSTANT")
    cover = g.map_range(add(g, (rosettes["Distance"], 1.0), (s.mid, 0.3)), 0.5, 0.35)
    col = g.mix(cover, stone, lichen)
    finish(g, Layer(col, 0.9, add(g, (cover, 0.4), (s.fine, 0.6)), 0.4), params, bump=0.4, distance=0.004)
    return g


# -- snow and ice ---------------------------------------------------------------------------------

@recipe("snow", displacement=stack(Relief(0.7, 0.03, octaves=3), Cells(0.12, 0.006, "clods"), Relief(8.0, 0.003, 2)))
def snow(rng, params):
    """Fresh snow: bright, slightly blue in shade, with subsurface scattering."""
    g = Graph("snow")
    finish(g, snow_layer(g, rng, Scales.make(g, rng, 0.6, 6.0, 150.0)), params, bump=0.5, distance=0.01,
           subsurface_weight=0.4, subsurface_radius=(0.3, 0.4, 0.6))
    return g


@recipe("firn", displacement=stack(Relief(0.8, 0.02, octaves=3), Cells(0.25, 0.01, "clods", cover=1.0)))
def firn(rng, params):
    """Old granular snow (firn): greyer than fresh snow, sun cups ~25 cm, coarse grains."""
    g = Graph("firn")
    layer = snow_layer(g, rng, Scales.make(g, rng, 0.5, 5.0, 120.0), y=(0.64, 0.76), dirt=0.1)
    finish(g, layer, params, bump=0.35, distance=0.01, subsurface_weight=0.3, subsurface_radius=(0.3, 0.45, 0.7))
    return g


@recipe("wind_crust_snow", displacement=stack(Ripples(0.5, 0.012, lee=0.2), Relief(0.6, 0.02, octaves=3)))
def wind_crust_snow(rng, params):
    """Wind-packed snow with a glazed crust and sastrugi ribs ~0.5 m (displaced)."""
    g = Graph("wind_crust_snow")
    s = Scales.make(g, rng, 0.5, 4.0, 150.0)
    layer = snow_layer(g, rng, s, y=(0.74, 0.86))
    glaze = g.map_range(s.large, 0.55, 0.7, 0.0, 0.5)
    rough = g.node("ShaderNodeMix", {"Factor": glaze, "A": layer.rough, "B": 0.25}, data_type="FLOAT")["Result"]
    finish(g, Layer(layer.color, rough, layer.height, 0.15), params, bump=0.3, distance=0.01,
           subsurface_weight=0.3, subsurface_radius=(0.3, 0.4, 0.6))
    return g


@recipe("dirty_snow", displacement=stack(Relief(0.8, 0.03, octaves=3), Cells(0.2, 0.012, "clods")))
def dirty_snow(rng, params):
    """Late-season snow: dust, soot and debris in the hollows, grey-brown."""
    g = Graph("dirty_snow")
    layer = snow_layer(g, rng, Scales.make(g, rng, 0.6, 5.0, 150.0), y=(0.5, 0.68), dirt=0.6)
    finish(g, layer, params, bump=0.35, distance=0.01, subsurface_weight=0.2, subsurface_radius=(0.3, 0.4, 0.6))
    return g


@recipe("sea_ice", displacement=stack(Cells(1.5, 0.04, "cracks", width=0.05, curl=-0.5), Relief(1.0, 0.01, 3)))
def sea_ice(rng, params):
    """Sea ice floes: blue-grey bare ice, snow-dusted patches, refrozen leads between floes."""
    g = Graph("sea_ice")
    s = Scales.make(g, rng, 0.4, 6.0, 150.0)
    leads = g.map_range(g.voronoi(s.p, scale=1.0 / 1.5, feature="DISTANCE_TO_EDGE")["Distance"], 0.0, 0.05)
    ice = shade(g, spread(g, s.mid, 2.0), jitter_tone(rng, 0.42, (0.75, 0.92, 1.0), 0.03),
                jitter_tone(rng, 0.55, (0.85, 0.95, 1.0), 0.03))
    dust = g.map_range(add(g, (s.large, 0.7), (s.fine, 0.3)), 0.5, 0.62)
    col = g.mix(dust, ice, tone(0.8, SNOW_HUE))
    col = g.mix(leads, jitter_tone(rng, 0.2, (0.6, 0.85, 1.0)), col)
    rough = g.map_range(dust, 0, 1, 0.15, 0.7)
    finish(g, Layer(col, rough, add(g, (leads, 0.5), (s.fine, 0.5)), 0.1), params, bump=0.3, distance=0.01,
           subsurface_weight=0.2, subsurface_radius=(0.3, 0.5, 0.9))
    return g


@recipe("ice")
def ice(rng, params):
    """Lake ice: pale blue, glossy, with cracks, trapped bubbles and snow dust."""
    g = Graph("ice")
    s = Scales.make(g, rng, 0.5, 8.0, 120.0)
    cracks = g.map_range(g.voronoi(s.p, scale=0.6, feature="DISTANCE_TO_EDGE")["Distance"], 0.0, 0.03)
    dust = g.map_range(add(g, (s.large, 0.7), (s.mid, 0.3)), 0.48, 0.66)
    col = g.mix(dust, jitter_tone(rng, 0.35, (0.6, 0.85, 1.0), 0.05), tone(0.75, SNOW_HUE))
    col = g.mix(g.map_range(s.mid, 0.62, 0.7, 0.0, 0.4), col, tone(0.55, (0.8, 0.92, 1.0)))  # bubbles
    col = g.mix(g.math("SUBTRACT", 1.0, cracks), col, tone(0.8, (0.9, 0.95, 1.0)))
    finish(g, Layer(col, g.map_range(dust, 0, 1, 0.06, 0.5), add(g, (dust, 0.5), (s.fine, 0.5)), 0.05), params,
           bump=0.1, distance=0.01)
    return g

