"""Benchmark `wildsynth export`: time, file size and peak RSS per scene and format; prints JSON.

    python benchmarks/bench_export.py [--scenes meadow,forest] [--formats glb,usdc] [--seed 0]

Each (scene, format) runs in a fresh process with the scene's default
parameters at 1280x720 (the camera of the default `generate` frame), so peak
RSS covers building the scene, moving it into Blender and writing the file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from wildsynth.core.seeds import SeedTree
from wildsynth.run import compose
from wildsynth.render.export import export_scene
from wildsynth.scenes import get
name, seed, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
recipe = get(name)
t0 = time.perf_counter()
_c = compose(recipe, recipe.params(), SeedTree(seed), 1280, 720)
scene, rig, _ = _c.scene, _c.rig, _c.report
build = time.perf_counter() - t0
r = export_scene(scene, rig, path)
print(json.dumps({"scene_build_s": round(build, 2), "export_s": r.seconds, "file_mb": round(r.bytes / 1e6, 2),
                  "objects": r.objects, "instances": r.instances, "triangles_stored": r.mesh_triangles,
                  "triangles_in_scene": r.scene_triangles,
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenes", default="meadow,forest")
    ap.add_argument("--formats", default="glb,usdc")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for scene in args.scenes.split(","):
            for fmt in args.formats.split(","):
                path = Path(tmp) / f"{scene}.{fmt}"
                t0 = time.perf_counter()
                proc = subprocess.run([sys.executable, "-c", CHILD, scene, str(args.seed), str(path)],
                                      capture_output=True, text=True)
                if proc.returncode != 0:
                    sys.stderr.write(proc.stderr[-4000:])
                    raise SystemExit(proc.returncode)
                child = json.loads(proc.stdout.strip().splitlines()[-1])
                runs.append({"scene": scene, "format": fmt, "wall_s": round(time.perf_counter() - t0, 2), **child})
                path.unlink()
    print(json.dumps({"benchmark": "export", "seed": args.seed, "runs": runs,
                      "machine": {"cpus": os.cpu_count(), "python": platform.python_version()}}, indent=2))


if __name__ == "__main__":
    main()
