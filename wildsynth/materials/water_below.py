"""Water seen from inside: murk with sun shafts (an option of the underwater scenes).

``murk_shafts`` is the ``murk`` volume (``materials/weather.py``: blue-green scattering, absorption twice
as dense) whose scattering density is raised along streaks parallel to the sun: a noise of the
position projected onto the plane across the sun's direction (``sun``, a unit vector towards the
sun), so each streak is a prism of denser, brighter water along the light, ``shaft_width`` m across,
``shafts`` times denser at its core, fading to none ``shaft_depth`` m below the surface (``water_level``).
An approximation: the shafts are painted into the volume, not cast by the waves (the surface lets
shadow rays through). Being heterogeneous, the volume is ray-marched instead of sampled in closed form:
docs/underwater.md gives the measured cost.
"""

from __future__ import annotations

from .graph import Graph
from .library import _jitter, recipe


@recipe("murk_shafts")
def murk_shafts(rng, params):
    """Underwater murk with sun shafts: denser scattering along streaks parallel to the sunlight."""
    g = Graph("murk_shafts")
    density = float(params.get("density", 0.05))
    strength = float(params.get("shafts", 1.5))
    width = float(params.get("shaft_width", 1.5))
    depth = float(params.get("shaft_depth", 25.0))
    level = float(params.get("water_level", 0.0))
    sun = tuple(float(c) for c in params.get("sun", (0.0, 0.0, 1.0)))
    p = g.coords("Object")  # the murk box's object space is the world's
    along = g.node("ShaderNodeVectorMath", {0: p, 1: sun}, operation="DOT_PRODUCT")["Value"]
    on_axis = g.node("ShaderNodeVectorMath", {0: sun, "Scale": along}, operation="SCALE")["Vector"]
    across = g.node("ShaderNodeVectorMath", {0: p, 1: on_axis}, operation="SUBTRACT")["Vector"]
    n = g.noise(across, scale=1.0 / width, detail=1.0)["Fac"]
    streak = g.map_range(n, 0.5, 0.68, 0.0, 1.0)
    z = g.node("ShaderNodeSeparateXYZ", {"Vector": p})["Z"]
    fade = g.map_range(g.math("SUBTRACT", level, z), 0.0, depth, 1.0, 0.0)
    boost = g.math("ADD", 1.0, g.math("MULTIPLY", g.math("MULTIPLY", streak, fade), strength))
    scatter = g.node("ShaderNodeVolumeScatter", {"Color": _jitter(rng, (0.3, 0.65, 0.6), 0.1),
                                                 "Density": g.math("MULTIPLY", boost, density), "Anisotropy": 0.6})
    absorb = g.node("ShaderNodeVolumeAbsorption", {"Color": (0.45, 0.85, 0.8), "Density": 2.0 * density})
    g.volume(g.node("ShaderNodeAddShader", {0: scatter, 1: absorb}))
    return g
