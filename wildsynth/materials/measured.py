"""Measured natural ranges of every recipe's albedo and roughness (the table the tests check).

``albedo``: the mean linear reflectance (Rec. 709 luminance of the linear base colour)
over a patch of the material, dry; ``roughness``: the mean Principled roughness, dry.
Sources for albedo, visible band (rounded; the spread between sources is part of the
range): fresh snow 0.8-0.9, old/firn 0.6-0.8, dirty 0.35-0.6 (Warren 1982; Wiscombe &
Warren 1980); sea ice 0.4-0.7 (Perovich 1996); dry sand 0.3-0.45, wet 0.15-0.25
(Lekner & Dorf 1988, Twomey 1986); soils 0.05-0.3 by organic and iron content (Post et
al. 2000; humus and peat 0.03-0.1); green vegetation and turf 0.05-0.2, dry grass
0.15-0.3, mosses 0.05-0.15; granite 0.2-0.35, basalt 0.05-0.1, limestone 0.3-0.6,
chalk 0.6-0.8, sandstone 0.15-0.4, shale and slate 0.08-0.18, salt crust 0.6-0.85
(ASTER/USGS spectral libraries, visible band means); bark 0.03-0.15 (birch 0.3-0.6).
Roughness is the Principled parameter (not a measured quantity); its ranges follow
gloss observations: matte soils, sand and dry stone 0.6-1, wet surfaces and ice below
0.5, water below 0.1.

``kind``: "opaque" (checked for albedo, roughness and visible texture at 1 m), "thin"
(leaves, petals, blades: translucent sheets, checked the same way), "clear" (water,
glass-like: only roughness is checked, the base colour is a tint behind transmission),
"volume" (no surface: not checked).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measured:
    albedo: tuple[float, float]
    roughness: tuple[float, float]
    kind: str = "opaque"
    wets: bool = True  # the ``wet`` mask darkens it and lowers its roughness (False: no effect or wet already)


def _m(a0, a1, r0, r1, kind="opaque", wets=True) -> Measured:
    return Measured((a0, a1), (r0, r1), kind, wets)


RANGES: dict[str, Measured] = {
    # sands and salt
    "sand": _m(0.3, 0.45, 0.8, 1.0),
    "dune_sand": _m(0.3, 0.45, 0.8, 1.0),
    "ripple_sand": _m(0.3, 0.45, 0.8, 1.0),
    "coarse_wet_sand": _m(0.12, 0.25, 0.3, 0.6, wets=False),  # wet already
    "salt_flat": _m(0.6, 0.85, 0.7, 0.95),
    # pebbles, gravel, scree
    "pebble_beach": _m(0.15, 0.3, 0.5, 0.85),
    "river_pebbles": _m(0.08, 0.2, 0.3, 0.6),
    "gravel": _m(0.1, 0.25, 0.6, 0.9),
    "scree": _m(0.12, 0.28, 0.7, 0.95),
    # soils and mud
    "dry_soil": _m(0.15, 0.3, 0.8, 1.0),
    "cracked_mud": _m(0.15, 0.3, 0.8, 1.0),
    "clay_soil": _m(0.12, 0.25, 0.75, 1.0),
    "forest_soil": _m(0.04, 0.1, 0.75, 1.0),
    "forest_floor": _m(0.05, 0.15, 0.6, 0.9),
    "peat": _m(0.03, 0.08, 0.6, 0.9),
    "wet_mud": _m(0.05, 0.12, 0.3, 0.7),
    # plant-covered ground
    "moss_carpet": _m(0.05, 0.15, 0.8, 1.0),
    "alpine_turf": _m(0.07, 0.18, 0.8, 1.0),
    "dry_grass_ground": _m(0.15, 0.3, 0.8, 1.0),
    "meadow_ground": _m(0.07, 0.18, 0.8, 1.0),
    "forest_ground": _m(0.04, 0.12, 0.6, 0.95),  # litter over humus, moss patches (Post et al. 2000)
    "terrain": _m(0.07, 0.18, 0.8, 1.0),  # its default palette: mountain meadow
    "lichen_crust": _m(0.15, 0.35, 0.8, 1.0),
    # snow and ice
    "snow": _m(0.8, 0.9, 0.5, 0.8),
    "firn": _m(0.6, 0.8, 0.5, 0.8),
    "wind_crust_snow": _m(0.7, 0.88, 0.4, 0.75),
    "dirty_snow": _m(0.35, 0.6, 0.5, 0.8),
    "sea_ice": _m(0.4, 0.7, 0.1, 0.5, wets=False),  # a melt film: gloss, hardly darker
    "ice": _m(0.3, 0.6, 0.05, 0.4, wets=False),
    # rock
    "rock": _m(0.12, 0.3, 0.6, 0.95),
    "granite": _m(0.2, 0.35, 0.5, 0.8),
    "lichen_granite": _m(0.18, 0.32, 0.6, 0.95),
    "basalt": _m(0.05, 0.1, 0.55, 0.85),
    "tuff": _m(0.2, 0.35, 0.8, 1.0),
    "slate": _m(0.08, 0.15, 0.45, 0.75),
    "shale": _m(0.08, 0.18, 0.6, 0.9),
    "sandstone": _m(0.25, 0.4, 0.8, 1.0),
    "red_sandstone": _m(0.15, 0.28, 0.8, 1.0),
    "desert_varnish": _m(0.06, 0.15, 0.5, 0.9),
    "limestone_strata": _m(0.35, 0.6, 0.7, 0.95),
    "chalk": _m(0.6, 0.8, 0.8, 1.0),
    "mossy_rock": _m(0.06, 0.18, 0.7, 1.0),
    "wet_rock": _m(0.05, 0.15, 0.15, 0.4, wets=False),  # wet already
    "tidal_rock": _m(0.04, 0.12, 0.1, 0.4, wets=False),  # wet already
    # snow over other surfaces (materials/snow.py): a flat, up-facing patch is snow-capped rock; leaf and
    # bark are measured on their own BSDF (the first), the snow mixed over them by up-facing normals
    "snowy_rock": _m(0.6, 0.9, 0.5, 0.85),
    "snowy_leaf": _m(0.03, 0.2, 0.35, 0.7, "thin", wets=False),
    "snowy_bark": _m(0.03, 0.15, 0.7, 1.0, wets=False),
    # plants and plant parts (recipes in plants.py and surfaces.py)
    "grass": _m(0.05, 0.2, 0.35, 0.7, "thin", wets=False),
    "leaf": _m(0.03, 0.2, 0.35, 0.7, "thin", wets=False),
    "leaf_litter": _m(0.1, 0.35, 0.4, 0.8, wets=False),
    "petal": _m(0.15, 0.8, 0.3, 0.7, "thin", wets=False),
    "plant_vcol": _m(0.03, 0.4, 0.3, 0.9, "thin", wets=False),
    "bark": _m(0.03, 0.15, 0.7, 1.0, wets=False),
    # animal hide, plumage and scales (creature_skin.py; hair and feathers 0.05-0.4)
    "creature_skin": _m(0.04, 0.45, 0.3, 0.9, wets=False),
    "pine_bark": _m(0.03, 0.12, 0.7, 1.0, wets=False),
    "birch_bark": _m(0.2, 0.6, 0.7, 1.0, wets=False),
    "cactus": _m(0.1, 0.3, 0.3, 0.6, wets=False),
    "mushroom_cap": _m(0.08, 0.5, 0.2, 0.5, wets=False),
    # particles
    "snowflake": _m(0.8, 0.95, 0.1, 0.5, wets=False),
    "dust_mote": _m(0.25, 0.5, 0.8, 1.0, wets=False),
    # water
    "water": _m(0.3, 1.0, 0.0, 0.1, "clear", wets=False),
    "lake_water": _m(0.3, 1.0, 0.0, 0.1, "clear", wets=False),
    # turbid river water: water-leaving reflectance 0.02-0.08 in the visible (its body colour)
    "river_water": _m(0.02, 0.1, 0.0, 0.1, wets=False),
    "ocean": _m(0.3, 1.0, 0.0, 0.1, "clear", wets=False),
    "rain_drop": _m(0.3, 1.0, 0.0, 0.1, "clear", wets=False),
    # sea life (materials/sea.py; under water: wet already). Living coral, sponge and anemone
    # tissue 0.05-0.4 (reef reflectance spectra, Hochberg et al. 2003), urchins dark, shells 0.2-0.6
    "coral": _m(0.05, 0.4, 0.5, 0.8, wets=False),
    "sponge": _m(0.05, 0.45, 0.8, 1.0, wets=False),
    "sea_shell": _m(0.15, 0.6, 0.2, 0.5, wets=False),
    "anemone": _m(0.05, 0.4, 0.3, 0.6, wets=False),
    "urchin": _m(0.02, 0.12, 0.3, 0.5, wets=False),
    "starfish": _m(0.08, 0.45, 0.6, 0.9, wets=False),
    "kelp": _m(0.03, 0.3, 0.3, 0.6, "thin", wets=False),
    "seagrass": _m(0.03, 0.3, 0.3, 0.6, "thin", wets=False),
    "seaweed": _m(0.03, 0.3, 0.3, 0.6, "thin", wets=False),
    "reef_sand": _m(0.3, 0.65, 0.8, 1.0, wets=False),  # pale coral sand (aragonite), caustics painted in
    "reef_rock": _m(0.08, 0.5, 0.6, 1.0, wets=False),
    "reef_surface": _m(0.3, 1.0, 0.0, 0.1, "clear", wets=False),
    # volumes
    "fog": _m(0.0, 1.0, 0.0, 1.0, "volume", wets=False),
    "murk": _m(0.0, 1.0, 0.0, 1.0, "volume", wets=False),
    "murk_shafts": _m(0.0, 1.0, 0.0, 1.0, "volume", wets=False),
}
