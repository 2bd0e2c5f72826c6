"""The object-set layout registry and what every layout writes.

A layout is one ``register_object_layout(ObjectLayout(...))`` call in its own module of
this package (``zero123.py``, ``pointe.py``, ``nerf.py``); the package imports them all.
``write(rec, folder)`` writes one object's files into its (staging) folder, ``finish(out,
records)`` writes the layout's files at the root of the set (indexes a loader reads).

Every layout also gets, per object, ``object.json`` (kind, seed, split, normalisation,
cameras in OpenCV axes) and ``gt/`` (``NNN_albedo.png``, ``NNN_depth.npy``,
``NNN_normal.npy``, ``NNN_mask.png``, previews); see docs/generative_data.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.camera import Camera
from ..core.mesh import Mesh
from ..generators.assets import Asset
from ..io import write_json
from ..io.png import to_srgb8, write_png
from ..io.preview import depth_preview, normal_preview
from ..render.object_passes import ObjectViews


@dataclass
class ObjectRecord:
    """One rendered object, ready for a layout to write."""

    uid: str
    index: int
    asset: Asset
    split: str
    scale: float  # normalised = (metric + offset) * scale
    offset: np.ndarray
    mesh: Mesh  # all parts as one normalised mesh (instances realised)
    face_part: np.ndarray  # (F,) part index of each face
    cameras: list[Camera]
    spherical: np.ndarray  # (V, 3) polar, azimuth, radius of each camera
    views: list[ObjectViews]
    points: int  # surface samples asked for (layouts that write them)


@dataclass(frozen=True)
class ObjectLayout:
    name: str
    description: str
    radius: tuple[float, float]  # camera distance range in unit-cube units
    write: Callable[[ObjectRecord, Path], None]
    finish: Callable[[Path, list[dict]], None] = lambda out, records: None
    hemisphere: bool = False  # cameras on the upper hemisphere only


LAYOUTS: dict[str, ObjectLayout] = {}


def register_object_layout(layout: ObjectLayout) -> ObjectLayout:
    if layout.name in LAYOUTS:
        raise ValueError(f"object layout {layout.name!r} registered twice")
    LAYOUTS[layout.name] = layout
    return layout


def get_object_layout(name: str) -> ObjectLayout:
    try:
        return LAYOUTS[name]
    except KeyError:
        raise ValueError(f"object layout {name!r} unknown; choose one of {', '.join(sorted(LAYOUTS))}") from None


def rgba8(view: ObjectViews) -> np.ndarray:
    """The straight-alpha RGBA PNG pixels of a view: sRGB colour, 8-bit soft alpha."""
    a = np.clip(view.rgba[..., 3:], 0.0, 1.0)
    return np.concatenate([to_srgb8(view.rgba[..., :3]), (a * 255.0 + 0.5).astype(np.uint8)], -1)


def write_common(rec: ObjectRecord, folder: Path) -> None:
    """``gt/`` and ``object.json`` of one object (every layout)."""
    gt = folder / "gt"
    gt.mkdir(parents=True, exist_ok=True)
    for k, v in enumerate(rec.views):
        write_png(gt / f"{k:03d}_albedo.png", np.concatenate(
            [to_srgb8(v.albedo), np.where(v.mask, 255, 0).astype(np.uint8)[..., None]], -1))
        write_png(gt / f"{k:03d}_mask.png", np.where(v.mask, 255, 0).astype(np.uint8))
        np.save(gt / f"{k:03d}_depth.npy", v.depth)
        np.save(gt / f"{k:03d}_normal.npy", v.normal)
        write_png(gt / f"{k:03d}_depth.png", depth_preview(v.depth))
        write_png(gt / f"{k:03d}_normal.png", normal_preview(v.normal))
    a = rec.asset
    write_json(folder / "object.json", {
        "uid": rec.uid, "index": rec.index, "kind": a.kind, "seed": a.seed, "split": rec.split,
        "parts": [{"id": k + 1, "name": p.name, "semantic": p.semantic, "material": p.material.to_dict()}
                  for k, p in enumerate(a.parts)],
        "normalization": {"scale": rec.scale, "offset": rec.offset.tolist(),
                          "formula": "normalised = (metric + offset) * scale; the object's bounding box is "
                                     "centred at the origin with its longest side 1 (the unit cube)",
                          "metric_extent_m": ((rec.mesh.vertices.max(0) - rec.mesh.vertices.min(0)) /
                                              rec.scale).tolist()},
        "triangles": rec.mesh.n_triangles,
        "cameras": [{**c.to_dict(), "polar": float(s[0]), "azimuth": float(s[1]), "radius": float(s[2])}
                    for c, s in zip(rec.cameras, rec.spherical)],
        "gt": {"albedo": "gt/NNN_albedo.png: Cycles diffuse colour at pixel centres, sRGB, alpha = mask",
               "depth": "gt/NNN_depth.npy: float32 z-depth in unit-cube units (metres = depth / scale), inf = none",
               "normal": "gt/NNN_normal.npy: float32 unit geometric normals, OpenCV camera axes (x right, y down, "
                         "z forward), 0 = none",
               "mask": "gt/NNN_mask.png: 255 where a surface is at the pixel centre"},
    })
