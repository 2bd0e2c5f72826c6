"""More surfaces: sand and snow, lake/river/ocean water, bark species, cactus,
mushroom caps and petals. Short recipes over the same graph vocabulary."""

from __future__ import annotations

from .graph import Graph
from .ground import SAND_HUE, sand_layer
from .layers import Scales, add, finish
from .library import _jitter, recipe
from .plants import bark
from .relief import Relief, Ripples, stack


@recipe("sand", displacement=stack(Relief(4.0, 0.004, octaves=3), Ripples(0.1, 0.003)))
def sand(rng, params):
    """Fine beach sand, darker where wet near the water line (``height`` mask below ~0.5 m, or ``wet``)."""
    g = Graph("sand")
    layer = sand_layer(g, rng, Scales.make(g, rng, 0.8, 14.0, 300.0), (0.3, 0.42), (1.0, 0.82, 0.6))
    wet = g.math("MAXIMUM", g.map_range(g.attribute("height")["Fac"], 0.8, 0.2), g.attribute("wet")["Fac"])
    finish(g, layer, params, bump=0.25, distance=0.003, wet=wet)
    return g


# wind ripples across +X, irregular (``relief.Ripples``), on low dune undulation
@recipe("dune_sand", displacement=stack(Relief(1.5, 0.01, octaves=2), Ripples(0.12, 0.006, angle=0.0)))
def dune_sand(rng, params):
    """Warm desert dune sand: rippled crests (displaced), wind-sorted darker troughs, grain bump."""
    g = Graph("dune_sand")
    finish(g, sand_layer(g, rng, Scales.make(g, rng, 0.3, 9.0, 250.0), (0.32, 0.44), SAND_HUE), params,
           bump=0.25, distance=0.004)
    return g


def _water(g: Graph, tint: tuple, roughness: float, absorb: float, normal=None):
    kw = {"normal": normal} if normal is not None else {}
    g.surface(g.principled(base_color=(1.0, 1.0, 1.0), roughness=roughness, ior=1.333, transmission_weight=1.0, **kw))
    # depth absorption: light loses the red end first, so deep water turns blue-green
    g.volume(g.node("ShaderNodeVolumeAbsorption", {"Color": tint, "Density": absorb}))


@recipe("lake_water")
def lake_water(rng, params):
    """Still, clear lake water that darkens to blue-green with depth (volume absorption)."""
    g = Graph("lake_water")
    ripple = g.noise(g.coords("Object"), scale=1.5, detail=2.0)["Fac"]
    _water(g, _jitter(rng, (0.55, 0.8, 0.85), 0.05), 0.01, 0.4, g.bump(ripple, strength=0.05, distance=0.02))
    return g


@recipe("river_water")
def river_water(rng, params):
    """Turbid river water: a mirror-smooth dielectric surface (Fresnel F0 0.02 at IOR 1.333; the
    ripples are the mesh's) over the green-brown body colour that suspended sediment scatters back
    (water-leaving reflectance of turbid rivers ~2-8 %), with drifting sediment swirls.

    Opaque on purpose: behind a transmissive sheet the bed gets no sunlight (Cycles does not trace
    refracted caustics), so it rendered near black while each sample chose between the reflected
    and refracted path; that choice made the river the noisiest part of the frame (the river
    scene's RGB took 20 % longer at 640x360, images alike)."""
    g = Graph("river_water")
    p = g.coords("Object")
    warp = g.noise(p, scale=0.35, detail=1.0)["Color"]
    swirl = g.noise(g.mix(0.6, p, warp), scale=rng.uniform(0.7, 1.0), detail=2.0, roughness=0.55)["Fac"]
    fine = g.noise(p, scale=9.0, detail=1.0)["Fac"]
    body = _jitter(rng, (0.042, 0.05, 0.03), 0.08)
    silt = _jitter(rng, (0.075, 0.07, 0.045), 0.08)
    col = g.ramp(g.math("ADD", swirl, g.math("MULTIPLY", fine, 0.25)),
                 [(0.45, tuple(0.8 * c for c in body)), (0.6, body), (0.8, silt)])
    g.surface(g.principled(base_color=col, roughness=0.0, ior=1.333))
    return g


@recipe("ocean")
def ocean(rng, params):
    """Deep sea water with white foam on steep wave faces (``slope`` mask) and crests."""
    g = Graph("ocean")
    p = g.coords("Object")
    foam_noise = g.noise(p, scale=3.0, detail=2.0)["Fac"]
    slope = g.attribute("slope")["Fac"]
    foam = g.map_range(g.math("ADD", slope, g.math("MULTIPLY", foam_noise, 0.3)), 0.35, 0.5)
    water = g.principled(base_color=(1.0, 1.0, 1.0), roughness=0.03, ior=1.333, transmission_weight=1.0)
    white = g.principled(base_color=(0.85, 0.88, 0.9), roughness=0.8)
    g.surface(g.node("ShaderNodeMixShader", {0: foam, 1: water, 2: white}))
    g.volume(g.node("ShaderNodeVolumeAbsorption", {"Color": _jitter(rng, (0.2, 0.55, 0.6), 0.05), "Density": 0.6}))
    return g


@recipe("pine_bark")
def pine_bark(rng, params):
    """Conifer bark: deep furrows, red-brown plates."""
    return bark(rng, {**params, "kind": "conifer"})


@recipe("birch_bark")
def birch_bark(rng, params):
    """Birch bark: white with dark lenticels."""
    return bark(rng, {**params, "kind": "birch"})


@recipe("cactus")
def cactus(rng, params):
    """Waxy cactus skin: blue-green, paler along the ribs."""
    g = Graph("cactus")
    p = g.coords("Object")
    ribs = g.node("ShaderNodeTexWave", {"Vector": p, "Scale": 4.0, "Distortion": 0.5}, wave_type="RINGS")["Fac"]
    col = g.ramp(ribs, [(0.2, _jitter(rng, (0.08, 0.18, 0.09))), (0.9, _jitter(rng, (0.2, 0.3, 0.16)))])
    g.surface(g.principled(base_color=col, roughness=0.45, coat_weight=0.3,
                           normal=g.bump(ribs, strength=0.3, distance=0.02)))
    return g


@recipe("mushroom_cap")
def mushroom_cap(rng, params):
    """Mushroom cap: a brown or red top with pale spots, smooth and slightly glossy."""
    g = Graph("mushroom_cap")
    p = g.coords("Object")
    spots = g.map_range(g.voronoi(p, scale=rng.uniform(8.0, 14.0))["Distance"], 0.12, 0.18)
    top = _jitter(rng, (0.45, 0.08, 0.04) if rng.random() < 0.4 else (0.3, 0.18, 0.09), 0.2)
    col = g.mix(spots, (0.85, 0.82, 0.75), top)
    g.surface(g.principled(base_color=col, roughness=0.35, subsurface_weight=0.2))
    return g


@recipe("petal")
def petal(rng, params):
    """Flower petal: saturated, translucent, paler towards the edge (``tip`` mask), with wavy
    veins (~1 cm apart), blotches (cm), a per-flower hue shift, paler undersides and a slight roughness variation.
    One 3D noise: the veins are a sine of object X bent by the blotch noise (no wave texture)."""
    g = Graph("petal")
    hue = [(0.8, 0.15, 0.35), (0.9, 0.75, 0.1), (0.55, 0.3, 0.85), (0.95, 0.95, 0.9), (0.9, 0.35, 0.1)]
    base = _jitter(rng, hue[int(rng.integers(len(hue)))], 0.1)
    p = g.coords("Object")
    blotch = g.noise(p, scale=12.0, detail=1.0)["Fac"]
    x = g.node("ShaderNodeSeparateXYZ", {"Vector": p})["X"]
    bent = g.math("ADD", g.math("MULTIPLY", x, 500.0), g.math("MULTIPLY", blotch, 8.0))  # 1.3 cm apart
    veins = g.math("ADD", g.math("MULTIPLY", g.math("SINE", bent), 0.5), 0.5)
    col = g.mix(g.map_range(add(g, (g.attribute("tip")["Fac"], 0.8), (blotch, 1.2)), 0.7, 1.5), base,
                tuple(min(1.0, c * 1.3 + 0.1) for c in base))
    col = g.mix(g.map_range(veins, 0.6, 0.9, 0.0, 0.35), col, tuple(c * 0.55 for c in base))
    col = g.mix(1.0, col, g.ramp(g.object_random(), [(0.0, (0.85, 0.85, 0.85)), (1.0, (1.1, 1.05, 1.05))]),
                blend="MULTIPLY")
    back = g.node("ShaderNodeNewGeometry")["Backfacing"]
    col = g.mix(g.math("MULTIPLY", back, 0.4), col, (1.25, 1.25, 1.25), blend="MULTIPLY")  # paler underside
    rough = g.math("ADD", g.math("MULTIPLY", blotch, 0.3), 0.35)  # 0.45-0.55 mostly
    front = g.principled(base_color=col, roughness=rough, normal=g.bump(veins, strength=0.1, distance=0.002))
    back_lobe = g.node("ShaderNodeBsdfTranslucent", {"Color": col})
    g.surface(g.node("ShaderNodeMixShader", {0: 0.35, 1: front, 2: back_lobe}))
    return g
