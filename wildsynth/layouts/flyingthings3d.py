"""FlyingThings3D (Scene Flow datasets): the tree torchvision, RAFT, RAFT-Stereo and IGEV glob.

::

    FlyingThings3D/frames_{cleanpass,finalpass}/<SPLIT>/A/<NNNN>/{left,right}/<ffff>.png
    FlyingThings3D/optical_flow/<SPLIT>/A/<NNNN>/into_future/{left,right}/OpticalFlowIntoFuture_<ffff>_{L,R}.pfm
    FlyingThings3D/optical_flow/<SPLIT>/A/<NNNN>/into_past/{left,right}/OpticalFlowIntoPast_<ffff>_{L,R}.pfm
    FlyingThings3D/disparity/<SPLIT>/A/<NNNN>/{left,right}/<ffff>.pfm
    FlyingThings3D/disparity_change/<SPLIT>/A/<NNNN>/into_{future,past}/{left,right}/<ffff>.pfm
    FlyingThings3D/camera_data/<SPLIT>/A/<NNNN>/camera_data.txt
    SceneFlow/FlyingThings3D -> ../FlyingThings3D       (torchvision SceneFlowStereo's root)
    flyingthings_validation.txt                          (RAFT-Stereo opens it even to train)

``SPLIT`` is ``TRAIN``, or ``TEST`` for every ``test_every``-th sequence.
One sequence ``NNNN`` per stereo run (left and right), or per camera of a mono
or multiview run (its images under ``left/``); ``ffff`` is our frame index.
Like the original, every image has a flow in both directions (loaders pair
image i with i + 1 and use flow i into the future, flow i + 1 into the past),
so image and flow trees match file for file.

Values: flow 3-channel ``PF`` (u, v, 0), pixels, +u right, +v down; sky keeps
its flow at infinity, pixels without a defined flow (behind the other camera)
hold 1e10, which RAFT's ``|flow| < 1000`` rule marks invalid. Disparity
1-channel, positive, dense: sky is 0, its exact value at infinity (RAFT-Stereo
``valid = disp < 512``). Disparity change = disparity of the same point in the
other frame minus here (0 on sky), from our ``depth_change`` (EXR scene flow).
``camera_data.txt``: per frame ``Frame f``, then ``L`` and ``R`` followed by the
16 row-major entries of the camera-to-world matrix in Blender camera axes
(OpenGL: y up, looking along -z), as the original.
"""

from __future__ import annotations

import os

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..core.axes import opencv_to_opengl
from ..io.atomic import atomic_path
from ..io.flo import UNKNOWN
from ..io.pfm import write_pfm
from .base import Context, Layout, register_layout
from .source import Run, View

ROOT = "FlyingThings3D"
DIRECTIONS = {"fwd": ("into_future", "OpticalFlowIntoFuture"), "bwd": ("into_past", "OpticalFlowIntoPast")}


class FlyingThingsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    test_every: int = Field(0, ge=0, le=1_000_000,
                            description="every k-th sequence goes to TEST (and the validation list); 0: all TRAIN")
    validation_prefix: str = Field("datasets", pattern=r"^[^\s]*$",
                                   description="folder RAFT-Stereo is run with (its root, default 'datasets'); lines of "
                                               "flyingthings_validation.txt start with it")


def flow_pfm(flow: np.ndarray) -> np.ndarray:
    """(H, W, 3) float32 (u, v, 0) with undefined flow at 1e10: never a non-finite value."""
    bad = ~np.all(np.isfinite(flow), axis=2)
    f = np.where(bad[..., None], np.float32(UNKNOWN), flow)
    return np.dstack([f, np.zeros(f.shape[:2], np.float32)]).astype(np.float32)


def disparity_change(view: View, key: str, disparity: np.ndarray, fx_b: float) -> np.ndarray | None:
    """Disparity of each pixel's point in the other frame minus its disparity here (0 on sky)."""
    dz = view.depth_change(key)
    if dz is None:
        return None
    z = view.depth()
    z1 = z + dz
    ok = np.isfinite(z) & np.isfinite(z1) & (z1 > 0)
    return np.where(ok, fx_b / np.where(ok, z1, 1.0) - disparity, 0.0).astype(np.float32)


def camera_lines(frame: int, left, right=None) -> str:
    rows = [f"Frame {frame}"]
    for tag, cam in (("L", left), ("R", right)):
        if cam is not None:
            rows.append(f"{tag} " + " ".join(repr(float(x)) for x in opencv_to_opengl(cam.cam_to_world).ravel()))
    return "\n".join(rows) + "\n\n"


def _sequences(runs: list[Run]) -> list[tuple[Run, dict[str, str]]]:
    """(run, {folder: camera}) per sequence: a stereo run is one, every other camera its own."""
    out = []
    for run in runs:
        if run.stereo:
            out.append((run, {"left": "left", "right": "right"}))
        else:
            out += [(run, {"left": cam}) for cam in run.cameras]
    return out


def export_flyingthings(runs: list[Run], ctx: Context, p: FlyingThingsParams) -> dict:
    seqs, validation, frames = [], [], 0
    for n, (run, sides) in enumerate(_sequences(runs)):
        split = "TEST" if p.test_every and n % p.test_every == p.test_every - 1 else "TRAIN"
        seq = f"{split}/A/{n:04d}"
        cams_txt = []
        fx_b = None
        if "right" in sides and run.baseline():
            fx_b = run.view("left", run.frames[0]).camera().K[0, 0] * run.baseline()
        for f in run.frames:
            cams = {}
            for side, cam in sides.items():
                v = run.view(cam, f)
                cams[side] = v.camera()
                for pass_ in ("frames_cleanpass", "frames_finalpass"):
                    ctx.place(v.image, f"{ROOT}/{pass_}/{seq}/{side}/{f:04d}.png")
                letter = side[0].upper()
                for key, (folder, prefix) in DIRECTIONS.items():
                    if v.has_flow(key):
                        write_pfm(ctx.dst(f"{ROOT}/optical_flow/{seq}/{folder}/{side}/{prefix}_{f:04d}_{letter}.pfm"),
                                  flow_pfm(v.flow(key)[0]))
                if fx_b is not None and v.has_disparity():
                    d = v.disparity()[0]
                    write_pfm(ctx.dst(f"{ROOT}/disparity/{seq}/{side}/{f:04d}.pfm"), d)
                    if side == "left" and split == "TEST":
                        rel = f"{ROOT}/disparity/{seq}/left/{f:04d}.pfm"
                        validation.append(f"{p.validation_prefix}/{rel}" if p.validation_prefix else rel)
                    for key, (folder, _) in DIRECTIONS.items():
                        if not v.has_flow(key):
                            continue
                        dd = disparity_change(v, key, d, fx_b)
                        if dd is None:
                            ctx.note("disparity_change needs scene_flow_*.exr (generate with --formats exr); "
                                     "left out")
                            continue
                        write_pfm(ctx.dst(f"{ROOT}/disparity_change/{seq}/{folder}/{side}/{f:04d}.pfm"), dd)
            cams_txt.append(camera_lines(f, cams["left"], cams.get("right")))
            frames += 1
        with atomic_path(ctx.dst(f"{ROOT}/camera_data/{seq}/camera_data.txt")) as tmp:
            tmp.write_text("".join(cams_txt))
        seqs.append({"sequence": seq, "run": run.name, "cameras": sides})
    with atomic_path(ctx.dst("flyingthings_validation.txt")) as tmp:
        tmp.write_text("".join(line + "\n" for line in validation))
    ctx.alias("SceneFlow/FlyingThings3D", os.path.join("..", ROOT))
    return {"sequences": seqs, "frames": frames, "validation": len(validation)}


register_layout(Layout("flyingthings3d", "FlyingThings3D tree: clean/final frames, PFM flow both ways, disparity, "
                                         "disparity change, camera_data.txt, flyingthings_validation.txt",
                       FlyingThingsParams, export_flyingthings))
