"""Helpers the tasks share: reading a run's views back, splits by seed, hard links, encodings."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

from ..core.seeds import SeedTree
from ..io.exr import read_exr

SPLITS = ("train", "validation", "test")


def split_of(seed: int, fractions: tuple[float, float, float]) -> str:
    """The split of a job, drawn from its scene seed (never by view)."""
    u = SeedTree(int(seed)).child("task_split").rng().uniform()
    edges = np.cumsum(fractions)
    return SPLITS[min(int(np.searchsorted(edges, u, side="right")), 2)]


def check_split(v: tuple[float, float, float]) -> tuple[float, float, float]:
    if not all(0.0 <= x <= 1.0 for x in v) or not abs(sum(v) - 1.0) <= 1e-6:
        raise ValueError(f"fractions must be non-negative and sum to 1, got {v}")
    return v


def view_normal(view) -> np.ndarray:
    """A run view's unit normals (H, W, 3) float32, OpenCV camera axes, 0 on sky."""
    c = read_exr(view.need("normal.exr"), separate=True)
    return np.stack([c["X"], c["Y"], c["Z"]], -1).astype(np.float32)


def view_semantic(view) -> np.ndarray:
    from ..io import read_png

    return read_png(view.need("semantic.png")).astype(np.int64)


def link_or_copy(src: Path, dst: Path) -> None:
    """``dst`` as a hard link to ``src`` (a copy across file systems), replacing what was there."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        os.link(src, tmp)
    except OSError:
        shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def encode_disparity16(depth: np.ndarray, lo_pct: float = 2.0, hi_pct: float = 98.0) -> tuple[np.ndarray, dict]:
    """Depth for diffusion models: inverse depth (1/m), mapped per image by the affine that takes its
    ``lo_pct`` and ``hi_pct`` percentiles (over surface pixels) to 0 and 1, clipped, as 16-bit PNG
    values; sky = 0. Returns (uint16 image, the inverse: ``disparity = lo + v / 65535 * (hi - lo)``,
    ``depth = 1 / disparity``; exact only between the two percentiles)."""
    hit = np.isfinite(depth) & (depth > 0)
    disp = np.where(hit, 1.0 / np.where(hit, depth, 1.0), 0.0)
    if hit.any():
        lo, hi = (float(x) for x in np.percentile(disp[hit], [lo_pct, hi_pct]))
    else:
        lo, hi = 0.0, 1.0
    hi = hi if hi > lo else lo + 1e-6
    v = np.clip((disp - lo) / (hi - lo), 0.0, 1.0)
    v = np.where(hit, v, 0.0)
    return np.round(v * 65535.0).astype(np.uint16), {
        "encoding": f"inverse depth, per-image affine: {lo_pct:g}th percentile -> 0, {hi_pct:g}th -> 65535, "
                    "clipped; sky 0", "disparity_lo": lo, "disparity_hi": hi,
        "inverse": "disparity = lo + v / 65535 * (hi - lo) [1/m]; depth = 1 / disparity"}


def decode_disparity16(v: np.ndarray, meta: dict) -> np.ndarray:
    """The depth (m) a ``encode_disparity16`` image encodes (inf where v = 0)."""
    lo, hi = meta["disparity_lo"], meta["disparity_hi"]
    d = lo + v.astype(np.float64) / 65535.0 * (hi - lo)
    with np.errstate(divide="ignore"):
        return np.where(v > 0, 1.0 / d, np.inf)


def normal8(normal: np.ndarray) -> np.ndarray:
    """Unit normals -> RGB 8-bit, (n + 1) / 2 per axis (OpenCV camera axes); 0 (no surface) -> black."""
    ok = np.linalg.norm(normal, axis=-1, keepdims=True) > 0.5
    return np.where(ok, np.round((np.clip(normal, -1, 1) + 1.0) * 127.5), 0).astype(np.uint8)


def semantic_rgb(semantic: np.ndarray) -> np.ndarray:
    """Class ids -> the label registry's colours (uint8 RGB)."""
    from ..core.labels import palette

    pal = np.array(palette() + [(0, 0, 0)] * max(0, int(semantic.max(initial=0)) + 1 - len(palette())), np.uint8)
    return pal[np.clip(semantic, 0, len(pal) - 1)]
