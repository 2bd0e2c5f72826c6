"""Make docs/generative/tasks.jpg: one job each of the nvs, pairs and world dataset tasks.

    nice -n 10 python docs/make_tasks_figure.py [--scene forest] [--resolution 192x128] [--samples 16]

Row 1 (nvs): source, target, exact backward warp (black: not valid), z-buffered forward splat
(black: holes), valid mask, hole mask. Row 2 (pairs): RGB, 16-bit inverse depth, normals,
semantics. Row 3 (world): height map, semantic biome map, tree map, the first camera's render.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image


def make(root: Path, task: str, options: dict, scene: str, size: tuple[int, int], samples: int) -> Path:
    from wildsynth.dataset.jobs import make_spec, plan_jobs, save_spec
    from wildsynth.dataset.worker import JobTask, run_job
    from wildsynth.tasks import finish_dataset

    spec = make_spec(scenes={scene: 1.0}, out=root, task=task, task_options=options, count=1,
                     render={"width": size[0], "height": size[1], "samples": samples})
    save_spec(spec)
    (job,) = plan_jobs(spec)
    rec = run_job(JobTask.from_job(job, spec))
    if rec["status"] != "done":
        raise SystemExit(f"{task}: {rec['error']}")
    finish_dataset(root)
    return job.folder


def rgb(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype == np.uint16:
        a = (a / 257).astype(np.uint8)
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, -1)
    return a[..., :3].astype(np.uint8)


def fit(a: np.ndarray, h: int) -> np.ndarray:
    w = max(1, round(a.shape[1] * h / a.shape[0]))
    return np.asarray(Image.fromarray(rgb(a)).resize((w, h), Image.NEAREST))


def main() -> None:
    from wildsynth.io import read_png
    from wildsynth.io.preview import colormap

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scene", default="forest")
    ap.add_argument("--resolution", default="192x128")
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--out", default=str(Path(__file__).parent / "generative" / "tasks.jpg"))
    a = ap.parse_args()
    size = tuple(int(x) for x in a.resolution.split("x"))
    h = size[1]
    with tempfile.TemporaryDirectory(prefix="ws-tasks-figure-") as tmp:
        nvs = make(Path(tmp) / "nvs", "nvs", {"distance": 0.6}, a.scene, size, a.samples)
        pairs = make(Path(tmp) / "pairs", "pairs", {}, a.scene, size, a.samples)
        world = make(Path(tmp) / "world", "world", {"cells": 128, "extent": 96.0}, a.scene, size, a.samples)
        row1 = [read_png(nvs / n) for n in ("source.png", "t01_target.png", "t01_warp.png", "t01_splat.png",
                                             "t01_valid.png", "t01_hole.png")]
        row2 = [read_png(pairs / n) for n in ("image.png", "depth.png", "normal.png", "semantic.png")]
        height = np.load(world / "height.npy")
        hn = (height - height.min()) / max(float(np.ptp(height)), 1e-9)
        trees = np.load(world / "trees.npy")
        tn = trees / max(float(trees.max()), 1e-9)
        row3 = [colormap(hn),
                read_png(world / "semantic_rgb.png"), (np.repeat(tn[..., None], 3, -1) * 255).astype(np.uint8),
                read_png(world / "run" / "image.png")]
        rows = [np.concatenate([fit(x, h) for x in r], 1) for r in (row1, row2, row3)]
        width = max(r.shape[1] for r in rows)
        sheet = np.concatenate([np.pad(r, ((0, 4), (0, width - r.shape[1]), (0, 0)), constant_values=255)
                                for r in rows], 0)
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(sheet).save(a.out, quality=90)
        print(a.out, sheet.shape)


if __name__ == "__main__":
    main()
