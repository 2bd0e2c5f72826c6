"""nerfstudio data folder: ``transforms.json`` with file paths, depth, masks, an initial point cloud and splits.

::

    [<run>/]images/<camera>_<frame:06d>.png    our image (linked)
    [<run>/]depths/<camera>_<frame:06d>.png    uint16 z-depth / depth_unit_scale_factor, 0 = sky
    [<run>/]masks/<camera>_<frame:06d>.png     uint8, 0 = a surface point that moves (ignored), 255 = static
    [<run>/]sparse_pc.ply                      points sampled from the exact depth, RGB colours (``points.py``)
    [<run>/]transforms.json

One folder per run (a dataset root gives one per finished job: different
worlds are different scenes). ``transform_matrix`` is camera-to-world in
OpenGL camera axes (x right, y up, looking along -z), ``camera_model``
OPENCV with zero distortion, intrinsics at the top (and per frame when a
camera differs). ``depth_unit_scale_factor`` is 1e-3 (millimetres) when the
deepest surface point is within 65.535 m, else the smallest power of ten that
holds it. Every ``holdout_every``-th image (the last of each group) is held out:
``val_filenames`` and ``test_filenames`` list them, ``train_filenames`` the rest.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..core.axes import opencv_to_opengl
from ..io import write_json, write_png
from .base import Context, Layout, register_layout
from .points import sample_points, static_mask, write_ply
from .source import Run, View


class NerfstudioParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    holdout_every: int = Field(8, ge=0, le=1_000_000,
                               description="every k-th image goes to val/test (0: all train)")
    points: int = Field(100_000, ge=0, le=50_000_000, description="points in sparse_pc.ply (0: no point cloud)")
    max_depth: float = Field(1000.0, gt=0, le=1e7, description="farthest point sampled into the cloud, metres")
    depth: bool = Field(True, description="write depths/ and depth_file_path")
    masks: bool = Field(True, description="write masks/ (moving things masked out) and mask_path")
    static_tolerance: float = Field(0.01, ge=0, le=100, description="a surface point that moves more than this "
                                                                    "many metres to a neighbouring frame is masked")


def all_views(run: Run) -> list[View]:
    return [run.view(c, f) for c in run.cameras for f in run.frames]


def image_name(v: View) -> str:
    return f"{v.camera_name}_{v.frame:06d}.png"


def depth_scale(max_depth: float) -> float:
    """1e-3, or the smallest power of ten with max_depth / scale <= 65535."""
    if not math.isfinite(max_depth) or max_depth <= 65.535:
        return 1e-3
    return float(10.0 ** math.ceil(math.log10(max_depth / 65535.0)))


def encode_depth(depth: np.ndarray, scale: float) -> np.ndarray:
    depth = np.asarray(depth, np.float64)
    ok = np.isfinite(depth) & (depth > 0)
    return np.where(ok, np.clip(np.rint(np.where(ok, depth, 0) / scale), 1, 65535), 0).astype(np.uint16)


def holdout(n: int, every: int) -> np.ndarray:
    idx = np.arange(n)
    return (idx % every == every - 1) if every else np.zeros(n, bool)


def intrinsics(cam) -> dict:
    return {"fl_x": float(cam.K[0, 0]), "fl_y": float(cam.K[1, 1]), "cx": float(cam.K[0, 2]),
            "cy": float(cam.K[1, 2]), "w": int(cam.width), "h": int(cam.height)}


def export_run(run: Run, ctx: Context, p: NerfstudioParams, prefix: str) -> dict:
    views = all_views(run)
    cams = [v.camera() for v in views]
    depths = [v.depth() for v in views] if p.depth else []
    finite = [d[np.isfinite(d)] for d in depths]
    deepest = max((float(x.max()) for x in finite if x.size), default=0.0)
    scale = depth_scale(deepest)
    moving = run.moving_ids()
    top = intrinsics(cams[0])
    frames = []
    for k, (v, cam) in enumerate(zip(views, cams)):
        name = image_name(v)
        ctx.place(v.image, f"{prefix}images/{name}")
        fr = {"file_path": f"images/{name}", "transform_matrix": opencv_to_opengl(cam.cam_to_world).tolist()}
        if intrinsics(cam) != top:
            fr.update(intrinsics(cam))
        if p.depth:
            write_png(ctx.dst(f"{prefix}depths/{name}"), encode_depth(depths[k], scale))
            fr["depth_file_path"] = f"depths/{name}"
        if p.masks:
            write_png(ctx.dst(f"{prefix}masks/{name}"), (static_mask(v, moving, p.static_tolerance) * 255).astype(np.uint8))
            fr["mask_path"] = f"masks/{name}"
        frames.append(fr)
    meta = {"camera_model": "OPENCV", "camera_angle_x": cams[0].hfov,
            "camera_angle_y": float(2 * np.arctan(0.5 * cams[0].height / cams[0].K[1, 1])), **top,
            "k1": 0.0, "k2": 0.0, "p1": 0.0, "p2": 0.0}
    if p.depth:
        meta["depth_unit_scale_factor"] = scale
    n_points = 0
    if p.points:
        pts = sample_points(views, moving, p.points, p.max_depth, p.static_tolerance)
        write_ply(ctx.dst(f"{prefix}sparse_pc.ply"), pts.xyz, pts.rgb, pts.normal)
        meta["ply_file_path"] = "sparse_pc.ply"
        n_points = len(pts.xyz)
    held = holdout(len(frames), p.holdout_every)
    names = [f["file_path"] for f in frames]
    meta["train_filenames"] = [n for n, h in zip(names, held) if not h]
    meta["val_filenames"] = meta["test_filenames"] = [n for n, h in zip(names, held) if h]
    meta["frames"] = frames
    write_json(ctx.dst(f"{prefix}transforms.json"), meta)
    return {"run": run.name, "folder": prefix or ".", "images": len(frames), "points": n_points,
            "held_out": int(held.sum())}


def export_nerfstudio(runs: list[Run], ctx: Context, p: NerfstudioParams) -> dict:
    return {"scenes": [export_run(r, ctx, p, "" if len(runs) == 1 else f"{r.name}/") for r in runs]}


register_layout(Layout("nerfstudio", "nerfstudio data folder: transforms.json with images, depths, masks, "
                                     "sparse_pc.ply and train/val/test lists", NerfstudioParams, export_nerfstudio))
