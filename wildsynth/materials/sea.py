"""Sea-life materials: corals, sponges, shells, anemones, urchins, starfish, kelp, seagrass, seaweed.

Cheap like the plant materials: colour comes from the generators' per-vertex ``pattern``
(reaction–diffusion ridges, growth bands, tips; ``generators/underwater``) and ``tint``,
varied per instance (object random) and per material seed (a palette pick), with at most
one low-detail texture. Living tissue is matte to satin; shell is glossy with a clear coat
(nacre); the sea plants are thin and translucent (light glows through their blades).
Under water everything is wet already, so the ``wet`` mask has no effect here.
"""

from __future__ import annotations

import numpy as np

from .graph import Graph
from .library import _jitter, recipe

# (valley / base, ridge / tip) linear RGB pairs: reef corals are brown-green (zooxanthellae),
# with pink, purple, yellow and blue-tipped morphs
_CORAL = [((0.16, 0.1, 0.05), (0.45, 0.33, 0.16)), ((0.3, 0.07, 0.1), (0.7, 0.3, 0.32)),
          ((0.13, 0.07, 0.2), (0.4, 0.22, 0.45)), ((0.32, 0.25, 0.05), (0.62, 0.55, 0.2)),
          ((0.08, 0.14, 0.07), (0.3, 0.42, 0.2)), ((0.25, 0.16, 0.12), (0.55, 0.5, 0.55))]
_SPONGE = [(0.55, 0.35, 0.04), (0.45, 0.12, 0.05), (0.2, 0.08, 0.25), (0.5, 0.42, 0.22)]
_SHELL = [((0.55, 0.45, 0.32), (0.2, 0.09, 0.04)), ((0.6, 0.52, 0.45), (0.35, 0.12, 0.08)),
          ((0.45, 0.3, 0.2), (0.12, 0.06, 0.04))]
_STAR = [(0.55, 0.12, 0.03), (0.6, 0.3, 0.04), (0.3, 0.06, 0.15), (0.5, 0.2, 0.12)]


def _pick(rng: np.random.Generator, palette: list):
    return palette[int(rng.integers(len(palette)))]


def _vary(g: Graph, col, lo: float = 0.85, hi: float = 1.15, mottle: float = 0.5, scale: float = 12.0):
    """Multiply a colour by a per-instance brightness and a soft mottling (blotches ``scale`` per metre:
    living tissue and shell are never one flat colour)."""
    tint = g.ramp(g.object_random(), [(0.0, (lo, lo, lo)), (1.0, (hi, hi * 0.98, hi * 0.96))])
    col = g.mix(1.0, col, tint, blend="MULTIPLY")
    n = g.noise(g.coords("Object"), scale=scale, detail=1.0)["Fac"]
    m = 1.0 - mottle / 2
    return g.mix(1.0, col, g.ramp(n, [(0.3, (m, m, m)), (0.7, (m + mottle,) * 3)]), blend="MULTIPLY")


@recipe("coral")
def coral(rng: np.random.Generator, params: dict) -> Graph:
    """Coral tissue: valley to ridge (or base to tip) colour by ``pattern``, fine polyp grain."""
    valley, ridge = _pick(rng, _CORAL)
    g = Graph("coral")
    pat = g.attribute("pattern")["Fac"]
    grain = g.noise(g.coords("Object"), scale=rng.uniform(60.0, 90.0), detail=1.0)["Fac"]
    fac = g.math("ADD", g.math("MULTIPLY", pat, 0.85), g.math("MULTIPLY", grain, 0.15))
    col = _vary(g, g.ramp(fac, [(0.0, _jitter(rng, valley)), (1.0, _jitter(rng, ridge))]))
    g.surface(g.principled(base_color=col, roughness=rng.uniform(0.55, 0.7),
                           normal=g.bump(grain, strength=0.25, distance=0.002)))
    return g


@recipe("sponge")
def sponge(rng: np.random.Generator, params: dict) -> Graph:
    """Sponge: one saturated colour, dark pores (cellular texture), very matte."""
    base = _jitter(rng, _pick(rng, _SPONGE))
    g = Graph("sponge")
    pores = g.voronoi(g.coords("Object"), scale=rng.uniform(50.0, 80.0))["Distance"]
    hole = g.map_range(pores, 0.05, 0.2)
    col = _vary(g, g.mix(hole, tuple(0.35 * c for c in base), base))
    g.surface(g.principled(base_color=col, roughness=0.9, normal=g.bump(hole, strength=0.4, distance=0.003)))
    return g


@recipe("sea_shell")
def sea_shell(rng: np.random.Generator, params: dict) -> Graph:
    """Shell: banding by ``pattern`` (spiral bands, growth lines), glossy with a thin clear coat (nacre)."""
    light, dark = _pick(rng, _SHELL)
    g = Graph("sea_shell")
    pat = g.attribute("pattern")["Fac"]
    col = _vary(g, g.ramp(pat, [(0.35, _jitter(rng, light)), (0.75, _jitter(rng, dark))]))
    g.surface(g.principled(base_color=col, roughness=rng.uniform(0.3, 0.45), coat_weight=0.4,
                           coat_roughness=0.15))
    return g


@recipe("anemone")
def anemone(rng: np.random.Generator, params: dict) -> Graph:
    """Anemone and sea cucumber tissue: column darker, tentacles (``pattern`` up to 1) paler at the tips."""
    base = _jitter(rng, _pick(rng, [(0.3, 0.08, 0.12), (0.12, 0.2, 0.08), (0.35, 0.2, 0.08), (0.28, 0.1, 0.25)]))
    g = Graph("anemone")
    pat = g.attribute("pattern")["Fac"]
    tip = tuple(min(1.0, 0.25 + 1.5 * c) for c in base)
    col = _vary(g, g.ramp(pat, [(0.0, base), (1.0, tip)]))
    g.surface(g.principled(base_color=col, roughness=0.45))
    return g


@recipe("urchin")
def urchin(rng: np.random.Generator, params: dict) -> Graph:
    """Urchin: dark purple test and spines, spine tips (``pattern`` 1) a little paler."""
    base = _jitter(rng, _pick(rng, [(0.09, 0.035, 0.1), (0.08, 0.06, 0.04), (0.11, 0.03, 0.04)]), 0.2)
    g = Graph("urchin")
    col = _vary(g, g.ramp(g.attribute("pattern")["Fac"], [(0.0, base), (1.0, tuple(2.5 * c for c in base))]))
    g.surface(g.principled(base_color=col, roughness=0.4))
    return g


@recipe("starfish")
def starfish(rng: np.random.Generator, params: dict) -> Graph:
    """Starfish: warm colour, paler tubercles (``pattern``), rough."""
    base = _jitter(rng, _pick(rng, _STAR))
    g = Graph("starfish")
    col = _vary(g, g.ramp(g.attribute("pattern")["Fac"],
                          [(0.3, base), (1.0, tuple(min(1.0, 0.3 + c) for c in base))]))
    g.surface(g.principled(base_color=col, roughness=0.75))
    return g


def _sea_plant(rng: np.random.Generator, name: str, base: tuple, translucency: float) -> Graph:
    """A thin sea plant: the generator's ``tint`` times a brown-olive (or green) base, paler to the tips."""
    g = Graph(name)
    tint = g.attribute("tint")["Color"]
    col = g.mix(1.0, tint, _jitter(rng, base, 0.1), blend="MULTIPLY")
    col = g.mix(g.math("MULTIPLY", g.attribute("pattern")["Fac"], 0.3), col,
                g.mix(1.0, col, (1.6, 1.6, 1.3), blend="MULTIPLY"))
    col = _vary(g, col)
    front = g.principled(base_color=col, roughness=0.45)
    back = g.node("ShaderNodeBsdfTranslucent", {"Color": col})
    g.surface(g.node("ShaderNodeMixShader", {0: translucency, 1: front, 2: back}))
    return g


@recipe("kelp")
def kelp(rng: np.random.Generator, params: dict) -> Graph:
    return _sea_plant(rng, "kelp", (1.6, 1.4, 0.9), 0.4)


@recipe("seagrass")
def seagrass(rng: np.random.Generator, params: dict) -> Graph:
    return _sea_plant(rng, "seagrass", (1.3, 1.35, 1.0), 0.35)


@recipe("seaweed")
def seaweed(rng: np.random.Generator, params: dict) -> Graph:
    return _sea_plant(rng, "seaweed", (1.5, 1.3, 1.0), 0.3)
