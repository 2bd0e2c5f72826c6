"""Landform height functions: z = f(x, y), analytic, evaluated anywhere.

Each landform is one module of this package: a typed parameter model and a
height function registered with ``@landform(name, Params)`` (``base.py``),
plus what the scene needs to know about it: water bodies (sea level, a river
valley's axis, a frozen lake's level) and a view hint (where a camera shows
the landform at its best). Every module here is imported on import of the
package, so adding a landform is adding one file. Rivers and liquid lakes are
found on the eroded grid by ``field.py`` (drainage, basin filling); erosion and
meshing happen there too, these functions hold only the shape.

Coordinates: world metres. Each seed samples the noise at a different region
(``origin``), so the same parameters give a different landscape per seed.
"""

from __future__ import annotations

import functools
import importlib
import operator
import pkgutil

from .base import (
    LANDFORMS,
    Landform,
    LandformKind,
    LandformModel,
    ViewHint,
    WaterInfo,
    get_landform,
    landform,
    smoothstep,
    terrace,
)
from .rivers import River, ValleyAxis

for _m in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_m}")

# every registered parameter model by its class name (lf.MountainParams, lf.DuneParams, ...)
_MODELS = {k.params.__name__: k.params for k in LANDFORMS.values()}
globals().update(_MODELS)

# what a landscape's terrain field accepts: any registered model (told apart by ``kind``)
LandformParams = functools.reduce(operator.or_, (k.params for k in LANDFORMS.values()))

__all__ = ["LANDFORMS", "Landform", "LandformKind", "LandformModel", "LandformParams", "River",
           "ValleyAxis", "ViewHint", "WaterInfo", "get_landform", "landform", "smoothstep", "terrace"]
__all__ += list(_MODELS)
