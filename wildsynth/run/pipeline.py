"""The one pipeline: run spec -> layout -> shot -> scene -> displacement -> motion -> render -> gt -> io.

A single frame is a shot of one mono camera at one time; a sequence, a stereo
pair or a multiview ring goes through exactly the same stages. Each stage is
timed here (``RunResult.timings``) and the peak memory recorded once, at the
end. Point tracks are built view by view as the frames come (``gt.tracks.TrackBuilder``) and
written at the end by the formats' shot writers. Conventions of every file: docs/ground_truth.md;
the layout: writer.py.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
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
from ..gt.tracks import TrackBuilder
from ..io import write_json
from ..render.base import make_renderer
from ..scenes import get as get_scene
from .captions import caption_context, terrain_objects
from .compose import compose, plan_motion
from .formats import ShotProducts, shot_formats, write_shot_files
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
    """This process's peak resident memory, MB. Linux's VmHWM, which starts afresh at exec; the
    ``ru_maxrss`` fallback keeps the parent's peak across fork and exec (a child of a 2 GB process
    reports at least 2 GB)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# -- memory: estimated from the request, before anything is built -----------------------------

MEM_BASE_MB = 723.0  # interpreter, numpy/numba/bpy, Blender's empty scene and the scene's fixed part
MEM_JIT_MB = 250.0  # numba compiling on a cold cache (after an upgrade or a code change): 978 vs 781 MB at 48x32
MEM_BYTES_PER_TRIANGLE = 270.0  # numpy build + Blender mesh + BVH, per terrain triangle
MEM_TRIANGLES_BASE = 150_000  # triangles that do not follow the pixel size
MEM_TRIANGLES_PER_PIXEL2 = 1.03  # terrain detail follows the pixel size: about 1.03 x width^2 per camera cone
MEM_TRIANGLES_CAP = 12_000_000  # terrain.lod_grid caps the terrain there
MEM_BYTES_PER_PIXEL = 196.0  # one view: Cycles' film and denoiser buffers, GT and RGB passes, products, writing
MEM_BYTES_PER_HELD_VIEW_PIXEL = 84.0  # each further view in the frame window: its passes and flow products
# What a scene builds besides the terrain, per pixel of width and camera cone (trees, plants and
# rocks follow the pixel size too): measured at 640x360 (peak RSS minus the terrain-only model).
MEM_SCENE_MB_PER_WIDTH = {"arctic": 0.11, "canyon": 0.0, "cave": 0.03, "cliff": 0.0, "coast": 0.06, "desert": 0.11,
                          "forest": 1.17, "lake": 0.39, "meadow": 0.0, "mountain": 0.12, "plains": 0.78, "river": 0.96}
MEM_SCENE_DEFAULT_MB_PER_WIDTH = max(MEM_SCENE_MB_PER_WIDTH.values())  # a scene not measured: the heaviest


def _cameras(options) -> tuple[int, int]:
    """(cameras per rig, times rendered) of a run's shot."""
    shot = options.shot
    cameras = {"mono": 1, "stereo": 2}.get(shot.rig, shot.views)
    return cameras, shot.frames + (2 if shot.has_flow else 0)


def memory_estimate(width: int, height: int, options=None, scene: str | None = None) -> float:
    """Estimated peak resident memory of a run, in MB, from the request alone (nothing is built).

    ``peak = B + J + T * (T0 + min(cap, K * width**2 * cones)) + S[scene] * width * cones
    + width * height * (P + H * (held - 1))``:

    - the terrain's level of detail follows the pixel size (the angular pixel is hfov / width;
      its polar grid has about width rings of about width vertices) up to lod_grid's cap of 12 M
      triangles; ``S`` is the rest of the scene that follows it (trees, plants), per pixel of width;
    - ``cones``: the cameras' view cones (1 for mono and stereo, whose cones coincide; the views
      of a multiview ring), doubled for a moving shot;
    - ``held = cameras * min(3, times)``: the views in the pipeline's window (previous, current and
      next time, for flow), each holding its passes while the next are rendered.

    Calibration (peak RSS, one sample, measured by resetting VmHWM before the render phase):
    meadow 64x48 781 MB, 320x180 805, 640x360 869, 1280x720 1225, 16384x8 3615 (terrain capped),
    640x2880 1196 (the pixel term: +1.6 M pixels at +0.1 M triangles gave P = 196 B), stereo
    640x2880 over 3 frames 2064 (H = 84 B), multiview 320x1440 (8 views) 971 (estimated 1324);
    forest 64x48 868, 640x360 1664, 1280x720 2688 (estimated 2867). B = 723 MB, T = 270 B,
    K = 1.03 and T0 = 150 k fit meadow's triangle counts and warm-cache peaks to within 12%, at
    or above all but 64x48 (-3%); J = 250 MB more is what numba's compiling takes on a cold cache
    (a 48x32 run right after a code change peaked at 978 MB, 781 warm), so the estimate is 0-30%
    above a warm run. Each scene's S (``MEM_SCENE_MB_PER_WIDTH``: 0 for meadow, up to 1.17 MB per
    pixel of width for forest; a scene not in it gets the heaviest) is its 640x360 peak minus
    this model without S; all twelve scenes peaked at 775-926 MB at 64x48, 904-1664 at 640x360.
    """
    from .spec import RunOptions

    options = options or RunOptions()
    cameras, times = _cameras(options)
    cones = (cameras if options.shot.rig == "multiview" else 1) * (2 if options.shot.frames > 1 else 1)
    triangles = MEM_TRIANGLES_BASE + min(MEM_TRIANGLES_CAP, MEM_TRIANGLES_PER_PIXEL2 * width * width * cones)
    scene_mb = MEM_SCENE_MB_PER_WIDTH.get(scene, MEM_SCENE_DEFAULT_MB_PER_WIDTH) * width * cones
    held = cameras * min(3, times)
    per_pixel = MEM_BYTES_PER_PIXEL + MEM_BYTES_PER_HELD_VIEW_PIXEL * (held - 1)
    return MEM_BASE_MB + MEM_JIT_MB + scene_mb + (MEM_BYTES_PER_TRIANGLE * triangles + per_pixel * width * height) / 2**20


def available_memory_mb() -> float | None:
    """Memory available to a new allocation now, MB: /proc/meminfo MemAvailable (Linux), else
    free physical pages; the smaller of that and this process's address-space limit. None if unknown."""
    have = None
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemAvailable:"):
                have = int(line.split()[1]) / 1024
                break
    except OSError:
        pass
    if have is None:
        try:
            have = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**20
        except (ValueError, OSError, AttributeError):
            pass
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        limit = soft / 2**20
        have = limit if have is None else min(have, limit)
    return have


def largest_fitting(width: int, height: int, options, budget_mb: float,
                    scene: str | None = None) -> tuple[int, int] | None:
    """The largest resolution of the aspect ``width:height`` (each side >= 8) whose estimate fits
    ``budget_mb``; None when not even the smallest does."""
    aspect = width / height

    def size(s: float) -> tuple[int, int]:  # s: the scale of the longer side
        return (max(8, int(s)), max(8, int(s / aspect))) if aspect >= 1 else (max(8, int(s * aspect)), max(8, int(s)))

    lo, hi = 8.0, float(max(width, height))
    if memory_estimate(*size(lo), options, scene) > budget_mb:
        return None
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if memory_estimate(*size(mid), options, scene) <= budget_mb else (lo, mid)
    return size(lo)


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
    motion_timings: dict = {}
    with timed("motion_plan"):
        motions = plan_motion(scene, shot, c.layout.ground.height, opts.motion, root.child("sequence"),
                              obstacles=c.layout.obstacles, floor=c.layout.surface_height, timings=motion_timings,
                              biome=spec.scene, falling_leaves=recipe.falling_leaves)
    n_ids = int(scene._next_id - 1)
    id_to_class = scene.id_to_class()
    boxes3d = Boxes3D(scene)
    names = shot.names
    flat = len(names) == 1 and len(shot.frames) == 1
    baseline = shot.baseline if shot.rig == "stereo" else None
    output_index = {k: i for i, k in enumerate(shot.frames)}

    haze_free = 0
    if rs.aerial_perspective:  # objects the haze never reaches from these cameras render without it
        from ..materials.sky import mark_haze_free

        haze_free = mark_haze_free(scene, [cam.position for cam in shot.cameras()], motions.ids)
    with timed("transfer"):
        renderer = make_renderer(scene, rs, seed=root.child("cycles").int())
    geometry = {"triangles": scene.n_triangles, "instances": scene.n_instances, "haze_free_objects": haze_free}
    scene.release_meshes()  # Blender has them now; everything after needs ids and transforms only
    c.layout = None  # its plant prototypes and terrain caches too
    _return_freed_memory()
    gt_seconds: list[float] = []
    derive_seconds: list[float] = []
    written: list[WrittenView] = []
    tp = opts.motion.tracks
    tracks = ({name: TrackBuilder(motions, tp.rel_tol, tp.abs_tol) for name in names}
              if shot_formats(opts.formats) and len(shot.frames) > 1 else {})
    track_seeds = root.child("sequence").child("tracks")
    captions = caption_context(spec.scene, spec.seed, spec.params.model_dump(mode="json"), c.report.get("sky"),
                               terrain_objects(scene))

    def shutter_views(k: int, name: str):
        """Motion blur: (camera, pose) at ``rs.shutter_steps`` times spread evenly across the open
        shutter, centred on time ``k``; None for stills or with the shutter at 0. The frame interval is
        the gap to the next time (the previous one at the end); cameras between the rigs' times are
        interpolated (``Camera.toward``)."""
        if rs.shutter <= 0 or shot.still:
            return None
        t = shot.times
        gap = t[k + 1] - t[k] if k + 1 < n else t[k] - t[k - 1]
        views = []
        for j in range(rs.shutter_steps):
            dt = rs.shutter * gap * ((j + 0.5) / rs.shutter_steps - 0.5)
            a = k - 1 if dt < 0 and k > 0 else (k if k + 1 < n else k - 1)
            w = (t[k] + dt - t[a]) / (t[a + 1] - t[a])
            cam = shot.rigs[a].cameras[name].toward(shot.rigs[a + 1].cameras[name], w)
            views.append((cam, lambda tau=t[k] + dt: renderer.set_time(motions, tau)))
        return views

    def render(k: int) -> dict[str, View]:
        if not shot.still:
            with timed("pose"):
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
                    blur = shutter_views(k, name)
                    rgb = renderer.render_rgb(cam, progress=reporter.render_progress if shot.still else None,
                                              shutter=blur)
                    if blur:
                        renderer.set_time(motions, shot.times[k])  # back to the frame's time for the next GT
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
            for name, tb in tracks.items():  # point tracks: queries on the first frame, then every frame
                with timed("tracks"):
                    v = cur[name]
                    if frame == 0:
                        tb.start(v.passes.depth, v.passes.instance, v.camera, shot.times[k], tp.points,
                                 track_seeds.child(name).rng(), tp.moving_share)
                    tb.add(frame, v.passes.depth, v.camera, shot.times[k])
            t3 = (shot.times[k - 1] if prev else shot.times[k], shot.times[k], shot.times[k + 1] if nxt else shot.times[k])
            for name in names:
                t0 = time.perf_counter()
                with timed("gt_derive"):
                    p = derive_view(name, cur, prev, nxt, t3, motions, n_ids, id_to_class, boxes3d, baseline)
                derive_seconds.append(time.perf_counter() - t0)
                with timed("write"):
                    rel = view_folder(flat, name, frame)
                    write_view(out / rel if rel else out, p, opts.formats, frame, shot.times[k], name, baseline,
                               captions)
                written.append(WrittenView(name, frame, rel, p.camera, rs.width, rs.height, p.segments_info))
            window.pop(k - 1, None)
            if not shot.still:
                reporter.render_progress((frame + 1) / len(shot.frames))
        device = getattr(renderer, "device_used", "cpu")

    stats = {**geometry, "objects": len(scene.objects), "motion_timings": motion_timings,
             "ids": n_ids, "frames": len(shot.frames), "cameras": names, "gt_renders": len(gt_seconds),
             "moving_ids": int(len(motions.ids)), "device": device,
             # one view's ground truth = one GT render + deriving every product from the passes
             "gt_seconds_per_view": round(float(np.mean(gt_seconds)) + float(np.mean(derive_seconds)), 3)}
    with timed("write"):
        write_json(out / "objects.json", {"objects": scene.object_table(), "classes": class_table(),
                                          "motions": [{"kind": type(m).__name__, "ids": m.ids.tolist()}
                                                      for m in motions.motions]})
        write_run_files(out, written, opts.formats, categories())
        if tracks:
            write_shot_files(out, ShotProducts({name: tb.result() for name, tb in tracks.items()}), opts.formats)
    t = timed.timings
    t["total"] = round(sum(v for k, v in t.items() if k != "total"), 3)
    stats["peak_rss_mb"] = round(peak_rss_mb(), 1)
    write_json(out / MARKER, {
        "wildsynth_version": __version__, "scene": spec.scene, "seed": spec.seed,
        "params": spec.params.model_dump(mode="json"), "render": rs.model_dump(mode="json"),
        "options": opts.model_dump(mode="json"), **c.report, "shot": {
            "times": [shot.times[k] for k in shot.frames], "cameras": names, "rig": shot.rig,
            "layout": "flat" if flat else "<camera>/<frame:06d>/"},
        "stats": stats, "timings": {**t, "compose": c.timings, "motion": motion_timings},
        "conventions": "docs/ground_truth.md"})
    return RunResult(out, t, stats)
