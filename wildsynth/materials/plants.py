"""Plant materials: bark, leaves (by season), grass, and per-vertex-coloured plants.

Cheap by design (Cycles on 2 cores is shading-bound): at most one or two
low-detail noises per material; variation comes from per-instance random
values and per-vertex colours written by the generators (``tint``, ``tip``).
Leaves and grass mix in a translucent lobe so light glows through them.
"""

from __future__ import annotations

import numpy as np

from .graph import Graph
from .library import _jitter, recipe

_BARK = {  # dark, light (linear RGB)
    "broadleaf": ((0.035, 0.027, 0.02), (0.13, 0.11, 0.085)),
    "conifer": ((0.04, 0.022, 0.014), (0.14, 0.08, 0.05)),
    "birch": ((0.05, 0.045, 0.04), (0.62, 0.6, 0.55)),
    "palm": ((0.09, 0.07, 0.045), (0.25, 0.2, 0.13)),
    "dead": ((0.06, 0.055, 0.05), (0.22, 0.2, 0.18)),
}

_LEAF = {  # (season, kind) -> colour stops across instances
    ("summer", "broadleaf"): [(0.0, (0.03, 0.075, 0.012)), (1.0, (0.07, 0.15, 0.02))],
    ("summer", "birch"): [(0.0, (0.06, 0.13, 0.015)), (1.0, (0.12, 0.2, 0.03))],
    ("summer", "needle"): [(0.0, (0.015, 0.04, 0.012)), (1.0, (0.03, 0.07, 0.02))],
    ("summer", "palm"): [(0.0, (0.05, 0.1, 0.02)), (1.0, (0.1, 0.16, 0.03))],
    ("autumn", "broadleaf"): [(0.0, (0.35, 0.05, 0.01)), (0.4, (0.6, 0.2, 0.01)), (0.75, (0.7, 0.42, 0.03)),
                              (1.0, (0.25, 0.25, 0.03))],
    ("autumn", "birch"): [(0.0, (0.55, 0.35, 0.02)), (1.0, (0.8, 0.6, 0.05))],
}


@recipe("bark")
def bark(rng: np.random.Generator, params: dict) -> Graph:
    """Bark: furrow-dark / ridge-light by a stretched noise; birch gets dark lenticels."""
    kind = params.get("kind", "broadleaf")
    dark, light = _BARK.get(kind, _BARK["broadleaf"])
    g = Graph(f"bark_{kind}")
    p = g.coords("Object")
    stretch = g.node("ShaderNodeMapping", {"Vector": p, "Scale": (6.0, 6.0, 1.2)})
    n = g.noise(stretch, scale=rng.uniform(2.0, 3.5), detail=2.0, roughness=0.6)["Fac"]
    col = g.ramp(n, [(0.35, _jitter(rng, dark, 0.15)), (0.65, _jitter(rng, light, 0.15))])
    if kind == "birch":
        marks = g.map_range(g.noise(g.node("ShaderNodeMapping", {"Vector": p, "Scale": (3.0, 3.0, 20.0)}),
                                    scale=3.0, detail=1.0)["Fac"], 0.62, 0.68)
        col = g.mix(marks, col, (0.03, 0.03, 0.03))
    tint = g.ramp(g.object_random(), [(0.0, (0.8, 0.8, 0.8)), (1.0, (1.15, 1.1, 1.05))])
    col = g.mix(1.0, col, tint, blend="MULTIPLY")
    g.surface(g.principled(base_color=col, roughness=0.9, normal=g.bump(n, strength=0.4, distance=0.02)))
    return g


def _thin_surface(g: Graph, col, translucency: float, roughness: float = 0.55):
    front = g.principled(base_color=col, roughness=roughness)
    back = g.node("ShaderNodeBsdfTranslucent", {"Color": col})
    g.surface(g.node("ShaderNodeMixShader", {0: translucency, 1: front, 2: back}))


@recipe("leaf")
def leaf_material(rng: np.random.Generator, params: dict) -> Graph:
    """Leaves of one kind and season, coloured per instance (each twig cluster differs)."""
    kind, season = params.get("kind", "broadleaf"), params.get("season", "summer")
    stops = _LEAF.get((season, kind)) or _LEAF[("summer", kind if ("summer", kind) in _LEAF else "broadleaf")]
    g = Graph(f"leaf_{kind}_{season}")
    # per-cluster variation (``vary`` of a foliage mesh) plus per-tree / per-instance variation
    # per leaf (``leafvar`` of a cluster), per cluster (``vary``) and per tree (object random)
    fac = g.math("ADD", g.math("MULTIPLY", g.attribute("vary")["Fac"], 0.5),
                 g.math("ADD", g.math("MULTIPLY", g.attribute("leafvar")["Fac"], 0.25),
                        g.math("MULTIPLY", g.object_random(), 0.25)))
    col = g.ramp(fac, [(p, _jitter(rng, c, 0.1)) for p, c in stops])
    _thin_surface(g, col, 0.4)
    return g


@recipe("grass")
def grass(rng: np.random.Generator, params: dict) -> Graph:
    """Grass blades coloured per blade by the tuft's ``tint`` (a green mixed towards straw at the tip,
    or wholly dry; darker at the base), varied per tuft in brightness and towards yellow by ``dry``."""
    dry = float(params.get("dry", 0.2))
    g = Graph("grass")
    base = g.attribute("tint")["Color"]
    r = g.object_random()
    bright = g.ramp(r, [(0.0, _jitter(rng, (0.8, 0.82, 0.8), 0.05)), (1.0, _jitter(rng, (1.2, 1.15, 1.1), 0.05))])
    col = g.mix(1.0, base, bright, blend="MULTIPLY")
    # some tufts are sunburnt: a per-tuft pull towards straw, stronger in drier grass
    burnt = g.math("MULTIPLY", g.map_range(g.math("FRACT", g.math("MULTIPLY", r, 7.31)), 0.6, 1.0), 0.1 + 0.4 * dry)
    col = g.mix(burnt, col, _jitter(rng, (0.3, 0.25, 0.12), 0.05))
    _thin_surface(g, col, 0.4, roughness=0.65)
    return g


@recipe("plant_vcol")
def plant_vcol(rng: np.random.Generator, params: dict) -> Graph:
    """Generic plant tissue coloured by the mesh's per-vertex ``tint`` attribute
    (flowers, ferns, cacti, mushrooms, cones), varied per instance."""
    translucency = float(params.get("translucency", 0.15))
    rough = float(params.get("roughness", 0.6))
    g = Graph("plant_vcol")
    base = g.attribute("tint")["Color"]
    tint = g.ramp(g.object_random(), [(0.0, (0.8, 0.8, 0.8)), (1.0, (1.2, 1.15, 1.1))])
    col = g.mix(1.0, base, tint, blend="MULTIPLY")
    if translucency > 0:
        _thin_surface(g, col, translucency, roughness=rough)
    else:
        g.surface(g.principled(base_color=col, roughness=rough))
    return g
