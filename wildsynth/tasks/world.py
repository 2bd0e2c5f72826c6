"""``world``: a bird's-eye world export (SceneDreamer's input) paired with posed renders.

Per job, ``<job>/`` holds maps of the scene's terrain on a square grid of ``cells`` x ``cells``
cells, ``extent`` metres a side, centred on the first camera's (x, y):

- ``height.npy`` (float32, m, world Z): the terrain's height function at each cell centre
  (``Layout.ground.height``; exact, not a mesh), ``height.png`` a 16-bit preview
  (``(h - min) / (max - min)``, ``world.json`` holds both);
- ``surface.npy``: the top of ground or water (``Layout.surface_height``; = height where dry);
- ``semantic.png`` (uint8 / uint16 class ids of the label registry) and ``semantic_rgb.png``: the
  class of the highest meshed surface above each cell centre (terrain, rock, sand, snow, water,
  ...; a top-down z-buffer over the scene's meshes, not its instances); ``covered.png`` is 255
  where some mesh lies above the cell (the terrain is meshed where the cameras see it; elsewhere
  the class is 0);
- ``trees.npy`` (float32, m): the tallest tree crown over each cell (height of the tree's top
  above the ground at its base; 0 = no tree), from every tree instance's position and the
  horizontal and vertical extent of its mesh, ``trees.json`` the trees (x, y, z base, crown
  radius, height, metres);
- ``run/``: the posed renders (the dataset's shot: a still, a sequence or a multiview ring) with
  exact ground truth; ``world.json`` lists every view's camera and where it stands on the maps.

Axes: map column ``i`` is world x = x0 + (i + 0.5) * cell, row ``j`` is world y = y1 - (j + 0.5) * cell:
seen as an image the map is a top-down view, +X right, +Y up (north when the scene's north is
+Y), metres. The scene is built once for the maps and once more by the pipeline for the renders
(the same seed gives the same scene).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from numba import njit
from pydantic import BaseModel, ConfigDict, Field

from ..io import write_json, write_png
from .base import Task, register_task


class WorldParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cells: int = Field(256, ge=8, le=8192, description="map size, cells a side")
    extent: float = Field(256.0, gt=0.0, le=100_000.0, description="map size, metres a side")


@njit(cache=True)
def _raster_top(v, f, cls, x0, y1, cell, n, zbuf, out):
    """Top-down z-buffer: for every cell centre inside a triangle's xy footprint, keep the highest z."""
    for t in range(f.shape[0]):
        a, b, c = f[t, 0], f[t, 1], f[t, 2]
        ax, ay, az = v[a, 0], v[a, 1], v[a, 2]
        bx, by, bz = v[b, 0], v[b, 1], v[b, 2]
        cx, cy, cz = v[c, 0], v[c, 1], v[c, 2]
        den = (by - cy) * (ax - cx) + (cx - bx) * (ay - cy)
        if abs(den) < 1e-12:
            continue
        i0 = max(int(np.floor((min(ax, bx, cx) - x0) / cell - 0.5)), 0)
        i1 = min(int(np.ceil((max(ax, bx, cx) - x0) / cell - 0.5)), n - 1)
        j0 = max(int(np.floor((y1 - max(ay, by, cy)) / cell - 0.5)), 0)
        j1 = min(int(np.ceil((y1 - min(ay, by, cy)) / cell - 0.5)), n - 1)
        for j in range(j0, j1 + 1):
            py = y1 - (j + 0.5) * cell
            for i in range(i0, i1 + 1):
                px = x0 + (i + 0.5) * cell
                w0 = ((by - cy) * (px - cx) + (cx - bx) * (py - cy)) / den
                w1 = ((cy - ay) * (px - cx) + (ax - cx) * (py - cy)) / den
                w2 = 1.0 - w0 - w1
                if w0 < -1e-9 or w1 < -1e-9 or w2 < -1e-9:
                    continue
                z = w0 * az + w1 * bz + w2 * cz
                if z > zbuf[j, i]:
                    zbuf[j, i] = z
                    out[j, i] = cls


def grid(centre_xy: np.ndarray, p: WorldParams) -> tuple[float, float, float, np.ndarray, np.ndarray]:
    """(x0, y1, cell, X, Y): the map's west edge, north edge, cell size and its cell centres (n, n)."""
    cell = p.extent / p.cells
    x0, y1 = float(centre_xy[0]) - p.extent / 2, float(centre_xy[1]) + p.extent / 2
    c = (np.arange(p.cells) + 0.5) * cell
    X, Y = np.meshgrid(x0 + c, y1 - c)
    return x0, y1, cell, X, Y


def world_maps(scene, layout, centre_xy: np.ndarray, p: WorldParams) -> dict:
    """The maps of a built scene (``run.compose``'s ``scene`` and ``layout``)."""
    from ..core.labels import label
    from ..core.mesh import Instances

    x0, y1, cell, X, Y = grid(centre_xy, p)
    n = p.cells
    height = np.asarray(layout.ground.height(X.ravel(), Y.ravel()), np.float64).reshape(n, n)
    surface = np.asarray(layout.surface_height(X.ravel(), Y.ravel()), np.float64).reshape(n, n)
    zbuf = np.full((n, n), -np.inf)
    sem = np.zeros((n, n), np.int64)
    trees = np.zeros((n, n), np.float64)
    tree_rows = []
    for obj in scene.objects:
        g = obj.geometry
        if isinstance(g, Instances):
            if obj.semantic != "tree" or not len(g.transforms) or not len(g.mesh.vertices):
                continue
            mv = g.mesh.vertices.astype(np.float64)
            r0 = 0.5 * float(max(np.ptp(mv[:, 0]), np.ptp(mv[:, 1])))
            for m in g.transforms.astype(np.float64):
                pts = mv @ m[:3, :3].T + m[:3, 3]
                base = m[:3, 3]
                r = max(r0 * float(np.linalg.norm(m[:3, 0])), cell * 0.5)
                h = float(pts[:, 2].max() - base[2])
                tree_rows.append([float(base[0]), float(base[1]), float(base[2]), r, h])
                i0, i1 = (int(np.clip(np.floor((base[0] + s * r - x0) / cell), 0, n)) for s in (-1, 1))
                j0, j1 = (int(np.clip(np.floor((y1 - base[1] + s * r) / cell), 0, n)) for s in (-1, 1))
                win = (slice(j0, min(j1 + 1, n)), slice(i0, min(i1 + 1, n)))
                near = (X[win] - base[0]) ** 2 + (Y[win] - base[1]) ** 2 <= r * r
                trees[win] = np.where(near, np.maximum(trees[win], h), trees[win])
        elif obj.in_ground_truth and len(g.faces):
            if obj.semantic == "tree":  # a realised tree mesh: its vertices mark the crown
                v = g.vertices.astype(np.float64)
                i = np.floor((v[:, 0] - x0) / cell).astype(np.int64)
                j = np.floor((y1 - v[:, 1]) / cell).astype(np.int64)
                ok = (i >= 0) & (i < n) & (j >= 0) & (j < n)
                zb = float(v[:, 2].min())
                np.maximum.at(trees, (j[ok], i[ok]), v[ok, 2] - zb)
                continue
            _raster_top(g.vertices.astype(np.float64), g.faces.astype(np.int64), int(label(obj.semantic).id),
                        x0, y1, cell, n, zbuf, sem)
    return {"height": height.astype(np.float32), "surface": surface.astype(np.float32), "semantic": sem,
            "covered": np.isfinite(zbuf), "trees": trees.astype(np.float32), "tree_rows": tree_rows,
            "x0": x0, "y1": y1, "cell": cell}


def to_map(maps: dict, xy: np.ndarray) -> list[float]:
    """World (x, y) -> map (column, row) in cells (fractional; cell centres at + 0.5)."""
    return [float((xy[0] - maps["x0"]) / maps["cell"]), float((maps["y1"] - xy[1]) / maps["cell"])]


def _class_name(i: int) -> str:
    from ..core.labels import LABELS

    return next((lab.name for lab in LABELS if lab.id == i), f"class_{i}")


def shot(options, p: WorldParams):
    return options.model_copy(update={"formats": tuple(f for f in options.formats if f in ("exr", "pfm")) or ("exr",)})


def write(run_dir: Path, folder: Path, p: WorldParams, job) -> dict:
    from ..layouts.source import open_run
    from ..params import apply_overrides
    from ..render.settings import RenderSettings
    from ..run import RunOptions, compose
    from ..scenes import get as get_scene
    from .common import semantic_rgb

    params = apply_overrides(get_scene(job.scene).params, list(job.overrides), what=job.scene)
    render = RenderSettings(**job.render)
    options = shot(RunOptions(**job.options), p)
    c = compose(job.scene, params, job.seed, render.width, render.height, options.shot, displace=False)
    first = c.shot.rigs[c.shot.frames[0]].main
    maps = world_maps(c.scene, c.layout, first.position[:2], p)
    np.save(folder / "height.npy", maps["height"])
    np.save(folder / "surface.npy", maps["surface"])
    np.save(folder / "trees.npy", maps["trees"])
    h = maps["height"].astype(np.float64)
    lo, hi = float(h.min()), float(h.max())
    write_png(folder / "height.png", np.round((h - lo) / max(hi - lo, 1e-9) * 65535).astype(np.uint16))
    sem = maps["semantic"]
    write_png(folder / "semantic.png", sem.astype(np.uint8) if sem.max(initial=0) < 256 else sem.astype(np.uint16))
    write_png(folder / "semantic_rgb.png", semantic_rgb(sem))
    write_png(folder / "covered.png", np.where(maps["covered"], 255, 0).astype(np.uint8))
    write_json(folder / "trees.json", {"columns": ["x", "y", "z_base", "crown_radius", "height"],
                                       "trees": [[round(x, 4) for x in r] for r in maps["tree_rows"]]})
    run = open_run(run_dir)
    views = []
    for cam in run.cameras:
        for v in run.views(cam):
            camj = json.loads(v.need("camera.json").read_text())
            pos = np.asarray(camj["cam_to_world"])[:3, 3]
            rel = str(v.folder.relative_to(folder))
            views.append({"camera": cam, "frame": v.frame, "folder": rel, "image": f"{rel}/image.png",
                          "K": camj["K"], "cam_to_world": camj["cam_to_world"], "map_col_row": to_map(maps, pos),
                          "height_above_ground_m": round(float(pos[2] - c.layout.ground.height(pos[:1], pos[1:2])[0]), 4)})
    write_json(folder / "world.json", {
        "cells": p.cells, "extent_m": p.extent, "cell_m": maps["cell"], "x0": maps["x0"], "y1": maps["y1"],
        "axes": "column i: x = x0 + (i + 0.5) * cell_m; row j: y = y1 - (j + 0.5) * cell_m; world Z up, metres",
        "height_png": {"min_m": lo, "max_m": hi, "encoding": "uint16 (h - min) / (max - min) * 65535"},
        "classes": {str(int(i)): {"name": _class_name(int(i)), "cells": int(k)}
                    for i, k in zip(*np.unique(sem, return_counts=True))},
        "views": views, "trees": len(maps["tree_rows"])})
    return {"trees": len(maps["tree_rows"]), "covered_share": round(float(maps["covered"].mean()), 4),
            "views": len(views)}


register_task(Task("world", "bird's-eye world export (height, semantic biome and tree maps) with posed renders",
                   WorldParams, shot=shot, write=write))
