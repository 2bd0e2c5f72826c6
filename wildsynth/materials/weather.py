"""Materials of weather particles: rain, snow, dust and dry leaves."""

from __future__ import annotations

from .graph import Graph
from .library import _jitter, recipe


@recipe("rain_drop")
def rain_drop(rng, params):
    """Clear water: glassy, refractive (IOR 1.33)."""
    g = Graph("rain_drop")
    g.surface(g.principled(base_color=(0.9, 0.95, 1.0), roughness=0.02, transmission_weight=1.0, ior=1.33))
    return g


@recipe("snowflake")
def snowflake(rng, params):
    """Bright, slightly translucent ice crystal, sparkling across its facets."""
    g = Graph("snowflake")
    facets = g.voronoi(g.coords("Object"), scale=6.0)["Distance"]
    col = g.ramp(facets, [(0.0, (0.82, 0.86, 0.92)), (0.6, (0.93, 0.95, 0.98))])
    g.surface(g.principled(base_color=col, roughness=g.map_range(facets, 0, 1, 0.15, 0.45), subsurface_weight=0.3))
    return g


@recipe("dust_mote")
def dust_mote(rng, params):
    """Sunlit mineral dust: mixed quartz, clay and iron-oxide grains."""
    g = Graph("dust_mote")
    n = g.noise(g.coords("Object"), scale=5.0, detail=1.0)["Fac"]
    col = g.ramp(n, [(0.3, _jitter(rng, (0.35, 0.26, 0.17))), (0.7, _jitter(rng, (0.62, 0.52, 0.38)))])
    g.surface(g.principled(base_color=col, roughness=0.9))
    return g


@recipe("leaf_litter")
def leaf_litter(rng, params):
    """Dry autumn leaves, varied per particle, blotched and veined, a little translucent."""
    g = Graph("leaf_litter")
    p = g.coords("Object")
    blotch = g.noise(p, scale=6.0, detail=1.0)["Fac"]
    fac = g.math("ADD", g.math("MULTIPLY", g.object_random(), 0.7), g.math("MULTIPLY", blotch, 0.6))
    col = g.ramp(fac, [(0.1, _jitter(rng, (0.3, 0.1, 0.02))), (0.45, _jitter(rng, (0.5, 0.27, 0.03))),
                       (0.8, _jitter(rng, (0.3, 0.25, 0.05))), (1.1, _jitter(rng, (0.16, 0.1, 0.04)))])
    veins = g.node("ShaderNodeTexWave", {"Vector": p, "Scale": 12.0, "Distortion": 2.0}, wave_type="BANDS")["Fac"]
    col = g.mix(g.map_range(veins, 0.7, 0.95, 0.0, 0.3), col, _jitter(rng, (0.12, 0.07, 0.03)))
    g.surface(g.principled(base_color=col, roughness=0.6, subsurface_weight=0.2,
                           normal=g.bump(blotch, strength=0.2, distance=0.005)))
    return g


@recipe("fog")
def fog(rng, params):
    """Scattering air: a volume with no surface (``density`` in 1/m)."""
    g = Graph("fog")
    g.volume(g.node("ShaderNodeVolumePrincipled", {"Color": (0.9, 0.92, 0.95),
                                                   "Density": float(params.get("density", 0.01)),
                                                   "Anisotropy": 0.4}))
    return g


@recipe("murk")
def murk(rng, params):
    """Underwater murk: suspended particles scatter blue-green light and water absorbs red."""
    g = Graph("murk")
    density = float(params.get("density", 0.05))
    scatter = g.node("ShaderNodeVolumeScatter", {"Color": _jitter(rng, (0.3, 0.65, 0.6), 0.1), "Density": density,
                                                 "Anisotropy": 0.6})
    absorb = g.node("ShaderNodeVolumeAbsorption", {"Color": (0.45, 0.85, 0.8), "Density": 2.0 * density})
    g.volume(g.node("ShaderNodeAddShader", {0: scatter, 1: absorb}))
    return g
