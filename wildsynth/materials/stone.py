"""Rock types: granite, basalt, slate, sandstones, limestone, chalk, shale, tuff, varnished,
lichen-covered, mossy, wet and tidal rock, and the generic boulder ``rock``.

One layer function (``rock_layer``) makes them all: a metre-scale tint drift, centimetre
mottling (and crystals, pores or strata bands where the rock type has them), millimetre
grain in the bump, optional lichen. Every texture is 3D at object coordinates, so a
vertical cliff shows the same isotropic grain as a flat slab (no vertical stretching),
and strata are horizontal planes of the object's Z. Relief that changes the silhouette
(beds, joints, pits) is a band-limited numpy displacement (``relief``).
"""

from __future__ import annotations

from .graph import Graph
from .layers import Layer, Scales, add, finish, jitter_tone, shade, spread, tone
from .library import recipe
from .relief import Cells, Relief, Strata, stack

GREY = (1.0, 0.97, 0.93)
RED = (1.0, 0.55, 0.35)
OCHRE = (1.0, 0.75, 0.48)


def rock_layer(g: Graph, rng, s: Scales, y=(0.15, 0.3), hue=GREY, *, speckle: float = 0.0,
               bands: float = 0.0, band_y: float | None = None, pores: float = 0.0, lichen: float = 0.0,
               rough=(0.9, 0.7), hue_light: tuple | None = None, honeycomb: float = 0.0,
               honeycomb_size: float = 0.08) -> Layer:
    """Stone of luminance ``y`` (dark, light) and ``hue`` (``hue_light``: the light end's own hue, e.g.
    red to buff sandstone). ``speckle``: crystal contrast (granite); ``bands``: strata spacing m
    (0: none; horizontal in Z, wavy), their tone ``band_y``; ``pores``: share of dark pits (tuff);
    ``honeycomb``: share of the surface with honeycomb weathering (cells ``honeycomb_size`` m, dark
    shaded hollows, light rims); ``lichen``: share of the surface under lichen."""
    col = shade(g, spread(g, s.large, 2.2), jitter_tone(rng, y[0], hue), jitter_tone(rng, y[1], hue_light or hue))
    mottle = g.map_range(s.mid, 0.3, 0.7, -0.5, 0.5)
    col = g.mix(g.math("ABSOLUTE", mottle), col,
                jitter_tone(rng, 0.5 * (y[0] + y[1]), tuple(c * 0.95 for c in hue)))
    height = add(g, (s.mid, 0.5), (s.fine, 0.5))
    if bands > 0:
        strata = g.node("ShaderNodeTexWave", {"Vector": s.p, "Scale": 1.0 / bands, "Distortion": 2.5,
                                              "Detail": 1.0, "Detail Scale": 1.0},
                        wave_type="BANDS", bands_direction="Z")["Fac"]
        by = band_y if band_y is not None else y[0]
        col = g.mix(g.map_range(strata, 0.45, 0.85, 0.0, 0.7), col, jitter_tone(rng, by, hue))
        height = add(g, (strata, 0.4), (s.mid, 0.3), (s.fine, 0.3))
    if speckle > 0:
        cells = g.voronoi(s.p, scale=rng.uniform(110.0, 160.0), feature="F1")
        crystal = g.node("ShaderNodeSeparateColor", {"Color": cells["Color"]})["Red"]
        dark = g.map_range(crystal, 0.84, 0.86, 0.0, speckle)  # mica and hornblende
        col = g.mix(dark, col, jitter_tone(rng, 0.05, GREY))
        light = g.map_range(crystal, 0.3, 0.28, 0.0, 0.6 * speckle)  # feldspar and quartz
        col = g.mix(light, col, jitter_tone(rng, min(0.6, y[1] * 1.6), (1.0, 0.92, 0.88)))
    if pores > 0:
        pits = g.map_range(g.voronoi(s.p, scale=45.0, feature="F1")["Distance"], 0.2 * pores + 0.05, 0.05)
        col = g.mix(pits, col, jitter_tone(rng, y[0] * 0.4, hue))
        height = g.math("SUBTRACT", height, g.math("MULTIPLY", pits, 0.5))
    if honeycomb > 0:  # tafoni: hollows dark with shade and crust, their rims worn light
        cells = g.voronoi(s.p, scale=1.0 / honeycomb_size, feature="F1", randomness=0.85)["Distance"]
        where = g.map_range(s.large, 0.62 - 0.4 * honeycomb, 0.7 - 0.4 * honeycomb)
        hollow = g.math("MULTIPLY", g.map_range(cells, 0.5, 0.15), where)
        col = g.mix(hollow, col, jitter_tone(rng, y[0] * 0.45, hue))
        rim = g.math("MULTIPLY", g.map_range(cells, 0.55, 0.7, 0.0, 0.5), where)
        col = g.mix(rim, col, jitter_tone(rng, y[1] * 1.15, hue_light or hue))
        height = g.math("SUBTRACT", height, g.math("MULTIPLY", hollow, 0.6))
    rough_out = g.map_range(s.fine, 0.3, 0.7, *rough)
    layer = Layer(col, rough_out, height, 0.5)
    if lichen > 0:
        layer = lichen_over(g, rng, s, layer, lichen)
    return layer


def lichen_over(g: Graph, rng, s: Scales, layer: Layer, share: float) -> Layer:
    """Crustose lichen on a stone layer: rosettes (cm) in patches (m), grey-green or orange."""
    rosette = g.voronoi(s.p, scale=rng.uniform(9.0, 14.0), feature="F1")
    kind = g.node("ShaderNodeSeparateColor", {"Color": rosette["Color"]})["Green"]
    colour = g.ramp(kind, [(0.0, jitter_tone(rng, 0.22, (0.85, 1.0, 0.65))),
                           (0.7, jitter_tone(rng, 0.28, (0.95, 1.0, 0.85))),
                           (0.85, jitter_tone(rng, 0.22, (1.0, 0.5, 0.1)))], interpolation="CONSTANT")
    where = add(g, (s.large, 1.0), (g.math("SUBTRACT", 1.0, rosette["Distance"]), 0.5))
    cover = g.map_range(where, 1.15 - 0.5 * share, 1.2 - 0.5 * share)
    col = g.mix(cover, layer.color, colour)
    rough = g.node("ShaderNodeMix", {"Factor": cover, "A": layer.rough, "B": 0.95}, data_type="FLOAT")["Result"]
    return Layer(col, rough, layer.height, layer.wet_darken)


def _rock(name: str, rng, params, large=0.6, mid=10.0, fine=150.0, bump=0.4, distance=0.01, wet=None,
          **layer_kw) -> Graph:
    g = Graph(name)
    layer = rock_layer(g, rng, Scales.make(g, rng, large, mid, fine), **layer_kw)
    finish(g, layer, params, bump=bump, distance=distance,
           wet=None if wet is None else g.math("MAXIMUM", g.attribute("wet")["Fac"], wet))
    return g


JOINTS = Cells(1.2, 0.03, "joints", width=0.03)

# in object units: rock prototypes have a half-length of about 1 (placements scale them), so a
# 0.6 m boulder gets ~0.5 cm typical, ~2 cm peak relief, a 2.5 m one ~8 cm peak
ROCK_RELIEF = stack(Relief(1.2, 0.05, octaves=5), Cells(0.9, 0.02, "joints", width=0.04))


@recipe("rock", displacement=ROCK_RELIEF)
def rock(rng, params):
    """Weathered grey-brown boulder stone, varied per instance, joints and lichen spots."""
    g = Graph("rock")
    s = Scales.make(g, rng, 1.2, 12.0, 160.0)
    layer = rock_layer(g, rng, s, y=(0.13, 0.28), hue=(1.0, 0.95, 0.88), lichen=0.25)
    tint = g.ramp(g.object_random(), [(0.0, (0.85, 0.85, 0.85)), (1.0, (1.12, 1.06, 1.0))])
    finish(g, Layer(g.mix(1.0, layer.color, tint, blend="MULTIPLY"), layer.rough, layer.height), params,
           bump=0.4, distance=0.02)
    return g


@recipe("granite", displacement=stack(Relief(2.0, 0.02), JOINTS))
def granite(rng, params):
    """Speckled grey-pink granite: feldspar, quartz and dark mica crystals, joints."""
    return _rock("granite", rng, params, y=(0.2, 0.32), hue=(1.0, 0.93, 0.9), speckle=0.8, rough=(0.75, 0.55))


@recipe("lichen_granite", displacement=stack(Relief(2.0, 0.02), JOINTS))
def lichen_granite(rng, params):
    """Weathered granite half covered by grey-green and orange crustose lichen."""
    return _rock("lichen_granite", rng, params, y=(0.18, 0.3), hue=(1.0, 0.95, 0.9), speckle=0.5, lichen=0.6)


@recipe("basalt", displacement=stack(Relief(1.5, 0.03), Cells(0.5, 0.02, "joints", width=0.03)))
def basalt(rng, params):
    """Dark, fine-grained volcanic rock with columnar joints and vesicles."""
    return _rock("basalt", rng, params, y=(0.05, 0.09), hue=(1.0, 1.0, 1.02), pores=0.3, rough=(0.8, 0.6))


@recipe("tuff", displacement=stack(Relief(1.0, 0.03), Cells(0.04, -0.006, "pebbles", cover=0.4)))
def tuff(rng, params):
    """Volcanic tuff: pale, porous, pitted by weathered-out pumice."""
    return _rock("tuff", rng, params, y=(0.22, 0.34), hue=(1.0, 0.92, 0.78), pores=0.8, rough=(0.95, 0.85))


@recipe("slate", displacement=stack(Relief(0.8, 0.015), Strata(0.05, 0.006, warp=0.2)))
def slate(rng, params):
    """Blue-grey layered slate."""
    return _rock("slate", rng, params, y=(0.08, 0.14), hue=(0.9, 0.97, 1.05), bands=0.05, band_y=0.06,
                 rough=(0.7, 0.5))


@recipe("shale", displacement=stack(Strata(0.03, 0.008, warp=0.15), Cells(0.6, 0.015, "joints", width=0.03)))
def shale(rng, params):
    """Dark grey fissile shale in thin beds, splitting into flakes."""
    return _rock("shale", rng, params, y=(0.08, 0.16), hue=(1.0, 0.98, 0.95), bands=0.03, band_y=0.06,
                 rough=(0.85, 0.65))


@recipe("sandstone", displacement=stack(Strata(0.5, 0.05), Relief(0.6, 0.03)))
def sandstone(rng, params):
    """Warm ochre banded sandstone (canyons, mesas)."""
    return _rock("sandstone", rng, params, y=(0.24, 0.38), hue=OCHRE, bands=0.6, band_y=0.22, rough=(0.95, 0.85))


@recipe("red_sandstone", displacement=stack(Strata(0.35, 0.05), Relief(0.8, 0.025), JOINTS))
def red_sandstone(rng, params):
    """Red (haematite-stained) sandstone in cross-bedded layers, iron bands darker."""
    return _rock("red_sandstone", rng, params, y=(0.14, 0.26), hue=RED, bands=0.35, band_y=0.12, rough=(0.95, 0.85))


@recipe("desert_varnish", displacement=stack(Strata(0.6, 0.04), Relief(0.8, 0.02)))
def desert_varnish(rng, params):
    """Red rock streaked with dark manganese desert varnish running down the face."""
    g = Graph("desert_varnish")
    s = Scales.make(g, rng, 0.6, 10.0, 150.0)
    layer = rock_layer(g, rng, s, y=(0.16, 0.26), hue=RED, bands=0.6, band_y=0.14)
    streaks = g.node("ShaderNodeMapping", {"Vector": s.p, "Scale": (4.0, 4.0, 0.4)})  # drips run down (Z)
    drip = g.noise(streaks, scale=2.0, detail=1.0)["Fac"]
    varnish = g.map_range(add(g, (drip, 1.0), (s.mid, 0.2)), 0.5, 0.6)
    col = g.mix(varnish, layer.color, jitter_tone(rng, 0.045, (1.0, 0.7, 0.5)))
    rough = g.node("ShaderNodeMix", {"Factor": varnish, "A": layer.rough, "B": 0.55}, data_type="FLOAT")["Result"]
    finish(g, Layer(col, rough, layer.height), params, bump=0.4, distance=0.01)
    return g


@recipe("limestone_strata", displacement=stack(Strata(0.8, 0.06), Relief(0.5, 0.02), JOINTS))
def limestone_strata(rng, params):
    """Pale grey limestone in horizontal beds with darker seams."""
    return _rock("limestone_strata", rng, params, y=(0.36, 0.55), hue=(1.0, 0.98, 0.92), bands=0.8, band_y=0.22,
                 rough=(0.9, 0.75))


@recipe("chalk", displacement=stack(Relief(0.8, 0.02), Cells(1.5, 0.03, "joints", width=0.04)))
def chalk(rng, params):
    """White chalk with grey flint nodules and soft, powdery weathering."""
    g = Graph("chalk")
    s = Scales.make(g, rng, 0.6, 8.0, 150.0)
    layer = rock_layer(g, rng, s, y=(0.62, 0.78), hue=(1.0, 0.99, 0.95), rough=(0.95, 0.85))
    flint = g.map_range(g.voronoi(s.p, scale=3.0, feature="F1")["Distance"], 0.16, 0.12)
    col = g.mix(flint, layer.color, jitter_tone(rng, 0.09, (0.9, 0.95, 1.0)))
    finish(g, Layer(col, layer.rough, layer.height, 0.35), params, bump=0.3, distance=0.01)
    return g


@recipe("mossy_rock", displacement=stack(Relief(1.2, 0.04), Cells(0.08, 0.006, "clods", cover=0.6)))
def mossy_rock(rng, params):
    """Rock with moss cushions on its upward faces."""
    g = Graph("mossy_rock")
    s = Scales.make(g, rng, 1.0, 12.0, 200.0)
    stone = rock_layer(g, rng, s, y=(0.1, 0.22), lichen=0.2)
    up = g.node("ShaderNodeSeparateXYZ", {"Vector": g.node("ShaderNodeNewGeometry")["Normal"]})["Z"]
    moss = g.map_range(add(g, (up, 1.0), (s.large, 0.6)), 0.75, 0.95)
    moss_col = shade(g, spread(g, s.mid, 2.0), jitter_tone(rng, 0.05, (0.6, 1.0, 0.2)),
                     jitter_tone(rng, 0.13, (0.7, 1.0, 0.25)))
    rough = g.node("ShaderNodeMix", {"Factor": moss, "A": stone.rough, "B": 0.95}, data_type="FLOAT")["Result"]
    finish(g, Layer(g.mix(moss, stone.color, moss_col), rough, stone.height), params, bump=0.4, distance=0.01)
    return g


@recipe("wet_rock", displacement=stack(Relief(1.5, 0.03), JOINTS))
def wet_rock(rng, params):
    """Rock under spray or after rain: dark, glossy water film, drier raised patches."""
    g = Graph("wet_rock")
    s = Scales.make(g, rng, 0.8, 10.0, 150.0)
    layer = rock_layer(g, rng, s, y=(0.16, 0.26), hue=(1.0, 0.96, 0.9), rough=(0.7, 0.5))
    wet = g.math("MAXIMUM", g.attribute("wet")["Fac"], g.map_range(s.large, 0.6, 0.75, 1.0, 0.75))
    finish(g, layer, params, bump=0.4, distance=0.01, wet=wet)
    return g


@recipe("tidal_rock", displacement=stack(Relief(1.5, 0.03), Cells(0.02, 0.003, "pebbles", cover=0.5)))
def tidal_rock(rng, params):
    """Intertidal rock: wet, green algae slime low down, barnacle specks, black lichen band."""
    g = Graph("tidal_rock")
    s = Scales.make(g, rng, 0.8, 12.0, 200.0)
    layer = rock_layer(g, rng, s, y=(0.12, 0.22), hue=(1.0, 0.95, 0.9), rough=(0.6, 0.4))
    z = g.node("ShaderNodeSeparateXYZ", {"Vector": s.p})["Z"]
    algae = g.map_range(add(g, (z, 1.0), (s.large, 0.6)), 0.4, 0.1)
    col = g.mix(algae, layer.color, jitter_tone(rng, 0.06, (0.5, 1.0, 0.25)))
    barnacle = g.map_range(g.voronoi(s.p, scale=50.0, feature="F1")["Distance"], 0.18, 0.1, 0.0, 0.8)
    col = g.mix(g.math("MULTIPLY", barnacle, g.math("SUBTRACT", 1.0, algae)), col, tone(0.35, (1.0, 0.98, 0.92)))
    rough = g.node("ShaderNodeMix", {"Factor": algae, "A": layer.rough, "B": 0.2}, data_type="FLOAT")["Result"]
    wet = g.math("MAXIMUM", g.attribute("wet")["Fac"], 0.8)
    finish(g, Layer(col, rough, layer.height, 0.5), params, bump=0.4, distance=0.01, wet=wet)
    return g
