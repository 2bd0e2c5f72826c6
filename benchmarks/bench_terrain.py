"""Benchmark terrain scene builds (no rendering); prints one JSON object per scene type.

    python benchmarks/bench_terrain.py [--scenes mountain,desert,...] [--resolution 1280x720] [--seed 0]
    python benchmarks/bench_terrain.py --gallery docs/terrain_gallery.png [--samples 16]

Each scene is built in a fresh process (so peak RSS is that scene's own):
terrain field (landform sampled on the 4 km x 4 km grid, hydraulic + thermal
erosion at the default 512 x 512), camera placement, camera-following meshes
(terrain, water, SDF caves), rocks. Reported: build seconds (wall, without
imports), the build's own stage timings, triangle count (instanced rocks
counted per placement), and peak RSS of the process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from wildsynth.core import SeedTree
from wildsynth.run import compose
from wildsynth.scenes import get
name, seed, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
recipe = get(name)
t_import = time.perf_counter() - t0
params = recipe.params()
if isinstance(getattr(params, "vegetation", None), float):  # terrain figures: the landscape without plants
    params = params.model_copy(update={"vegetation": 0.0})
t1 = time.perf_counter()
_c = compose(recipe, params, SeedTree(seed), w, h)
scene, rig, report = _c.scene, _c.rig, _c.report
build = time.perf_counter() - t1
objs = {o.name: o.n_triangles for o in scene.objects}
print(json.dumps({"scene": name, "build_s": round(build, 2), "import_s": round(t_import, 2),
                  "triangles": scene.n_triangles,
                  "terrain_triangles": sum(o.n_triangles for o in scene.objects if not o.is_instanced),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
                  "stages_s": report.get("terrain", {}).get("timings_s", {}), "objects": objs}))
"""

GALLERY_CHILD = r"""
import sys
import numpy as np
from wildsynth.core import SeedTree
from wildsynth.io import write_png
from wildsynth.render.cycles import CyclesRenderer
from wildsynth.render.settings import RenderSettings
from wildsynth.scenes import get
name, seed, w, h, spp, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
recipe = get(name)
_c = compose(recipe, recipe.params(), SeedTree(seed), w, h)
scene, rig, _ = _c.scene, _c.rig, _c.report
with CyclesRenderer(scene, RenderSettings(width=w, height=h, samples=spp), seed=0) as r:
    write_png(out, r.render_rgb(rig.main).display)
"""

ALL = ["mountain", "desert", "canyon", "cliff", "river", "coast", "arctic", "cave", "lake"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenes", default=",".join(ALL))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--resolution", default="1280x720")
    ap.add_argument("--gallery", default=None, help="render each scene (320x180) and tile them into this PNG")
    ap.add_argument("--samples", type=int, default=16)
    args = ap.parse_args()
    if args.gallery:
        gallery(args.scenes.split(","), args.seed, args.samples, args.gallery)
        return
    w, h = (int(x) for x in args.resolution.lower().split("x"))
    for name in args.scenes.split(","):
        proc = subprocess.run([sys.executable, "-c", CHILD, name, str(args.seed), str(w), str(h)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            raise SystemExit(proc.returncode)
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        row.update({"benchmark": "terrain_build", "seed": args.seed, "resolution": [w, h],
                    "machine": {"cpus": os.cpu_count(), "python": platform.python_version()}})
        print(json.dumps(row), flush=True)


def gallery(names: list[str], seed: int, samples: int, out: str, size=(320, 180), columns: int = 3) -> None:
    """Render each scene in its own process and tile the images with their names."""
    import tempfile

    import numpy as np
    from PIL import Image, ImageDraw

    tiles = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            path = os.path.join(tmp, f"{name}.png")
            proc = subprocess.run([sys.executable, "-c", GALLERY_CHILD, name, str(seed), str(size[0]), str(size[1]),
                                   str(samples), path], capture_output=True, text=True)
            if proc.returncode != 0:
                sys.stderr.write(proc.stderr)
                raise SystemExit(proc.returncode)
            im = Image.open(path).convert("RGB")
            draw = ImageDraw.Draw(im)
            draw.text((7, 5), f"{name} (seed {seed})", fill=(0, 0, 0))  # shadow: readable on bright sky
            draw.text((6, 4), f"{name} (seed {seed})", fill=(255, 255, 255))
            tiles.append(np.asarray(im))
            print(json.dumps({"rendered": name}), flush=True)
    rows = -(-len(tiles) // columns)
    sheet = np.zeros((rows * size[1], columns * size[0], 3), dtype=np.uint8)
    for k, t in enumerate(tiles):
        r, c = divmod(k, columns)
        sheet[r * size[1]:(r + 1) * size[1], c * size[0]:(c + 1) * size[0]] = t
    Image.fromarray(sheet).save(out)


if __name__ == "__main__":
    main()
