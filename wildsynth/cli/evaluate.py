"""`wildsynth evaluate --task TASK PRED GT`: score any model's output against exact ground truth.

Registered by the main app as ``app.command("evaluate")(evaluate_command)``. Prints one
JSON object on stdout (and writes it to ``--out``); numpy and scipy only, nothing is
rendered. Bad input (a missing file, a shape mismatch, a flag out of range) is one line
on stderr, exit code 2, and nothing is written. Metrics and conventions: docs/evaluate.md.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Optional

import typer

from ..params import UserError
from .common import check_seed, check_writable_path, parse_path

TASKS = ("depth", "normals", "nvs", "mesh", "pointcloud", "shapes", "features", "captions")


def _positive(value: float | None, flag: str, upper: float | None = None) -> None:
    if value is None:
        return
    if not (math.isfinite(value) and value > 0 and (upper is None or value <= upper)):
        raise UserError(f"{flag} {value}: must be a finite number > 0" + (f" and <= {upper:g}" if upper else ""))


def _jsonable(x):
    if isinstance(x, float) and not math.isfinite(x):
        return None if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    return x


def _metric(fn, *args, **kw):
    """A metric call whose ValueError (shapes, empty inputs) is the user's: one line."""
    try:
        return fn(*args, **kw)
    except ValueError as e:
        raise UserError(str(e)) from None


def _depth(pred: Path, gt: Path, mask, o: dict) -> dict:
    from ..eval.depth import depth_metrics
    from ..eval.inputs import read_depth

    p = read_depth(pred, "PRED", o["png_scale"])
    g = read_depth(gt, "GT", o["png_scale"])
    return _metric(depth_metrics, p, g, mask, pred_kind=o["pred_kind"], min_depth=o["min_depth"],
                   max_depth=o["max_depth"])


def _normals(pred: Path, gt: Path, mask, o: dict) -> dict:
    from ..eval.inputs import read_normals
    from ..eval.normals import normal_metrics

    return _metric(normal_metrics, read_normals(pred, "PRED"), read_normals(gt, "GT"), mask)


def _nvs(pred: Path, gt: Path, mask, o: dict) -> dict:
    from ..eval.images import image_metrics
    from ..eval.inputs import read_image

    return _metric(image_metrics, read_image(pred, "PRED"), read_image(gt, "GT"), mask)


def _surface(pred: Path, gt: Path, mask, o: dict) -> dict:
    from ..core.seeds import SeedTree
    from ..eval.geometry import surface_metrics
    from ..eval.inputs import read_geometry

    root = SeedTree(o["seed"]).child("evaluate")
    pp, pn, pk = read_geometry(pred, "PRED", o["samples"], root.child("pred").rng())
    gp, gn, gk = read_geometry(gt, "GT", o["samples"], root.child("gt").rng())
    out = _metric(surface_metrics, pp, gp, pn, gn, o["fscore_ratio"])
    out.update(pred_input=pk, gt_input=gk, samples_per_mesh=o["samples"])
    return out


def _shapes(pred: Path, gt: Path, mask, o: dict) -> dict:
    from ..eval.inputs import read_shape_set
    from ..eval.sets import set_metrics

    gen = read_shape_set(pred, "PRED", o["samples"], o["seed"])
    ref = read_shape_set(gt, "GT", o["samples"], o["seed"])
    train = read_shape_set(o["train"], "--train", o["samples"], o["seed"]) if o["train"] else None
    return _metric(set_metrics, gen, ref, train, o["distance"])


def _features(pred: Path, gt: Path, mask, o: dict) -> dict:
    from ..eval.features import feature_metrics
    from ..eval.inputs import read_features

    train = read_features(o["train"], "--train") if o["train"] else None
    return _metric(feature_metrics, read_features(pred, "PRED"), read_features(gt, "GT"), train,
                   o["subsets"], o["subset_size"], o["seed"])


def _captions(pred: Path, gt: Path, mask, o: dict) -> dict:
    from ..eval.captions import caption_grounding, mean_grounding
    from ..eval.inputs import frame_caption_attributes

    if not pred.is_file():
        raise UserError(f"PRED {pred}: no such file (a caption .txt, or a .jsonl of file_name/text lines)")
    if not gt.exists():
        raise UserError(f"GT {gt}: no such file or folder")
    try:
        text = pred.read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"PRED {pred}: {e}") from None
    if pred.suffix.lower() != ".jsonl":
        if gt.is_dir():
            attrs = frame_caption_attributes(gt, "GT")
        else:
            try:
                attrs = json.loads(gt.read_text())["attributes"]
            except (OSError, ValueError, KeyError, TypeError) as e:
                raise UserError(f"GT {gt}: not a caption.json ({e})") from None
        return caption_grounding(text.strip(), attrs)
    if not gt.is_dir():
        raise UserError(f"GT {gt}: with a .jsonl of predictions, GT is the folder its file_name paths start from")
    results = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            name, caption = row["file_name"], row["text"]
        except (ValueError, KeyError, TypeError):
            raise UserError(f"PRED {pred}: line {n} is not a JSON object with file_name and text") from None
        folder = (gt / name).parent
        if not (folder / "frame.json").is_file():
            raise UserError(f"PRED {pred}: line {n}: {folder} is not a view folder (no frame.json)")
        results.append(caption_grounding(str(caption), frame_caption_attributes(folder, "GT")))
    if not results:
        raise UserError(f"PRED {pred}: no captions")
    return {"captions": len(results), **mean_grounding(results)}


_RUN = {"depth": _depth, "normals": _normals, "nvs": _nvs, "mesh": _surface, "pointcloud": _surface,
        "shapes": _shapes, "features": _features, "captions": _captions}


def evaluate_command(
    pred: str = typer.Argument(..., help="the model's output: a file (or a folder / .jsonl for shapes, captions)"),
    gt: str = typer.Argument(..., help="ground truth: a file, or a wildsynth frame folder"),
    task: str = typer.Option(..., "--task", help=f"what to score: {', '.join(TASKS)}"),
    out: Optional[str] = typer.Option(None, "--out", metavar="FILE", help="also write the JSON here"),
    mask: Optional[str] = typer.Option(None, "--mask", metavar="FILE",
                                       help="valid pixels (non-zero) for depth, normals, nvs"),
    pred_kind: str = typer.Option("depth", "--pred-kind", help="depth: the prediction is depth | disparity "
                                  "(inverse depth; alignment fitted in disparity, as MiDaS)"),
    min_depth: Optional[float] = typer.Option(None, "--min-depth", help="depth: ignore ground truth nearer (m)"),
    max_depth: Optional[float] = typer.Option(None, "--max-depth", help="depth: ignore ground truth farther (m)"),
    png_scale: float = typer.Option(1000.0, "--png-scale", help="16-bit depth PNG: depth = value / scale"),
    fscore_ratio: float = typer.Option(0.01, "--fscore-ratio",
                                       help="mesh/pointcloud: F-score threshold as a share of the GT box diagonal"),
    samples: int = typer.Option(30000, "--samples", help="surface samples per mesh (1 to 10000000)"),
    distance: str = typer.Option("l2", "--distance", help="shapes: Chamfer l1 | l2 between shapes"),
    train: Optional[str] = typer.Option(None, "--train", metavar="PATH",
                                        help="shapes/features: training set, for the nearest-training-sample distance"),
    subsets: int = typer.Option(100, "--subsets", help="features: KID subsets (1 to 10000)"),
    subset_size: int = typer.Option(1000, "--subset-size", help="features: KID subset size (>= 2)"),
    seed: int = typer.Option(0, "--seed", help="seed of surface sampling and KID subsets"),
) -> None:
    """Score predictions against exact ground truth (depth, normals, novel views, meshes, point clouds, shape
    sets, features, captions); JSON on stdout. See docs/evaluate.md."""
    if task not in TASKS:
        raise UserError(f"--task {task!r}: choose one of {', '.join(TASKS)}")
    pred_path, gt_path = parse_path(pred, "PRED"), parse_path(gt, "GT")
    out_path = parse_path(out, "--out") if out is not None else None
    if out_path is not None:
        check_writable_path(out_path, "--out", folder=False)
    if pred_kind not in ("depth", "disparity"):
        raise UserError(f"--pred-kind {pred_kind!r}: choose depth or disparity")
    if distance not in ("l1", "l2"):
        raise UserError(f"--distance {distance!r}: choose l1 or l2")
    for value, flag in ((min_depth, "--min-depth"), (max_depth, "--max-depth"), (png_scale, "--png-scale")):
        _positive(value, flag)
    _positive(fscore_ratio, "--fscore-ratio", 1.0)
    if min_depth is not None and max_depth is not None and min_depth >= max_depth:
        raise UserError(f"--min-depth {min_depth}: must be < --max-depth ({max_depth})")
    if not 1 <= samples <= 10_000_000:
        raise UserError(f"--samples {samples}: must be between 1 and 10000000")
    if not 1 <= subsets <= 10_000:
        raise UserError(f"--subsets {subsets}: must be between 1 and 10000")
    if not 2 <= subset_size <= 1_000_000:
        raise UserError(f"--subset-size {subset_size}: must be between 2 and 1000000")
    check_seed(seed)
    train_path = parse_path(train, "--train") if train is not None else None
    mask_path = parse_path(mask, "--mask") if mask is not None else None
    from ..eval.inputs import read_mask

    m = read_mask(mask_path)
    opts = {"pred_kind": pred_kind, "min_depth": min_depth, "max_depth": max_depth, "png_scale": png_scale,
            "fscore_ratio": fscore_ratio, "samples": samples, "distance": distance, "train": train_path,
            "subsets": subsets, "subset_size": subset_size, "seed": seed}
    result = {"task": task, "pred": str(pred_path), "gt": str(gt_path), **_RUN[task](pred_path, gt_path, m, opts)}
    text = json.dumps(_jsonable(result), indent=2)
    if out_path is not None:
        from ..io.atomic import atomic_path

        with atomic_path(out_path) as tmp:
            tmp.write_text(text + "\n")
    typer.echo(text)
