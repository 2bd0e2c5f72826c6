"""KITTI 2015 scene flow: ``KITTI/training/`` as the devkit unpacks it, plus the two roots torchvision expects.

::

    KITTI/training/image_2/<k:06d>_10.png, <k>_11.png     left, frames t and t + 1
    KITTI/training/image_3/<k>_10.png, <k>_11.png         right (stereo runs)
    KITTI/training/flow_occ/<k>_10.png                    flow t -> t + 1, every pixel with a defined flow valid
    KITTI/training/flow_noc/<k>_10.png                    the same, valid only where visible at t + 1
    KITTI/training/disp_occ_0/<k>_10.png                  disparity at t, every surface pixel valid
    KITTI/training/disp_noc_0/<k>_10.png                  the same, valid only where visible in the right view
    KITTI/training/disp_occ_1/<k>_10.png                  disparity at t + 1 of the point at each frame-t pixel
    KITTI/training/calib_cam_to_cam/<k>.txt               K, P_rect_02, P_rect_03 (baseline), KITTI raw keys
    KittiFlow -> KITTI                                    torchvision KittiFlow's root
    Kitti2015/training/{image_2,image_3,disp_*,calib_cam_to_cam}   torchvision Kitti2015Stereo's root: *_10 only

Sample ``k`` is one frame t of one run's camera with its successor (``task=flow``,
the default for sequences: N - 1 samples per camera) or alone (``task=stereo``,
and stills: N samples, ``_10`` only). torchvision's ``Kitti2015Stereo`` globs
every PNG in ``image_2`` and zips it with ``disp_occ_0`` unchecked, so its tree
holds only the ``_10`` images. Mono and multiview runs give ``image_2`` and
flow only, each camera its own samples.

Encodings (``wildsynth/io/kitti.py``): flow ``value = flow * 64 + 2**15`` with a
valid channel, disparity ``value = d * 256``, 0 = invalid. Sky is invalid
everywhere (no surface point; disparity 0 cannot be stored). Values outside
what 16 bits hold (|flow| > 511.98 px, disparity > 255.99 px) are marked
invalid rather than clipped.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..io.atomic import atomic_path
from ..io.kitti import DISP_SCALE, FLOW_OFFSET, FLOW_SCALE, write_disparity_kitti, write_flow_kitti
from .base import Context, Layout, register_layout
from .source import Run

ROOT = "KITTI/training"
FLOW_MAX = (65535 - FLOW_OFFSET) / FLOW_SCALE  # 511.98 px
DISP_MAX = 65535 / DISP_SCALE  # 255.996 px


class KittiParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    task: Literal["auto", "flow", "stereo"] = Field(
        "auto", description="flow: frame pairs (t, t+1), N-1 samples per camera; stereo: every frame alone (_10 "
                            "only); auto: flow for sequences, stereo for stills")


def flow_validity(flow: np.ndarray, visible: np.ndarray, depth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(occ, noc): pixels with a defined, storable flow; and those of them visible at t + 1."""
    with np.errstate(invalid="ignore"):
        occ = np.isfinite(depth) & np.all(np.isfinite(flow) & (np.abs(flow) <= FLOW_MAX), axis=2)
    return occ, occ & visible


def disparity_validity(disparity: np.ndarray, visible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    occ = np.isfinite(disparity) & (disparity > 0) & (disparity <= DISP_MAX)
    return occ, occ & visible


def calib_text(K: np.ndarray, width: int, height: int, baseline: float) -> str:
    """KITTI ``calib_cam_to_cam`` keys for cameras 00-03 (00/02 = our left, 01/03 = our right; rectified)."""
    def row(values) -> str:
        return " ".join(f"{float(x):.12e}" for x in np.ravel(values))

    lines = ["calib_time: wildsynth", "corner_dist: 0.000000e+00"]
    for cam, b in (("00", 0.0), ("01", baseline), ("02", 0.0), ("03", baseline)):
        P = np.hstack([K, [[-K[0, 0] * b], [0.0], [0.0]]])
        lines += [f"S_{cam}: {row([width, height])}", f"K_{cam}: {row(K)}", f"D_{cam}: {row(np.zeros(5))}",
                  f"R_{cam}: {row(np.eye(3))}", f"T_{cam}: {row([-b, 0.0, 0.0])}", f"S_rect_{cam}: {row([width, height])}",
                  f"R_rect_{cam}: {row(np.eye(3))}", f"P_rect_{cam}: {row(P)}"]
    return "\n".join(lines) + "\n"


def _streams(run: Run) -> list[tuple[str, str | None]]:
    return [("left", "right")] if run.stereo else [(cam, None) for cam in run.cameras]


def export_kitti(runs: list[Run], ctx: Context, p: KittiParams) -> dict:
    k = 0
    samples, stereo_names = [], []
    for run in runs:
        flow_task = p.task == "flow" or (p.task == "auto" and len(run.frames) > 1)
        if flow_task and len(run.frames) < 2:
            ctx.note(f"{run.name}: a still has no flow; left out of the flow samples")
            continue
        baseline = run.baseline() if run.stereo else None
        for left, right in _streams(run):
            firsts = run.frames[:-1] if flow_task else run.frames
            for f in firsts:
                name = f"{k:06d}"
                v = run.view(left, f)
                ctx.place(v.image, f"{ROOT}/image_2/{name}_10.png")
                if flow_task:
                    ctx.place(run.view(left, f + 1).image, f"{ROOT}/image_2/{name}_11.png")
                    flow, visible = v.flow("fwd")
                    occ, noc = flow_validity(flow, visible, v.depth())
                    write_flow_kitti(ctx.dst(f"{ROOT}/flow_occ/{name}_10.png"), flow, occ)
                    write_flow_kitti(ctx.dst(f"{ROOT}/flow_noc/{name}_10.png"), flow, noc)
                if right is not None:
                    r = run.view(right, f)
                    ctx.place(r.image, f"{ROOT}/image_3/{name}_10.png")
                    if flow_task:
                        ctx.place(run.view(right, f + 1).image, f"{ROOT}/image_3/{name}_11.png")
                    d, dvis = v.disparity()
                    occ_d, noc_d = disparity_validity(d, dvis)
                    write_disparity_kitti(ctx.dst(f"{ROOT}/disp_occ_0/{name}_10.png"), d, occ_d)
                    write_disparity_kitti(ctx.dst(f"{ROOT}/disp_noc_0/{name}_10.png"), d, noc_d)
                    cam = v.camera()
                    fx_b = cam.K[0, 0] * baseline
                    dz = v.depth_change("fwd") if v.has_flow("fwd") else None
                    if dz is not None:
                        z1 = v.depth() + dz
                        ok = np.isfinite(z1) & (z1 > 0)
                        d1 = np.where(ok, fx_b / np.where(ok, z1, 1.0), 0.0)
                        valid1 = disparity_validity(d1, np.ones_like(ok))[0] & ok
                        if flow_task:
                            valid1 &= occ
                        write_disparity_kitti(ctx.dst(f"{ROOT}/disp_occ_1/{name}_10.png"), d1, valid1)
                    else:
                        ctx.note("disp_occ_1 needs forward scene flow (scene_flow_fwd.exr: a sequence generated "
                                 "with --formats exr); left out")
                    with atomic_path(ctx.dst(f"{ROOT}/calib_cam_to_cam/{name}.txt")) as tmp:
                        tmp.write_text(calib_text(cam.K, cam.width, cam.height, baseline))
                    stereo_names.append(name)
                samples.append({"sample": name, "run": run.name, "camera": left, "frame": f})
                k += 1
    ctx.alias("KittiFlow", "KITTI")
    for name in stereo_names:  # torchvision Kitti2015Stereo: a tree with the _10 images only
        for folder, suffix in (("image_2", "_10.png"), ("image_3", "_10.png"), ("disp_occ_0", "_10.png"),
                               ("disp_noc_0", "_10.png"), ("disp_occ_1", "_10.png"), ("calib_cam_to_cam", ".txt")):
            rel = f"{folder}/{name}{suffix}"
            if (ctx.out / ROOT / rel).is_file():
                ctx.duplicate(f"{ROOT}/{rel}", f"Kitti2015/training/{rel}")
    return {"samples": samples, "stereo": len(stereo_names)}


register_layout(Layout("kitti2015", "KITTI 2015 scene flow tree: image_2/3, flow_occ/noc, disp_occ_0/1, disp_noc_0, "
                                    "calib_cam_to_cam", KittiParams, export_kitti))
