"""Realism benchmark: every scene type for a few seeds beside the peer's references; prints JSON.

    python benchmarks/bench_realism.py [--scenes desert,forest] [--seeds 0,1,2]
        [--resolution 960x540] [--samples 100] [--refs ../shared/refs] [--sheets docs/realism] [--update]

Each frame is rendered by `wildsynth generate` in a fresh process (wall and CPU
seconds of that process, peak RSS from its scene.json). For ours and for every
reference image found in ``--refs`` (Infinigen's renders, named
``infinigen_<scene>_seed<k>_<w>x<h>.png``) it computes the statistics of
``wildsynth.eval.image_stats``: amplitude-spectrum slope, top-octave share,
RMS contrast, mean luminance, clipped share.

With ``--sheets DIR`` it writes ``DIR/contact_sheet.jpg`` (a row per scene
type: our seeds, then the reference of that type when there is one) and, for
each type with a reference, ``DIR/<scene>_vs_infinigen.jpg`` (``desert_vs_infinigen.jpg``,
``coral_reef_vs_infinigen.jpg``: ours for the
first seed beside the reference, full size). docs/realism.md shows them.

With ``--update`` (and ``--sheets``), only the scenes rendered now replace their rows of the
contact sheet and their entries in ``stats.json``; the other rows and entries stay as the last
run wrote them (it must have used the same resolution, samples and seeds).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import imageio.v3 as iio
import numpy as np
from PIL import Image, ImageDraw

from wildsynth.eval.image_stats import image_stats

ROOT = Path(__file__).resolve().parents[1]
REF_NAME = re.compile(r"infinigen_(?P<scene>[a-z_]+)_seed(?P<seed>\d+)_(?P<w>\d+)x(?P<h>\d+)\.png$")
TILE = (320, 180)


def render(scene: str, seed: int, w: int, h: int, samples: int, out: Path) -> dict:
    """One frame by the CLI in a fresh process: its wall/CPU seconds and peak RSS."""
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "wildsynth.cli", "generate", "--scene", scene, "--seed", str(seed),
                           "--resolution", f"{w}x{h}", "--samples", str(samples), "--formats", "png",
                           "--out", str(out)], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-4000:])
        raise SystemExit(f"{scene} seed {seed} failed with exit {proc.returncode}")
    meta = json.loads((out / "scene.json").read_text())
    return {"wall_s": round(wall, 2), "cpu_s": round((c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime), 2),
            "peak_rss_mb": meta["stats"].get("peak_rss_mb"), "triangles": meta["stats"].get("triangles"),
            "instances": meta["stats"].get("instances"),
            "timings_s": meta.get("timings")}


def references(refs: Path) -> dict[str, Path]:
    """Reference image per scene type (the lowest seed when there are several)."""
    found: dict[str, tuple[int, Path]] = {}
    if refs.is_dir():
        for p in sorted(refs.iterdir()):
            m = REF_NAME.match(p.name)
            if m and (m["scene"] not in found or int(m["seed"]) < found[m["scene"]][0]):
                found[m["scene"]] = (int(m["seed"]), p)
    return {k: v[1] for k, v in found.items()}


def _label(img: Image.Image, text: str) -> Image.Image:
    d = ImageDraw.Draw(img)
    x0, y0, x1, y1 = d.textbbox((4, 4), text)
    d.rectangle((x0 - 3, y0 - 3, x1 + 3, y1 + 3), fill=(0, 0, 0))
    d.text((4, 4), text, fill=(255, 255, 255))
    return img


def _tile(path: Path | None, text: str) -> Image.Image:
    if path is None:
        return _label(Image.new("RGB", TILE, (40, 40, 40)), text)
    return _label(Image.open(path).convert("RGB").resize(TILE, Image.LANCZOS), text)


def contact_sheet(rows: list[tuple[str, list[tuple[Path | None, str]] | Image.Image]], out: Path) -> None:
    """A row per scene: its tiles, or a row image kept from an earlier sheet (``--update``)."""
    cols = max(len(r) if isinstance(r, list) else r.width // TILE[0] for _, r in rows)
    sheet = Image.new("RGB", (cols * TILE[0], len(rows) * TILE[1]), (20, 20, 20))
    for i, (_, tiles) in enumerate(rows):
        if isinstance(tiles, Image.Image):
            sheet.paste(tiles, (0, i * TILE[1]))
            continue
        for j, (path, text) in enumerate(tiles):
            sheet.paste(_tile(path, text), (j * TILE[0], i * TILE[1]))
    sheet.save(out, quality=90)


def earlier_run(sheets: Path, w: int, h: int, samples: int, seeds: list[int]) -> tuple[dict, dict[str, Image.Image]]:
    """The stats and the contact-sheet rows (by scene) that an earlier run left in ``sheets``."""
    stats, sheet_path = sheets / "stats.json", sheets / "contact_sheet.jpg"
    if not (stats.is_file() and sheet_path.is_file()):
        return {}, {}
    old = json.loads(stats.read_text())
    if old.get("resolution") != [w, h] or old.get("samples") != samples or old.get("seeds") != seeds:
        raise SystemExit(f"--update: {stats} was made at {old.get('resolution')}, {old.get('samples')} samples, "
                         f"seeds {old.get('seeds')}; this run is [{w}, {h}], {samples}, {seeds}")
    names = list(old["ours"]) + [s for s in old.get("references", {}) if s not in old["ours"]]
    sheet = Image.open(sheet_path).convert("RGB")
    if sheet.height != len(names) * TILE[1]:
        raise SystemExit(f"--update: {sheet_path} has {sheet.height // TILE[1]} rows, {stats} names {len(names)}")
    return old, {n: sheet.crop((0, i * TILE[1], sheet.width, (i + 1) * TILE[1])) for i, n in enumerate(names)}


def pair(ours: Path, ref: Path, out: Path, label_ours: str, label_ref: str) -> None:
    b = Image.open(ref).convert("RGB")
    a = Image.open(ours).convert("RGB").resize(b.size, Image.LANCZOS)
    sheet = Image.new("RGB", (a.width + b.width, a.height))
    sheet.paste(_label(a, label_ours), (0, 0))
    sheet.paste(_label(b, label_ref), (a.width, 0))
    sheet.save(out, quality=90)


def main() -> None:
    from wildsynth.scenes import SCENES

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenes", default=",".join(sorted(SCENES)), help="comma list of scene types (default all)")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--resolution", default="960x540")
    ap.add_argument("--samples", type=int, default=100)
    ap.add_argument("--refs", type=Path, default=ROOT.parent / "shared" / "refs")
    ap.add_argument("--sheets", type=Path, default=None, help="folder for the contact sheets (e.g. docs/realism)")
    ap.add_argument("--keep", type=Path, default=None, help="keep the rendered frames in this folder")
    ap.add_argument("--update", action="store_true",
                    help="with --sheets: replace only these scenes' rows and stats, keep the rest of the last run")
    args = ap.parse_args()
    if args.update and not args.sheets:
        raise SystemExit("--update needs --sheets (the folder whose sheet and stats it updates)")
    scenes = [s for s in args.scenes.split(",") if s]
    unknown = [s for s in scenes if s not in SCENES]
    if unknown:
        raise SystemExit(f"unknown scene(s) {', '.join(unknown)}; known: {', '.join(sorted(SCENES))}")
    seeds = [int(s) for s in args.seeds.split(",")]
    w, h = (int(x) for x in args.resolution.lower().split("x"))
    refs = references(args.refs)
    old, old_rows = earlier_run(args.sheets, w, h, args.samples, seeds) if args.update else ({}, {})

    tmp = tempfile.TemporaryDirectory(prefix="ws-realism-")
    frames = args.keep or Path(tmp.name)
    results: dict = {"benchmark": "realism", "resolution": [w, h], "samples": args.samples, "seeds": seeds,
                     "ours": {}, "references": {},
                     "machine": {"cpus": os.cpu_count(), "python": platform.python_version()}}
    rows = []
    for scene in scenes:
        tiles = []
        for seed in seeds:
            out = frames / f"{scene}_seed{seed}"
            run = render(scene, seed, w, h, args.samples, out)
            stats = image_stats(iio.imread(out / "image.png")).as_dict()
            results["ours"].setdefault(scene, []).append({"seed": seed, **run, "stats": stats})
            tiles.append((out / "image.png", f"ours {scene} seed {seed}  {run['cpu_s']:.0f} CPU-s"))
            print(f"{scene} seed {seed}: {run['wall_s']:.1f} s wall, {run['cpu_s']:.1f} CPU-s, "
                  f"slope {stats['spectrum_slope']}", file=sys.stderr)
        if scene in refs:
            tiles.append((refs[scene], f"Infinigen {scene} (reference)"))
        rows.append((scene, tiles))
    for scene, runs in results["ours"].items():
        st = [r["stats"] for r in runs]
        results["ours"][scene] = {"frames": runs, "mean": {k: round(float(np.mean([s[k] for s in st])), 4)
                                                          for k in st[0]}}
    if old:  # the scenes not rendered now keep the earlier run's rows and numbers
        kept = {k: v for k, v in old["ours"].items() if k not in results["ours"]}
        results["ours"] = dict(sorted({**kept, **results["ours"]}.items()))
        done = dict(rows)
        rows = [(k, done[k] if k in done else old_rows[k]) for k in results["ours"]]
    for scene, path in refs.items():
        results["references"][scene] = {"file": path.name, "stats": image_stats(iio.imread(path)).as_dict()}
        if scene not in results["ours"]:
            rows.append((scene, [(None, f"{scene}: no wildsynth scene of this type yet")] * len(seeds)
                         + [(path, f"Infinigen {scene} (reference)")]))
    if args.sheets:
        args.sheets.mkdir(parents=True, exist_ok=True)
        contact_sheet(rows, args.sheets / "contact_sheet.jpg")
        for scene, path in refs.items():
            if scene in scenes:  # rendered now (an --update keeps the earlier pairs of the others)
                first = frames / f"{scene}_seed{seeds[0]}" / "image.png"
                pair(first, path, args.sheets / f"{scene}_vs_infinigen.jpg", f"wildsynth {scene} seed {seeds[0]}",
                     f"Infinigen 1.15.5 {scene} seed 0")
        (args.sheets / "stats.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
