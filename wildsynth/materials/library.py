"""Material recipes: (rng, params) -> Graph. Randomised within natural ranges.

Shading cost dominates Cycles time on 2 cores, so noise octaves (``detail``)
are kept low: finer detail than a pixel only adds sampling noise.

Recipes read per-vertex masks written by the generators (``slope`` in [0, 1],
``height`` in metres) through attribute nodes; shaders never move geometry.

A recipe may also register a numpy displacement (``@recipe(name,
displacement=fn)``, usually a ``relief.Relief`` or a blend of them by the same
masks the shader uses). It changes shape in the displacement stage
(``displace.apply_displacements``), which the pipeline runs between scene build
and render, so RGB and every ground-truth pass see the displaced surface. Each
displacement is band-limited to the tessellation of the shot: octaves whose
wavelength is below about twice the local vertex spacing (or the pixel
footprint, when cameras are given) are dropped (see ``relief``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..core.scene import MaterialRef
from .graph import Graph
from .relief import Surface

Recipe = Callable[[np.random.Generator, dict], Graph]
# (surface: points, normals, band-limit spacing, masks; rng; params) -> offsets along the normals (V,), metres
Displacement = Callable[[Surface, np.random.Generator, dict], np.ndarray]
RECIPES: dict[str, Recipe] = {}
DISPLACEMENTS: dict[str, Displacement] = {}


def recipe(name: str, displacement: Displacement | None = None):
    """Register a recipe under ``name``, optionally with a numpy displacement that
    moves vertices before any renderer sees the mesh (so ground truth follows it)."""
    def register(fn: Recipe) -> Recipe:
        if name in RECIPES and RECIPES[name].__module__ != fn.__module__:
            raise ValueError(f"material {name!r} is registered twice ({RECIPES[name].__module__} and {fn.__module__})")
        RECIPES[name] = fn
        if displacement is not None:
            DISPLACEMENTS[name] = displacement
        return fn
    return register


def build(ref: MaterialRef) -> Graph:
    """The graph for a material reference (same ref -> same graph)."""
    try:
        fn = RECIPES[ref.recipe]
    except KeyError:
        raise KeyError(f"unknown material {ref.recipe!r}; known: {', '.join(sorted(RECIPES))}") from None
    rng = np.random.default_rng(ref.seed)
    return fn(rng, dict(ref.params))


def _jitter(rng: np.random.Generator, rgb: tuple, amount: float = 0.08) -> tuple:
    """Scale a linear RGB colour by a random brightness and slight hue shift."""
    c = np.asarray(rgb) * rng.uniform(1 - amount, 1 + amount) * rng.uniform(1 - amount / 2, 1 + amount / 2, 3)
    return tuple(float(x) for x in np.clip(c, 0.0, 1.0))
