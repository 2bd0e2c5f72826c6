"""seed + scene + options -> a sequence of frames from a camera rig, with full ground truth.

Built on the stages of ``pipeline.py`` (scene build, Blender transfer, RGB,
exact GT passes, writing). Per frame and per camera of the rig it writes RGB,
depth, normals, instance/semantic/panoptic maps, occlusion boundaries,
forward and backward optical flow with visibility masks, scene flow, 2D and
3D boxes, camera metadata and, for a stereo rig, disparity for both views.
Conventions are in docs/ground_truth.md.

Layout::

    out/sequence.json            # written last: marks a complete sequence
    out/objects.json             # object table + classes
    out/transforms.json          # NeRF, every frame of every camera    (format "nerf")
    out/colmap/{cameras,images,points3D}.txt                           (format "colmap")
    out/panoptic_<camera>.json   # COCO panoptic, one per camera        (format "coco")
    out/<camera>/<frame:06d>/... # per-view files (see FILES in docs/ground_truth.md)

Times: frame f is at t = f / fps seconds. To give the first and last frames
backward and forward flow, ground truth (not RGB) is also rendered at
f = -1 and f = frames.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from . import __version__
from .camera.rigs import make_rig
from .camera.trajectories import TrajectoryParams, ground_from_scene, make_trajectory, obstacles_from_scene
from .core.camera import Camera, CameraRig
from .core.labels import palette
from .core.motion import MotionSet
from .core.seeds import SeedTree
from .generators.motion import MotionParams, add_falling_particles, wind_sway
from .gt import normals_to_camera, semantic_from_instance
from .gt.boundaries import occlusion_boundaries
from .gt.boxes import Boxes3D, boxes_2d
from .gt.flow import Correspondence, correspond, disparity_from_depth
from .gt.panoptic import categories, panoptic_ids
from .io import write_exr, write_json, write_png
from .io.cameras import camera_json, nerf_transforms
from .io.coco import write_panoptic_json, write_panoptic_png
from .io.colmap import write_colmap
from .io.flo import write_flo
from .io.kitti import write_disparity_kitti, write_flow_kitti
from .io.pfm import write_pfm
from .io.preview import contact_sheet, depth_preview, id_preview, normal_preview
from .io.preview_motion import disparity_preview, flow_preview, mask_preview
from .pipeline import Reporter, check_output_dir, class_table, peak_rss_mb, stage_timer, staging, write_basic_passes
from .render.settings import RenderSettings
from .scenes import get as get_scene

FORMATS = ("exr", "pfm", "flo", "kitti", "coco", "nerf", "colmap")


class SequenceOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    frames: int = Field(1, ge=1, le=100000, description="number of frames")
    fps: float = Field(24.0, gt=0.0, le=1000.0, description="frames per second")
    rig: Literal["mono", "stereo", "multiview"] = Field("mono", description="camera rig")
    baseline: float = Field(0.075, gt=0.0, le=100.0, description="stereo baseline, m")
    views: int = Field(8, ge=1, le=1000, description="cameras of the multiview ring")
    formats: tuple[str, ...] = Field(FORMATS, description="file formats to write besides PNG/JSON")
    trajectory: TrajectoryParams = Field(default_factory=TrajectoryParams)
    motion: MotionParams = Field(default_factory=MotionParams)

    @field_validator("formats")
    @classmethod
    def _known(cls, v):
        bad = [f for f in v if f not in FORMATS]
        if bad:
            raise ValueError(f"unknown format(s) {', '.join(bad)}; allowed: {', '.join(FORMATS)}")
        return tuple(dict.fromkeys(v))


@dataclass
class SequenceResult:
    out: Path
    timings: dict[str, float] = field(default_factory=dict)
    stats: dict = field(default_factory=dict)
    gt_seconds_per_view: float = 0.0


@dataclass
class View:
    """One camera at one time: the camera and its raw GT passes (RGB only for output frames)."""

    camera: Camera
    passes: object
    rgb: object = None


def plan(scene, rig0: CameraRig, options: SequenceOptions, seeds: SeedTree) -> tuple[list[CameraRig], MotionSet, list[float]]:
    """Per-time rigs (frames + 2: one before and one after) and the scene's motion."""
    n = options.frames + 2
    times = [(k - 1) / options.fps for k in range(n)]
    cam0 = rig0.main
    ground = ground_from_scene(scene, cam0.position)
    cams = make_trajectory(options.trajectory, cam0, n, options.fps, ground, obstacles_from_scene(scene),
                           seeds.child("trajectory").rng())
    motions = MotionSet()
    for m in scene.motions:  # tracks the scene brought itself (weather particles)
        motions.add(m)
    sway = wind_sway(scene, options.motion, seeds.child("sway"))
    if sway is not None:
        motions.add(sway)
    mid = cams[n // 2]
    fall = add_falling_particles(scene, options.motion, mid, times[-1] - times[0], ground, seeds.child("particles"))
    if fall is not None:  # rest pose at t = 0; they pass the middle camera's view mid-shot
        motions.add(fall)
    rigs = [make_rig(options.rig, c, options.baseline, options.views, ground) for c in cams]
    return rigs, motions, times


def _lookup(scene, motions: MotionSet, t_from: float, t_to: float):
    return motions.lookup(scene._next_id - 1, t_from, t_to)


def _deltas_by_id(motions: MotionSet, t: float) -> dict[int, np.ndarray]:
    ids, d = motions.deltas(t)
    return {int(i): d[k] for k, i in enumerate(ids)}


def generate_sequence(scene_name: str, seed: int, params: BaseModel, settings: RenderSettings,
                      options: SequenceOptions, out: Path, reporter: Reporter | None = None) -> SequenceResult:
    reporter = reporter or Reporter()
    out = Path(out)
    check_output_dir(out)
    recipe = get_scene(scene_name)
    seeds = SeedTree(seed)
    result = SequenceResult(out)
    t = result.timings
    timed = stage_timer(reporter, t)
    fmt = set(options.formats)

    with timed("scene_build"):
        scene, rig0, build_report = recipe.build(params, seeds.child("scene"), settings.width, settings.height)
        rigs, motions, times = plan(scene, rig0, options, seeds.child("sequence"))
    id_to_class = scene.id_to_class()
    boxes3d = Boxes3D(scene)
    names = list(rigs[0].cameras)

    from .render.cycles import CyclesRenderer  # bpy loads here

    with timed("transfer"):
        renderer = CyclesRenderer(scene, settings, seed=seeds.child("cycles").int())
    out.mkdir(parents=True, exist_ok=True)
    (out / "sequence.json").unlink(missing_ok=True)
    panoptic = {c: ([], []) for c in names}
    all_cams: list[tuple[Camera, str]] = []
    gt_view_seconds = []

    def render(k: int) -> dict[str, View]:
        renderer.set_time(motions, times[k])
        views = {}
        for name, cam in rigs[k].cameras.items():
            t0 = time.perf_counter()
            with timed("gt_render"):
                passes = renderer.render_gt(cam)
            gt_view_seconds.append(time.perf_counter() - t0)
            rgb = None
            if 1 <= k <= options.frames:
                with timed("render_rgb"):
                    rgb = renderer.render_rgb(cam, progress=reporter.render_progress)
            views[name] = View(cam, passes, rgb)
        return views

    with renderer:
        window = [render(0), render(1)]
        for k in range(1, options.frames + 1):
            window.append(render(k + 1))
            prev, cur, nxt = window
            frame = k - 1
            for name in names:
                t0 = time.perf_counter()
                with timed("gt_derive"):
                    products = derive_view(scene, motions, id_to_class, boxes3d, name, prev, cur, nxt,
                                           times[k - 1:k + 2], options)
                derive_s = time.perf_counter() - t0
                result.stats.setdefault("gt_derive_s", []).append(round(derive_s, 3))
                with timed("write"):
                    rel = f"{name}/{frame:06d}"
                    write_view(out / name / f"{frame:06d}", products, cur[name], fmt, frame, times[k], name,
                               options, rigs[k])
                    all_cams.append((cur[name].camera, f"{rel}/image.png"))
                    if "coco" in fmt:
                        image_id = frame
                        panoptic[name][0].append({"id": image_id, "file_name": f"{rel}/image.png",
                                                  "width": settings.width, "height": settings.height})
                        panoptic[name][1].append({"image_id": image_id, "file_name": f"{rel}/panoptic.png",
                                                  "segments_info": products["segments_info"]})
            window.pop(0)
            reporter.render_progress(k / options.frames)

    with timed("write"):
        write_json(out / "objects.json", {"objects": scene.object_table(), "classes": class_table(),
                                          "motions": [{"kind": type(m).__name__, "ids": m.ids.tolist()}
                                                      for m in motions.motions]})
        if "nerf" in fmt:
            write_json(out / "transforms.json", nerf_transforms([c for c, _ in all_cams], [p for _, p in all_cams]))
        if "colmap" in fmt:
            write_colmap(out / "colmap", [c for c, _ in all_cams], [p.replace("/", "_") for _, p in all_cams])
        if "coco" in fmt:
            for name, (images, anns) in panoptic.items():
                write_panoptic_json(out / f"panoptic_{name}.json", images, anns, categories())
    renders = len(gt_view_seconds)
    derive = result.stats.get("gt_derive_s", [])
    # one view's ground truth = one GT render + deriving every product from the passes
    result.gt_seconds_per_view = round(float(np.mean(gt_view_seconds)) + float(np.mean(derive)), 3)
    stats = {"triangles": scene.n_triangles, "instances": scene.n_instances, "ids": int(scene._next_id - 1),
             "frames": options.frames, "cameras": names, "gt_renders": renders,
             "gt_seconds_per_view": result.gt_seconds_per_view, "moving_ids": int(len(motions.ids))}
    t["total"] = round(sum(v for kk, v in t.items() if kk != "total"), 3)
    stats["peak_rss_mb"] = round(peak_rss_mb(), 1)
    result.stats.update(stats)
    write_json(out / "sequence.json", {
        "wildsynth_version": __version__, "scene": scene_name, "seed": seed, "params": params.model_dump(),
        "render": settings.model_dump(), "sequence": options.model_dump(), **build_report,
        "times": times[1:-1], "cameras": names, "stats": {k: v for k, v in stats.items()}, "timings": t,
        "conventions": "docs/ground_truth.md",
    })
    return result


def derive_view(scene, motions: MotionSet, id_to_class: np.ndarray, boxes3d: Boxes3D, name: str,
                prev: dict[str, View], cur: dict[str, View], nxt: dict[str, View], times3: list[float],
                options: SequenceOptions) -> dict:
    """Every GT product of one camera at one frame (numpy only)."""
    v = cur[name]
    p = v.passes
    t_prev, t_cur, t_next = times3
    idx_f, rel_f = _lookup(scene, motions, t_cur, t_next)
    idx_b, rel_b = _lookup(scene, motions, t_cur, t_prev)
    fwd = correspond(p.depth, p.instance, v.camera, nxt[name].camera, nxt[name].passes.depth, idx_f, rel_f)
    bwd = correspond(p.depth, p.instance, v.camera, prev[name].camera, prev[name].passes.depth, idx_b, rel_b)
    normal = normals_to_camera(p.normal_world, v.camera)
    semantic = semantic_from_instance(p.instance, id_to_class)
    seg, info = panoptic_ids(p.instance, id_to_class)
    b2 = boxes_2d(p.instance, id_to_class)
    b3 = boxes3d.posed([b["id"] for b in b2], _deltas_by_id(motions, t_cur), {name: v.camera})
    out = {"fwd": fwd, "bwd": bwd, "normal": normal, "semantic": semantic, "panoptic": seg,
           "segments_info": info, "boxes_2d": b2, "boxes_3d": b3,
           "boundaries": occlusion_boundaries(p.depth, p.instance)}
    if options.rig == "stereo":
        other = "right" if name == "left" else "left"
        o = cur[other]
        lr = correspond(p.depth, p.instance, v.camera, o.camera, o.passes.depth)
        out["disparity"] = disparity_from_depth(p.depth, float(v.camera.K[0, 0]), options.baseline)
        out["disparity_valid"] = lr.valid
        out["stereo_flow"] = lr
    return out


def _write_flow(folder: Path, key: str, c: Correspondence, fmt: set[str], names: list[str]) -> None:
    write_png(folder / f"flow_{key}_valid.png", (c.valid * 255).astype(np.uint8))
    write_png(folder / f"flow_{key}_preview.png", flow_preview(c.flow, c.valid))
    names += [f"flow_{key}_valid.png", f"flow_{key}_preview.png"]
    if "flo" in fmt:
        write_flo(folder / f"flow_{key}.flo", c.flow)
        names.append(f"flow_{key}.flo")
    if "kitti" in fmt:
        write_flow_kitti(folder / f"flow_{key}_kitti.png", c.flow, c.valid)
        names.append(f"flow_{key}_kitti.png")
    if "exr" in fmt:
        write_exr(folder / f"flow_{key}.exr", {"U": c.flow[..., 0], "V": c.flow[..., 1],
                                               "valid": c.valid.astype(np.float32)})
        write_exr(folder / f"scene_flow_{key}.exr", {"X": c.scene_flow[..., 0], "Y": c.scene_flow[..., 1],
                                                     "Z": c.scene_flow[..., 2], "depth_change": c.depth_change})
        names += [f"flow_{key}.exr", f"scene_flow_{key}.exr"]
    if "pfm" in fmt:
        write_pfm(folder / f"flow_{key}.pfm", np.dstack([c.flow, np.zeros(c.flow.shape[:2], np.float32)]))
        write_pfm(folder / f"scene_flow_{key}.pfm", c.scene_flow)
        names += [f"flow_{key}.pfm", f"scene_flow_{key}.pfm"]


def write_view(folder: Path, g: dict, view: View, fmt: set[str], frame: int, t: float, name: str,
               options: SequenceOptions, rig: CameraRig) -> None:
    """All files of one view, staged and moved into place; ``frame.json`` goes last."""
    p = view.passes
    with staging(folder) as stage:
        names = write_basic_passes(stage, view.rgb, p, g["normal"], g["semantic"], exr="exr" in fmt)
        for key in ("fwd", "bwd"):
            _write_flow(stage, key, g[key], fmt, names)
        write_png(stage / "boundaries.png", (g["boundaries"] * 255).astype(np.uint8))
        names.append("boundaries.png")
        if "coco" in fmt:
            write_panoptic_png(stage / "panoptic.png", g["panoptic"])
            names.append("panoptic.png")
        if "pfm" in fmt:
            write_pfm(stage / "depth.pfm", p.depth)
            names.append("depth.pfm")
        tiles = [("RGB", view.rgb.display), ("depth", depth_preview(p.depth)), ("normals", normal_preview(g["normal"])),
                 ("semantic", id_preview(g["semantic"], palette())), ("instances", id_preview(p.instance)),
                 ("flow fwd", flow_preview(g["fwd"].flow, g["fwd"].valid)),
                 ("flow bwd", flow_preview(g["bwd"].flow, g["bwd"].valid)),
                 ("fwd visible", mask_preview(g["fwd"].valid)), ("boundaries", mask_preview(g["boundaries"]))]
        meta = {"frame": frame, "time": t, "camera_name": name, "camera": camera_json(view.camera),
                "boxes_2d": g["boxes_2d"], "boxes_3d": g["boxes_3d"]}
        if "disparity" in g:
            d, dv = g["disparity"], g["disparity_valid"]
            write_png(stage / "disparity_valid.png", (dv * 255).astype(np.uint8))
            names.append("disparity_valid.png")
            if "pfm" in fmt:
                write_pfm(stage / "disparity.pfm", np.where(d > 0, d, np.inf).astype(np.float32))
                names.append("disparity.pfm")
            if "kitti" in fmt:
                write_disparity_kitti(stage / "disparity_kitti.png", d, dv)
                names.append("disparity_kitti.png")
            if "exr" in fmt:
                write_exr(stage / "disparity.exr", {"D": d, "valid": dv.astype(np.float32)})
                names.append("disparity.exr")
            tiles.append(("disparity", disparity_preview(d, dv)))
            meta["stereo"] = {"baseline_m": options.baseline, "view": name,
                              "other_camera": camera_json(rig.cameras["right" if name == "left" else "left"])}
        write_png(stage / "preview.png", contact_sheet(tiles, columns=5, max_tile_width=320))
        names.append("preview.png")
        meta["files"] = sorted(names) + ["frame.json"]
        write_json(stage / "frame.json", meta)
        names.append("frame.json")
        for n in names:  # frame.json last: its presence marks a complete view
            os.replace(stage / n, folder / n)
