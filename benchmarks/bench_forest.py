"""Benchmark the forest scene and every plant generator; prints JSON.

    python benchmarks/bench_forest.py [--trees 220] [--grass 30] [--render] [--resolution 1280x720] [--samples 64]

Target (2 cores): a forest with >= 200 trees and >= 1 million grass blades
(as instances) builds in under 60 s, renders RGB at 1280x720 / 64 samples in
under 3 min, with peak RSS under 6 GB. The scene build runs in a fresh
process (numba caches warm, as in production); generator timings are the
median of a few calls per family.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from wildsynth.core import SeedTree
from wildsynth.run import compose
from wildsynth.scenes import get
trees, grass, w, h, spp, render, seed = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6] == "1", int(sys.argv[7])
t_import = time.perf_counter() - t0
r = get("forest")
params = r.params.model_validate({"trees": trees, "grass_density": grass, "area_radius": 75.0})
t = time.perf_counter()
_c = compose(r, params, SeedTree(seed), w, h)
scene, rig, rep = _c.scene, _c.rig, _c.report
t_build = time.perf_counter() - t
out = {"import_s": t_import, "build_s": t_build, "triangles": scene.n_triangles, "instances": scene.n_instances,
       "ids": scene.n_ids, "objects": len(scene.objects), "counts": rep["vegetation"]["counts"],
       "vegetation_timings_s": {k: round(v, 3) for k, v in rep["vegetation"]["timings"].items()}}
if render:
    from wildsynth.render.cycles import CyclesRenderer
    from wildsynth.render.settings import RenderSettings
    from wildsynth.io.png import write_png
    t = time.perf_counter()
    with CyclesRenderer(scene, RenderSettings(width=w, height=h, samples=spp)) as R:
        out["blender_load_s"] = time.perf_counter() - t
        t = time.perf_counter()
        img = R.render_rgb(rig.main)
        out["render_rgb_s"] = time.perf_counter() - t
    if len(sys.argv) > 8:
        write_png(sys.argv[8], img.display)
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print("JSON" + json.dumps(out))
"""


def generator_times(repeats: int = 3) -> dict:
    import numpy as np

    from wildsynth.generators.plants.cacti import KINDS, CactusParams, cactus
    from wildsynth.generators.plants.deadwood import LogParams, log, pine_cone, twig
    from wildsynth.generators.plants.ferns import FernParams, fern
    from wildsynth.generators.plants.flowers import FlowerParams, flower
    from wildsynth.generators.plants.grass import GrassParams, tuft
    from wildsynth.generators.plants.mushrooms import MushroomParams, mushroom
    from wildsynth.generators.plants.trees import SPECIES, TreeParams, grow_tree_lods
    from wildsynth.generators.rocks import RockParams, rock_mesh

    jobs = {f"tree.{sp} (3 LODs)": (lambda r, sp=sp: [m.wood for m in grow_tree_lods(TreeParams(species=sp), r)])
            for sp in SPECIES}
    jobs.update({f"cactus.{k}": (lambda r, k=k: cactus(CactusParams(kind=k), r)) for k in KINDS})
    jobs.update({
        "grass.tuft": lambda r: tuft(GrassParams(), r),
        "flower": lambda r: flower(FlowerParams(), r),
        "fern": lambda r: fern(FernParams(), r),
        "mushroom": lambda r: mushroom(MushroomParams(), r),
        "log": lambda r: log(LogParams(), r),
        "twig": lambda r: twig(0.4, r),
        "pine_cone": lambda r: pine_cone(r),
        "rock.boulder": lambda r: rock_mesh(RockParams(), r),
        "rock.chunk": lambda r: rock_mesh(RockParams(kind="chunk"), r),
        "rock.pebble": lambda r: rock_mesh(RockParams(kind="pebble", subdivisions=2), r),
    })
    out = {}
    for name, fn in jobs.items():
        fn(np.random.default_rng(0))  # compile / warm
        ts, tris = [], 0
        for k in range(repeats):
            t = time.perf_counter()
            m = fn(np.random.default_rng(k + 1))
            ts.append(time.perf_counter() - t)
            tris = sum(x.n_triangles for x in m) if isinstance(m, list) else m.n_triangles
        out[name] = {"ms": round(1000 * sorted(ts)[len(ts) // 2], 2), "triangles": int(tris)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trees", type=int, default=220)
    ap.add_argument("--grass", type=float, default=30.0, help="forest grass_density multiplier")
    ap.add_argument("--render", action="store_true")
    ap.add_argument("--resolution", default="1280x720")
    ap.add_argument("--samples", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--image", default="", help="write the rendered RGB here (PNG)")
    ap.add_argument("--skip-generators", action="store_true")
    a = ap.parse_args()
    w, h = (int(x) for x in a.resolution.split("x"))
    result = {"machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()}}
    if not a.skip_generators:
        result["generators"] = generator_times()
    args = [sys.executable, "-c", CHILD, str(a.trees), str(a.grass), str(w), str(h), str(a.samples),
            "1" if a.render else "0", str(a.seed)] + ([a.image] if a.image else [])
    t = time.perf_counter()
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - t
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((ln for ln in p.stdout.splitlines() if ln.startswith("JSON")), None)
    if line is None:
        raise SystemExit(f"forest child failed:\n{p.stdout[-2000:]}\n{p.stderr[-4000:]}")
    scene = json.loads(line[4:])
    scene["process_wall_s"] = wall
    scene["process_cpu_s"] = round((c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime), 2)
    result["forest"] = scene
    c = scene["counts"]
    result["targets"] = {
        "trees>=200": c.get("trees", 0) >= 200,
        "grass_blades>=1e6": c.get("grass_blades", 0) >= 1_000_000,
        "build<60s": scene["build_s"] < 60.0,
        "peak_rss<6GB": scene["peak_rss_mb"] < 6144,
        **({"render<180s": scene["render_rgb_s"] < 180.0} if a.render else {}),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
