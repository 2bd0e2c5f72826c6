"""Material system figures; prints JSON.

    python benchmarks/bench_materials.py [--size 256] [--samples 16]

- compile_all_s: building every registered recipe's graph and compiling it to
  Cycles nodes (what a scene with every material pays before rendering);
- gallery_s: `wildsynth materials --gallery` at --size px per tile.
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--samples", type=int, default=16)
    args = ap.parse_args()
    from wildsynth.core.scene import MaterialRef
    from wildsynth.materials import RECIPES, build
    from wildsynth.render.gallery import render_gallery
    from wildsynth.render.translate import compile_graph, reset

    reset()
    t0 = time.perf_counter()
    for name in sorted(RECIPES):
        compile_graph(build(MaterialRef(name, seed=1)))
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    tiles = render_gallery(size=args.size, samples=args.samples)
    gallery_s = time.perf_counter() - t0
    print(json.dumps({"benchmark": "materials", "materials": len(RECIPES), "compile_all_s": round(compile_s, 3),
                      "gallery_s": round(gallery_s, 1), "gallery_tile_px": args.size, "samples": args.samples,
                      "tiles": len(tiles)}, indent=2))


if __name__ == "__main__":
    main()
