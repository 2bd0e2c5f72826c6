"""COLMAP model for 3D Gaussian Splatting: ``[<run>/]images/`` and ``sparse/0/{cameras,images,points3D}.{txt,bin}``.

One folder per run (a dataset root gives one per finished job). Cameras are
PINHOLE (``fx fy cx cy``), one per distinct intrinsics and size; images hold
world-to-camera poses (Hamilton quaternion ``qw qx qy qz``, OpenCV camera axes),
named ``<camera>_<frame:06d>.png`` as in ``images/``. ``points3D`` is a real
point cloud sampled from the exact depth and coloured from the RGB
(``points.py``; our run-level ``colmap/points3D.txt`` is empty, so 3DGS would
start from no Gaussians): each point's track is the one image and pixel it
was sampled in, listed as that image's 2D point, so the model is consistent
for COLMAP's own readers; the reprojection error is 0.

Binary files follow COLMAP's ``read_write_model`` layout (little-endian):
``cameras.bin`` u64 count, then per camera i32 id, i32 model (1 = PINHOLE),
u64 width, u64 height, f64 params; ``images.bin`` u64 count, then i32 id,
f64 qvec[4], f64 tvec[3], i32 camera id, NUL-terminated name, u64 point count,
per point f64 x, f64 y, i64 point3D id; ``points3D.bin`` u64 count, then u64
id, f64 xyz, u8 rgb, f64 error, u64 track length, per element i32 image id,
i32 point2D index.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..core.camera import Camera
from ..io.atomic import atomic_path
from ..io.colmap import quaternion_to_rotation, rotation_to_quaternion
from .base import Context, Layout, register_layout
from .nerfstudio import all_views, image_name
from .points import Points, sample_points
from .source import Run

PINHOLE = 1


class ColmapParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    points: int = Field(100_000, ge=1, le=50_000_000, description="points3D sampled from the exact depth")
    max_depth: float = Field(1000.0, gt=0, le=1e7, description="farthest point sampled, metres")
    binary: bool = Field(True, description="write the .bin files beside the .txt ones")
    static_tolerance: float = Field(0.01, ge=0, le=100, description="points that move more than this many metres "
                                                                    "to a neighbouring frame are left out")


def _camera_ids(cams: list[Camera]) -> tuple[list[int], list[tuple]]:
    keys: dict[tuple, int] = {}
    ids = []
    for c in cams:
        key = (c.width, c.height, *(float(x) for x in c.K[[0, 1, 0, 1], [0, 1, 2, 2]]))
        ids.append(keys.setdefault(key, len(keys) + 1))
    return ids, list(keys)


def write_model(folder: Path, cams: list[Camera], names: list[str], pts: Points, binary: bool = True) -> None:
    """cameras, images and points3D (text, and binary with ``binary``) of posed images and a point cloud."""
    folder.mkdir(parents=True, exist_ok=True)
    cam_ids, intr = _camera_ids(cams)
    poses = []
    for c in cams:
        w2c = c.world_to_cam
        poses.append((rotation_to_quaternion(w2c[:3, :3]), w2c[:3, 3]))
    order = np.argsort(pts.image, kind="stable")  # point2D index = rank of the point within its image
    point2d_idx = np.empty(len(pts.image), np.int64)
    per_image: list[list[int]] = [[] for _ in cams]
    for pid in order:
        img = int(pts.image[pid])
        point2d_idx[pid] = len(per_image[img])
        per_image[img].append(int(pid))

    cam_txt = [f"{i + 1} PINHOLE {w} {h} {fx!r} {fy!r} {cx!r} {cy!r}" for i, (w, h, fx, fy, cx, cy) in enumerate(intr)]
    img_txt = []
    for k, (name, (q, t)) in enumerate(zip(names, poses)):
        img_txt.append(f"{k + 1} {' '.join(repr(float(x)) for x in q)} {' '.join(repr(float(x)) for x in t)} "
                       f"{cam_ids[k]} {name}")
        img_txt.append(" ".join(f"{pts.uv[p, 0]!r} {pts.uv[p, 1]!r} {p + 1}" for p in per_image[k]))
    pt_txt = [f"{p + 1} {pts.xyz[p, 0]!r} {pts.xyz[p, 1]!r} {pts.xyz[p, 2]!r} {pts.rgb[p, 0]} {pts.rgb[p, 1]} "
              f"{pts.rgb[p, 2]} 0.0 {pts.image[p] + 1} {point2d_idx[p]}" for p in range(len(pts.xyz))]
    texts = {"cameras.txt": ("# Camera list with one line of data per camera:\n#   CAMERA_ID, MODEL, WIDTH, HEIGHT, "
                             f"PARAMS[]\n# Number of cameras: {len(intr)}\n", cam_txt),
             "images.txt": ("# Image list with two lines of data per image:\n#   IMAGE_ID, QW, QX, QY, QZ, TX, TY, "
                            "TZ, CAMERA_ID, NAME\n#   POINTS2D[] as (X, Y, POINT3D_ID)\n"
                            f"# Number of images: {len(names)}\n", img_txt),
             "points3D.txt": ("# 3D point list with one line of data per point:\n#   POINT3D_ID, X, Y, Z, R, G, B, "
                              "ERROR, TRACK[] as (IMAGE_ID, POINT2D_IDX)\n"
                              f"# Number of points: {len(pt_txt)}\n", pt_txt)}
    for fname, (head, lines) in texts.items():
        with atomic_path(folder / fname) as tmp:
            tmp.write_text(head + "".join(line + "\n" for line in lines))
    if not binary:
        return
    with atomic_path(folder / "cameras.bin") as tmp:
        tmp.write_bytes(struct.pack("<Q", len(intr)) + b"".join(
            struct.pack("<iiQQ4d", i + 1, PINHOLE, w, h, fx, fy, cx, cy)
            for i, (w, h, fx, fy, cx, cy) in enumerate(intr)))
    chunks = [struct.pack("<Q", len(names))]
    for k, (name, (q, t)) in enumerate(zip(names, poses)):
        mine = per_image[k]
        chunks.append(struct.pack("<i4d3di", k + 1, *q, *t, cam_ids[k]) + name.encode() + b"\0"
                      + struct.pack("<Q", len(mine)))
        rec = np.zeros(len(mine), [("x", "<f8"), ("y", "<f8"), ("id", "<i8")])
        rec["x"], rec["y"], rec["id"] = pts.uv[mine, 0], pts.uv[mine, 1], np.asarray(mine, np.int64) + 1
        chunks.append(rec.tobytes())
    with atomic_path(folder / "images.bin") as tmp:
        tmp.write_bytes(b"".join(chunks))
    rec = np.zeros(len(pts.xyz), [("id", "<u8"), ("xyz", "<f8", 3), ("rgb", "u1", 3), ("err", "<f8"),
                                   ("n", "<u8"), ("img", "<i4"), ("idx", "<i4")])
    rec["id"] = np.arange(1, len(pts.xyz) + 1)
    rec["xyz"], rec["rgb"], rec["n"] = pts.xyz, pts.rgb, 1
    rec["img"], rec["idx"] = pts.image + 1, point2d_idx
    with atomic_path(folder / "points3D.bin") as tmp:
        tmp.write_bytes(struct.pack("<Q", len(rec)) + rec.tobytes())


def read_model_bin(folder: str | os.PathLike) -> dict:
    """The binary model back: cameras {id: (w, h, params)}, images [(id, Camera, name, xy (P, 2), ids (P,))],
    points (ids, xyz, rgb, error, tracks [(image_id, point2D_idx), ...]) -- a reader written from COLMAP's layout."""
    folder = Path(folder)
    raw = (folder / "cameras.bin").read_bytes()
    (n,), off, cams = struct.unpack_from("<Q", raw), 8, {}
    for _ in range(n):
        cid, model, w, h = struct.unpack_from("<iiQQ", raw, off)
        off += 24
        if model != PINHOLE:
            raise ValueError(f"camera model {model} is not PINHOLE")
        cams[cid] = (w, h, struct.unpack_from("<4d", raw, off))
        off += 32
    raw = (folder / "images.bin").read_bytes()
    (n,), off, images = struct.unpack_from("<Q", raw), 8, []
    for _ in range(n):
        iid, *qt, cid = struct.unpack_from("<i4d3di", raw, off)
        off += 64
        end = raw.index(b"\0", off)
        name, off = raw[off:end].decode(), end + 1
        (m,) = struct.unpack_from("<Q", raw, off)
        off += 8
        rec = np.frombuffer(raw, [("x", "<f8"), ("y", "<f8"), ("id", "<i8")], m, off)
        off += 24 * m
        w, h, (fx, fy, cx, cy) = cams[cid]
        w2c = np.eye(4)
        w2c[:3, :3], w2c[:3, 3] = quaternion_to_rotation(qt[:4]), qt[4:]
        cam = Camera(np.array([[fx, 0, cx], [0, fy, cy], [0, 0, 1.0]]), np.linalg.inv(w2c), int(w), int(h))
        images.append((iid, cam, name, np.stack([rec["x"], rec["y"]], -1), rec["id"].copy()))
    raw = (folder / "points3D.bin").read_bytes()
    (n,), off = struct.unpack_from("<Q", raw), 8
    ids, xyz, rgb, err, tracks = [], [], [], [], []
    for _ in range(n):
        pid, x, y, z, r, g, b, e, t = struct.unpack_from("<Q3d3BdQ", raw, off)
        off += 51
        tr = np.frombuffer(raw, "<i4", 2 * t, off).reshape(t, 2)
        off += 8 * t
        ids.append(pid), xyz.append((x, y, z)), rgb.append((r, g, b)), err.append(e), tracks.append(tr)
    return {"cameras": cams, "images": images, "ids": np.array(ids), "xyz": np.array(xyz).reshape(-1, 3),
            "rgb": np.array(rgb, np.uint8).reshape(-1, 3), "error": np.array(err), "tracks": tracks}


def export_run(run: Run, ctx: Context, p: ColmapParams, prefix: str) -> dict:
    views = all_views(run)
    names = [image_name(v) for v in views]
    for v, name in zip(views, names):
        ctx.place(v.image, f"{prefix}images/{name}")
    pts = sample_points(views, run.moving_ids(), p.points, p.max_depth, p.static_tolerance)
    folder = ctx.out / f"{prefix}sparse/0"
    write_model(folder, [v.camera() for v in views], names, pts, p.binary)
    ctx.counts["encoded"] += 6 if p.binary else 3
    return {"run": run.name, "folder": prefix or ".", "images": len(views), "points": len(pts.xyz)}


def export_colmap(runs: list[Run], ctx: Context, p: ColmapParams) -> dict:
    return {"scenes": [export_run(r, ctx, p, "" if len(runs) == 1 else f"{r.name}/") for r in runs]}


register_layout(Layout("colmap", "COLMAP model for 3D Gaussian Splatting: images/ and sparse/0 with points3D sampled "
                                 "from the exact depth", ColmapParams, export_colmap))
