"""Render the README's and docs' scene pictures from the current code.

    python docs/make_figures.py [--only meadow_seed0.jpg,scene_plains.png] [--list]

Every picture is one `wildsynth generate` run (its settings are in ``FIGURES``);
the file is its ``image.png`` (or its ``preview.png`` contact sheet), converted
to JPEG where the name says so. Other pictures come from their own scripts:
``docs/gallery_plants.py`` (plants_*.png), ``docs/make_materials_gallery.py``
(materials_gallery.png), ``docs/ground_truth/make_figures.py`` (ground_truth/*),
``docs/make_preview_pair.py`` (preview_vs_final.jpg), ``benchmarks/bench_terrain.py
--gallery`` (terrain_gallery.png), ``benchmarks/bench_stereo.py --figure``
(stereo_example.png) and ``benchmarks/bench_realism.py --sheets docs/realism``
(realism/*). ``tests/test_docs_figures.py`` checks that every picture the docs
show has a producer.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

DOCS = Path(__file__).resolve().parent

# file -> (generate arguments, which output: "image" or "preview")
FIGURES: dict[str, tuple[list[str], str]] = {
    "meadow_seed0.jpg": (["--scene", "meadow", "--seed", "0", "--resolution", "1280x720", "--samples", "64"], "image"),
    "meadow_seed0_preview.jpg": (["--scene", "meadow", "--seed", "0", "--resolution", "1280x720", "--samples", "64"],
                                 "preview"),
    "scene_forest_benchmark.jpg": (["--scene", "forest", "--seed", "0", "--resolution", "1280x720", "--samples", "64"],
                                   "image"),
    "scene_forest_conifer.png": (["--scene", "forest", "--set", "kind=conifer", "--resolution", "384x216",
                                  "--samples", "16"], "image"),
    "scene_forest_autumn.png": (["--scene", "forest", "--set", "season=autumn", "--resolution", "384x216",
                                 "--samples", "16"], "image"),
    "scene_plains.png": (["--scene", "plains", "--resolution", "384x216", "--samples", "16"], "image"),
    "scene_plains_seed4.png": (["--scene", "plains", "--seed", "4", "--resolution", "384x216", "--samples", "16"],
                               "image"),
}


def make(name: str, work: Path) -> Path:
    args, which = FIGURES[name]
    out = work
    if not (out / "scene.json").exists():  # the hero and its preview share one run
        cmd = [sys.executable, "-m", "wildsynth.cli", "generate", *args, "--formats", "png", "--out", str(out)]
        print(" ".join(cmd[2:]), file=sys.stderr)
        subprocess.run(cmd, check=True)
    img = Image.open(out / f"{which}.png").convert("RGB")
    dest = DOCS / name
    img.save(dest, quality=90) if dest.suffix == ".jpg" else img.save(dest)
    return dest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="comma list of figure files (default: all)")
    ap.add_argument("--list", action="store_true", help="list the figures and exit")
    a = ap.parse_args()
    if a.list:
        print("\n".join(FIGURES))
        return
    names = [n for n in a.only.split(",") if n] or list(FIGURES)
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        raise SystemExit(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(FIGURES)}")
    with tempfile.TemporaryDirectory(prefix="ws-figures-") as tmp:
        runs: dict[tuple, Path] = {}
        for n in names:
            key = tuple(FIGURES[n][0])
            work = runs.setdefault(key, Path(tmp) / f"run{len(runs)}")
            print(f"wrote {make(n, work)}", file=sys.stderr)


if __name__ == "__main__":
    main()
