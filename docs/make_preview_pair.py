"""Make docs/preview_vs_final.jpg: the same seed at 96x54 and at 640x360, side by side.

The scene a seed makes does not depend on the output resolution (docs/architecture.md):
the preview shows the same camera, the same trees and the same rocks as the final frame;
only tessellation and levels of detail follow the pixels.

    python docs/make_preview_pair.py [--scene forest] [--seed 0]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image


def main() -> None:
    from wildsynth.io import read_json, read_png
    from wildsynth.io.preview import contact_sheet
    from wildsynth.render.settings import RenderSettings
    from wildsynth.run import RunSpec, run
    from wildsynth.scenes import get

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scene", default="forest")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(Path(__file__).parent / "preview_vs_final.jpg"))
    a = ap.parse_args()
    tiles = []
    with tempfile.TemporaryDirectory() as tmp:
        for (w, h), spp in (((96, 54), 16), ((640, 360), 32)):
            out = Path(tmp) / f"{w}x{h}"
            run(RunSpec(a.scene, a.seed, get(a.scene).params(), RenderSettings(width=w, height=h, samples=spp), out))
            meta = read_json(out / "scene.json")
            img = read_png(out / "image.png")
            big = np.asarray(Image.fromarray(img).resize((640, 360), Image.NEAREST))
            tiles.append((f"{a.scene} seed {a.seed}, {w}x{h}: {meta['timings']['total']:.0f} s, "
                          f"peak {meta['stats']['peak_rss_mb']:.0f} MB", big))
    sheet = contact_sheet(tiles, columns=2, max_tile_width=640)
    Image.fromarray(sheet).save(a.out, quality=90)
    print(a.out)


if __name__ == "__main__":
    main()
