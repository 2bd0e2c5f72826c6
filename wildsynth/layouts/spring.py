"""Spring (Mehl et al., CVPR 2023): ``spring/train/<scene>/…`` with HDF5 ``.flo5`` flow and ``.dsp5`` disparity.

::

    spring/train/<NNNN>/frame_{left,right}/frame_{left,right}_<ffff>.png     our images (linked), from 0001
    spring/train/<NNNN>/flow_{FW,BW}_{left,right}/flow_{FW,BW}_<cam>_<ffff>.flo5   HDF5 dataset "flow" (2H, 2W, 2)
    spring/train/<NNNN>/disp1_{left,right}/disp1_<cam>_<ffff>.dsp5           HDF5 dataset "disparity" (2H, 2W)
    spring/train/<NNNN>/disp2_{FW,BW}_{left,right}/disp2_<dir>_<cam>_<ffff>.dsp5   disparity at t±1 of each point
    spring/train/<NNNN>/cam_data/{intrinsics,extrinsics}.txt                one line per frame

What the benchmark's own loaders (``SpringFlowDataset``, ``SpringStereoDataset``
and ``SpringSceneFlowDataset`` of the Spring SDK, and the RAFT-family loaders
built on them) rely on:

- scenes are the sorted folders of ``train/``; frames of a camera are the sorted
  ``frame_<cam>/*.png``, numbered from 1; forward flow exists for frames
  1 … N−1, backward flow for frames 2 … N (N−1 each way per camera);
- ground truth is stored at **twice the image resolution** in each direction and
  the loaders take ``gt[::2, ::2]``. We write every value as a 2×2 block, so that
  subsampling returns our ground truth exactly; flow values stay in image pixels;
- disparity is stored positive for both views (the loader negates the left one);
  ``disp2_<dir>`` is the disparity at t±1 of the point seen at each pixel at t,
  from our depth change: fx·B/(z + Δz);
- a right camera is listed only when the run is a stereo rig: the stereo and
  scene-flow loaders open ``disp1`` of every camera they list.

Scenes are numbered ``0001``, ``0002``, … in run order (the loaders and the
benchmark's split lists use numbers); ``wildsynth_layout.json`` maps each to its
run. Undefined flow (a point behind the other camera) is the Middlebury "unknown"
1e10 (finite; RAFT-style loaders treat ``|flow| >= 1000`` as invalid); sky keeps
its flow at infinity and disparity 0. ``cam_data``: ``intrinsics.txt`` holds
``fx fy cx cy`` per frame, ``extrinsics.txt`` the 16 row-major entries of the
world-to-camera matrix (OpenCV camera axes, our world) per frame; these two files
follow Spring's documentation as we read it, and no loader we know opens them.
Stills (one frame) have no flow and are left out.
"""

from __future__ import annotations

import os

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..io.atomic import atomic_path
from ..io.flo import UNKNOWN
from .base import Context, Layout, register_layout
from .flyingthings3d import disparity_change
from .source import Run

ROOT = "spring/train"
DIRECTIONS = {"FW": "fwd", "BW": "bwd"}


def upsample2(a: np.ndarray) -> np.ndarray:
    """Every pixel as a 2x2 block: ``upsample2(a)[::2, ::2] == a`` (Spring's super-resolved ground truth)."""
    return np.repeat(np.repeat(a, 2, axis=0), 2, axis=1)


def write_h5(path: str | os.PathLike, key: str, data: np.ndarray) -> None:
    """One float32 dataset ``key`` in an HDF5 file (gzip level 5, as the Spring SDK writes), atomically."""
    import h5py

    with atomic_path(path) as tmp:
        with h5py.File(tmp, "w") as f:
            f.create_dataset(key, data=np.asarray(data, np.float32), compression="gzip", compression_opts=5)


def read_h5(path: str | os.PathLike, key: str) -> np.ndarray:
    import h5py

    with h5py.File(path, "r") as f:
        if key not in f:
            raise ValueError(f"{path}: no dataset {key!r} (has {', '.join(f.keys())})")
        return f[key][()]


def spring_flow(flow: np.ndarray, superres: bool = True) -> np.ndarray:
    """Our flow (NaN where undefined) as a Spring ``flow`` array: finite, undefined at 1e10, 2x2 blocks."""
    bad = ~np.all(np.isfinite(flow), axis=2)
    f = np.where(bad[..., None], np.float32(UNKNOWN), flow).astype(np.float32)
    return upsample2(f) if superres else f


class SpringParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    superres: bool = Field(True, description="ground truth at twice the image resolution in each direction, as "
                                             "Spring stores it and its loaders expect (gt[::2, ::2])")
    disparity: bool = Field(True, description="write disp1 and disp2 files (stereo runs)")
    cameras: bool = Field(True, description="write cam_data/intrinsics.txt and extrinsics.txt")


def _scenes(runs: list[Run]) -> list[tuple[Run, dict[str, str]]]:
    """(run, {spring camera: our camera}) per Spring scene: a stereo run is one, any other camera its own."""
    out = []
    for run in runs:
        if len(run.frames) < 2:
            continue
        if run.stereo:
            out.append((run, {"left": "left", "right": "right"}))
        else:
            out += [(run, {"left": cam}) for cam in run.cameras]
    return out


def export_spring(runs: list[Run], ctx: Context, p: SpringParams) -> dict:
    up = upsample2 if p.superres else (lambda a: a)
    scenes, flows, disps = [], 0, 0
    for run in runs:
        if len(run.frames) < 2:
            ctx.note(f"{run.name}: a still (one frame) has no flow; Spring needs sequences, left out")
    for n, (run, sides) in enumerate(_scenes(runs), start=1):
        scene = f"{n:04d}"
        base = f"{ROOT}/{scene}"
        fx_b = None
        if p.disparity and "right" in sides and run.baseline():
            fx_b = run.view("left", run.frames[0]).camera().K[0, 0] * run.baseline()
        for side, cam in sides.items():
            views = run.views(cam)
            intr, extr = [], []
            for i, v in enumerate(views, start=1):
                ctx.place(v.image, f"{base}/frame_{side}/frame_{side}_{i:04d}.png")
                for tag, key in DIRECTIONS.items():
                    if (tag == "FW" and i == len(views)) or (tag == "BW" and i == 1) or not v.has_flow(key):
                        continue
                    write_h5(ctx.dst(f"{base}/flow_{tag}_{side}/flow_{tag}_{side}_{i:04d}.flo5"), "flow",
                             spring_flow(v.flow(key)[0], p.superres))
                    flows += 1
                if fx_b is not None and v.has_disparity():
                    d = v.disparity()[0]
                    write_h5(ctx.dst(f"{base}/disp1_{side}/disp1_{side}_{i:04d}.dsp5"), "disparity", up(d))
                    disps += 1
                    for tag, key in DIRECTIONS.items():
                        if (tag == "FW" and i == len(views)) or (tag == "BW" and i == 1) or not v.has_flow(key):
                            continue
                        dd = disparity_change(v, key, d, fx_b)
                        if dd is None:
                            ctx.note("disp2 needs scene_flow_*.exr (generate with --formats exr); left out")
                            continue
                        d2 = np.where(d > 0, d + dd, 0.0).astype(np.float32)
                        write_h5(ctx.dst(f"{base}/disp2_{tag}_{side}/disp2_{tag}_{side}_{i:04d}.dsp5"), "disparity",
                                 up(d2))
                if p.cameras:
                    c = v.camera()
                    intr.append(f"{c.K[0, 0]!r} {c.K[1, 1]!r} {c.K[0, 2]!r} {c.K[1, 2]!r}")
                    extr.append(" ".join(repr(float(x)) for x in c.world_to_cam.ravel()))
            if p.cameras and side == "left":
                for name, rows in (("intrinsics", intr), ("extrinsics", extr)):
                    with atomic_path(ctx.dst(f"{base}/cam_data/{name}.txt")) as tmp:
                        tmp.write_text("".join(r + "\n" for r in rows))
        if fx_b is None and "right" in sides:
            ctx.note(f"{run.name}: no stereo baseline or disparity; disp1/disp2 left out")
        scenes.append({"scene": scene, "run": run.name, "cameras": sides})
    return {"scenes": scenes, "flows": flows, "disparities": disps, "superres": p.superres}


register_layout(Layout("spring", "Spring tree: frame_left/right PNGs, HDF5 .flo5 flow both ways (N-1 each), .dsp5 "
                                 "disparity and disparity at t±1, ground truth at 2x resolution", SpringParams,
                       export_spring))
