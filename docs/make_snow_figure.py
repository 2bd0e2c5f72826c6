"""Make docs/snow/snowy_mountain.jpg (a rendered frame) and docs/snow/snow_depth.jpg (the snow map) from the
current code.

    nice -n 10 python docs/make_snow_figure.py [--seed 0] [--resolution 640x360] [--samples 32] [--only render|map]

- ``snowy_mountain.jpg``: one ``wildsynth generate`` frame of the ``snowy_mountain`` scene (default parameters).
- ``snow_depth.jpg``: the scene's eroded terrain grid seen from above, 4 km square: hill shading, then the snow
  depth ``SnowCover`` computes on it (white = deep, bare rock where steeper than the angle of repose), beside
  the same with the redistribution terms off (slope and altitude only), so hollows, scoured ridges and lee
  loading show as the difference. Pure numpy, no render.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent / "snow"


def render(seed: int, w: int, h: int, spp: int) -> Path:
    from wildsynth.io import read_png
    from wildsynth.render.settings import RenderSettings
    from wildsynth.run import RunSpec, run
    from wildsynth.scenes import get

    with tempfile.TemporaryDirectory() as tmp:
        r = run(RunSpec("snowy_mountain", seed, get("snowy_mountain").params(),
                        RenderSettings(width=w, height=h, samples=spp), Path(tmp) / "frame"))
        img = read_png(Path(tmp) / "frame" / "image.png")
    path = OUT / "snowy_mountain.jpg"
    Image.fromarray(img).save(path, quality=88)
    print(path, path.stat().st_size // 1024, "KB", {k: v for k, v in r.timings.items() if not isinstance(v, dict)})
    return path


def _shade(z: np.ndarray, cell: float) -> np.ndarray:
    gy, gx = np.gradient(z, cell)
    n = np.stack([-gx, -gy, np.ones_like(z)], -1)
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    light = np.array([-0.5, 0.5, 0.7]) / np.linalg.norm([-0.5, 0.5, 0.7])
    return np.clip(n @ light, 0.0, 1.0)


def snow_map(seed: int, size: int = 360) -> Path:
    from wildsynth.core import SeedTree
    from wildsynth.generators.terrain.field import TerrainField
    from wildsynth.generators.terrain.snow import snow_depth, wind_direction
    from wildsynth.scenes import get

    p = get("snowy_mountain").params()
    seeds = SeedTree(seed).child("scene")
    field = TerrainField(p.terrain, seeds.child("terrain"), p.grid, p.erosion)
    z, cell = field.grid_height, field.cell
    wind = wind_direction(p.snow, seeds.child("snow").child("wind").rng())
    tiles = []
    for name, sp in (("snow: slope, altitude, hollows, exposure, wind", p.snow),
                     ("slope and altitude only", p.snow.model_copy(update={"hollow_gain": 0.0, "exposure_gain": 0.0,
                                                                          "wind_gain": 0.0}))):
        d = snow_depth(z, cell, sp, wind)
        shade = _shade(z, cell)
        cover = np.clip(d / (2.0 * sp.depth), 0.0, 1.0)[..., None]
        rock = np.array([0.35, 0.33, 0.31])
        snow = np.array([0.95, 0.97, 1.0])
        rgb = (0.25 + 0.75 * shade[..., None]) * ((1.0 - cover) * rock + cover * snow)
        img = Image.fromarray((np.clip(rgb[::-1], 0, 1) * 255).astype(np.uint8)).resize((size, size), Image.BILINEAR)
        draw = ImageDraw.Draw(img)
        draw.rectangle((0, 0, 7 + 6 * len(name), 20), fill=(255, 255, 255))
        draw.text((4, 5), name, fill=(0, 0, 0))
        tiles.append(np.asarray(img))
    sheet = np.concatenate([tiles[0], np.full((size, 6, 3), 255, np.uint8), tiles[1]], axis=1)
    path = OUT / "snow_depth.jpg"
    Image.fromarray(sheet).save(path, quality=88)
    print(path, path.stat().st_size // 1024, "KB", "wind towards", np.round(wind, 3))
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--resolution", default="640x360")
    ap.add_argument("--samples", type=int, default=32)
    ap.add_argument("--only", choices=("render", "map"), default=None)
    a = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    w, h = (int(v) for v in a.resolution.lower().split("x"))
    if a.only in (None, "map"):
        snow_map(a.seed)
    if a.only in (None, "render"):
        render(a.seed, w, h, a.samples)


if __name__ == "__main__":
    main()
