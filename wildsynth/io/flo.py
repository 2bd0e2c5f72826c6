"""Middlebury ``.flo`` optical flow (little-endian).

float32 tag 202021.25 (bytes ``PIEH``), int32 width, int32 height, then
float32 (u, v) pairs row-major, interleaved, top row first. Unknown flow is
stored as 1e10 in both components (readers treat |u| or |v| > 1e9 as unknown).
"""

from __future__ import annotations

import os

import numpy as np

from .atomic import atomic_path

TAG = 202021.25
UNKNOWN = 1e10


def write_flo(path: str | os.PathLike, flow: np.ndarray, valid: np.ndarray | None = None) -> None:
    """Write (H, W, 2) flow atomically; non-finite pixels or ``~valid`` become unknown (1e10)."""
    f = np.asarray(flow, dtype=np.float32)
    if f.ndim != 3 or f.shape[2] != 2:
        raise ValueError(f"flow must be (H, W, 2), got shape {f.shape}")
    bad = ~np.all(np.isfinite(f), axis=2)
    if valid is not None:
        bad |= ~np.asarray(valid, dtype=bool)
    f = np.where(bad[..., None], np.float32(UNKNOWN), f)
    h, w = f.shape[:2]
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(np.array([TAG], "<f4").tobytes())
            fh.write(np.array([w, h], "<i4").tobytes())
            fh.write(np.ascontiguousarray(f, dtype="<f4").tobytes())


def read_flo(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Read a .flo -> (flow float32 (H, W, 2) with NaN where unknown, valid bool (H, W))."""
    with open(path, "rb") as fh:
        head = fh.read(12)
        if len(head) != 12:
            raise ValueError(f"{path}: too short for a .flo header")
        tag = np.frombuffer(head[:4], "<f4")[0]
        if tag != np.float32(TAG):
            raise ValueError(f"{path}: not a .flo file (tag {tag!r}, expected {TAG})")
        w, h = (int(x) for x in np.frombuffer(head[4:], "<i4"))
        if w <= 0 or h <= 0 or w * h > 1 << 30:
            raise ValueError(f"{path}: bad .flo size {w}x{h}")
        raw = fh.read(w * h * 8)
    if len(raw) != w * h * 8:
        raise ValueError(f"{path}: .flo data truncated ({len(raw)} of {w * h * 8} bytes)")
    f = np.frombuffer(raw, "<f4").reshape(h, w, 2).astype(np.float32)
    valid = np.all(np.abs(f) <= 1e9, axis=2)
    f = np.where(valid[..., None], f, np.nan).astype(np.float32)
    return f, valid
