"""seed + scene + parameters -> one frame on disk with full ground truth.

Stages (each timed): build the scene, transfer it to Blender, render RGB,
render and derive ground truth, write files. Files are written into a
staging folder inside the output folder and moved into place at the end;
``scene.json`` goes last, so a frame folder with ``scene.json`` is complete.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
from pydantic import BaseModel

from . import __version__
from .core.labels import LABELS, palette
from .core.seeds import SeedTree
from .gt import normals_to_camera, semantic_from_instance
from .io import write_exr, write_json, write_png
from .io.cameras import camera_json, nerf_transforms
from .io.ids import write_id_png
from .io.preview import contact_sheet, depth_preview, id_preview, normal_preview
from .params import UserError
from .render.settings import RenderSettings
from .scenes import get as get_scene

OUTPUT_FILES = (
    "image.png", "image.exr", "depth.exr", "depth_preview.png", "normal.exr", "normal_preview.png",
    "instance.png", "semantic.png", "objects.json", "camera.json", "transforms.json", "preview.png", "scene.json",
)


class Reporter:
    """Progress callbacks; the CLI passes a rich-based one, tests and benchmarks this silent one."""

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        yield

    def render_progress(self, fraction: float) -> None:
        pass


@dataclass
class FrameResult:
    out: Path
    timings: dict[str, float] = field(default_factory=dict)
    stats: dict = field(default_factory=dict)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def check_output_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a folder; choose a folder path")
    parent = out.parent if not out.exists() else out
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK):
        raise UserError(f"--out {out}: {parent} is not writable")


def stage_timer(reporter: Reporter, timings: dict[str, float]) -> Callable:
    """``with timed("name"):`` reports the stage and adds its seconds to ``timings[name]``."""

    def timed(name: str):
        @contextlib.contextmanager
        def cm():
            t0 = time.perf_counter()
            with reporter.stage(name):
                yield
            timings[name] = round(timings.get(name, 0.0) + time.perf_counter() - t0, 3)
        return cm()

    return timed


def class_table() -> list[dict]:
    return [{"id": lab.id, "name": lab.name, "isthing": lab.isthing} for lab in LABELS]


def write_basic_passes(folder: Path, rgb, passes, normal: np.ndarray, semantic: np.ndarray,
                       exr: bool = True) -> list[str]:
    """RGB, depth, normals, instance and semantic maps of one view; returns the names written."""
    names = ["image.png", "depth_preview.png", "normal_preview.png", "instance.png", "semantic.png"]
    write_png(folder / "image.png", rgb.display)
    write_png(folder / "depth_preview.png", depth_preview(passes.depth))
    write_png(folder / "normal_preview.png", normal_preview(normal))
    write_id_png(folder / "instance.png", passes.instance)
    write_png(folder / "semantic.png", semantic.astype(np.uint8) if semantic.max(initial=0) < 256 else semantic)
    if exr:
        write_exr(folder / "image.exr", {"R": rgb.linear[..., 0], "G": rgb.linear[..., 1], "B": rgb.linear[..., 2]})
        write_exr(folder / "depth.exr", {"Z": passes.depth})
        write_exr(folder / "normal.exr", {"X": normal[..., 0], "Y": normal[..., 1], "Z": normal[..., 2]})
        names += ["image.exr", "depth.exr", "normal.exr"]
    return names


@contextlib.contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A fresh staging folder inside ``out``; removed afterwards (move files out before leaving)."""
    out.mkdir(parents=True, exist_ok=True)
    stage = out / f".staging-{os.getpid()}"
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir()
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def generate(scene_name: str, seed: int, params: BaseModel, settings: RenderSettings, out: Path,
             reporter: Reporter | None = None) -> FrameResult:
    """Generate one frame; the caller validated ``params`` and ``settings``."""
    reporter = reporter or Reporter()
    out = Path(out)
    check_output_dir(out)
    recipe = get_scene(scene_name)
    seeds = SeedTree(seed)
    result = FrameResult(out)
    t = result.timings

    timed = stage_timer(reporter, t)

    with timed("scene_build"):
        scene, rig, build_report = recipe.build(params, seeds.child("scene"), settings.width, settings.height)
    camera = rig.main

    from .render.cycles import CyclesRenderer  # bpy loads here, not at CLI start

    with timed("transfer"):
        renderer = CyclesRenderer(scene, settings, seed=seeds.child("cycles").int())
    with renderer:
        with timed("render_rgb"):
            rgb = renderer.render_rgb(camera, progress=reporter.render_progress)
        with timed("ground_truth"):
            passes = renderer.render_gt(camera)
            normal = normals_to_camera(passes.normal_world, camera)
            semantic = semantic_from_instance(passes.instance, scene.id_to_class())

    stats = {"triangles": scene.n_triangles, "instances": scene.n_instances, "objects": len(scene.objects),
             "ids": int(scene._next_id - 1)}
    result.stats = stats
    with timed("write"):
        with staging(out) as stage:
            write_basic_passes(stage, rgb, passes, normal, semantic)
            write_json(stage / "objects.json", {"objects": scene.object_table(), "classes": class_table()})
            write_json(stage / "camera.json", camera_json(camera))
            write_json(stage / "transforms.json", nerf_transforms([camera], ["image.png"]))
            sheet = contact_sheet([("RGB", rgb.display), ("depth (inverse)", depth_preview(passes.depth)),
                                   ("normals (camera)", normal_preview(normal)),
                                   ("semantic", id_preview(semantic, palette())),
                                   ("instances", id_preview(passes.instance))], columns=5, max_tile_width=480)
            write_png(stage / "preview.png", sheet)
            write_json(stage / "scene.json", {
                "wildsynth_version": __version__, "scene": scene_name, "seed": seed,
                "params": params.model_dump(), "render": settings.model_dump(), **build_report, "stats": stats,
            })
            for name in OUTPUT_FILES:  # scene.json is last: its presence marks a complete frame
                os.replace(stage / name, out / name)
    t["total"] = round(sum(v for k, v in t.items()), 3)
    result.stats["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return result
