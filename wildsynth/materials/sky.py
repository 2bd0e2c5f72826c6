"""The sky as a world-shader graph: Nishita physical sky plus a cloud layer.

Clouds are a noise field on a virtual plane above the camera (direction
d -> d.xy / d.z), thresholded by coverage and faded towards the horizon. The
sun itself is a separate sun lamp (sharp shadows, no noise), so the sky graph
has no sun disc.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.scene import Sky, Sun
from .graph import Graph


def sky_graph(sky: Sky, sun: Sun) -> Graph:
    g = Graph("sky")
    nishita = g.node("ShaderNodeTexSky", sky_type="NISHITA", sun_disc=False,
                     sun_elevation=max(sun.elevation, 0.0),
                     # measured in Blender: rotation 0 puts the sun at +Y, pi/2 at +X
                     sun_rotation=(math.pi / 2.0 - sun.azimuth) % (2.0 * math.pi),
                     air_density=sky.air_density, dust_density=sky.dust_density,
                     ozone_density=sky.ozone_density)
    colour = nishita["Color"]
    if sky.clouds > 0:
        rng = np.random.default_rng(sky.cloud_seed)
        d = g.node("ShaderNodeTexCoord")["Generated"]  # world: the view direction
        parts = g.node("ShaderNodeSeparateXYZ", {"Vector": d})
        up = g.math("MAXIMUM", parts["Z"], 0.02)
        plane = g.node("ShaderNodeCombineXYZ", {"X": g.math("DIVIDE", parts["X"], up),
                                                "Y": g.math("DIVIDE", parts["Y"], up),
                                                "Z": float(rng.uniform(0, 100))})
        field = g.noise(plane["Vector"], scale=float(rng.uniform(0.5, 0.9)), detail=2.0, roughness=0.55)["Fac"]
        cover = float(np.clip(sky.clouds, 0.0, 1.0))
        lo = 0.68 - 0.4 * cover
        density = g.map_range(field, lo, lo + 0.12)
        horizon = g.map_range(parts["Z"], 0.0, 0.15)  # fade into the haze at the horizon
        amount = g.math("MULTIPLY", density, horizon)
        # sunlit cloud: brighter than the sky behind it, nearly white; darker when the sun is low
        lum = g.node("ShaderNodeRGBToBW", {"Color": colour})["Val"]
        bright = g.math("MULTIPLY", lum, 1.2 + 0.8 * max(sun.direction[2], 0.0))
        cloud = g.node("ShaderNodeCombineColor", {"Red": bright, "Green": bright,
                                                  "Blue": g.math("MULTIPLY", bright, 1.03)})["Color"]
        colour = g.mix(amount, colour, cloud)
    bg = g.node("ShaderNodeBackground", {"Color": colour, "Strength": sky.strength})
    g.surface(bg)
    return g
