"""``clips``: short camera trajectories at a small resolution, with poses and flow (video diffusion).

A job films ``frames`` frames along a trajectory (flow on: the pipeline adds one ground-truth-only
time before and after, so every frame has flow both ways). ``<job>/`` holds stacked arrays a video
loader reads in one go:

- ``rgb.npy`` (T, H, W, 3) uint8 sRGB; ``depth.npy`` (T, H, W) float32 z-depth, m, inf on sky;
- ``flow_fwd.npy`` / ``flow_bwd.npy`` (T, H, W, 2) float32 (du, dv) pixels to frame t+1 / t-1,
  NaN where undefined; ``flow_fwd_valid.npy`` / ``flow_bwd_valid.npy`` (T, H, W) bool (visible there);
- ``poses.json``: per frame its time (s), ``K`` and ``cam_to_world`` (OpenCV axes, metres, world Z up);
- ``caption.txt``: frame 0's exact caption; ``frames/NNN.png`` the frames as images.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..io import read_png, write_json
from ..io.cameras import camera_json
from .base import Task, register_task
from .common import link_or_copy


class ClipParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    frames: int = Field(8, ge=2, le=256, description="frames per clip")
    fps: float = Field(8.0, gt=0.0, le=240.0, description="frames per second")
    trajectory: Literal["walk", "fly", "orbit", "dolly", "pan"] = Field("walk", description="camera path")
    speed: float = Field(1.4, ge=0.0, le=100.0, description="camera speed, m/s")


def shot(options, p: ClipParams):
    traj = options.shot.trajectory.model_copy(update={"kind": p.trajectory, "speed": p.speed})
    return options.model_copy(update={"shot": options.shot.model_copy(update={
        "frames": p.frames, "fps": p.fps, "rig": "mono", "flow": True, "trajectory": traj}), "formats": ("exr",)})


def write(run_dir: Path, folder: Path, p: ClipParams, job) -> dict:
    from ..layouts.source import open_run

    run = open_run(run_dir)
    views = run.views(run.cameras[0])
    times = run.meta["shot"]["times"]
    rgb, depth, poses = [], [], []
    flows = {k: ([], []) for k in ("fwd", "bwd")}
    for i, v in enumerate(views):
        rgb.append(read_png(v.image)[..., :3])
        depth.append(v.depth())
        for key in flows:
            f, ok = v.flow(key)
            flows[key][0].append(f)
            flows[key][1].append(ok)
        poses.append({"frame": i, "time": times[i], **camera_json(v.camera())})
        link_or_copy(v.image, folder / "frames" / f"{i:03d}.png")
    np.save(folder / "rgb.npy", np.stack(rgb))
    np.save(folder / "depth.npy", np.stack(depth).astype(np.float32))
    for key, (f, ok) in flows.items():
        np.save(folder / f"flow_{key}.npy", np.stack(f).astype(np.float32))
        np.save(folder / f"flow_{key}_valid.npy", np.stack(ok))
    first = views[0]
    cap = first.path("caption.txt").read_text() if first.has("caption.txt") else "\n"
    (folder / "caption.txt").write_text(cap)
    write_json(folder / "poses.json", {"fps": p.fps, "frames": poses,
                                       "axes": "OpenCV camera axes (x right, y down, z forward); world Z up, metres"})
    valid = float(np.mean(np.stack(flows["fwd"][1])))
    return {"frames": len(views), "flow_fwd_valid_share": round(valid, 4)}


register_task(Task("clips", "short trajectories at a small resolution with poses and flow both ways",
                   ClipParams, shot=shot, write=write))
