"""Benchmark of wildsynth.stereo.from_mono; prints JSON.

Figures: pairs/s at 640x480 (in memory: one process, and a 2-process pool;
default settings and with augmentation), and the analytic-scene quality
(PSNR/SSIM in co-visible pixels, hole fraction) from
`wildsynth.stereo.metrics.synthetic_scene_report`.

    python benchmarks/bench_stereo.py [--n 60] [--figure docs/stereo_example.png]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from wildsynth.stereo import from_mono
from wildsynth.stereo.metrics import synthetic_scene_report

W, H = 640, 480


def _inputs():
    rng = np.random.default_rng(0)
    img = (rng.random((H, W, 3)) * 255).astype(np.uint8)
    v, u = np.mgrid[0:H, 0:W]
    z = 4.0 + 8.0 * v / H + np.sin(u / 40.0)  # slanted, wavy ground
    z[100:300, 200:360] = 2.0  # and an object
    bg = (rng.random((H, W, 3)) * 255).astype(np.uint8)
    return img, z.astype(np.float32), bg


def _run(args) -> float:
    start, n, kw = args
    img, z, bg = _inputs()
    from_mono(img, z, 0, background=bg, **kw)  # warm (numba cache load)
    t = time.perf_counter()
    for i in range(start, start + n):
        from_mono(img, z, i, background=bg, **kw)
    return time.perf_counter() - t


def pairs_per_second(n: int, workers: int, **kw) -> float:
    if workers == 1:
        return n / _run((0, n, kw))
    per = n // workers
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_run, [(0, 1, kw)] * workers))  # start workers, load caches
        t = time.perf_counter()
        list(pool.map(_run, [(k * per, per, kw) for k in range(workers)]))
        return per * workers / (time.perf_counter() - t)


def figure(path: str) -> None:
    from PIL import Image, ImageDraw

    from wildsynth.stereo.synthetic import planes_scene

    sc = planes_scene(320, 240)
    pair = from_mono(sc["left"], sc["depth_left"], 0, focal=sc["focal"], baseline=sc["baseline"])
    d = pair.disparity / pair.disparity.max()
    # disparity with a simple perceptual ramp (dark blue -> yellow)
    ramp = np.stack([d ** 0.8, 0.15 + 0.75 * d, 0.5 * (1 - d) + 0.1], axis=2)
    mask = np.zeros(pair.right.shape, np.float32)
    mask[pair.mask_u8() == 255] = (0.85, 0.85, 0.85)
    mask[pair.occluded] = (0.2, 0.3, 0.9)  # left pixels hidden in the right view
    mask[pair.holes] = (0.95, 0.25, 0.15)  # right-view holes (filled), overlaid in red
    tiles = [("left", pair.left), ("right (synthesised)", pair.right), ("disparity (left view)", ramp),
             ("blue: left px occluded in right / red: right-view holes", mask)]
    pad, top = 6, 18
    canvas = Image.new("RGB", (2 * 320 + 3 * pad, 2 * (240 + top) + 3 * pad), "white")
    draw = ImageDraw.Draw(canvas)
    for k, (title, img) in enumerate(tiles):
        x = pad + (k % 2) * (320 + pad)
        y = pad + (k // 2) * (240 + top + pad)
        draw.text((x, y + 2), title, fill="black")
        canvas.paste(Image.fromarray((np.clip(img, 0, 1) * 255).astype(np.uint8)), (x, y + top))
    canvas.save(path)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--figure", default=None, help="also write the docs figure here")
    a = ap.parse_args()
    out = {
        "resolution": f"{W}x{H}",
        "cpu_count": os.cpu_count(),
        "pairs_per_s_1proc": round(pairs_per_second(a.n, 1), 1),
        "pairs_per_s_2proc": round(pairs_per_second(a.n, 2), 1),
        "pairs_per_s_2proc_augment": round(pairs_per_second(a.n, 2, augment=True), 1),
        "pairs_per_s_2proc_inpaint": round(pairs_per_second(a.n, 2, fill="inpaint"), 1),
        "synthetic_scene_320x240": synthetic_scene_report(320, 240),
        "synthetic_scene_640x480": synthetic_scene_report(640, 480),
    }
    if a.figure:
        figure(a.figure)
        out["figure"] = a.figure
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
