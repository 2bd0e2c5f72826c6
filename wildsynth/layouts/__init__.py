"""Finished runs and datasets re-laid out as the trees the field's training code loads.

``export_layout(src, layout, out)`` (``wildsynth export-layout SRC --as LAYOUT --out DIR``)
turns a finished run or a whole dataset root into one of the registered
layouts, re-linking finished files and re-encoding the rest, without
rendering anything. One module per layout, each registering itself
(``base.register_layout``); docs/layouts.md has the table.
"""

from . import colmap, depthlist, flyingthings3d, kitti2015, nerfstudio, pointodyssey, sintel, spring, twoview  # noqa: F401,E501  (register)
from .base import LAYOUTS, LINK_MODES, MANIFEST, ExportReport, Layout, export_layout, get_layout, register_layout
from .source import Run, View, find_runs, open_run

__all__ = ["LAYOUTS", "LINK_MODES", "MANIFEST", "ExportReport", "Layout", "export_layout", "get_layout",
           "register_layout", "Run", "View", "find_runs", "open_run"]
