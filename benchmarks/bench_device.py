"""Render the default frame on a chosen device (CPU or a GPU backend); prints JSON.

    python benchmarks/bench_device.py [--device auto|cpu|cuda|optix|hip|metal[,...]]
                                      [--resolution 1280x720] [--samples 64] [--scene meadow] [--seed 0]

Each device runs `wildsynth generate`'s pipeline in a fresh process (Blender
start-up, scene build, transfer, RGB, ground truth, writing) and reports the
device Cycles actually used (a missing backend falls back to the cpu),
wall and CPU seconds of the whole process, the render stages' wall seconds
and peak RSS. Several devices, comma-separated, run one after the other.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys
from wildsynth.render.settings import RenderSettings
from wildsynth.run import RunSpec, run
from wildsynth.scenes import get
scene, seed, w, h, spp, device, out = sys.argv[1:8]
settings = RenderSettings(width=int(w), height=int(h), samples=int(spp), device=device)
r = run(RunSpec(scene, int(seed), get(scene).params(), settings, out))
print(json.dumps({"device_used": r.stats.get("device"), "timings_s": r.timings,
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)}))
"""


def bench(scene: str, seed: int, w: int, h: int, spp: int, device: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", CHILD, scene, str(seed), str(w), str(h), str(spp), device,
                               str(Path(tmp) / "frame")], capture_output=True, text=True)
        wall = time.perf_counter() - t0
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(proc.returncode)
    child = json.loads(proc.stdout.strip().splitlines()[-1])
    stages = {k: child["timings_s"][k] for k in ("transfer", "render_rgb", "ground_truth") if k in child["timings_s"]}
    return {"device": device, "device_used": child["device_used"], "wall_s": round(wall, 2),
            "cpu_s": round((c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime), 2),
            "peak_rss_mb": child["peak_rss_mb"], "stages_s": stages,
            "warnings": [line for line in proc.stderr.splitlines() if "render device" in line]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="auto", help="device, or several comma-separated (e.g. cpu,optix)")
    ap.add_argument("--scene", default="meadow")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--resolution", default="1280x720")
    ap.add_argument("--samples", type=int, default=64)
    args = ap.parse_args()
    w, h = (int(x) for x in args.resolution.lower().split("x"))
    runs = [bench(args.scene, args.seed, w, h, args.samples, d.strip()) for d in args.device.split(",")]
    print(json.dumps({"benchmark": "device", "scene": args.scene, "seed": args.seed, "resolution": [w, h],
                      "samples": args.samples, "runs": runs, "cpus": os.cpu_count()}, indent=2))


if __name__ == "__main__":
    main()
