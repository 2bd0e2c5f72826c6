"""Biome presets: the vegetation of a kind of land, registered by name.

``@biome("name")`` registers a function returning a fresh ``VegetationParams``;
``biome_params(name)`` calls it (a new object each time, for the caller to change).
"""

from __future__ import annotations

from collections.abc import Callable

from ..plants.grass import GrassParams
from ..plants.trees import TreeParams
from ..scatter import Niche
from .vegetation import SmallLayer, TreeLayer, VegetationParams

BIOMES: dict[str, Callable[[], VegetationParams]] = {}


def biome(name: str) -> Callable[[Callable[[], VegetationParams]], Callable[[], VegetationParams]]:
    def deco(fn: Callable[[], VegetationParams]) -> Callable[[], VegetationParams]:
        if name in BIOMES:
            raise ValueError(f"biome {name!r} registered twice")
        BIOMES[name] = fn
        return fn

    return deco


def biome_params(name: str) -> VegetationParams:
    """Preset vegetation for a biome (``BIOMES``: forest_conifer, forest_broadleaf, forest_mixed
    (also just "forest"), plains, desert, mountain, river, arctic)."""
    try:
        make = BIOMES[name]
    except KeyError:
        raise ValueError(f"biome {name!r} unknown; choose one of {', '.join(sorted(BIOMES))}") from None
    return make()


def _layer(density, **kw) -> SmallLayer:
    niche_kw = {k: kw.pop(k) for k in list(kw) if k in Niche.model_fields}
    return SmallLayer(niche=Niche(density=density, **niche_kw), **kw)


GRASS = {"scale": 1.0, "prototypes": 6, "max_distance": 45.0, "lod_near": 8.0, "align": 0.9}

_FOREST_SPECIES = {"conifer": {"conifer": 1.0, "dead": 0.05},
                   "broadleaf": {"broadleaf": 0.4, "oak": 0.3, "maple": 0.3, "birch": 0.2, "dead": 0.05},
                   "mixed": {"conifer": 0.5, "broadleaf": 0.3, "birch": 0.25, "dead": 0.05}}


def _forest(kind: str) -> VegetationParams:
    return VegetationParams(
        trees=TreeLayer(species=_FOREST_SPECIES[kind], niche=Niche(density=0.03, slope_max=0.5, patchiness=0.3)),
        bushes=TreeLayer(species={"bush": 1.0, "sapling": 0.6}, tree=TreeParams(height=1.6),
                         niche=Niche(density=0.02, slope_max=0.5, shade=-0.3), spacing=0.6, prototypes=3),
        logs=_layer(0.004, slope_max=0.3, footprint=2.0, spaced=True, prototypes=3, max_distance=200, lod_near=200),
        boulders=_layer(0.003, footprint=0.8, spaced=True, max_distance=200, lod_near=200, align=0.6),
        grass=_layer(6.0, patchiness=0.8, shade=-0.6, **GRASS),
        grass_tuft=GrassParams(spread=0.05),
        ferns=_layer(0.25, shade=0.6, moisture=0.3, patchiness=0.7, max_distance=50.0, lod_near=15.0),
        mushrooms=_layer(0.08, shade=0.8, moisture=0.5, patchiness=0.9, max_distance=25.0, lod_near=10.0),
        twigs=_layer(0.3, shade=0.5, max_distance=25.0, lod_near=8.0, align=1.0),
        cones=_layer(0.2 if kind != "broadleaf" else 0.0, shade=0.8, max_distance=15.0, lod_near=6.0, align=1.0),
        flowers=_layer(0.1, shade=-0.8, patchiness=0.9, max_distance=40.0, lod_near=10.0),
    )


for _kind in _FOREST_SPECIES:
    biome(f"forest_{_kind}")(lambda kind=_kind: _forest(kind))
biome("forest")(lambda: _forest("mixed"))


@biome("plains")
def plains() -> VegetationParams:
    return VegetationParams(
        trees=TreeLayer(species={"broadleaf": 1.0, "oak": 1.0}, niche=Niche(density=0.0015, patchiness=0.8)),
        bushes=TreeLayer(species={"bush": 1.0}, tree=TreeParams(height=1.8), niche=Niche(density=0.004)),
        boulders=_layer(0.002, footprint=0.8, spaced=True, max_distance=200, lod_near=200, align=0.6),
        grass=_layer(25.0, patchiness=0.4, **GRASS),
        flowers=_layer(1.5, patchiness=0.9, max_distance=40.0, lod_near=10.0),
    )


@biome("desert")
def desert() -> VegetationParams:
    return VegetationParams(
        trees=None,
        bushes=TreeLayer(species={"dead": 1.0, "bush": 0.5}, tree=TreeParams(height=1.2, leaf_density=0.4),
                         niche=Niche(density=0.006, moisture=-0.3)),
        cacti=_layer(0.01, footprint=0.8, spaced=True, max_distance=300, lod_near=300, align=0.0, prototypes=6),
        boulders=_layer(0.003, footprint=0.8, spaced=True, max_distance=200, lod_near=200, align=0.6),
        pebbles=_layer(2.0, scale=0.04, max_distance=20.0, lod_near=6.0, align=1.0),
        grass=_layer(0.5, patchiness=1.0, scale=0.6, prototypes=3, max_distance=40.0, lod_near=8.0),
        grass_tuft=GrassParams(dry=0.9, height=0.25),
    )


@biome("mountain")
def mountain() -> VegetationParams:
    return VegetationParams(
        trees=TreeLayer(species={"conifer": 1.0, "dead": 0.1}, niche=Niche(density=0.01, slope_max=0.45, patchiness=0.8)),
        bushes=TreeLayer(species={"bush": 1.0}, tree=TreeParams(height=1.0), niche=Niche(density=0.004, slope_max=0.5)),
        boulders=_layer(0.01, footprint=1.0, spaced=True, max_distance=200, lod_near=200, align=0.7, slope_max=0.9),
        grass=_layer(8.0, patchiness=0.8, slope_max=0.45, **GRASS),
        flowers=_layer(0.3, patchiness=0.9, max_distance=30.0, lod_near=10.0),
        pebbles=_layer(1.0, scale=0.05, slope_max=0.8, max_distance=20.0, lod_near=6.0, align=1.0),
    )


@biome("river")
def river() -> VegetationParams:
    return VegetationParams(
        trees=TreeLayer(species={"broadleaf": 0.6, "birch": 0.6, "maple": 0.3},
                        niche=Niche(density=0.012, moisture=0.4, water_min=0.5)),
        bushes=TreeLayer(species={"bush": 1.0}, niche=Niche(density=0.01, moisture=0.6, water_min=0.2)),
        grass=_layer(20.0, moisture=0.3, water_min=0.05, **GRASS),
        flowers=_layer(0.4, patchiness=0.9, water_min=0.2, max_distance=40.0, lod_near=10.0),
        ferns=_layer(0.1, moisture=0.8, water_min=0.1, max_distance=40.0, lod_near=12.0),
        pebbles=_layer(3.0, scale=0.05, moisture=1.0, max_distance=20.0, lod_near=6.0, align=1.0),
        logs=_layer(0.002, footprint=2.0, spaced=True, max_distance=200, lod_near=200),
    )


@biome("arctic")
def arctic() -> VegetationParams:
    return VegetationParams(
        season="winter",
        # taiga: trees and boulders stand in the snow (with the default snow_max they
        # fit only a thin snow-free band along the shore and stood in a line)
        trees=TreeLayer(species={"conifer": 1.0, "dead": 0.3}, tree=TreeParams(height=7.0),
                        niche=Niche(density=0.002, patchiness=0.9, snow_max=1.0)),
        boulders=_layer(0.004, footprint=1.0, spaced=True, max_distance=200, lod_near=200, align=0.7,
                        snow_max=1.0),
        grass=_layer(1.0, patchiness=1.0, scale=0.5, prototypes=3, max_distance=30.0, lod_near=6.0),
        grass_tuft=GrassParams(dry=1.0, height=0.2),
    )
