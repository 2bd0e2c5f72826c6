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
    (also just "forest"), plains, meadow, desert, mountain, river, arctic)."""
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
    conifers = kind != "broadleaf"
    leaves = kind != "conifer"
    return VegetationParams(
        # light gaps: clearings where a noise is low (the floor under them gets sun, grass and flowers)
        trees=TreeLayer(species=_FOREST_SPECIES[kind],
                        niche=Niche(density=0.03, slope_max=0.5, patchiness=0.3, gaps=0.3, gap_scale=22.0)),
        # saplings and bushes: in the half-light at the edges of the gaps, in clumps
        bushes=TreeLayer(species={"bush": 1.0, "sapling": 0.6}, tree=TreeParams(height=1.6),
                         niche=Niche(density=0.02, slope_max=0.5, shade=-0.3, cluster_radius=2.5, cluster_size=3.0),
                         spacing=0.6, prototypes=3),
        logs=_layer(0.004, slope_max=0.3, footprint=2.0, spaced=True, prototypes=3, max_distance=200, lod_near=200),
        boulders=_layer(0.003, footprint=0.8, spaced=True, max_distance=200, lod_near=200, align=0.6),
        # grass only where light reaches the floor, in clumps, not a lawn
        grass=_layer(5.0, patchiness=0.8, shade=-0.7, gaps=0.35, gap_scale=5.0, cluster_radius=0.5, cluster_size=8.0,
                     **GRASS),
        grass_tuft=GrassParams(spread=0.05, dry=0.3, dead=0.2, seed_heads=0.03),
        dry_grass=_layer(0.8, shade=-0.4, patchiness=0.8, cluster_radius=0.4, cluster_size=5.0, scale=0.8,
                         prototypes=3, max_distance=30.0, lod_near=8.0),
        ferns=_layer(0.35, shade=0.6, moisture=0.3, patchiness=0.7, cluster_radius=1.6, cluster_size=6.0,
                     max_distance=50.0, lod_near=15.0),
        mushrooms=_layer(0.08, shade=0.8, moisture=0.5, patchiness=0.9, cluster_radius=0.3, cluster_size=4.0,
                         max_distance=25.0, lod_near=10.0),
        twigs=_layer(1.2, shade=0.5, cluster_radius=1.0, cluster_size=6.0, max_distance=25.0, lod_near=8.0, align=1.0),
        cones=_layer(0.35 if conifers else 0.0, shade=0.8, cluster_radius=0.8, cluster_size=6.0, max_distance=15.0,
                     lod_near=6.0, align=1.0),
        flowers=_layer(0.15, shade=-0.8, patchiness=0.9, cluster_radius=0.8, cluster_size=10.0, max_distance=40.0,
                       lod_near=10.0),
        litter=_layer(7.0 if leaves else 0.0, shade=0.4, patchiness=0.6, cluster_radius=0.9, cluster_size=14.0,
                      prototypes=4, max_distance=30.0, lod_near=8.0, align=1.0),
        litter_shapes=("ovate", "lobed", "palmate") if kind == "broadleaf" else ("ovate", "serrated"),
        needles=_layer(6.0 if conifers else 0.0, shade=0.6, patchiness=0.6, cluster_radius=1.2, cluster_size=12.0,
                       prototypes=3, max_distance=25.0, lod_near=8.0, align=1.0),
        bark=_layer(0.5, shade=0.6, cluster_radius=0.8, cluster_size=4.0, prototypes=4, max_distance=20.0,
                    lod_near=6.0, align=1.0),
        moss=_layer(0.8, shade=0.5, moisture=0.4, patchiness=0.8, cluster_radius=1.2, cluster_size=10.0,
                    prototypes=5, max_distance=30.0, lod_near=8.0, align=1.0),
        lichen=0.2,
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
        grass=_layer(25.0, patchiness=0.4, gaps=0.08, gap_scale=6.0, **GRASS),
        dry_grass=_layer(3.0, patchiness=0.9, gaps=0.5, gap_scale=12.0, prototypes=3, max_distance=45.0, lod_near=8.0,
                         align=0.9),
        flowers=_layer(1.5, patchiness=0.9, cluster_radius=1.2, cluster_size=20.0, max_distance=40.0, lod_near=10.0,
                       prototypes=7),
    )


@biome("meadow")
def meadow() -> VegetationParams:
    """A mountain meadow: dense mixed grass with dry patches and bare spots, wildflowers in
    one-colour patches, a few spruce groves and dwarf shrubs, pebbles and lichen in clusters."""
    return VegetationParams(
        area_radius=120.0,
        trees=TreeLayer(species={"conifer": 1.0, "dead": 0.05}, tree=TreeParams(height=11.0), prototypes=2,
                        niche=Niche(density=0.004, slope_max=0.5, gaps=0.5, gap_scale=60.0, cluster_radius=5.0,
                                    cluster_size=5.0)),
        bushes=TreeLayer(species={"bush": 1.0}, tree=TreeParams(height=0.9), prototypes=2,
                         niche=Niche(density=0.003, slope_max=0.5, cluster_radius=3.0, cluster_size=3.0)),
        # fewer, fuller tufts: the same blades per m^2 in fewer instances path trace faster (docs/plants.md)
        grass=_layer(14.0, patchiness=0.4, gaps=0.08, gap_scale=5.0, scale=0.8, prototypes=6, max_distance=50.0,
                     lod_near=10.0, align=0.9),
        grass_tuft=GrassParams(blades=90, spread=0.17, height=0.3, dry=0.15, dead=0.06, seed_heads=0.08, droop=0.3),
        dry_grass=_layer(5.0, patchiness=0.9, gaps=0.55, gap_scale=14.0, prototypes=3, max_distance=45.0,
                         lod_near=10.0, align=0.9),
        # taller than the grass, so the patches show over it
        flowers=_layer(3.0, patchiness=0.6, cluster_radius=1.0, cluster_size=25.0, scale=1.35, prototypes=7,
                       max_distance=45.0, lod_near=12.0),
        pebbles=_layer(0.4, scale=0.05, scale_spread=0.5, moisture=0.4, cluster_radius=0.5, cluster_size=10.0,
                       max_distance=20.0, lod_near=6.0, align=1.0),
        moss=_layer(0.15, moisture=0.5, cluster_radius=0.6, cluster_size=6.0, prototypes=4, max_distance=20.0,
                    lod_near=6.0, align=1.0),
        lichen=0.5,
    )


@biome("desert")
def desert() -> VegetationParams:
    return VegetationParams(
        trees=None,
        # dead and dry shrubs on the dry ground between the dunes, a few in each group; some green
        # creosote-like bushes and dead saplings among them
        bushes=TreeLayer(species={"dry_shrub": 1.0, "dead": 0.25, "bush": 0.12},
                         tree=TreeParams(height=0.9, leaf_density=0.4), prototypes=2,
                         niche=Niche(density=0.02, moisture=-0.3, patchiness=0.6, cluster_radius=5.0,
                                     cluster_size=3.0)),
        cacti=_layer(0.01, footprint=0.8, spaced=True, max_distance=300, lod_near=300, align=0.0, prototypes=6),
        boulders=_layer(0.003, footprint=0.8, spaced=True, max_distance=200, lod_near=200, align=0.6),
        pebbles=_layer(2.0, scale=0.04, scale_spread=0.5, cluster_radius=0.7, cluster_size=15.0, max_distance=20.0,
                       lod_near=6.0, align=1.0),
        grass=_layer(0.5, patchiness=1.0, scale=0.6, prototypes=3, cluster_radius=1.5, cluster_size=4.0,
                     max_distance=40.0, lod_near=8.0),
        grass_tuft=GrassParams(dry=0.9, dead=0.7, height=0.25),
    )


@biome("mountain")
def mountain() -> VegetationParams:
    return VegetationParams(
        trees=TreeLayer(species={"conifer": 1.0, "dead": 0.1}, niche=Niche(density=0.01, slope_max=0.45, patchiness=0.8)),
        bushes=TreeLayer(species={"bush": 1.0}, tree=TreeParams(height=1.0), niche=Niche(density=0.004, slope_max=0.5)),
        boulders=_layer(0.01, footprint=1.0, spaced=True, max_distance=200, lod_near=200, align=0.7, slope_max=0.9),
        grass=_layer(8.0, patchiness=0.8, slope_max=0.45, **GRASS),
        flowers=_layer(0.3, patchiness=0.9, max_distance=30.0, lod_near=10.0),
        pebbles=_layer(1.0, scale=0.05, scale_spread=0.5, slope_max=0.8, cluster_radius=0.6, cluster_size=12.0,
                       max_distance=20.0, lod_near=6.0, align=1.0),
        moss=_layer(0.2, moisture=0.3, slope_max=0.7, cluster_radius=0.8, cluster_size=6.0, prototypes=4,
                    max_distance=20.0, lod_near=6.0, align=1.0),
        lichen=0.7,
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
        pebbles=_layer(3.0, scale=0.05, scale_spread=0.5, moisture=1.0, cluster_radius=0.6, cluster_size=12.0,
                       max_distance=20.0, lod_near=6.0, align=1.0),
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
