"""Movers: what 10 rigid things flying through a plains shot cost, and what the whole shot costs.

Prints JSON. Generates plains (seed 0), 24 frames at 320x180, 16-sample RGB, every
format (point tracks included), ``--motion movers.count=10`` (other motion at its
defaults: 150 falling leaves, wind sway), mono walk. Reports wall and CPU seconds per
frame (CPU: this process, Blender's render threads included), peak RSS, the time
spent building the movers (shapes, materials by name, path planning) and posing
everything that moves each frame (movers, leaves, swaying plants: an upper bound for
the movers' share), and their share of the total.

    python benchmarks/bench_movers.py [--frames 24] [--resolution 320x180] [--samples 16] [--count 10]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=24)
    ap.add_argument("--resolution", default="320x180")
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--count", type=int, default=10)
    ap.add_argument("--scene", default="plains")
    a = ap.parse_args()
    w, h = (int(x) for x in a.resolution.split("x"))

    from wildsynth.io import read_json
    from wildsynth.io.tracks import read_anno
    from wildsynth.render.settings import RenderSettings
    from wildsynth.run import RunOptions, RunSpec, run
    from wildsynth.scenes import get

    opts = RunOptions(shot={"frames": a.frames, "fps": 24, "trajectory": {"kind": "walk"}},
                      motion={"movers": {"count": a.count}})
    with tempfile.TemporaryDirectory(prefix="bench-movers-") as tmp:
        out = Path(tmp) / "run"
        t0, c0 = time.perf_counter(), time.process_time()
        res = run(RunSpec(a.scene, 0, get(a.scene).params(), RenderSettings(width=w, height=h, samples=a.samples),
                          out, opts))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        objs = read_json(out / "objects.json")["objects"]
        movers = [o for o in objs if o["class"] == "mover"]
        anno = read_anno(out / "tracks" / "main" / "anno.npz")
        mover_ids = {o["id"] for o in movers}
        seen = []
        for f in range(a.frames):
            frame = read_json(out / "main" / f"{f:06d}" / "frame.json")
            seen.append(sum(1 for b in frame["boxes_2d"] if b["id"] in mover_ids))
    t = res.timings
    build = res.stats["motion_timings"].get("movers_build", 0.0)
    pose = t.get("pose", 0.0)
    print(json.dumps({
        "scene": a.scene, "resolution": f"{w}x{h}", "frames": a.frames, "samples": a.samples, "movers": a.count,
        "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
        "wall_s_per_frame": round(wall / a.frames, 2), "cpu_s_per_frame": round(cpu / a.frames, 2),
        "peak_rss_mb": res.stats["peak_rss_mb"],
        "movers_build_s": build, "pose_all_motion_s": pose, "motion_plan_s": t.get("motion_plan", 0.0),
        "movers_share_of_total": round((build + pose) / wall, 4),
        "tracks_s": t.get("tracks", 0.0), "stage_timings_s": t,
        "mover_kinds": sorted({o["params"]["kind"] for o in movers}),
        "movers_in_view_per_frame": {"min": min(seen), "mean": round(sum(seen) / len(seen), 2), "max": max(seen)},
        "track_points": int(anno["visibs"].shape[1]),
        "track_points_visible_last_frame": round(float(anno["visibs"][-1].mean()), 3),
        "load_average_1min": round(os.getloadavg()[0], 2)}, indent=2))


if __name__ == "__main__":
    main()
