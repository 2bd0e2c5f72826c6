"""Make docs/underwater/coral_reef.jpg (one rendered frame of the ``coral_reef`` scene) from the current code.

    nice -n 10 python docs/make_reef_figure.py [--seed 0] [--resolution 640x360] [--samples 16]

One ``wildsynth generate`` frame (the one pipeline, default scene parameters: fish on, murk, caustics), saved as
a JPEG under 250 KB; the run's stage timings are printed (the cost figure in docs/underwater.md).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from PIL import Image

OUT = Path(__file__).resolve().parent / "underwater"


def render(seed: int, w: int, h: int, spp: int) -> Path:
    from wildsynth.io import read_png
    from wildsynth.render.settings import RenderSettings
    from wildsynth.run import RunSpec, run
    from wildsynth.scenes import get

    OUT.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        r = run(RunSpec("coral_reef", seed, get("coral_reef").params(),
                        RenderSettings(width=w, height=h, samples=spp), Path(tmp) / "frame"))
        img = read_png(Path(tmp) / "frame" / "image.png")
    path = OUT / "coral_reef.jpg"
    quality = 88
    while True:
        Image.fromarray(img).save(path, quality=quality)
        if path.stat().st_size <= 250 * 1024 or quality <= 50:
            break
        quality -= 8
    print(path, path.stat().st_size // 1024, "KB", f"wall {time.perf_counter() - t0:.1f} s",
          {k: v for k, v in r.timings.items() if not isinstance(v, dict)})
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--resolution", default="640x360")
    ap.add_argument("--samples", type=int, default=16)
    a = ap.parse_args()
    w, h = (int(v) for v in a.resolution.lower().split("x"))
    if w > 640 or h > 360:
        raise SystemExit("--resolution: at most 640x360 for the docs figure")
    render(a.seed, w, h, a.samples)


if __name__ == "__main__":
    main()
