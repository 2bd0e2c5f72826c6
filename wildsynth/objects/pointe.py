"""Point-E / Shap-E: per object the renders (``NNN.png`` RGBA, ``NNN.json`` camera) and
``points.npz``: exact, area-uniform surface samples of the normalised mesh (instanced leaves
realised) with face normals and albedo colours by projection into the pixel-centre albedo
views with a depth visibility test (``objects/sampling.py``). Cameras at radius 2 (Shap-E's).

``points.npz``: ``points`` (N, 3) float32 unit-cube coordinates; ``normals`` (N, 3);
``albedo`` (N, 3) linear diffuse colour; ``colors`` (N, 3) the same sRGB-encoded in [0, 1]
(what Point-E's point clouds carry as R, G, B); ``seen`` (N,) bool; ``view`` (N,) int32 the
view the colour came from (-1: unseen, coloured from the nearest seen point); ``pixel``
(N, 2) int32 (column, row) there; ``face`` (N,) int32; ``part`` (N,) int32; ``scale``,
``offset`` (metric = points / scale - offset).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.seeds import SeedTree
from ..io import write_json
from ..io.png import to_srgb8, write_png
from .base import ObjectLayout, ObjectRecord, register_object_layout, rgba8
from .sampling import project_colours, sample_surface


def samples(rec: ObjectRecord) -> dict[str, np.ndarray]:
    s = sample_surface(rec.mesh, rec.points, SeedTree(rec.asset.seed).child("surface_samples").rng())
    c = project_colours(s, rec.cameras, [v.depth for v in rec.views], [v.albedo for v in rec.views])
    return {"points": s.points.astype(np.float32), "normals": s.normals.astype(np.float32), "albedo": c.albedo,
            "colors": to_srgb8(c.albedo).astype(np.float32) / 255.0, "seen": c.seen, "view": c.view,
            "pixel": c.pixel, "face": s.face.astype(np.int32), "part": rec.face_part[s.face].astype(np.int32),
            "scale": np.float64(rec.scale), "offset": rec.offset.astype(np.float64)}


def write(rec: ObjectRecord, folder: Path) -> None:
    for k, (cam, view) in enumerate(zip(rec.cameras, rec.views)):
        write_png(folder / f"{k:03d}.png", rgba8(view))
        c2w = cam.cam_to_world
        write_json(folder / f"{k:03d}.json", {
            "origin": c2w[:3, 3].tolist(), "x": c2w[:3, 0].tolist(), "y": c2w[:3, 1].tolist(),
            "z": c2w[:3, 2].tolist(), "x_fov": cam.hfov, "y_fov": cam.hfov,
            "axes": "OpenCV camera axes in world coordinates: x right, y down, z forward (the view direction)"})
    np.savez_compressed(folder / "points.npz", **samples(rec))


register_object_layout(ObjectLayout("pointe", "Point-E / Shap-E: renders + points.npz of exact surface samples "
                                    "with albedo colours, radius 2", (2.0, 2.0), write))
