"""Creatures: what 10 animals and a bird flock cost in a plains shot, and what the whole shot costs.

Prints JSON. Generates plains (seed 0), 48 frames at 640x360, 32-sample RGB, every ground-truth
format (flow both ways, scene flow, depth, ids, boxes, point tracks), mono walk, with
``--motion creatures.counts={"herbivore": 1, "carnivore": 1}``, ``creatures.groups={"herbivore": 1,
"bird": 1}`` and ``creatures.herd.size=[8, 8]``: 10 animals (a herd of 8, members dropped only if
their path meets a tree, a rock or water) and one boids flock of birds (other motion at its defaults). Reports wall and CPU seconds per frame (CPU: this
process, Blender's render threads included), peak RSS, and the creature share of the total, timed
around every creature call:

- ``build``: placement, bodies, paths, boids and herd planning (``compose`` ``creatures_build``);
- ``skin``: posing and skinning every creature at a time (``Skinned.vertices``, outermost calls);
- ``deform``: writing the vertices into Blender (``render.cycles.deform_things``);
- ``points``: moving hit points on deforming meshes for flow, scene flow and tracks
  (``Deforming.move_points``, its own skinning included) and fitting their 3D boxes (``box_axes``).

    nice -n 10 python benchmarks/bench_creatures.py [--frames 48] [--resolution 640x360] [--samples 32]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import tempfile
import time
from pathlib import Path

TIMERS: dict[str, list[float]] = {}  # name -> [wall s, cpu s, calls]
_DEPTH = [0]


def _timed(name: str, fn):
    """``fn`` wrapped so that its outermost calls add their wall and CPU seconds to ``TIMERS[name]``
    (a call made inside another timed call is not counted twice)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if _DEPTH[0]:
            return fn(*args, **kwargs)
        _DEPTH[0] += 1
        t0, c0 = time.perf_counter(), time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _DEPTH[0] -= 1
            acc = TIMERS.setdefault(name, [0.0, 0.0, 0])
            acc[0] += time.perf_counter() - t0
            acc[1] += time.thread_time() - c0
            acc[2] += 1

    return wrapper


def _instrument() -> None:
    from wildsynth.core import motion
    from wildsynth.render import cycles

    motion.Skinned.vertices = _timed("skin", motion.Skinned.vertices)
    motion.Skinned.box_axes = _timed("points", motion.Skinned.box_axes)
    motion.Deforming.move_points = _timed("points", motion.Deforming.move_points)
    cycles.deform_things = _timed("deform", cycles.deform_things)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=48)
    ap.add_argument("--resolution", default="640x360")
    ap.add_argument("--samples", type=int, default=32)
    ap.add_argument("--herbivores", type=int, default=1, help="lone herbivores")
    ap.add_argument("--herd", type=int, default=8, help="members of the one herd (0: no herd)")
    ap.add_argument("--carnivores", type=int, default=1)
    ap.add_argument("--flocks", type=int, default=1)
    ap.add_argument("--scene", default="plains")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None, help="also write the JSON here")
    a = ap.parse_args()
    w, h = (int(x) for x in a.resolution.split("x"))

    from wildsynth.io import read_json
    from wildsynth.render.settings import RenderSettings
    from wildsynth.run import RunOptions, RunSpec, run
    from wildsynth.scenes import get

    _instrument()
    opts = RunOptions(shot={"frames": a.frames, "fps": 24, "trajectory": {"kind": "walk"}},
                      motion={"creatures": {"counts": {"herbivore": a.herbivores, "carnivore": a.carnivores},
                                            "groups": {"bird": a.flocks, "herbivore": int(a.herd > 0)},
                                            "herd": {"size": [max(a.herd, 1)] * 2}}})
    with tempfile.TemporaryDirectory(prefix="bench-creatures-") as tmp:
        out = Path(tmp) / "run"
        t0, c0 = time.perf_counter(), time.process_time()
        res = run(RunSpec(a.scene, a.seed, get(a.scene).params(),
                          RenderSettings(width=w, height=h, samples=a.samples), out, opts))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        objs = read_json(out / "objects.json")["objects"]
        animals = [o for o in objs if str(o.get("generator", "")).startswith("creatures.")]
        ids = {o["id"] for o in animals}
        seen = [sum(1 for b in read_json(f)["boxes_2d"] if b["id"] in ids)
                for f in sorted((out / "main").glob("*/frame.json"))]
    t = res.timings
    build = float(res.stats["motion_timings"].get("creatures_build", 0.0))
    per = {k: {"wall_s": round(v[0], 3), "cpu_s": round(v[1], 3), "calls": v[2]} for k, v in TIMERS.items()}
    creature_wall = build + sum(v[0] for v in TIMERS.values())
    kinds: dict[str, int] = {}
    for o in animals:
        kinds[o["params"]["kind"]] = kinds.get(o["params"]["kind"], 0) + 1
    result = {
        "scene": a.scene, "seed": a.seed, "resolution": f"{w}x{h}", "frames": a.frames, "samples": a.samples,
        "animals": kinds, "animals_total": len(animals), "groups": sorted({o["params"]["group"] for o in animals if "group" in o["params"]}),
        "creature_triangles": sum(int(o["params"]["triangles"]) for o in animals),
        "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
        "wall_s_per_frame": round(wall / a.frames, 2), "cpu_s_per_frame": round(cpu / a.frames, 2),
        "peak_rss_mb": res.stats["peak_rss_mb"],
        "creatures_build_s": build, "creature_calls": per,
        "creatures_wall_s": round(creature_wall, 2),
        "creatures_share_of_total": round(creature_wall / wall, 4),
        "stage_timings_s": t,
        "animals_in_view_per_frame": ({"min": min(seen), "mean": round(sum(seen) / len(seen), 2), "max": max(seen)}
                                      if seen else None),
        "load_average_1min": round(os.getloadavg()[0], 2)}
    text = json.dumps(result, indent=2)
    print(text)
    if a.out:
        Path(a.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
