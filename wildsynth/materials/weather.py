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
    """Bright, slightly translucent ice crystal."""
    g = Graph("snowflake")
    g.surface(g.principled(base_color=(0.92, 0.94, 0.97), roughness=0.4, subsurface_weight=0.3))
    return g


@recipe("dust_mote")
def dust_mote(rng, params):
    """Sunlit mineral dust."""
    g = Graph("dust_mote")
    g.surface(g.principled(base_color=_jitter(rng, (0.55, 0.45, 0.32)), roughness=0.9))
    return g


@recipe("leaf_litter")
def leaf_litter(rng, params):
    """Dry autumn leaves, varied per particle, a little translucent."""
    g = Graph("leaf_litter")
    col = g.ramp(g.object_random(), [(0.0, _jitter(rng, (0.35, 0.12, 0.02))), (0.5, _jitter(rng, (0.55, 0.3, 0.03))),
                                     (1.0, _jitter(rng, (0.3, 0.25, 0.05)))])
    g.surface(g.principled(base_color=col, roughness=0.6, subsurface_weight=0.2))
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
