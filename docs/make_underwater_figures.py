"""Make docs/underwater/kelp_forest.jpg and under_water.jpg (one rendered frame of each scene) from the current code.

    nice -n 10 python docs/make_underwater_figures.py [--scene kelp_forest] [--seed 0] [--resolution 640x360] [--samples 16]

One ``wildsynth generate`` frame per scene (the one pipeline, default scene parameters), saved as a JPEG under
250 KB; the run's stage timings are printed as JSON (the cost figures in docs/underwater.md).
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from PIL import Image

OUT = Path(__file__).resolve().parent / "underwater"
SCENES = ("kelp_forest", "under_water")


def render(scene: str, seed: int, w: int, h: int, spp: int, out: Path = OUT, sets: tuple[str, ...] = ()) -> Path:
    from wildsynth.io import read_png
    from wildsynth.params import apply_overrides
    from wildsynth.render.settings import RenderSettings
    from wildsynth.run import RunSpec, run
    from wildsynth.scenes import get

    out.mkdir(parents=True, exist_ok=True)
    t0, cpu0 = time.perf_counter(), time.process_time()
    params = apply_overrides(get(scene).params, list(sets), what=scene)
    with tempfile.TemporaryDirectory() as tmp:
        r = run(RunSpec(scene, seed, params, RenderSettings(width=w, height=h, samples=spp), Path(tmp) / "frame"))
        img = read_png(Path(tmp) / "frame" / "image.png")
    path = out / f"{scene}.jpg"
    quality = 88
    while True:
        Image.fromarray(img).save(path, quality=quality)
        if path.stat().st_size <= 250 * 1024 or quality <= 50:
            break
        quality -= 8
    print(json.dumps({"image": str(path), "kb": path.stat().st_size // 1024, "size": f"{w}x{h}", "samples": spp,
                      "sets": list(sets), "wall_s": round(time.perf_counter() - t0, 1),
                      "cpu_s": round(time.process_time() - cpu0, 1),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      "timings": {k: v for k, v in r.timings.items() if not isinstance(v, dict)}}, default=str))
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scene", choices=SCENES, action="append", help="one scene (default: both)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--resolution", default="640x360")
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--out", type=Path, default=OUT, help="folder for the images (default: docs/underwater)")
    ap.add_argument("--set", dest="sets", action="append", default=[], help="a scene parameter, e.g. shafts=1.5")
    a = ap.parse_args()
    w, h = (int(v) for v in a.resolution.lower().split("x"))
    if a.out == OUT and (w > 640 or h > 360 or a.sets):
        raise SystemExit("--resolution: at most 640x360 and no --set for the docs figures (use --out elsewhere)")
    for scene in a.scene or SCENES:
        render(scene, a.seed, w, h, a.samples, a.out, tuple(a.sets))


if __name__ == "__main__":
    main()
