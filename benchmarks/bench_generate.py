"""Benchmark `wildsynth generate` on the default scene; prints JSON.

    python benchmarks/bench_generate.py [--resolution 1280x720] [--samples 64] [--seed 0]

Reports wall seconds per stage (scene build, transfer to Blender, RGB render,
ground truth, writing), the child's CPU seconds (user + system: the stable
figure on a shared machine), triangle and instance counts, and peak RSS. Each
run is a fresh process, so Blender start-up and numba cache loading are
included in the total wall time.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from wildsynth.render.settings import RenderSettings
from wildsynth.run import RunSpec, run
from wildsynth.scenes import get
scene, seed, w, h, spp, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
params = get(scene).params()
t_import = time.perf_counter() - t0
r = run(RunSpec(scene, seed, params, RenderSettings(width=w, height=h, samples=spp), out))
print(json.dumps({"import_s": round(t_import, 3), "timings_s": r.timings, **r.stats}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scene", default="meadow")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--resolution", default="1280x720")
    ap.add_argument("--samples", type=int, default=64)
    args = ap.parse_args()
    w, h = (int(x) for x in args.resolution.lower().split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run([sys.executable, "-c", CHILD, args.scene, str(args.seed), str(w), str(h),
                               str(args.samples), str(Path(tmp) / "frame")], capture_output=True, text=True)
        wall = time.perf_counter() - t0
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(proc.returncode)
    child = json.loads(proc.stdout.strip().splitlines()[-1])
    print(json.dumps({
        "benchmark": "generate", "scene": args.scene, "seed": args.seed, "resolution": [w, h],
        "samples": args.samples, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
        "child_peak_rss_mb": round(c1.ru_maxrss / 1024.0, 1), **child,
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
    }, indent=2))


if __name__ == "__main__":
    main()
