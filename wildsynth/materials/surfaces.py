"""More surfaces: sand and snow, lake/river/ocean water, bark species, cactus,
mushroom caps and petals. Short recipes over the same graph vocabulary."""

from __future__ import annotations

from .graph import Graph
from .library import _jitter, recipe
from .plants import bark
from .relief import Relief


@recipe("sand", displacement=Relief(4.0, 0.004, octaves=3, ripple_wavelength=0.1, ripple_amplitude=0.003))
def sand(rng, params):
    """Fine beach sand, darker where wet near the water line (``height`` mask)."""
    g = Graph("sand")
    p = g.coords("Object")
    grain = g.noise(p, scale=80.0, detail=1.0)["Fac"]
    col = g.ramp(g.noise(p, scale=0.8, detail=2.0)["Fac"], [(0.3, _jitter(rng, (0.55, 0.45, 0.3))),
                                                          (0.7, _jitter(rng, (0.7, 0.6, 0.42)))])
    wet = g.map_range(g.attribute("height")["Fac"], 0.8, 0.2)  # below ~0.5 m: wet
    col = g.mix(g.math("MULTIPLY", wet, 0.6), col, _jitter(rng, (0.25, 0.2, 0.13)))
    g.surface(g.principled(base_color=col, roughness=g.map_range(wet, 0, 1, 0.95, 0.35),
                           normal=g.bump(grain, strength=0.2, distance=0.005)))
    return g


# ripples as the shader draws them: bands along +X every 0.4 m
@recipe("dune_sand", displacement=Relief(1.5, 0.01, octaves=2, ripple_wavelength=0.4, ripple_amplitude=0.008,
                                           ripple_angle=0.0))
def dune_sand(rng, params):
    """Warm desert sand with wind ripples across the slope."""
    g = Graph("dune_sand")
    p = g.coords("Object")
    ripples = g.node("ShaderNodeTexWave", {"Vector": p, "Scale": 2.5, "Distortion": 3.0, "Detail": 1.0},
                     wave_type="BANDS", bands_direction="X")["Fac"]
    col = g.ramp(g.noise(p, scale=0.3, detail=2.0)["Fac"], [(0.3, _jitter(rng, (0.62, 0.4, 0.2))),
                                                          (0.7, _jitter(rng, (0.78, 0.55, 0.3)))])
    g.surface(g.principled(base_color=col, roughness=0.95, normal=g.bump(ripples, strength=0.3, distance=0.02)))
    return g


@recipe("snow", displacement=Relief(0.7, 0.03, octaves=3))
def snow(rng, params):
    """Fresh snow: bright, slightly blue in shade, with subsurface scattering."""
    g = Graph("snow")
    p = g.coords("Object")
    n = g.noise(p, scale=1.2, detail=2.0)["Fac"]
    col = g.ramp(n, [(0.3, (0.78, 0.8, 0.85)), (0.7, (0.9, 0.91, 0.93))])
    g.surface(g.principled(base_color=col, roughness=0.6, subsurface_weight=0.4,
                           subsurface_radius=(0.3, 0.4, 0.6), normal=g.bump(n, strength=0.15, distance=0.05)))
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
    """Flowing river water: murkier, with streaks along the current (+X)."""
    g = Graph("river_water")
    flow = g.node("ShaderNodeMapping", {"Vector": g.coords("Object"), "Scale": (0.3, 3.0, 1.0)})
    streaks = g.noise(flow, scale=2.0, detail=2.0)["Fac"]
    _water(g, _jitter(rng, (0.6, 0.7, 0.55), 0.05), 0.04, 0.9, g.bump(streaks, strength=0.15, distance=0.05))
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
    """Flower petal: saturated, translucent, paler towards the edge (``tip`` mask)."""
    g = Graph("petal")
    hue = [(0.8, 0.15, 0.35), (0.9, 0.75, 0.1), (0.55, 0.3, 0.85), (0.95, 0.95, 0.9), (0.9, 0.35, 0.1)]
    base = _jitter(rng, hue[int(rng.integers(len(hue)))], 0.1)
    col = g.mix(g.map_range(g.attribute("tip")["Fac"], 0.3, 1.0), base, tuple(min(1.0, c * 1.3 + 0.1) for c in base))
    front = g.principled(base_color=col, roughness=0.5)
    back = g.node("ShaderNodeBsdfTranslucent", {"Color": col})
    g.surface(g.node("ShaderNodeMixShader", {0: 0.35, 1: front, 2: back}))
    return g
