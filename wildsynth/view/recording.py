"""Finished wildsynth output as a Rerun recording (``.rrd``): every layer of every view, the cameras in 3D.

One recording per run (its ``recording_id`` is the run's name), two timelines:
``frame`` (the frame index) and ``time`` (seconds, ``frame.json``). Entities:

- ``world``: Z up (ours); ``world/camera/<cam>`` the camera pose (OpenCV axes,
  ``cam_to_world``) at each frame, ``world/camera/<cam>/image`` its pinhole
  (``K``, size); under it one entity per image layer: ``rgb`` (Image),
  ``depth`` (DepthImage, metres, turbo), ``normals`` (camera-axes normals as
  colour, ``io.preview.normal_preview``), ``semantic`` (SegmentationImage with
  the class names and colours of ``core.labels``), ``instance``
  (SegmentationImage of instance ids), ``flow_fwd`` / ``flow_bwd`` (flow as
  colour, ``io.preview_motion.flow_preview``; invalid pixels dark) and
  ``disparity`` (DepthImage of pixels, viridis; left view of a stereo rig).
- ``world/points/<cam>``: the surface points of that frame back-projected
  from the exact z-depth through pixel centres (``layouts.points.sample_points``,
  moving things kept, up to ``max_depth``), coloured from the RGB.
- ``world/trajectory/<cam>``: the camera centres over every frame (static).
- ``values/<cam>/flow_fwd`` / ``flow_bwd``: the flow itself, (H, W, 2) float32
  pixels (0 where undefined), as a Tensor whose view shows each value on hover.

The hover in a 2D view shows the pixel's value of the layer under the cursor
(depth and disparity in their own units, the class name for semantic). The
default blueprint puts the 3D view beside one grid of 2D views per camera.
Layers a run did not write (no EXR/PFM depth, no flow in a still) are left out.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..core.labels import LABELS
from ..io import read_png
from ..io.preview import normal_preview
from ..io.preview_motion import flow_preview
from ..layouts.points import sample_points
from ..layouts.source import Run, View, _exr
from .select import Selection

LAYERS = ("rgb", "depth", "normals", "semantic", "instance", "flow_fwd", "flow_bwd", "disparity")


@dataclass
class Written:
    """What ``write_recording`` wrote: the file, and per run the layers and number of views logged."""

    path: Path
    runs: list[str] = field(default_factory=list)
    layers: dict[str, list[str]] = field(default_factory=dict)  # camera -> layers, over every run
    views: int = 0
    points: int = 0


def view_layers(view: View) -> list[str]:
    """The layers of ``LAYERS`` this view's files hold."""
    have = {
        "rgb": view.has("image.png"),
        "depth": view.has("depth.exr") or view.has("depth.pfm"),
        "normals": view.has("normal.exr") or view.has("normal_preview.png"),
        "semantic": view.has("semantic.png"),
        "instance": view.has("instance.png"),
        "flow_fwd": view.has_flow("fwd"),
        "flow_bwd": view.has_flow("bwd"),
        "disparity": view.has_disparity() and (view.has("disparity.exr") or view.has("disparity.pfm")),
    }
    return [n for n in LAYERS if have[n]]


def _range(x: np.ndarray, top: float = 99.0) -> tuple[float, float] | None:
    """The colour map's range: percentiles 1 and ``top`` of the finite positive values (far terrain would
    otherwise take the whole map)."""
    ok = x[np.isfinite(x) & (x > 0)]
    if not ok.size:
        return None
    lo, hi = np.percentile(ok, [1, top])
    return float(lo), float(max(hi, lo * 1.0001 + 1e-6))


def _normals(view: View) -> np.ndarray:
    if view.has("normal.exr"):
        return normal_preview(_exr(view.path("normal.exr"), "X", "Y", "Z"))
    return read_png(view.path("normal_preview.png"))[..., :3]


def _log_view(rec, rr, view: View, layers: list[str], max_points: int, max_depth: float) -> int:
    """Log one view's pose, pinhole, layers and point cloud at the current time; the number of points."""
    cam = view.camera()
    base = f"world/camera/{view.camera_name}"
    rec.log(base, rr.Transform3D(translation=cam.cam_to_world[:3, 3], mat3x3=cam.cam_to_world[:3, :3]))
    rec.log(f"{base}/image", rr.Pinhole(image_from_camera=cam.K, resolution=[cam.width, cam.height],
                                        camera_xyz=rr.ViewCoordinates.RDF, image_plane_distance=1.0))
    img = f"{base}/image"
    for layer in layers:
        if layer == "rgb":
            rec.log(f"{img}/rgb", rr.Image(view.rgb()))
        elif layer == "depth":
            d = view.depth()
            rec.log(f"{img}/depth", rr.DepthImage(np.where(np.isfinite(d), d, 0).astype(np.float32), meter=1.0,
                                                  colormap="turbo", depth_range=_range(d, 90.0)))
        elif layer == "normals":
            rec.log(f"{img}/normals", rr.Image(_normals(view)))
        elif layer == "semantic":
            rec.log(f"{img}/semantic", rr.SegmentationImage(read_png(view.path("semantic.png")).astype(np.uint16)))
        elif layer == "instance":
            rec.log(f"{img}/instance", rr.SegmentationImage(view.instance().astype(np.uint32)))
        elif layer in ("flow_fwd", "flow_bwd"):
            key = layer[5:]
            f, valid = view.flow(key)
            rec.log(f"{img}/{layer}", rr.Image(flow_preview(f, valid)))
            rec.log(f"values/{view.camera_name}/{layer}",
                    rr.Tensor(np.nan_to_num(f, nan=0.0, posinf=0.0, neginf=0.0), dim_names=["v", "u", "uv"]))
        elif layer == "disparity":
            d, _ = view.disparity()
            rec.log(f"{img}/disparity", rr.DepthImage(d, meter=1.0, colormap="viridis", depth_range=_range(d)))
    if "depth" not in layers or max_points <= 0:
        return 0
    pts = sample_points([view], np.zeros(0, np.int64), max_points=max_points, max_depth=max_depth, tolerance=np.inf)
    rec.log(f"world/points/{view.camera_name}", rr.Points3D(pts.xyz, colors=pts.rgb, radii=rr.Radius.ui_points(2.0)))
    return len(pts.xyz)


def blueprint(layers: dict[str, list[str]]):
    """The 3D view (cameras, trajectories, points, the RGB on each frustum) beside a tab per camera holding a
    grid of its 2D layers; the time panel open for scrubbing."""
    import rerun.blueprint as rrb

    hidden = [f"- /world/camera/{c}/image/{n}" for c, ns in layers.items() for n in ns if n != "rgb"]
    hidden += [f"- /world/camera/{c}/image/rgb" for c in list(layers)[1:]]  # one textured frustum, the others lines
    space = rrb.Spatial3DView(origin="world", name="3D: cameras, trajectory, points from depth",
                              contents=["+ /world/**", *hidden])
    tabs = []
    for cam, names in layers.items():
        cells = []
        for n in names:
            view2d = rrb.Spatial2DView(origin=f"world/camera/{cam}/image", contents=f"+ $origin/{n}", name=f"{cam}: {n}")
            if n.startswith("flow_"):
                cells.append(rrb.Tabs(view2d, rrb.TensorView(origin=f"values/{cam}/{n}", name=f"{cam}: {n} (u, v)"),
                                      name=n))
            else:
                cells.append(view2d)
        tabs.append(rrb.Grid(*cells, name=cam))
    return rrb.Blueprint(rrb.Horizontal(space, rrb.Tabs(*tabs), column_shares=[2, 3]),
                         rrb.TimePanel(state="expanded"), rrb.SelectionPanel(state="collapsed"), collapse_panels=False)


def _annotations(rr):
    return rr.AnnotationContext([rr.AnnotationInfo(id=lab.id, label=lab.name, color=lab.color) for lab in LABELS])


def _log_run(sel: Selection, path: Path, max_points: int, max_depth: float, written: Written) -> None:
    import rerun as rr

    run: Run = sel.run
    layers = {c: view_layers(run.view(c, sel.frames[0])) for c in sel.cameras}
    rec = rr.new_recording(application_id="wildsynth", recording_id=run.name)
    rec.save(str(path), default_blueprint=blueprint(layers))
    rec.log("world", rr.ViewCoordinates.RIGHT_HAND_Z_UP, static=True)
    for c in sel.cameras:
        rec.log(f"world/camera/{c}/image/semantic", _annotations(rr), static=True)
        centres = np.array([run.view(c, f).camera().position for f in run.frames])
        if len(centres) > 1:
            rec.log(f"world/trajectory/{c}", rr.LineStrips3D([centres], radii=rr.Radius.ui_points(1.5)), static=True)
    for f in sel.frames:
        for c in sel.cameras:
            view = run.view(c, f)
            meta = json.loads(view.need("frame.json").read_text())
            rec.set_time_sequence("frame", f)
            rec.set_time_seconds("time", float(meta.get("time", 0.0)))
            written.points += _log_view(rec, rr, view, [n for n in layers[c] if n in view_layers(view)], max_points,
                                       max_depth)
            written.views += 1
    rec.flush(blocking=True)
    rec.disconnect()
    written.runs.append(run.name)
    for c, ns in layers.items():
        have = written.layers.setdefault(c, [])
        have += [n for n in ns if n not in have]


def write_recording(selections: list[Selection], out: Path, max_points: int = 20_000,
                    max_depth: float = 150.0) -> Written:
    """Every selection as its own recording, all in one ``.rrd`` file at ``out`` (``rerun rrd merge`` joins
    the runs of a dataset); at most ``max_points`` points from depth per view, none farther than ``max_depth``
    metres (far terrain would shrink the cameras to a dot in the 3D view)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    written = Written(out)
    if len(selections) == 1:
        _log_run(selections[0], out, max_points, max_depth, written)
        return written
    with tempfile.TemporaryDirectory(prefix="wildsynth_view_") as tmp:
        parts = []
        for k, sel in enumerate(selections):
            parts.append(Path(tmp) / f"{k:05d}.rrd")
            _log_run(sel, parts[-1], max_points, max_depth, written)
        part = out.with_name(out.name + ".part")
        with open(part, "wb") as fh:
            r = subprocess.run([*rerun_command(), "rrd", "merge", *map(str, parts)], stdout=fh,
                               stderr=subprocess.PIPE, text=False)
        if r.returncode != 0:
            part.unlink(missing_ok=True)
            raise RuntimeError(f"rerun rrd merge failed: {r.stderr.decode(errors='replace').strip()[-500:]}")
        os.replace(part, out)
    return written


def rerun_command() -> list[str]:
    """The ``rerun`` command line of the installed rerun-sdk (its own CLI, beside this Python)."""
    exe = shutil.which("rerun", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "rerun"]
