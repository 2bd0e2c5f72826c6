"""Material recipes as renderer-free shader graphs.

Every module of this package that defines recipes registers them on import
(``@recipe`` in ``library.py``); this package imports them all, so adding a
material is one function in a module here, or one new module.
"""

import importlib
import pkgutil

from .graph import Graph, Node, Out
from .library import DISPLACEMENTS, RECIPES, build

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    importlib.import_module(f"{__name__}.{_info.name}")

__all__ = ["DISPLACEMENTS", "Graph", "Node", "Out", "RECIPES", "build"]
