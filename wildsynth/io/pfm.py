"""PFM (portable float map): disparity and depth maps as float32.

Layout (see FORMATS.md): a header of three whitespace-separated fields --
``PF`` (3 channels) or ``Pf`` (1 channel), then ``W H``, then a scale whose
sign gives the byte order (negative = little-endian) -- each ending in a
newline, followed by raw float32 samples with the rows stored bottom to top.

Arrays here are always top row first, as everywhere else in wildsynth; the flip
happens inside the writer and the reader. The writer always writes
little-endian (scale ``-1.0``); the reader accepts both byte orders.
"""

from __future__ import annotations

import os

import numpy as np

from .atomic import atomic_path


def write_pfm(path: str | os.PathLike, data: np.ndarray, scale: float = 1.0) -> None:
    """Write an (H, W) or (H, W, 3) float array as PFM, atomically (little-endian)."""
    arr = np.asarray(data)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim == 2:
        tag = b"Pf"
    elif arr.ndim == 3 and arr.shape[2] == 3:
        tag = b"PF"
    else:
        raise ValueError(f"PFM holds (H, W) or (H, W, 3) arrays, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"PFM holds real numbers, got dtype {arr.dtype}")
    if not scale > 0:
        raise ValueError(f"PFM scale must be positive (the sign encodes byte order), got {scale}")
    h, w = arr.shape[:2]
    body = np.ascontiguousarray(arr[::-1], dtype="<f4")  # bottom row first
    header = b"%s\n%d %d\n%s\n" % (tag, w, h, repr(-float(scale)).encode())
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(header)
            f.write(body.tobytes())


def _read_token(f) -> bytes:
    """Next whitespace-separated header token (skips '#' comment lines)."""
    tok = b""
    while True:
        c = f.read(1)
        if not c:
            if tok:
                return tok
            raise ValueError("PFM header ended early")
        if c == b"#" and not tok:
            f.readline()
            continue
        if c.isspace():
            if tok:
                return tok
            continue
        tok += c


def read_pfm_with_scale(path: str | os.PathLike) -> tuple[np.ndarray, float]:
    """Read a PFM; return (float32 array, top row first) and the absolute scale."""
    with open(path, "rb") as f:
        tag = _read_token(f)
        if tag == b"PF":
            channels = 3
        elif tag == b"Pf":
            channels = 1
        else:
            raise ValueError(f"{path}: not a PFM file (header tag {tag[:8]!r}, expected 'PF' or 'Pf')")
        try:
            w, h = int(_read_token(f)), int(_read_token(f))
            scale = float(_read_token(f))  # the single whitespace after it was consumed
        except ValueError as e:
            raise ValueError(f"{path}: bad PFM header ({e})") from None
        if w <= 0 or h <= 0 or scale == 0:
            raise ValueError(f"{path}: bad PFM header (size {w}x{h}, scale {scale})")
        dtype = "<f4" if scale < 0 else ">f4"
        n = w * h * channels
        raw = f.read(n * 4)
    if len(raw) != n * 4:
        raise ValueError(f"{path}: PFM data truncated ({len(raw)} of {n * 4} bytes)")
    arr = np.frombuffer(raw, dtype=dtype).astype(np.float32)
    shape = (h, w) if channels == 1 else (h, w, 3)
    return np.ascontiguousarray(arr.reshape(shape)[::-1]), abs(scale)


def read_pfm(path: str | os.PathLike) -> np.ndarray:
    """Read a PFM as float32, (H, W) or (H, W, 3), top row first."""
    return read_pfm_with_scale(path)[0]
