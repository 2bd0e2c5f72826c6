"""KITTI 2012/2015 ground-truth PNGs: disparity and optical flow.

Disparity PNG
    Single-channel uint16. ``disparity = value / 256``; ``value == 0`` means
    invalid. Representable disparities are therefore 1/256 .. 255.996 px; a valid
    disparity of exactly 0 (a point at infinity, e.g. sky) cannot be stored and
    is written as invalid -- keep a PFM or .npy beside it if you need it.

Flow PNG
    Three-channel uint16 with, *in the file's R, G, B order*, the channels
    (u, v, valid): ``u = (R - 32768) / 64``, ``v = (G - 32768) / 64``,
    ``valid = B > 0``. The KITTI devkit reads it with png++ (RGB order).
    OpenCV's ``cv2.imread(p, cv2.IMREAD_UNCHANGED)`` returns channels as BGR,
    i.e. ``(valid, v, u)``; code that uses OpenCV must reverse the channel axis
    (``img[..., ::-1]``) before taking u, v, valid -- which is exactly what the
    common loaders (RAFT, torchvision's Kitti2015) do. This module works in the
    file's RGB order, so no reversal happens here.

    16-bit PNGs go through ``io.png`` (compiled libpng via imagecodecs), which
    reads and writes them losslessly, big-endian as PNG requires, channels in
    file order; files written by the earlier pypng writer read back unchanged.
"""

from __future__ import annotations

import os

import numpy as np

from .png import read_png, write_png

# Kept as names here for callers of this module; the codec lives in io/png.py.
write_png16 = write_png
read_png16 = read_png

DISP_SCALE = 256.0
FLOW_SCALE = 64.0
FLOW_OFFSET = 32768.0


def encode_disparity_kitti(disparity: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Disparity (H, W) in pixels -> uint16 KITTI encoding (0 = invalid).

    Pixels that are non-finite, <= 0, or outside ``valid`` are stored as 0.
    Values are rounded to the nearest 1/256 px and clipped to 65535/256.
    """
    d = np.asarray(disparity, dtype=np.float64)
    if d.ndim != 2:
        raise ValueError(f"disparity must be (H, W), got shape {d.shape}")
    ok = np.isfinite(d) & (d > 0)
    if valid is not None:
        ok &= np.asarray(valid, dtype=bool)
    v = np.rint(np.where(ok, d, 0.0) * DISP_SCALE)
    v = np.clip(v, 1, 65535)  # a tiny valid disparity must not become 0 (= invalid)
    return np.where(ok, v, 0).astype(np.uint16)


def write_disparity_kitti(path: str | os.PathLike, disparity: np.ndarray, valid: np.ndarray | None = None) -> None:
    """Write a KITTI disparity PNG atomically (see module doc)."""
    write_png(path, encode_disparity_kitti(disparity, valid))


def read_disparity_kitti(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Read a KITTI disparity PNG -> (disparity float32 with 0 where invalid, valid bool)."""
    raw = read_png(path)
    if raw.dtype != np.uint16 or raw.ndim != 2:
        raise ValueError(f"{path}: KITTI disparity must be a 1-channel uint16 PNG, got {raw.dtype} {raw.shape}")
    valid = raw > 0
    return (raw.astype(np.float32) / np.float32(DISP_SCALE)), valid


def encode_flow_kitti(flow: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Flow (H, W, 2) as (u, v) pixels -> uint16 (H, W, 3) holding (u, v, valid) in RGB order."""
    f = np.asarray(flow, dtype=np.float64)
    if f.ndim != 3 or f.shape[2] != 2:
        raise ValueError(f"flow must be (H, W, 2), got shape {f.shape}")
    ok = np.all(np.isfinite(f), axis=2)
    if valid is not None:
        ok &= np.asarray(valid, dtype=bool)
    enc = np.clip(np.rint(np.where(ok[..., None], f, 0.0) * FLOW_SCALE + FLOW_OFFSET), 0, 65535)
    out = np.zeros(f.shape[:2] + (3,), np.uint16)
    out[..., :2] = np.where(ok[..., None], enc, 0)
    out[..., 2] = ok
    return out


def write_flow_kitti(path: str | os.PathLike, flow: np.ndarray, valid: np.ndarray | None = None) -> None:
    """Write a KITTI flow PNG atomically; file channels R, G, B = (u, v, valid)."""
    write_png16(path, encode_flow_kitti(flow, valid))


def read_flow_kitti(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Read a KITTI flow PNG -> (flow float32 (H, W, 2), valid bool (H, W))."""
    raw = read_png16(path)
    if raw.ndim != 3 or raw.shape[2] < 3:
        raise ValueError(f"{path}: KITTI flow must be a 3-channel uint16 PNG, got {raw.dtype} {raw.shape}")
    valid = raw[..., 2] > 0
    flow = (raw[..., :2].astype(np.float32) - np.float32(FLOW_OFFSET)) / np.float32(FLOW_SCALE)
    flow[~valid] = 0.0
    return flow, valid
