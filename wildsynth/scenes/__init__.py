"""Scene recipes and their registry.

Every module of this package that defines a scene registers it on import
(``base.register``); this package imports them all, so adding a scene is one
new file here.
"""

import importlib
import pkgutil

from .base import SCENES, Built, Layout, SceneRecipe, SkyParams, get, register

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    importlib.import_module(f"{__name__}.{_info.name}")

DEFAULT_SCENE = "meadow"

__all__ = ["DEFAULT_SCENE", "SCENES", "Built", "Layout", "SceneRecipe", "SkyParams", "get", "register"]
