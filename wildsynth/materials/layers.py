"""Shared building blocks of the ground and rock recipes: three scales of variation, wetness.

Every natural surface varies at three scales a camera at 1-2 m sees: metres (patches,
tints: one low-frequency 3D noise or the terrain's ``patch`` mask), centimetres (grains,
clods, pebbles, cracks: a noise or cellular texture) and millimetres (micro roughness:
a fine noise into the bump only). ``Scales`` holds one noise per scale so that the
layers of one shader (the terrain's ground, rock, sand and snow) reuse them instead of
each evaluating its own: shading dominates render time on a CPU.

Noises are taken at object coordinates in 3D (metres for terrain): isotropic on steep
faces too, never stretched the way a 2D (x, y) mapping is on a cliff.

Colours are linear RGB, given as a luminance (the albedo the range table in
``measured`` checks) times a hue: ``tone(0.35, SAND_HUE)``.

Wetness: a ``wet`` vertex attribute in [0, 1] (and, where a mesh carries it, the terrain's
``water_dist`` in metres) darkens the albedo (water fills the pores: about half for sand and
soil, Lekner & Dorf 1988) and lowers the roughness (a water film is glossy).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .graph import Graph

Socket = Any  # an Out, or a constant (float or RGB tuple)


def tone(luminance: float, hue: tuple) -> tuple:
    """A linear RGB colour of the given luminance (Rec. 709 Y) and ``hue`` (any RGB, rescaled)."""
    h = np.asarray(hue, dtype=np.float64)
    y = float(h @ (0.2126, 0.7152, 0.0722))
    return tuple(float(c) for c in np.clip(h * luminance / y, 0.0, 1.0))


def jitter_tone(rng: np.random.Generator, luminance: float, hue: tuple, amount: float = 0.06) -> tuple:
    """``tone`` with a random brightness (±amount) and a slight random hue shift."""
    h = np.asarray(hue, dtype=np.float64) * rng.uniform(1 - amount / 2, 1 + amount / 2, 3)
    return tone(luminance * rng.uniform(1 - amount, 1 + amount), tuple(h))


@dataclass
class Scales:
    """One noise per scale at object coordinates ``p``: ``large`` (metres), ``mid``
    (centimetres), ``fine`` (millimetres; for the bump), each a Fac in about [0, 1]."""

    p: Socket
    large: Socket
    mid: Socket
    fine: Socket

    @classmethod
    def make(cls, g: Graph, rng: np.random.Generator, large: float = 0.5, mid: float = 12.0,
             fine: float = 180.0, vector: Socket | None = None) -> Scales:
        """Noises of base wavelength 1/large, 1/mid, 1/fine m (slightly drawn): two octaves for the
        metre scale, one for the others (the bump evaluates mid and fine three times)."""
        p = vector if vector is not None else g.coords("Object")
        n_large = g.noise(p, scale=large * rng.uniform(0.85, 1.15), detail=1.0, roughness=0.55)["Fac"]
        n_mid = g.noise(p, scale=mid * rng.uniform(0.85, 1.15), detail=0.0)["Fac"]
        n_fine = g.noise(p, scale=fine * rng.uniform(0.85, 1.15), detail=0.0)["Fac"]
        return cls(p, n_large, n_mid, n_fine)


@dataclass
class Layer:
    """A surface before lighting: linear base colour, roughness, bump height (dimensionless,
    about [0, 1]; ``None``: flat) and how much wetness darkens it (0: not at all)."""

    color: Socket
    rough: Socket
    height: Socket | None = None
    wet_darken: float = 0.5


def spread(g: Graph, fac: Socket, amount: float) -> Socket:
    """``fac`` (about [0, 1], mean 0.5) stretched about 0.5 by ``amount`` (noise Fac is narrow)."""
    return g.math("ADD", g.math("MULTIPLY", g.math("SUBTRACT", fac, 0.5), amount), 0.5)


def add(g: Graph, *terms: tuple[Socket, float]) -> Socket:
    """Weighted sum of (value, weight) terms."""
    out: Socket = 0.0
    for value, weight in terms:
        term = g.math("MULTIPLY", value, weight)
        out = term if isinstance(out, float) and out == 0.0 else g.math("ADD", out, term)
    return out


def shade(g: Graph, fac: Socket, dark: tuple, light: tuple, lo: float = 0.25, hi: float = 0.75) -> Socket:
    """A colour ramp from ``dark`` at ``lo`` to ``light`` at ``hi``."""
    return g.ramp(fac, [(lo, dark), (hi, light)])


def mix_layers(g: Graph, fac: Socket, a: Layer, b: Layer) -> Layer:
    """``a`` at fac 0, ``b`` at fac 1: colour, roughness, bump height and wet darkening."""
    rough = g.node("ShaderNodeMix", {"Factor": fac, "A": a.rough, "B": b.rough}, data_type="FLOAT")["Result"]
    if a.height is None and b.height is None:
        height = None
    else:
        height = g.node("ShaderNodeMix", {"Factor": fac, "A": a.height if a.height is not None else 0.5,
                                          "B": b.height if b.height is not None else 0.5},
                        data_type="FLOAT")["Result"]
    return Layer(g.mix(fac, a.color, b.color), rough, height, max(a.wet_darken, b.wet_darken))


def wetness(g: Graph, params: dict, water_dist: bool = False) -> Socket:
    """Wetness in [0, 1]: the ``wet`` attribute, and within ``wet_distance`` m (param, default
    3) of water where the mesh carries ``water_dist`` (``water_dist`` True or param
    ``water_dist``: a mesh without the attribute would read 0 m, i.e. soaked)."""
    wet = g.attribute("wet")["Fac"]
    if water_dist or params.get("water_dist", False):
        reach = float(params.get("wet_distance", 3.0))
        near = g.map_range(g.attribute("water_dist")["Fac"], reach, 0.3 * reach)
        wet = g.math("MAXIMUM", wet, near)
    return wet


def finish(g: Graph, layer: Layer, params: dict, *, bump: float = 0.3, distance: float = 0.01,
           wet: Socket | None = None, **principled) -> None:
    """The principled surface of ``layer``, wetted by ``wet`` (default: ``wetness(params)``)."""
    wet = wetness(g, params) if wet is None else wet
    col = g.mix(g.math("MULTIPLY", wet, layer.wet_darken), layer.color, (0.0, 0.0, 0.0))
    rough = g.math("MULTIPLY", layer.rough, g.math("SUBTRACT", 1.0, g.math("MULTIPLY", wet, 0.6)))
    if layer.height is not None:
        principled["normal"] = g.bump(layer.height, strength=bump, distance=distance)
    g.surface(g.principled(base_color=col, roughness=rough, **principled))
