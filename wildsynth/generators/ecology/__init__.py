"""Ecology: which plants grow where, and how many, for every camera of a shot.

- ``families.py``: the plant-family registry (one file per family in ``family/``).
- ``biomes.py``: biome presets (``biome_params``), registered by name.
- ``vegetation.py``: ``Vegetation`` (plan the large plants, build everything for the
  cameras), its parameters, ``add_vegetation``, ``scale_grass``.
- ``views.py``: the union of the cameras' view sectors.
- Density maps, Poisson-disk spacing, ground placement: ``generators/scatter.py``.
"""

from .biomes import BIOMES, biome, biome_params
from .families import FAMILIES, Family, families, get_family, register
from .family.grass import GRASS_CELL
from .vegetation import SmallLayer, TreeLayer, Vegetation, VegetationParams, add_vegetation, scale_grass
from .views import Views, view_hfov

families()  # every module of family/ registers itself now, so FAMILIES is complete

__all__ = ["BIOMES", "FAMILIES", "GRASS_CELL", "Family", "SmallLayer", "TreeLayer", "Vegetation", "VegetationParams",
           "Views", "add_vegetation", "biome", "biome_params", "families", "get_family", "register", "scale_grass",
           "view_hfov"]
