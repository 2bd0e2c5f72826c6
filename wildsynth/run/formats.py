"""The file formats a run can write besides the PNG previews and JSON, as a registry.

A format registers per-view writers (``view``: files in each view's folder),
run writers (``run``: files at the run's root, from every view) and shot
writers (``shot``: files from ground truth that spans the whole shot, such as
point tracks; shots of more than one frame only); adding a
format is one ``register_format`` call in one new module that this package
imports. The writers here are the built-in ones; their readers live in
``wildsynth/io`` and are round-trip tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..io import write_exr, write_json
from ..io.cameras import nerf_transforms
from ..io.coco import write_panoptic_json, write_panoptic_png
from ..io.colmap import write_colmap
from ..io.compact import compact_arrays, write_compact
from ..io.flo import write_flo
from ..io.kitti import write_disparity_kitti, write_flow_kitti
from ..io.pfm import write_pfm
from ..io.tracks import write_anno


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    view: Callable | None = None  # (folder, products) -> [file names]
    run: Callable | None = None  # (out, views: list[WrittenView], categories) -> [file names]
    shot: Callable | None = None  # (out, ShotProducts) -> [file names]; shots of more than one frame
    default: bool = True  # written when no --formats is given


@dataclass
class ShotProducts:
    """Ground truth of the whole shot, per camera name."""

    tracks: dict  # camera -> gt.tracks.PointTracks


def shot_formats(formats: tuple[str, ...]) -> list[Format]:
    """The selected formats that write files from the whole shot."""
    return [FORMATS[f] for f in formats if FORMATS[f].shot is not None]


def write_shot_files(out: Path, products: ShotProducts, formats: tuple[str, ...]) -> list[str]:
    """Every selected format's shot files (each written atomically)."""
    names = []
    for fmt in shot_formats(formats):
        names += fmt.shot(out, products)
    return names


FORMATS: dict[str, Format] = {}


def default_formats() -> tuple[str, ...]:
    """The formats a run writes when none are named: every registered one marked ``default``."""
    return tuple(name for name, f in FORMATS.items() if f.default)


def register_format(fmt: Format) -> Format:
    if fmt.name in FORMATS:
        raise ValueError(f"format {fmt.name!r} registered twice")
    FORMATS[fmt.name] = fmt
    return fmt


def _flows(p):
    return [(k, c) for k, c in (("fwd", p.fwd), ("bwd", p.bwd)) if c is not None]


def _exr_view(folder: Path, p) -> list[str]:
    rgb, g = p.rgb, p.passes
    write_exr(folder / "image.exr", {"R": rgb.linear[..., 0], "G": rgb.linear[..., 1], "B": rgb.linear[..., 2]})
    write_exr(folder / "depth.exr", {"Z": g.depth})
    write_exr(folder / "normal.exr", {"X": p.normal[..., 0], "Y": p.normal[..., 1], "Z": p.normal[..., 2]})
    names = ["image.exr", "depth.exr", "normal.exr"]
    for key, c in _flows(p):
        write_exr(folder / f"flow_{key}.exr", {"U": c.flow[..., 0], "V": c.flow[..., 1],
                                               "valid": c.valid.astype(np.float32)})
        write_exr(folder / f"scene_flow_{key}.exr", {"X": c.scene_flow[..., 0], "Y": c.scene_flow[..., 1],
                                                     "Z": c.scene_flow[..., 2], "depth_change": c.depth_change})
        names += [f"flow_{key}.exr", f"scene_flow_{key}.exr"]
    if p.disparity is not None:
        write_exr(folder / "disparity.exr", {"D": p.disparity, "valid": p.disparity_valid.astype(np.float32)})
        names.append("disparity.exr")
    return names


def _pfm_view(folder: Path, p) -> list[str]:
    write_pfm(folder / "depth.pfm", p.passes.depth)
    names = ["depth.pfm"]
    for key, c in _flows(p):
        write_pfm(folder / f"flow_{key}.pfm", np.dstack([c.flow, np.zeros(c.flow.shape[:2], np.float32)]))
        write_pfm(folder / f"scene_flow_{key}.pfm", c.scene_flow)
        names += [f"flow_{key}.pfm", f"scene_flow_{key}.pfm"]
    if p.disparity is not None:
        write_pfm(folder / "disparity.pfm", np.where(p.disparity > 0, p.disparity, np.inf).astype(np.float32))
        names.append("disparity.pfm")
    return names


def _flo_view(folder: Path, p) -> list[str]:
    names = []
    for key, c in _flows(p):
        write_flo(folder / f"flow_{key}.flo", c.flow)
        names.append(f"flow_{key}.flo")
    return names


def _kitti_view(folder: Path, p) -> list[str]:
    names = []
    for key, c in _flows(p):
        write_flow_kitti(folder / f"flow_{key}_kitti.png", c.flow, c.valid)
        names.append(f"flow_{key}_kitti.png")
    if p.disparity is not None:
        write_disparity_kitti(folder / "disparity_kitti.png", p.disparity, p.disparity_valid)
        names.append("disparity_kitti.png")
    return names


def _coco_view(folder: Path, p) -> list[str]:
    write_panoptic_png(folder / "panoptic.png", p.panoptic)
    return ["panoptic.png"]


def _coco_run(out: Path, views, categories) -> list[str]:
    names = []
    for cam in dict.fromkeys(v.camera_name for v in views):
        mine = [v for v in views if v.camera_name == cam]
        images = [{"id": v.frame, "file_name": f"{v.rel}image.png", "width": v.width, "height": v.height}
                  for v in mine]
        anns = [{"image_id": v.frame, "file_name": f"{v.rel}panoptic.png", "segments_info": v.segments_info}
                for v in mine]
        write_panoptic_json(out / f"panoptic_{cam}.json", images, anns, categories)
        names.append(f"panoptic_{cam}.json")
    return names


def _nerf_run(out: Path, views, categories) -> list[str]:
    write_json(out / "transforms.json", nerf_transforms([v.camera for v in views], [f"{v.rel}image.png" for v in views]))
    return ["transforms.json"]


def _colmap_run(out: Path, views, categories) -> list[str]:
    """cameras, images and points3D; the points sampled from the exact depth of the written views (as the
    ``colmap`` layout does) when the run wrote float depth (exr or pfm), else none (points3D.txt empty)."""
    from ..layouts.colmap import write_model
    from ..layouts.points import sample_points
    from ..layouts.source import View

    names = [f"{v.rel}image.png".replace("/", "_") for v in views]
    cams = [v.camera for v in views]
    root = out.parent  # ``write_run_files`` stages inside the run folder, after every view is in place
    src = [View(root / v.rel, v.camera_name, v.frame) for v in views]
    if src and all(s.has("depth.exr") or s.has("depth.pfm") for s in src):
        write_model(out / "colmap", cams, names, sample_points(src, np.zeros(0, np.int64)), binary=False)
    else:
        write_colmap(out / "colmap", cams, names)
    return ["colmap"]


def _compact_view(folder: Path, p) -> list[str]:
    flows = {key: (c.flow, c.valid, c.depth_change) for key, c in _flows(p)}
    write_compact(folder / "compact.npz", compact_arrays(p.passes.depth, p.normal, flows, p.disparity,
                                                         p.disparity_valid))
    return ["compact.npz"]


def _tracks_shot(out: Path, products: ShotProducts) -> list[str]:
    names = []
    for cam, tracks in products.tracks.items():
        write_anno(out / "tracks" / cam / "anno.npz", tracks)
        names.append(f"tracks/{cam}/anno.npz")
    return names


register_format(Format("exr", "float32 OpenEXR: linear RGB, depth, normals, flow, scene flow, disparity",
                       view=_exr_view))
register_format(Format("pfm", "PFM (FlyingThings3D/Sintel style): depth, flow, scene flow, disparity", view=_pfm_view))
register_format(Format("flo", "Middlebury .flo optical flow (Sintel)", view=_flo_view))
register_format(Format("kitti", "KITTI 16-bit PNG flow and disparity", view=_kitti_view))
register_format(Format("coco", "COCO panoptic PNG per view + JSON per camera", view=_coco_view, run=_coco_run))
register_format(Format("nerf", "NeRF / instant-ngp transforms.json (OpenGL camera axes)", run=_nerf_run))
register_format(Format("colmap", "COLMAP text model (cameras, images, points3D)", run=_colmap_run))
register_format(Format("tracks", "point tracks per camera, TAP-Vid/PointOdyssey anno.npz (shots of > 1 frame)",
                       shot=_tracks_shot))
register_format(Format("compact", "quantised depth (log-uint16), normals (octahedral int16), flow and disparity "
                                  "(16-bit, scales stored) in one compact.npz per view; not written by default",
                       view=_compact_view, default=False))
