"""MPI Sintel: ``Sintel/training/{clean,final,flow,occlusions,invalid,depth,camdata_left}/<scene>/``.

One Sintel scene per camera of each run (``<run>_<camera>``), frames
numbered from 1: ``frame_0001.png .. frame_N.png`` in ``clean/`` (our image,
linked) and ``final/`` (the same file: we render one pass), and exactly
**N - 1** flows ``frame_0001.flo .. frame_{N-1}.flo``, flow ``i`` pairing
image ``i`` with ``i + 1`` (our forward flow of frame ``i - 1``). Loaders
(torchvision ``Sintel``, RAFT ``MpiSintel``) concatenate the image pairs and
the flow list of every scene unchecked, so one flow too many (our last frame
has a forward flow too) would shift every later scene; it is left out here.

Masks, one per flow (8-bit, 255 = set): ``invalid`` where the flow is not
defined (sky: no surface point, and points behind the next camera);
``occlusions`` where it is defined but the point is not visible in the next
frame (occluded or out of view), i.e. the inverse of our visibility mask on
pixels with a flow. ``not invalid and not occluded`` is exactly our
``flow_fwd_valid``. Flow values: ours; sky keeps its flow at infinity
(camera rotation), undefined pixels hold the Middlebury "unknown" value
1e10 (finite; RAFT-style loaders treat |flow| >= 1000 as invalid).

Sintel SDK binary files (little-endian, float32 tag 202021.25 = ``PIEH`` first):
``.dpt`` depth: tag, int32 width, int32 height, float32 z-depth row-major
(metres; 0 on sky); ``.cam`` camera: tag, float64 3x3 intrinsics ``K``, float64
3x4 extrinsics ``[R | t]`` world-to-camera (OpenCV camera axes, our world).
"""

from __future__ import annotations

import os

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..io import write_png
from ..io.atomic import atomic_path
from ..io.flo import UNKNOWN, write_flo
from .base import Context, Layout, register_layout
from .source import Run

TAG = np.float32(202021.25)


def write_dpt(path: str | os.PathLike, depth: np.ndarray) -> None:
    """Sintel ``.dpt``: float32 (H, W) depth; non-finite values are written as 0."""
    d = np.asarray(depth, dtype=np.float32)
    if d.ndim != 2:
        raise ValueError(f"depth must be (H, W), got {d.shape}")
    d = np.where(np.isfinite(d), d, 0).astype("<f4")
    with atomic_path(path) as tmp:
        tmp.write_bytes(TAG.astype("<f4").tobytes() + np.array(d.shape[::-1], "<i4").tobytes() + d.tobytes())


def read_dpt(path: str | os.PathLike) -> np.ndarray:
    raw = open(path, "rb").read()
    if np.frombuffer(raw[:4], "<f4")[0] != TAG:
        raise ValueError(f"{path}: not a Sintel .dpt (tag)")
    w, h = (int(x) for x in np.frombuffer(raw[4:12], "<i4"))
    if len(raw) != 12 + 4 * w * h:
        raise ValueError(f"{path}: .dpt size {len(raw)} does not match {w}x{h}")
    return np.frombuffer(raw[12:], "<f4").reshape(h, w).copy()


def write_cam(path: str | os.PathLike, K: np.ndarray, world_to_cam: np.ndarray) -> None:
    """Sintel ``.cam``: float64 3x3 intrinsics and 3x4 world-to-camera extrinsics."""
    body = np.asarray(K, "<f8").reshape(3, 3).tobytes() + np.asarray(world_to_cam, "<f8")[:3, :4].tobytes()
    with atomic_path(path) as tmp:
        tmp.write_bytes(TAG.astype("<f4").tobytes() + body)


def read_cam(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    raw = open(path, "rb").read()
    if len(raw) != 4 + 21 * 8 or np.frombuffer(raw[:4], "<f4")[0] != TAG:
        raise ValueError(f"{path}: not a Sintel .cam")
    m = np.frombuffer(raw[4:], "<f8")
    return m[:9].reshape(3, 3).copy(), m[9:].reshape(3, 4).copy()


def flow_masks(flow: np.ndarray, visible: np.ndarray, depth: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(flow with undefined pixels at 1e10, invalid bool, occluded bool) from our flow, visibility and depth."""
    undefined = ~np.all(np.isfinite(flow), axis=2)
    invalid = ~np.isfinite(depth) | undefined
    occluded = ~visible & ~invalid
    return np.where(undefined[..., None], np.float32(UNKNOWN), flow).astype(np.float32), invalid, occluded


class SintelParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    depth: bool = Field(True, description="write depth .dpt files (training/depth)")
    cameras: bool = Field(True, description="write camera .cam files (training/camdata_left)")
    masks: bool = Field(True, description="write occlusions/ and invalid/ masks")


def export_sintel(runs: list[Run], ctx: Context, p: SintelParams) -> dict:
    root = "Sintel/training"
    scenes, pairs = [], 0
    for run in runs:
        if len(run.frames) < 2:
            ctx.note(f"{run.name}: a still (one frame) has no flow; Sintel needs sequences, left out")
            continue
        for cam in run.cameras:
            scene = f"{run.name}_{cam}"
            views = run.views(cam)
            for i, v in enumerate(views, start=1):
                name = f"frame_{i:04d}"
                for pass_ in ("clean", "final"):
                    ctx.place(v.image, f"{root}/{pass_}/{scene}/{name}.png")
                depth = v.depth() if (p.depth or i < len(views)) else None
                if p.depth:
                    write_dpt(ctx.dst(f"{root}/depth/{scene}/{name}.dpt"), depth)
                if p.cameras:
                    c = v.camera()
                    write_cam(ctx.dst(f"{root}/camdata_left/{scene}/{name}.cam"), c.K, c.world_to_cam)
                if i == len(views):  # N images, N - 1 flows
                    break
                flow, invalid, occluded = flow_masks(*v.flow("fwd"), depth)
                write_flo(ctx.dst(f"{root}/flow/{scene}/{name}.flo"), flow)
                if p.masks:
                    write_png(ctx.dst(f"{root}/occlusions/{scene}/{name}.png"), (occluded * 255).astype(np.uint8))
                    write_png(ctx.dst(f"{root}/invalid/{scene}/{name}.png"), (invalid * 255).astype(np.uint8))
                pairs += 1
            scenes.append(scene)
    return {"scenes": scenes, "pairs": pairs}


register_layout(Layout("sintel", "MPI Sintel training tree: clean/final images, N-1 .flo per scene, occlusions, "
                                 "invalid, depth .dpt, camera .cam", SintelParams, export_sintel))
