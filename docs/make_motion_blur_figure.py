"""Make docs/camera/motion_blur.jpg from the current code: one frame of a plains sequence, sharp and with
motion blur (``--render shutter=...``), side by side, with the ground truth's depth of the same frame.

    nice -n 10 python docs/make_motion_blur_figure.py [--seed 0] [--resolution 480x270] [--samples 16]
        [--fps 8] [--speed 4] [--shutter 0.5] [--steps 8]

Two two-frame runs of the same shot (a walking camera among the herd); they differ only in
``RenderSettings.shutter``. The depth panel is the blurred run's and equals the sharp run's
(``tests/render/test_motion_blur.py`` checks this to the bit).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent / "camera"


def frame(seed: int, w: int, h: int, spp: int, fps: float, speed: float, shutter: float, steps: int,
          tmp: Path) -> tuple[np.ndarray, np.ndarray]:
    from wildsynth.io import read_exr, read_png
    from wildsynth.render.settings import RenderSettings
    from wildsynth.run import RunOptions, RunSpec, run
    from wildsynth.scenes import get

    out = tmp / f"shutter{shutter}"
    opts = RunOptions(shot={"frames": 2, "fps": fps, "trajectory": {"kind": "walk", "speed": speed}})
    rs = RenderSettings(width=w, height=h, samples=spp, shutter=shutter, shutter_steps=steps)
    r = run(RunSpec("plains", seed, get("plains").params(), rs, out, opts))
    print(f"shutter {shutter}:", {k: v for k, v in r.timings.items() if not isinstance(v, dict)})
    (d,) = list(out.glob("*/000000"))
    return read_png(d / "image.png")[..., :3], read_exr(d / "depth.exr")["Z"]


def depth_picture(z: np.ndarray) -> np.ndarray:
    finite = np.isfinite(z)
    inv = np.where(finite, 1.0 / np.maximum(z, 1e-3), 0.0)
    lo, hi = np.percentile(inv[finite], [2, 98]) if finite.any() else (0.0, 1.0)
    g = np.clip((inv - lo) / max(hi - lo, 1e-9), 0, 1)
    return (np.stack([g, g, g], -1) * 255).astype(np.uint8)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--resolution", default="480x270")
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--fps", type=float, default=8.0)
    ap.add_argument("--speed", type=float, default=4.0, help="camera walking speed, m/s")
    ap.add_argument("--shutter", type=float, default=0.5)
    ap.add_argument("--steps", type=int, default=8)
    a = ap.parse_args()
    w, h = (int(x) for x in a.resolution.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        sharp, _ = frame(a.seed, w, h, a.samples, a.fps, a.speed, 0.0, a.steps, Path(tmp))
        blurred, z = frame(a.seed, w, h, a.samples, a.fps, a.speed, a.shutter, a.steps, Path(tmp))
    panels = [(sharp, "shutter 0 (sharp)"), (blurred, f"shutter {a.shutter}, {a.steps} renders"),
              (depth_picture(z), "ground-truth depth (the instant)")]
    sheet = Image.new("RGB", (3 * w + 8, h + 22), "white")
    draw = ImageDraw.Draw(sheet)
    for k, (img, label) in enumerate(panels):
        sheet.paste(Image.fromarray(img), (k * (w + 4), 22))
        draw.text((k * (w + 4) + 4, 5), label, fill="black")
    OUT.mkdir(exist_ok=True)
    path = OUT / "motion_blur.jpg"
    sheet.save(path, quality=88)
    print(path, path.stat().st_size // 1024, "KB")


if __name__ == "__main__":
    main()
