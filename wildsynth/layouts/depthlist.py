"""Monocular depth fine-tuning lists (``depth-list``): VKITTI2-style centimetre PNG depth and a file list.

::

    images/<run>_<camera>_<frame:06d>.png      our image (linked)
    depths/<run>_<camera>_<frame:06d>.png      uint16 z-depth in centimetres (value / 100 = metres), 0 = sky
    normals/<run>_<camera>_<frame:06d>.npy     float32 (H, W, 3) unit normals, OpenCV camera axes (x right,
                                               y down, z forward), facing the camera; (0, 0, 0) on sky
    train.txt, val.txt                         "images/... depths/..." per line, paths relative to the folder

The VKITTI2 convention that Depth Anything V2's metric fine-tuning reads
(``cv2.imread(depth, IMREAD_UNCHANGED) / 100``, valid between its min and
max depth, 80 m by default); depth beyond 655.35 m, which 16 bits in
centimetres cannot hold, is 0 (invalid) like sky. Every ``val_every``-th
image goes to ``val.txt``. Normals are written when the run has
``normal.exr``.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..io import write_png
from ..io.atomic import atomic_path
from .base import Context, Layout, register_layout
from .source import Run, _exr

CM = 100.0


class DepthListParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    val_every: int = Field(10, ge=0, le=1_000_000, description="every k-th image goes to val.txt (0: none)")
    normals: bool = Field(True, description="write normals/*.npy where the run has normal.exr")


def encode_depth_cm(depth: np.ndarray) -> np.ndarray:
    """z-depth in metres -> uint16 centimetres; sky, non-positive and > 655.35 m depth -> 0."""
    cm = np.asarray(depth, np.float64) * CM
    ok = np.isfinite(cm) & (cm > 0) & (cm <= 65535.49)
    return np.where(ok, np.clip(np.rint(np.where(ok, cm, 0)), 1, 65535), 0).astype(np.uint16)


def export_depthlist(runs: list[Run], ctx: Context, p: DepthListParams) -> dict:
    lines: list[str] = []
    normals = 0
    for run in runs:
        for cam in run.cameras:
            for v in run.views(cam):
                name = f"{run.name}_{cam}_{v.frame:06d}"
                ctx.place(v.image, f"images/{name}.png")
                write_png(ctx.dst(f"depths/{name}.png"), encode_depth_cm(v.depth()))
                if p.normals and v.has("normal.exr"):
                    n = np.nan_to_num(_exr(v.path("normal.exr"), "X", "Y", "Z")).astype(np.float32)
                    np.save(ctx.dst(f"normals/{name}.npy"), n)
                    normals += 1
                lines.append(f"images/{name}.png depths/{name}.png")
    val = [ln for k, ln in enumerate(lines) if p.val_every and k % p.val_every == p.val_every - 1]
    train = [ln for ln in lines if ln not in set(val)]
    for fname, rows in (("train.txt", train), ("val.txt", val)):
        with atomic_path(ctx.dst(fname)) as tmp:
            tmp.write_text("".join(r + "\n" for r in rows))
    return {"images": len(lines), "train": len(train), "val": len(val), "normals": normals}


register_layout(Layout("depth-list", "monocular depth lists: images, uint16 centimetre depth PNGs (VKITTI2), "
                                     "normals .npy, train.txt/val.txt", DepthListParams, export_depthlist))
