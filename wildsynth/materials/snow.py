"""Snow over other surfaces: caps on rocks, snow on conifer needles and branches.

Snow rests where a surface faces up. Each recipe here takes the world-space
geometric normal's Z (``up``), lifts it by a metre-scale noise (patchy: some
faces hold more, some shed it) and ramps it into a snow share, times the
``snow`` param (0 none, 1 default, up to 2 heavy):

- ``snowy_rock``: the boulder stone of ``rock`` with fresh snow mixed in one
  layer (colour, roughness, bump); its numpy displacement is the rock's relief
  where bare plus a snow cap on up-facing vertices (``cap`` param, object units:
  prototypes have a half-length of about 1, so 0.12 is 12 cm on a 1 m boulder),
  so the cap is shape, seen by every ground-truth pass. The displacement reads
  the object-space normal, the shader the world one: the same for upright
  placements (rocks are tilted by their ground only).
- ``snowy_leaf`` / ``snowy_bark``: the ``leaf`` / ``bark`` graph (same params:
  kind, season) mixed with a snow BSDF by the same mask: snow on the upper
  sides of needle sprays and branches, no new geometry. Their snow has no
  subsurface scattering (see ``_snow_over``; docs/snow.md, "Where the RGB time goes").
"""

from __future__ import annotations

import numpy as np

from .graph import Graph
from .ground import SNOW_HUE, snow_layer
from .layers import Scales, finish, jitter_tone, mix_layers
from .library import recipe
from .plants import bark, leaf_material
from .relief import ramp
from .stone import ROCK_RELIEF, rock_layer


def _amount(params: dict) -> float:
    return float(np.clip(float(params.get("snow", 1.0)), 0.0, 2.0))


def up_share(g: Graph, noise, amount: float, lo: float = 0.45, hi: float = 0.8, patchy: float = 0.6):
    """Snow share of a surface: world normal Z plus a noise (``noise`` Fac, mean 0.5, weight ``patchy``)
    ramped over [lo, hi] (lowered by heavier snow), 0 where ``amount`` is 0."""
    up = g.node("ShaderNodeSeparateXYZ", {"Vector": g.node("ShaderNodeNewGeometry")["Normal"]})["Z"]
    shift = 0.25 * (amount - 1.0)
    lifted = g.math("ADD", up, g.math("MULTIPLY", g.math("SUBTRACT", noise, 0.5), patchy))
    share = g.map_range(lifted, lo - shift, hi - shift)
    return g.math("MULTIPLY", share, min(amount, 1.0))


def cap_mask(normals: np.ndarray, amount: float) -> np.ndarray:
    """The numpy twin of ``up_share`` for displacement (normal Z only, the noise at its mean)."""
    shift = 0.25 * (amount - 1.0)
    return ramp(normals[:, 2], 0.45 - shift, 0.8 - shift) * min(amount, 1.0)


def snowy_rock_relief(surface, rng, params: dict) -> np.ndarray:
    """The rock's relief where bare, a smooth snow cap (``cap`` object units) where it faces up."""
    amount = _amount(params)
    cap = cap_mask(surface.normals, amount)
    relief = ROCK_RELIEF(surface, rng, params)
    return (1.0 - cap) * relief + cap * float(params.get("cap", 0.12)) * min(amount, 1.5)


@recipe("snowy_rock", displacement=snowy_rock_relief)
def snowy_rock(rng, params):
    """Boulder stone with snow caps on its up-facing parts (displaced caps, patchy edge)."""
    g = Graph("snowy_rock")
    s = Scales.make(g, rng, 1.2, 12.0, 160.0)
    stone = rock_layer(g, rng, s, y=(0.13, 0.28), hue=(1.0, 0.95, 0.88), lichen=0.15)
    snow = snow_layer(g, rng, s, y=(0.7, 0.9))  # wind-packed and fresh patches
    share = up_share(g, s.large, _amount(params))
    layer = mix_layers(g, share, stone, snow)
    finish(g, layer, params, bump=0.4, distance=0.02, subsurface_weight=g.math("MULTIPLY", share, 0.3),
           subsurface_radius=(0.3, 0.4, 0.6))
    return g


def _snow_over(g: Graph, rng, amount: float, scale: float) -> None:
    """Mix the graph's surface with fresh snow where it faces up: in patches (``scale`` 1/m; even a level
    face holds gaps where the noise is low), clumped and grainy at centimetres."""
    base = g.outputs["Surface"]
    p = g.coords("Object")
    n = g.noise(p, scale=scale * rng.uniform(0.85, 1.15), detail=1.0)["Fac"]
    share = up_share(g, n, amount, lo=0.55, hi=0.95, patchy=1.4)
    clump = g.noise(p, scale=30.0 * rng.uniform(0.85, 1.15), detail=0.0)["Fac"]
    col = g.mix(g.map_range(clump, 0.3, 0.7), jitter_tone(rng, 0.62, SNOW_HUE, 0.03), jitter_tone(rng, 0.9, SNOW_HUE, 0.02))
    # no subsurface scattering: on needles and twigs millimetres to centimetres thick its random walk
    # took 5-13 % of the snowy_mountain frame's RGB CPU time (the whole frame: 14 % fewer CPU-s without)
    # for a difference of 0.7 / 255 in the developed image, a sixth of the 4.6 between two sampler seeds
    snow = g.principled(base_color=col, roughness=0.65, normal=g.bump(clump, strength=0.5, distance=0.01))
    g.surface(g.node("ShaderNodeMixShader", {0: share, 1: base, 2: snow}))


@recipe("snowy_leaf")
def snowy_leaf(rng, params):
    """Leaves or needle sprays (as ``leaf``: kind, season) with snow on their up-facing sides."""
    g = leaf_material(rng, params)
    g.name = f"snowy_{g.name}"
    _snow_over(g, rng, _amount(params), 2.5)
    return g


@recipe("snowy_bark")
def snowy_bark(rng, params):
    """Bark (as ``bark``: kind) with snow lying on the upper sides of branches."""
    g = bark(rng, params)
    g.name = f"snowy_{g.name}"
    _snow_over(g, rng, 0.8 * _amount(params), 4.0)
    return g


__all__ = ["cap_mask", "snowy_bark", "snowy_leaf", "snowy_rock", "snowy_rock_relief", "up_share"]
