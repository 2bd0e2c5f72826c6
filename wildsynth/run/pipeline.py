"""The one pipeline: run spec -> layout -> shot -> scene -> displacement -> render -> gt -> io.

A single frame is a shot of one mono camera at one time; a sequence, a stereo
pair or a multiview ring goes through exactly the same stages. Each stage is
timed here (``RunResult.timings``) and the peak memory recorded once, at the
end. Conventions of every file: docs/ground_truth.md; the layout: writer.py.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from .. import __version__
from ..core.seeds import SeedTree
from ..gt.boxes import Boxes3D
from ..gt.panoptic import categories
from ..io import write_json
from ..render.base import make_renderer
from ..scenes import get as get_scene
from .compose import compose, plan_motion
from .products import View, derive_view
from .spec import RunSpec
from .writer import MARKER, WrittenView, class_table, view_folder, write_run_files, write_view


class Reporter:
    """Progress callbacks; the CLI passes a rich-based one, tests and benchmarks this silent one."""

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        yield

    def render_progress(self, fraction: float) -> None:
        pass


@dataclass
class RunResult:
    out: Path
    timings: dict[str, float] = field(default_factory=dict)
    stats: dict = field(default_factory=dict)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _return_freed_memory() -> None:
    """Collect garbage and hand freed heap pages back to the system (glibc keeps them otherwise)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


class _Timer:
    """``with timer("name"):`` reports the stage and adds its seconds to ``timings[name]``."""

    def __init__(self, reporter: Reporter):
        self.reporter, self.timings = reporter, {}

    @contextlib.contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        with self.reporter.stage(name):
            yield
        self.timings[name] = round(self.timings.get(name, 0.0) + time.perf_counter() - t0, 3)


def run(spec: RunSpec, reporter: Reporter | None = None) -> RunResult:
    """Make one run's files in ``spec.out``; the caller validated the spec (``cli`` does)."""
    reporter = reporter or Reporter()
    out = spec.out
    recipe = get_scene(spec.scene)
    root = SeedTree(spec.seed)
    opts = spec.options
    timed = _Timer(reporter)
    rs = spec.render

    with timed("scene_build"):
        c = compose(recipe, spec.params, root, rs.width, rs.height, opts.shot)
        scene, shot = c.scene, c.shot
        motions = plan_motion(scene, shot, c.layout.ground.height, opts.motion, root.child("sequence"))
    n_ids = int(scene._next_id - 1)
    id_to_class = scene.id_to_class()
    boxes3d = Boxes3D(scene)
    names = shot.names
    flat = len(names) == 1 and len(shot.frames) == 1
    baseline = shot.baseline if shot.rig == "stereo" else None
    output_index = {k: i for i, k in enumerate(shot.frames)}

    with timed("transfer"):
        renderer = make_renderer(scene, rs, seed=root.child("cycles").int())
    geometry = {"triangles": scene.n_triangles, "instances": scene.n_instances}
    scene.release_meshes()  # Blender has them now; everything after needs ids and transforms only
    c.layout = None  # its plant prototypes and terrain caches too
    _return_freed_memory()
    gt_seconds: list[float] = []
    derive_seconds: list[float] = []
    written: list[WrittenView] = []

    def render(k: int) -> dict[str, View]:
        if not shot.still:
            renderer.set_time(motions, shot.times[k])
        views = {}
        for name, cam in shot.rigs[k].cameras.items():
            t0 = time.perf_counter()
            with timed("ground_truth"):
                passes = renderer.render_gt(cam)
            gt_seconds.append(time.perf_counter() - t0)
            rgb = None
            if k in output_index:
                with timed("render_rgb"):
                    rgb = renderer.render_rgb(cam, progress=reporter.render_progress if shot.still else None)
            views[name] = View(cam, passes, rgb)
        return views

    n = len(shot.times)
    with renderer:
        window: dict[int, dict[str, View]] = {}

        def at(k: int) -> dict[str, View] | None:
            if not 0 <= k < n:
                return None
            if k not in window:
                window[k] = render(k)
            return window[k]

        for k in shot.frames:
            prev, cur, nxt = at(k - 1), at(k), at(k + 1)
            frame = output_index[k]
            t3 = (shot.times[k - 1] if prev else shot.times[k], shot.times[k], shot.times[k + 1] if nxt else shot.times[k])
            for name in names:
                t0 = time.perf_counter()
                with timed("gt_derive"):
                    p = derive_view(name, cur, prev, nxt, t3, motions, n_ids, id_to_class, boxes3d, baseline)
                derive_seconds.append(time.perf_counter() - t0)
                with timed("write"):
                    rel = view_folder(flat, name, frame)
                    write_view(out / rel if rel else out, p, opts.formats, frame, shot.times[k], name, baseline)
                written.append(WrittenView(name, frame, rel, p.camera, rs.width, rs.height, p.segments_info))
            window.pop(k - 1, None)
            if not shot.still:
                reporter.render_progress((frame + 1) / len(shot.frames))
        device = getattr(renderer, "device_used", "cpu")

    stats = {**geometry, "objects": len(scene.objects),
             "ids": n_ids, "frames": len(shot.frames), "cameras": names, "gt_renders": len(gt_seconds),
             "moving_ids": int(len(motions.ids)), "device": device,
             # one view's ground truth = one GT render + deriving every product from the passes
             "gt_seconds_per_view": round(float(np.mean(gt_seconds)) + float(np.mean(derive_seconds)), 3)}
    with timed("write"):
        write_json(out / "objects.json", {"objects": scene.object_table(), "classes": class_table(),
                                          "motions": [{"kind": type(m).__name__, "ids": m.ids.tolist()}
                                                      for m in motions.motions]})
        write_run_files(out, written, opts.formats, categories())
    t = timed.timings
    t["total"] = round(sum(v for k, v in t.items() if k != "total"), 3)
    stats["peak_rss_mb"] = round(peak_rss_mb(), 1)
    write_json(out / MARKER, {
        "wildsynth_version": __version__, "scene": spec.scene, "seed": spec.seed,
        "params": spec.params.model_dump(mode="json"), "render": rs.model_dump(mode="json"),
        "options": opts.model_dump(mode="json"), **c.report, "shot": {
            "times": [shot.times[k] for k in shot.frames], "cameras": names, "rig": shot.rig,
            "layout": "flat" if flat else "<camera>/<frame:06d>/"},
        "stats": stats, "timings": {**t, "compose": c.timings}, "conventions": "docs/ground_truth.md"})
    return RunResult(out, t, stats)
