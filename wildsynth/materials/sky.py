"""The sky as a world-shader graph (Nishita physical sky plus a cloud layer), and the air.

Clouds are a noise field on a virtual plane above the camera (direction
d -> d.xy / d.z), thresholded by coverage and faded towards the horizon. The
sun itself is a separate sun lamp (sharp shadows, no noise) with the light of
Nishita's own sun (below), so the sky graph has no sun disc.
Sun and sky are balanced to daylight: the sun above the atmosphere is white
(``DAYLIGHT_BALANCE``, like a camera's daylight white balance).

``with_aerial_perspective`` wraps a material's surface in the haze of the same
air: ``L = L0 T(d) + L_inf (1 - T(d))`` with ``T = exp(-beta (d - 100 m))``, ``d`` the
shading point's distance from the camera and ``L_inf`` the sky's radiance at
the horizon in the viewing direction. ``cloud_volume_graph`` is the volume
material of the optional volumetric cloud slab.

The atmosphere
--------------
The sun, sky and haze from one atmosphere (numpy only; the sky itself is Blender's Nishita texture).

Blender's Nishita sky is a single-scattering model of an atmosphere with Rayleigh (air), Mie
(dust) and ozone densities given as multiples of the standard atmosphere. Its own sun disc is
noisy to sample, so the sun is a sun lamp instead; this module gives that lamp exactly the
light Nishita's disc would send: the irradiance above the atmosphere, attenuated along the air
mass of the sun's elevation,

    E_c(h) = S_c * exp(-m(h) * (air * a_c + dust * b)),   m(h): Kasten & Young (1989),

per Rec.709 channel c, in Nishita's own units. S, a and b were fitted to the sun disc of
Blender 4.5's Nishita texture, integrated over an equirectangular render (4096 x 2048) at
sun elevations 5-80 degrees and densities air 1-2, dust 0-4, ozone 0-3: within 4% everywhere
(ozone does not change the disc in Blender's model). With that lamp, the sun's direct light on
a horizontal surface is 3x (sun at 15 deg) to 11x (80 deg) the sky's diffuse light at the
default dust 1.5 (Nishita's sky measured the same way), as on a clear day.

Aerial perspective uses the same densities at ground level: extinction
beta_c = air * a_c / 8 km + dust * b / 1.2 km (the scale heights of air and aerosol), so
T(d) = exp(-beta d), and the light scattered in along a long ray is the sky's radiance at the
horizon in that direction (``with_aerial_perspective``).
"""

from __future__ import annotations

import math

import numpy as np

from ..core.mesh import Instances
from ..core.scene import Sky, Sun
from .graph import Graph, Out

SUN_TOP = np.array([167.52, 147.05, 138.72])  # irradiance above the atmosphere, Nishita units, RGB
TAU_AIR = np.array([0.0553, 0.1061, 0.2472])  # zenith optical depth per unit air density
TAU_DUST = 0.0272  # zenith optical depth per unit dust density (grey)
H_AIR, H_DUST = 8000.0, 1200.0  # scale heights, m
LUMA = np.array([0.2126, 0.7152, 0.0722])  # Rec.709 luminance weights
# A camera on daylight white balance renders the sun above the atmosphere white: the same gain
# goes on the sun lamp and on the sky.
DAYLIGHT_BALANCE = tuple(float(x) for x in SUN_TOP.max() / SUN_TOP)

# One scale from Nishita's units to Blender's film: daylight with the sun at 45 degrees (about
# 98 Nishita units on a horizontal surface) gives a white Lambertian surface a radiance near 1,
# so a manual exposure of 0 is about right in daylight (auto-exposure does not need it).
FILM_SCALE = 0.032


def air_mass(elevation_deg: float) -> float:
    """Relative optical air mass along the sun's path (Kasten & Young 1989; 1 at the zenith)."""
    h = max(float(elevation_deg), -0.5)
    return float(1.0 / (np.sin(np.radians(h)) + 0.50572 * (h + 6.07995) ** -1.6364))


def optical_depth(air: float = 1.0, dust: float = 1.0) -> np.ndarray:
    """Zenith optical depth per channel."""
    return air * TAU_AIR + dust * TAU_DUST


def sun_irradiance(elevation_deg: float, air: float = 1.0, dust: float = 1.0) -> np.ndarray:
    """Direct normal irradiance of the sun per channel, Nishita units (0 below the horizon)."""
    if elevation_deg <= -0.5:
        return np.zeros(3)
    return SUN_TOP * np.exp(-air_mass(elevation_deg) * optical_depth(air, dust))


def sun_lamp(elevation_deg: float, air: float = 1.0, dust: float = 1.0, scale: float = FILM_SCALE
             ) -> tuple[float, tuple[float, float, float]]:
    """(strength, colour) of a Blender sun lamp that sends Nishita's sun: ``strength * colour`` is
    the direct normal irradiance times ``scale``, the colour's largest channel is 1."""
    e = sun_irradiance(elevation_deg, air, dust) * scale * np.asarray(DAYLIGHT_BALANCE)
    top = float(e.max())
    if top <= 0.0:
        return 0.0, (1.0, 1.0, 1.0)
    return top, tuple(float(x) for x in e / top)


def extinction(air: float = 1.0, dust: float = 1.0) -> np.ndarray:
    """Extinction coefficient of the air at the ground per channel, 1/m."""
    return air * TAU_AIR / H_AIR + dust * TAU_DUST / H_DUST


# The first 100 m of air are left out of the haze: in the open their in-scattered light is tiny
# (0.5% of the horizon's at 100 m), and under a canopy or a cave roof, which shade that air, a
# horizon-sky glow would veil the dark interior (forest seed 0: key 0.0017, the glow at 30 m ~1.5e-4).
HAZE_START = 100.0


def mark_haze_free(scene, eyes: np.ndarray, moving_ids: np.ndarray, margin: float = 5.0) -> int:
    """Set ``haze_free`` on what stays within ``HAZE_START - margin`` of every eye in ``eyes`` (N, 3):
    on instances when every placement's bounding sphere does (True); on a mesh, the faces whose three
    vertices do (the farthest point of a triangle is a vertex): True when all do, else a (F,) bool
    array. Objects with an id in ``moving_ids`` are left out (they may travel); the margin covers
    cameras interpolated across an open shutter. Returns how many objects got any."""
    eyes = np.asarray(eyes, dtype=np.float64).reshape(-1, 3)
    reach2 = (HAZE_START - float(margin)) ** 2
    moving = np.asarray(moving_ids)
    marked = 0
    for obj in scene.objects:
        g = obj.geometry
        if len(moving) and np.isin(obj.ids, moving).any():
            continue
        if isinstance(g, Instances):
            if not len(g) or not len(g.mesh.vertices):
                continue
            v = g.mesh.vertices.astype(np.float64)
            lo, hi = v.min(0), v.max(0)
            centre, radius = 0.5 * (lo + hi), 0.5 * float(np.linalg.norm(hi - lo))
            t = g.transforms.astype(np.float64)
            world = t[:, :3, :3] @ centre + t[:, :3, 3]
            scale = np.linalg.norm(t[:, :3, :3], axis=(1, 2))  # Frobenius: at least the largest stretch
            far = (np.linalg.norm(world[None] - eyes[:, None], axis=-1) + (radius * scale)[None]).max()
            if far * far <= reach2:
                obj.haze_free = True
                marked += 1
            continue
        if not len(g.faces):
            continue
        v = g.vertices.astype(np.float64)
        near = np.ones(len(v), dtype=bool)
        for e in eyes:
            near &= ((v - e) ** 2).sum(1) <= reach2
            if not near.any():
                break
        faces = near[g.faces].all(1)
        if faces.all():
            obj.haze_free = True
        elif faces.any():
            obj.haze_free = faces
        else:
            continue
        marked += 1
    return marked


def haze_beta(air: float = 1.0, dust: float = 1.0) -> float:
    """The one extinction coefficient the haze uses (1/m): the luminance-weighted mean of the
    channels' (a closure can only be weighted by a scalar; the sky's colour at the horizon gives
    distant things their blue)."""
    return float(LUMA @ extinction(air, dust))


def transmittance(distance, air: float = 1.0, dust: float = 1.0) -> np.ndarray:
    """T(d) = exp(-beta max(d - HAZE_START, 0)) for distances in metres (inf -> 0)."""
    d = np.maximum(np.asarray(distance, dtype=np.float64) - HAZE_START, 0.0)
    return np.exp(-d * haze_beta(air, dust))


def aerial(radiance, distance, horizon, air: float = 1.0, dust: float = 1.0) -> np.ndarray:
    """L = L0 T(d) + L_inf (1 - T(d)): what ``with_aerial_perspective`` shades, in numpy; radiance
    (..., 3), distance (...), horizon (3,) or (..., 3)."""
    t = transmittance(distance, air, dust)[..., None]
    return np.asarray(radiance) * t + np.asarray(horizon) * (1.0 - t)


def _nishita(g: Graph, sky: Sky, sun: Sun, vector: Out | None = None) -> Out:
    inputs = {"Vector": vector} if vector is not None else None
    node = g.node("ShaderNodeTexSky", inputs, sky_type="NISHITA", sun_disc=False,
                  sun_elevation=max(sun.elevation, 0.0),
                  # measured in Blender: rotation 0 puts the sun at +Y, pi/2 at +X
                  sun_rotation=(math.pi / 2.0 - sun.azimuth) % (2.0 * math.pi),
                  air_density=sky.air_density, dust_density=sky.dust_density,
                  ozone_density=sky.ozone_density)
    return g.mix(1.0, node["Color"], DAYLIGHT_BALANCE, blend="MULTIPLY")


def sky_graph(sky: Sky, sun: Sun, cloud_layer: bool = True) -> Graph:
    """The world: Nishita sky times ``sky.strength``; the 2D cloud layer unless ``cloud_layer`` is off
    (volumetric clouds replace it)."""
    g = Graph("sky")
    colour = _nishita(g, sky, sun)
    if sky.clouds > 0 and cloud_layer:
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


def with_aerial_perspective(graph: Graph, sky: Sky, sun: Sun, beta: float) -> Graph:
    """``graph`` with its surface seen through ``beta`` (1/m) of haze: camera, glossy and
    transmission rays see ``T * surface + (1 - T) * L_inf``; diffuse and shadow rays see the
    plain surface (light bouncing between nearby things crosses little air)."""
    if "Surface" not in graph.outputs or beta <= 0.0:
        return graph
    g = graph
    dist = g.math("MAXIMUM", g.math("SUBTRACT", g.node("ShaderNodeCameraData")["View Distance"], HAZE_START), 0.0)
    t = g.math("EXPONENT", g.math("MULTIPLY", dist, -float(beta)))
    path = g.node("ShaderNodeLightPath")
    gate = g.math("MAXIMUM", g.math("MAXIMUM", path["Is Camera Ray"], path["Is Glossy Ray"]),
                  path["Is Transmission Ray"])
    fac = g.math("MULTIPLY", g.math("SUBTRACT", 1.0, t), gate)
    incoming = g.node("ShaderNodeNewGeometry")["Incoming"]  # towards the camera
    parts = g.node("ShaderNodeSeparateXYZ", {"Vector": incoming})
    # the view direction, raised to at least just above the horizon
    look = g.node("ShaderNodeCombineXYZ", {"X": g.math("MULTIPLY", parts["X"], -1.0),
                                           "Y": g.math("MULTIPLY", parts["Y"], -1.0),
                                           "Z": g.math("MAXIMUM", g.math("MULTIPLY", parts["Z"], -1.0), 0.01)})
    horizon = _nishita(g, sky, sun, look["Vector"])
    if sky.clouds > 0:  # a clouded sky's haze is greyer
        grey = g.node("ShaderNodeRGBToBW", {"Color": horizon})["Val"]
        horizon = g.mix(float(min(sky.clouds, 1.0)) * 0.7, horizon,
                        g.node("ShaderNodeCombineColor", {"Red": grey, "Green": grey, "Blue": grey})["Color"])
    glow = g.node("ShaderNodeEmission", {"Color": horizon, "Strength": float(sky.strength)})
    g.outputs["Surface"] = g.node("ShaderNodeMixShader", {0: fac, 1: graph.outputs["Surface"], 2: glow.out}).out
    return g


def cloud_volume_graph(sky: Sky, thickness: float) -> Graph:
    """Volume material of a cloud slab (object coordinates in metres, z from 0 to ``thickness``):
    3D noise thresholded by ``sky.clouds``, thinned at the slab's top and bottom; white, scattering."""
    rng = np.random.default_rng(sky.cloud_seed)
    g = Graph("clouds")
    p = g.coords("Object")
    field = g.noise(p, scale=float(rng.uniform(0.00025, 0.0004)), detail=4.0, roughness=0.55)["Fac"]
    cover = float(np.clip(sky.clouds, 0.0, 1.0))
    lo = 0.66 - 0.35 * cover
    parts = g.node("ShaderNodeSeparateXYZ", {"Vector": p})
    h = g.math("DIVIDE", parts["Z"], float(thickness))
    profile = g.math("MULTIPLY", g.map_range(h, 0.0, 0.25), g.map_range(h, 1.0, 0.55))
    density = g.math("MULTIPLY", g.math("MULTIPLY", g.map_range(field, lo, lo + 0.1), profile), 0.03)
    g.volume(g.node("ShaderNodeVolumePrincipled", {"Color": (0.95, 0.95, 0.95), "Density": density,
                                                   "Anisotropy": 0.6}))
    return g
