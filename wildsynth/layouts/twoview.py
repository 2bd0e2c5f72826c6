"""Two-view stereo benchmarks: ETH3D low-res two-view and Middlebury MiddEval3 (``eth3d``, ``middlebury``).

::

    ETH3D/two_view_training/<scene>/{im0.png, im1.png, calib.txt}
    ETH3D/two_view_training_gt/<scene>/{disp0GT.pfm, mask0nocc.png}
    MiddEval3/trainingF/<scene>/{im0.png, im1.png, disp0GT.pfm, mask0nocc.png, calib.txt}
    MiddEval3/official_train.txt                       the scene names, one a line (RAFT-Stereo filters by it)

One scene per frame of each stereo run, ``<run>_<frame:06d>`` (mono and
multiview runs have no stereo pair and are left out). ``im0``/``im1`` are our
left/right images (linked). ``disp0GT.pfm`` is the left disparity
(1-channel PFM, positive): sky holds 0, its exact value at infinity, instead
of the benchmarks' ``inf`` for "unknown" -- no file here holds a non-finite
value; ``mask0nocc.png`` marks what has ground truth: 255 = a surface pixel
visible in the right view, 0 = occluded in it, or sky. ``calib.txt`` uses
Middlebury's keys: ``cam0``/``cam1`` (K), ``doffs=0`` (rectified, same
principal point), ``baseline`` in millimetres, ``width``, ``height``,
``ndisp``, ``vmin``, ``vmax``; depth = baseline * f / (d + doffs).
Only the full-resolution ``trainingF`` is written (not ``H``/``Q``).
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel, ConfigDict

from ..io import write_png
from ..io.atomic import atomic_path
from ..io.pfm import write_pfm
from .base import Context, Layout, register_layout
from .source import Run


class TwoViewParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


def calib_text(K: np.ndarray, width: int, height: int, baseline_m: float, disparity: np.ndarray,
               mask: np.ndarray) -> str:
    k = f"[{K[0, 0]!r} 0 {K[0, 2]!r}; 0 {K[1, 1]!r} {K[1, 2]!r}; 0 0 1]"
    d = disparity[mask]
    vmin, vmax = (float(d.min()), float(d.max())) if d.size else (0.0, 0.0)
    ndisp = max(16, 16 * math.ceil(vmax / 16))
    return (f"cam0={k}\ncam1={k}\ndoffs=0\nbaseline={baseline_m * 1000.0!r}\nwidth={width}\nheight={height}\n"
            f"ndisp={ndisp}\nisint=0\nvmin={vmin!r}\nvmax={vmax!r}\ndyavg=0\ndymax=0\n")


def _scenes(runs: list[Run], ctx: Context):
    for run in runs:
        if not run.stereo:
            ctx.note(f"{run.name}: not a stereo run; left out")
            continue
        for f in run.frames:
            yield run, f, f"{run.name}_{f:06d}"


def _write(run: Run, f: int, ctx: Context, images: str, gt: str) -> None:
    left, right = run.view("left", f), run.view("right", f)
    ctx.place(left.image, f"{images}/im0.png")
    ctx.place(right.image, f"{images}/im1.png")
    d, visible = left.disparity()
    mask = visible & np.isfinite(left.depth()) & (d > 0)
    write_pfm(ctx.dst(f"{gt}/disp0GT.pfm"), d)
    write_png(ctx.dst(f"{gt}/mask0nocc.png"), (mask * 255).astype(np.uint8))
    cam = left.camera()
    with atomic_path(ctx.dst(f"{images}/calib.txt")) as tmp:
        tmp.write_text(calib_text(cam.K, cam.width, cam.height, run.baseline(), d, mask))


def export_eth3d(runs: list[Run], ctx: Context, p: TwoViewParams) -> dict:
    names = []
    for run, f, name in _scenes(runs, ctx):
        _write(run, f, ctx, f"ETH3D/two_view_training/{name}", f"ETH3D/two_view_training_gt/{name}")
        names.append(name)
    return {"scenes": names}


def export_middlebury(runs: list[Run], ctx: Context, p: TwoViewParams) -> dict:
    names = []
    for run, f, name in _scenes(runs, ctx):
        folder = f"MiddEval3/trainingF/{name}"
        _write(run, f, ctx, folder, folder)
        names.append(name)
    with atomic_path(ctx.dst("MiddEval3/official_train.txt")) as tmp:
        tmp.write_text("".join(n + "\n" for n in names))
    return {"scenes": names}


register_layout(Layout("eth3d", "ETH3D low-res two-view tree: im0/im1, disp0GT.pfm, mask0nocc.png, calib.txt",
                       TwoViewParams, export_eth3d))
register_layout(Layout("middlebury", "Middlebury MiddEval3 trainingF tree with official_train.txt (RAFT-Stereo)",
                       TwoViewParams, export_middlebury))
