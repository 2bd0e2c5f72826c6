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

    Pillow (behind imageio) cannot write 16-bit RGB and reads it as 8-bit, so
    the flow PNG is encoded and decoded by the small PNG codec below (zlib +
    the five PNG row filters; non-interlaced files only, which is what libpng
    and OpenCV write). Row unfiltering uses numba.
"""

from __future__ import annotations

import os
import struct
import zlib

import numpy as np
from numba import njit

from .atomic import atomic_path
from .png import read_png, write_png

_PNG_SIG = b"\x89PNG\r\n\x1a\n"


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def write_png16(path: str | os.PathLike, image: np.ndarray) -> None:
    """Write a uint16 (H, W), (H, W, 3) or (H, W, 4) PNG atomically (filter 0, zlib level 6)."""
    img = np.asarray(image)
    if img.dtype != np.uint16:
        raise TypeError(f"write_png16 takes uint16, got {img.dtype}")
    if img.ndim == 2:
        img = img[:, :, None]
    ctype = {1: 0, 3: 2, 4: 6}.get(img.shape[2]) if img.ndim == 3 else None
    if ctype is None:
        raise ValueError(f"PNG image must be (H, W), (H, W, 3) or (H, W, 4), got {image.shape}")
    h, w, nc = img.shape
    rows = np.zeros((h, 1 + w * nc * 2), np.uint8)  # leading 0 = filter type None
    rows[:, 1:] = np.ascontiguousarray(img, ">u2").view(np.uint8).reshape(h, -1)
    ihdr = struct.pack(">IIBBBBB", w, h, 16, ctype, 0, 0, 0)
    data = _PNG_SIG + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + _chunk(b"IEND", b"")
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)


@njit(cache=True)
def _unfilter(raw, h, stride, bpp):
    out = np.zeros((h, stride), np.uint8)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        base = y * (stride + 1) + 1
        for i in range(stride):
            x = np.int32(raw[base + i])
            a = np.int32(out[y, i - bpp]) if i >= bpp else 0
            b = np.int32(out[y - 1, i]) if y > 0 else 0
            c = np.int32(out[y - 1, i - bpp]) if (y > 0 and i >= bpp) else 0
            if ft == 1:
                x += a
            elif ft == 2:
                x += b
            elif ft == 3:
                x += (a + b) // 2
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                x += a if (pa <= pb and pa <= pc) else (b if pb <= pc else c)
            out[y, i] = x & 0xFF
    return out


def read_png16(path: str | os.PathLike) -> np.ndarray:
    """Read a non-interlaced 16-bit grey/RGB/RGBA PNG as uint16 (H, W[, C]), channels in file order."""
    blob = open(path, "rb").read()
    if not blob.startswith(_PNG_SIG):
        raise ValueError(f"{path}: not a PNG file")
    pos, idat, hdr = 8, [], None
    while pos + 8 <= len(blob):
        n, tag = struct.unpack(">I4s", blob[pos:pos + 8])
        data = blob[pos + 8:pos + 8 + n]
        pos += 12 + n
        if tag == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", data)
        elif tag == b"IDAT":
            idat.append(data)
        elif tag == b"IEND":
            break
    if hdr is None:
        raise ValueError(f"{path}: PNG has no IHDR chunk")
    w, h, depth, ctype, _, _, interlace = hdr
    nc = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
    if depth != 16 or nc is None or interlace != 0:
        raise ValueError(f"{path}: expected a non-interlaced 16-bit grey/RGB(A) PNG (bit depth {depth}, colour type {ctype}, interlace {interlace})")
    try:
        raw = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8)
    except zlib.error as e:
        raise ValueError(f"{path}: corrupt PNG data ({e})") from None
    stride = w * nc * 2
    if raw.size != h * (stride + 1):
        raise ValueError(f"{path}: PNG data has {raw.size} bytes, expected {h * (stride + 1)}")
    rows = _unfilter(raw, h, stride, nc * 2)
    img = rows.view(">u2").reshape(h, w, nc).astype(np.uint16)
    return img[:, :, 0] if nc == 1 else img

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
