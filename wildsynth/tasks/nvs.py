"""``nvs``: novel-view tuples (IVID-style and view-conditioned diffusion).

A job films one shot of ``targets + 1`` frames along a camera trajectory (frame 0 is the
source, every later frame a target ``distance`` metres further along the path). Per target
``tNN`` (``NN`` = 01..) the job holds, in ``<job>/``:

- ``source.png``, ``source_depth.npy`` (float32 z-depth, m, inf on sky), ``tNN_target.png``,
  ``tNN_target_depth.npy``;
- ``tNN_warp.png``: the exact backward warp (the source sampled where each target pixel's
  surface point lands in it), black where not valid; ``tNN_valid.png`` (255: valid) and
  ``tNN_occluded.png`` (its complement);
- ``tNN_splat.png``: the source forward-splatted into the target with a z-buffer, black in holes;
  ``tNN_splat_valid.png`` and ``tNN_hole.png`` (its complement); ``tNN_splat_depth.npy``;
- ``tNN_flow.npy``: (H, W, 2) float32 target -> source pixel offsets (du, dv), NaN where undefined.

``nvs.json`` has both cameras (OpenCV ``K``, ``cam_to_world``), the relative pose
``source_to_target`` (4x4, OpenCV camera axes: ``x_target = T x_source``, metres) and the
agreement of each warp with the target render (``tasks.warp``; PSNR on valid pixels).

The warps assume a static world, so the task turns off everything that moves by itself
(falling particles, wind sway, movers, animals). A scene's own weather (rain, snow) still falls.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..io import read_png, write_json, write_png
from ..io.cameras import camera_json
from .base import Task, register_task
from .warp import make_warps, relative_pose


class NvsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    targets: int = Field(1, ge=1, le=64, description="target views per source")
    distance: float = Field(0.5, gt=0.0, le=100.0, description="camera travel between consecutive views, m")
    trajectory: Literal["walk", "fly", "orbit", "dolly", "pan"] = Field("walk", description="camera path")
    rel_tol: float = Field(0.01, gt=0.0, le=0.5, description="relative depth tolerance of the warps' visibility "
                                                             "tests and the splat's z-buffer")


def shot(options, p: NvsParams):
    """The source and its targets one second apart along the path, in a world that holds still:
    no falling particles, no wind sway, no movers, no animals (the warps assume a static scene)."""
    traj = options.shot.trajectory.model_copy(update={"kind": p.trajectory, "speed": p.distance})
    m = options.motion
    still = m.model_copy(update={"particles": 0, "sway_degrees": 0.0,
                                 "movers": m.movers.model_copy(update={"count": 0}),
                                 "creatures": m.creatures.model_copy(update={"density": 0.0, "counts": None})})
    return options.model_copy(update={"shot": options.shot.model_copy(update={
        "frames": p.targets + 1, "fps": 1.0, "rig": "mono", "flow": False, "trajectory": traj}),
        "motion": still, "formats": ("exr",)})


def psnr(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float | None:
    """PSNR (dB) of two [0, 1] images over ``mask``; None when the mask is empty."""
    if not mask.any():
        return None
    mse = float(np.mean((a[mask].astype(np.float64) - b[mask]) ** 2))
    return float("inf") if mse == 0 else round(10.0 * np.log10(1.0 / mse), 3)


def _u8(img: np.ndarray) -> np.ndarray:
    return np.round(np.clip(np.nan_to_num(img, nan=0.0), 0, 1) * 255).astype(np.uint8)


def write(run_dir: Path, folder: Path, p: NvsParams, job) -> dict:
    from ..layouts.source import open_run

    run = open_run(run_dir)
    views = run.views(run.cameras[0])
    src = views[0]
    cs, rgb_s, zs = src.camera(), read_png(src.image)[..., :3] / 255.0, src.depth()
    write_png(folder / "source.png", read_png(src.image)[..., :3])
    np.save(folder / "source_depth.npy", zs)
    targets, scores = [], []
    for k, view in enumerate(views[1:], start=1):
        t = f"t{k:02d}"
        ct, rgb_t, zt = view.camera(), read_png(view.image)[..., :3] / 255.0, view.depth()
        w = make_warps(rgb_s, zs, cs, zt, ct, view.instance(), p.rel_tol)
        write_png(folder / f"{t}_target.png", read_png(view.image)[..., :3])
        np.save(folder / f"{t}_target_depth.npy", zt)
        write_png(folder / f"{t}_warp.png", _u8(np.where(w.valid[..., None], w.backward, 0.0)))
        write_png(folder / f"{t}_splat.png", _u8(w.splat))
        for name, m in (("valid", w.valid), ("occluded", w.occluded), ("splat_valid", w.splat_valid),
                        ("hole", w.hole)):
            write_png(folder / f"{t}_{name}.png", np.where(m, 255, 0).astype(np.uint8))
        np.save(folder / f"{t}_splat_depth.npy", w.splat_depth)
        np.save(folder / f"{t}_flow.npy", w.flow)
        both = w.valid & w.splat_valid
        score = {"valid_share": round(float(w.valid.mean()), 4), "hole_share": round(float(w.hole.mean()), 4),
                 "warp_psnr_valid": psnr(w.backward, rgb_t, w.valid),
                 "splat_psnr_both_valid": psnr(w.splat, rgb_t, both)}
        scores.append(score)
        targets.append({"name": t, "camera": camera_json(ct), "source_to_target": relative_pose(cs, ct).tolist(),
                        "baseline_m": round(float(np.linalg.norm(ct.position - cs.position)), 4), **score})
    write_json(folder / "nvs.json", {
        "source": {"camera": camera_json(cs)}, "targets": targets, "rel_tol": p.rel_tol,
        "conventions": "OpenCV camera axes (x right, y down, z forward), metres; source_to_target maps source "
                       "camera coordinates to target camera coordinates; flow is target -> source, pixels"})
    return {"targets": len(targets), "warp_psnr_valid": [s["warp_psnr_valid"] for s in scores],
            "splat_psnr_both_valid": [s["splat_psnr_both_valid"] for s in scores]}


register_task(Task("nvs", "novel-view tuples: source, target, relative pose, exact backward warp, z-buffered "
                          "forward splat, visibility masks", NvsParams, shot=shot, write=write))
