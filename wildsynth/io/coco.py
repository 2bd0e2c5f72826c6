"""COCO panoptic: segment-id PNGs (id = R + 256 G + 256^2 B, 0 = void) and the JSON.

The JSON holds ``images`` (id, file_name, width, height), ``annotations``
(image_id, file_name of the PNG, segments_info with id, category_id, area,
bbox [x, y, w, h], iscrowd) and ``categories`` (id, name, supercategory,
isthing).
"""

from __future__ import annotations

import os

import numpy as np

from .atomic import read_json, write_json
from .png import read_png, write_png


def encode_segments(seg: np.ndarray) -> np.ndarray:
    s = np.asarray(seg).astype(np.uint64)
    if s.max(initial=0) >= 1 << 24:
        raise ValueError("COCO panoptic segment ids must be < 2^24")
    return np.stack([s & 255, (s >> 8) & 255, (s >> 16) & 255], -1).astype(np.uint8)


def decode_segments(rgb: np.ndarray) -> np.ndarray:
    a = np.asarray(rgb).astype(np.uint32)
    return a[..., 0] + (a[..., 1] << 8) + (a[..., 2] << 16)


def write_panoptic_png(path: str | os.PathLike, seg: np.ndarray) -> None:
    write_png(path, encode_segments(seg))


def read_panoptic_png(path: str | os.PathLike) -> np.ndarray:
    return decode_segments(read_png(path)[..., :3])


def panoptic_json(images: list[dict], annotations: list[dict], categories: list[dict]) -> dict:
    return {"info": {"description": "wildsynth COCO panoptic"}, "images": images,
            "annotations": annotations, "categories": categories}


def write_panoptic_json(path: str | os.PathLike, images: list[dict], annotations: list[dict],
                        categories: list[dict]) -> None:
    write_json(path, panoptic_json(images, annotations, categories))


def read_panoptic_json(path: str | os.PathLike) -> dict:
    data = read_json(path)
    for key in ("images", "annotations", "categories"):
        if key not in data:
            raise ValueError(f"{path}: COCO panoptic JSON lacks {key!r}")
    return data
