"""Make docs/generative/objects.jpg: a few object-set assets x views (`wildsynth objects`, zero123 layout).

    nice -n 10 python docs/make_objects_figure.py [--size 128] [--samples 16]

Each row is one asset (seed 0 of the set): four RGBA views composited on white, then the
pixel-centre albedo, geometric normals (camera axes) and depth of the first view.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

KINDS = "rock_boulder,tree_broadleaf,cactus_saguaro,mushroom,fern"


def main() -> None:
    from wildsynth.io.png import read_png
    from wildsynth.io.preview import depth_preview, normal_preview
    from wildsynth.objects.build import make_object_set
    from wildsynth.objects.params import ObjectSetParams

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--out", default=str(Path(__file__).parent / "generative" / "objects.jpg"))
    a = ap.parse_args()
    n_kinds = len(KINDS.split(","))
    rows = []
    with tempfile.TemporaryDirectory(prefix="ws-objects-figure-") as tmp:
        params = ObjectSetParams(kind=KINDS, count=n_kinds, views=4, size=a.size, samples=a.samples,
                                 layout="zero123")
        manifest = make_object_set(params, Path(tmp))
        for row in manifest["objects"]:
            d = Path(tmp) / row["uid"]
            tiles = []
            for k in range(4):
                rgba = read_png(d / f"{k:03d}.png").astype(np.float32) / 255.0
                tiles.append(rgba[..., :3] * rgba[..., 3:] + (1.0 - rgba[..., 3:]))  # over white
            alb = read_png(d / "gt" / "000_albedo.png").astype(np.float32) / 255.0
            tiles.append(alb[..., :3] * alb[..., 3:] + (1.0 - alb[..., 3:]))
            tiles.append(normal_preview(np.load(d / "gt" / "000_normal.npy")).astype(np.float32) / 255.0)
            tiles.append(depth_preview(np.load(d / "gt" / "000_depth.npy")).astype(np.float32) / 255.0)
            rows.append(np.concatenate(tiles, 1))
    sheet = (np.concatenate(rows, 0) * 255.0 + 0.5).clip(0, 255).astype(np.uint8)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(sheet).save(a.out, quality=85)
    print(f"wrote {a.out} ({Path(a.out).stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
