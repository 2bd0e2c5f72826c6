"""Instance-id PNGs.

Ids up to 65535 are a 16-bit greyscale PNG holding the id. Larger id sets are
a 16-bit RGB PNG with id = R + 65536 * G (B = 0). ``read_id_png`` reads both.
"""

from __future__ import annotations

import os

import numpy as np

from .png import read_png, write_png


def write_id_png(path: str | os.PathLike, ids: np.ndarray) -> None:
    ids = np.asarray(ids)
    if ids.ndim != 2:
        raise ValueError(f"id image must be (H, W), got {ids.shape}")
    ids = ids.astype(np.uint64)
    if ids.max(initial=0) >= 2**32:
        raise ValueError("ids must fit in uint32")
    if ids.max(initial=0) < 2**16:
        write_png(path, ids.astype(np.uint16))
    else:
        rgb = np.stack([ids & 0xFFFF, ids >> 16, np.zeros_like(ids)], -1).astype(np.uint16)
        write_png(path, rgb)


def read_id_png(path: str | os.PathLike) -> np.ndarray:
    a = read_png(path).astype(np.uint32)
    if a.ndim == 3:
        return a[..., 0] + (a[..., 1] << 16)
    return a
