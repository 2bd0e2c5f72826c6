"""Writing stereo pairs to a folder, one file per product, resumably.

Layout under ``out/`` for a pair named ``<stem>``::

    left/<stem>.png        left image (8-bit, or 16-bit if the input was 16-bit)
    right/<stem>.png       right image, same depth
    disparity/<stem>.pfm   left disparity, float32 px (inf = invalid)   [format "pfm"]
    disparity/<stem>.png   KITTI uint16 (d * 256, 0 = invalid)           [format "kitti"]
    disparity/<stem>.npy   float32 px (inf = invalid)                   [format "npy"]
    mask/<stem>.png        uint8: 255 visible in both views, 128 occluded in the right view, 0 invalid
    holes/<stem>.png       uint8, right view: 255 = disocclusion that was filled
    meta/<stem>.json       parameters, seed and statistics -- written last

Every file is written atomically (temporary name, then rename) and the meta
file goes last, so a pair is complete exactly when all its files exist; an
interrupted run leaves no pair that looks complete.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from wildsynth.io.atomic import atomic_path, write_json
from wildsynth.io.kitti import write_disparity_kitti
from wildsynth.io.pfm import write_pfm
from wildsynth.io.png import write_png

from .pair import StereoPair

DISP_FORMATS = {"pfm": ".pfm", "kitti": ".png", "npy": ".npy"}
FORMAT_ALIASES = {"png": "kitti", "kitti": "kitti", "pfm": "pfm", "npy": "npy"}


def parse_formats(text: str) -> list[str]:
    """'pfm,png,npy' -> ['pfm', 'kitti', 'npy']; raises ValueError naming a bad entry."""
    out: list[str] = []
    for item in (t.strip().lower() for t in text.split(",")):
        if not item:
            continue
        if item not in FORMAT_ALIASES:
            raise ValueError(f"unknown disparity format {item!r} (allowed: pfm, kitti (= png), npy)")
        if FORMAT_ALIASES[item] not in out:
            out.append(FORMAT_ALIASES[item])
    if not out:
        raise ValueError("no disparity format given (allowed: pfm, kitti (= png), npy)")
    return out


def pair_paths(out: Path, stem: str, formats: list[str]) -> dict[str, Path]:
    paths = {
        "left": out / "left" / f"{stem}.png",
        "right": out / "right" / f"{stem}.png",
        "mask": out / "mask" / f"{stem}.png",
        "holes": out / "holes" / f"{stem}.png",
    }
    for f in formats:
        paths[f"disparity_{f}"] = out / "disparity" / f"{stem}{DISP_FORMATS[f]}"
    paths["meta"] = out / "meta" / f"{stem}.json"  # last: the completion marker
    return paths


def pair_complete(out: Path, stem: str, formats: list[str]) -> bool:
    return all(p.exists() for p in pair_paths(out, stem, formats).values())


def to_uint(img: np.ndarray, bits: int) -> np.ndarray:
    top = 65535 if bits == 16 else 255
    x = np.clip(img, 0.0, 1.0) * np.float32(top) + np.float32(0.5)
    x = x.astype(np.uint16 if bits == 16 else np.uint8)
    return x[:, :, 0] if x.ndim == 3 and x.shape[2] == 1 else x


def write_pair(pair: StereoPair, out: Path, stem: str, formats: list[str], meta: dict | None = None) -> dict[str, Path]:
    """Write every product of ``pair``; the meta JSON last."""
    paths = pair_paths(Path(out), stem, formats)
    for p in paths.values():
        p.parent.mkdir(parents=True, exist_ok=True)
    bits = 16 if pair.info.get("input_dtype") == "uint16" else 8
    write_png(paths["left"], to_uint(pair.left, bits))
    write_png(paths["right"], to_uint(pair.right, bits))
    write_png(paths["mask"], pair.mask_u8())
    write_png(paths["holes"], (pair.holes * np.uint8(255)).astype(np.uint8))
    disp_inf = np.where(pair.valid, pair.disparity, np.inf).astype(np.float32)
    for f in formats:
        path = paths[f"disparity_{f}"]
        if f == "pfm":
            write_pfm(path, disp_inf)
        elif f == "kitti":
            write_disparity_kitti(path, pair.disparity, pair.valid)
        else:
            with atomic_path(path) as tmp:
                np.save(tmp, disp_inf)
    record = {"stem": stem, "max_disp": pair.max_disp, "shape": list(pair.disparity.shape), **pair.info, **(meta or {})}
    write_json(paths["meta"], record)
    return paths
