"""Stereo-from-mono against a real rendered stereo pair; prints JSON.

    python benchmarks/bench_stereo_vs_render.py [--resolution 640x360] [--samples 32] [--baseline 0.3]

Renders the default scene with wildsynth's stereo rig (left + right, same
Cycles seed), synthesises the right view from the left image and its exact
depth (metric mode: d = fx * baseline / z), and compares the synthesised right
view with the rendered one in the pixels both describe (not holes): PSNR, SSIM
and the hole fraction. What differs there is view-dependent shading,
path-tracing noise and anti-aliased edges, which a forward warp cannot know.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np


def compare(width: int, height: int, samples: int, baseline: float, seed: int = 0) -> dict:
    from wildsynth.camera.rigs import stereo_rig
    from wildsynth.core import SeedTree
    from wildsynth.render.cycles import CyclesRenderer
    from wildsynth.render.settings import RenderSettings
    from wildsynth.run import compose
    from wildsynth.scenes import get
    from wildsynth.stereo import from_mono
    from wildsynth.stereo.metrics import psnr, ssim

    recipe = get("meadow")
    _c = compose(recipe, recipe.params(), SeedTree(seed), width, height)
    scene, rig, _ = _c.scene, _c.rig, _c.report
    stereo = stereo_rig(rig.main, baseline)
    left_cam, right_cam = stereo.cameras["left"], stereo.cameras["right"]
    t0 = time.perf_counter()
    with CyclesRenderer(scene, RenderSettings(width=width, height=height, samples=samples), seed=seed) as r:
        left = r.render_rgb(left_cam).display
        right = r.render_rgb(right_cam).display
        depth = r.render_gt(left_cam).depth
    t_render = time.perf_counter() - t0
    t0 = time.perf_counter()
    pair = from_mono(left, depth, seed, focal=float(left_cam.K[0, 0]), baseline=baseline, fill="background")
    t_synth = time.perf_counter() - t0
    seen = ~pair.holes
    truth = right.astype(np.float32) / 255.0
    return {
        "psnr_db": round(psnr(pair.right, truth, seen), 2),
        "ssim": round(ssim(pair.right, truth, seen), 4),
        "hole_fraction": round(float(pair.holes.mean()), 4),
        "render_s": round(t_render, 2), "synthesis_s": round(t_synth, 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--resolution", default="640x360")
    ap.add_argument("--samples", type=int, default=32)
    ap.add_argument("--baseline", type=float, default=0.3)
    args = ap.parse_args()
    w, h = (int(x) for x in args.resolution.lower().split("x"))
    print(json.dumps({"benchmark": "stereo_vs_render", "resolution": [w, h], "samples": args.samples,
                      "baseline_m": args.baseline, **compare(w, h, args.samples, args.baseline)}, indent=2))


if __name__ == "__main__":
    main()
