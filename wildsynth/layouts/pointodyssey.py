"""PointOdyssey (Zheng et al., ICCV 2023): one folder per video with frames, depth, normals and ``anno.npz``.

::

    <split>/<run>_<camera>/rgbs/rgb_<t:05d>.jpg        our image as JPEG (quality ``jpeg_quality``), t from 0
    <split>/<run>_<camera>/depths/depth_<t:05d>.png    uint16 z-depth: value / 65535 * 1000 = metres; 0 = sky
    <split>/<run>_<camera>/normals/normal_<t:05d>.jpg  normals in OpenCV camera axes as (n + 1) / 2 * 255
    <split>/<run>_<camera>/masks/mask_<t:05d>.png      our instance ids (linked ``instance.png``: 16-bit, or RGB
                                                       with id = R + G << 16 beyond 65535; see io/ids.py)
    <split>/<run>_<camera>/anno.npz                    trajs_2d (T, N, 2), trajs_3d (T, N, 3) world metres,
                                                       visibs, valids (T, N), intrinsics (T, 3, 3),
                                                       extrinsics (T, 4, 4) world-to-camera
    <split>/<run>_<camera>/info.npz                    trajs_3d: the shape of anno's trajs_3d

What PointOdyssey's training loader reads: the sequences are the folders of
``<split>/`` holding both ``info.npz`` and ``anno.npz``; ``info['trajs_3d']``
is the *shape* (T, N, 3) of the tracks (a video is used when N exceeds the
points per sample); frames are ``rgb_%05d.jpg``, ``depth_%05d.png`` and
``normal_%05d.jpg`` indexed like the tracks' first axis; depth is
``png / 65535 * 1000`` metres (1.5 cm steps, 1000 m at most; deeper points and
sky are 0); ``extrinsics`` map world to camera and ``intrinsics`` camera to
pixels, and the loader re-projects ``trajs_3d`` with them, so both must agree
with ``trajs_2d`` (ours do, exactly: our tracks are those projections).

The tracks are the run's own (format ``tracks``, ``tracks/<camera>/anno.npz``:
``wildsynth/gt/tracks.py``), copied key by key; our extra keys
(``instance_ids``, ``times``, ``frames``) ride along. A run without tracks, or
a still, is left out with a note. Every ``val_every``-th video goes to ``val``.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field

from ..io import write_png
from ..io.atomic import atomic_path
from ..io.tracks import read_anno
from .base import Context, Layout, register_layout
from .source import Run, _exr

MAX_DEPTH = 1000.0  # metres at uint16 65535


def encode_depth_po(depth: np.ndarray) -> np.ndarray:
    """z-depth in metres -> PointOdyssey's uint16 (depth / 1000 * 65535); sky, <= 0 and > 1000 m -> 0."""
    q = np.asarray(depth, np.float64) / MAX_DEPTH * 65535.0
    ok = np.isfinite(q) & (q > 0) & (q <= 65535.49)
    return np.where(ok, np.clip(np.rint(np.where(ok, q, 0)), 1, 65535), 0).astype(np.uint16)


def decode_depth_po(png: np.ndarray) -> np.ndarray:
    """The loader's reading: ``png / 65535 * 1000`` metres (0 stays 0)."""
    return np.asarray(png, np.float32) / 65535.0 * MAX_DEPTH


def encode_normals8(normals: np.ndarray) -> np.ndarray:
    """Unit normals (H, W, 3), NaN/0 on sky -> uint8 (n + 1) / 2 * 255 (sky: 128, 128, 128)."""
    n = np.nan_to_num(np.asarray(normals, np.float64))
    return np.clip(np.rint((n + 1.0) * 127.5), 0, 255).astype(np.uint8)


def write_jpeg(path, rgb: np.ndarray, quality: int) -> None:
    with atomic_path(path) as tmp:
        Image.fromarray(np.ascontiguousarray(rgb[..., :3])).save(tmp, format="JPEG", quality=quality)


class PointOdysseyParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jpeg_quality: int = Field(95, ge=50, le=100, description="JPEG quality of rgbs/ and normals/")
    val_every: int = Field(0, ge=0, le=1_000_000, description="every k-th video goes to val/ (0: all in train/)")
    normals: bool = Field(True, description="write normals/ where the run has normal.exr")
    masks: bool = Field(True, description="write masks/ (our instance ids)")


def export_pointodyssey(runs: list[Run], ctx: Context, p: PointOdysseyParams) -> dict:
    videos, frames = [], 0
    n = 0
    for run in runs:
        if len(run.frames) < 2:
            ctx.note(f"{run.name}: a still (one frame) has no tracks; left out")
            continue
        for cam in run.cameras:
            anno_path = run.root / "tracks" / cam / "anno.npz"
            if not anno_path.is_file():
                ctx.note(f"{run.name}: no tracks/{cam}/anno.npz (generate with the tracks format); left out")
                continue
            anno = read_anno(anno_path)
            views = run.views(cam)
            if len(anno["trajs_2d"]) != len(views):
                raise ValueError(f"{anno_path}: {len(anno['trajs_2d'])} track frames for {len(views)} views")
            split = "val" if p.val_every and n % p.val_every == p.val_every - 1 else "train"
            n += 1
            seq = f"{split}/{run.name}_{cam}"
            for t, v in enumerate(views):
                write_jpeg(ctx.dst(f"{seq}/rgbs/rgb_{t:05d}.jpg"), v.rgb(), p.jpeg_quality)
                write_png(ctx.dst(f"{seq}/depths/depth_{t:05d}.png"), encode_depth_po(v.depth()))
                if p.normals and v.has("normal.exr"):
                    write_jpeg(ctx.dst(f"{seq}/normals/normal_{t:05d}.jpg"),
                               encode_normals8(_exr(v.path("normal.exr"), "X", "Y", "Z")), p.jpeg_quality)
                if p.masks:
                    ctx.place(v.need("instance.png"), f"{seq}/masks/mask_{t:05d}.png")
                frames += 1
            with atomic_path(ctx.dst(f"{seq}/anno.npz")) as tmp:
                with open(tmp, "wb") as f:
                    np.savez(f, **anno)
            with atomic_path(ctx.dst(f"{seq}/info.npz")) as tmp:
                with open(tmp, "wb") as f:
                    np.savez(f, trajs_3d=np.array(anno["trajs_3d"].shape, np.int64))
            videos.append({"video": seq, "run": run.name, "camera": cam, "frames": len(views),
                           "points": int(anno["trajs_2d"].shape[1])})
    return {"videos": videos, "frames": frames}


register_layout(Layout("pointodyssey", "PointOdyssey videos: rgbs/*.jpg, depths/ (uint16, /65535*1000 m), "
                                       "normals/, masks/, anno.npz point tracks, info.npz", PointOdysseyParams,
                       export_pointodyssey))
