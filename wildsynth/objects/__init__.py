"""Object sets: single procedural assets rendered from posed views, in the layouts of the
models that train on them (Zero-1-to-3, Point-E / Shap-E, NeRF). See docs/generative_data.md.

``make_object_set(params)`` (``objects/build.py``) is the driver; layouts register in
``objects/base.py``; every module of this package is imported here, so a new layout is one file.
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import LAYOUTS, ObjectLayout, ObjectRecord, get_object_layout, register_object_layout

for _m in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_m}")

__all__ = ["LAYOUTS", "ObjectLayout", "ObjectRecord", "get_object_layout", "register_object_layout"]
