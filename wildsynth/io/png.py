"""PNG images: 8-bit previews, 16-bit ids and encoded ground truth.

8-bit images go through imageio; 16-bit ones through pypng, because Pillow
(behind imageio) cannot write 16-bit RGB and reads it back as 8-bit.
"""

from __future__ import annotations

import os

import imageio.v3 as iio
import numpy as np
import png

from .atomic import atomic_path


def write_png(path: str | os.PathLike, image: np.ndarray) -> None:
    """Write a uint8 or uint16 image (H, W), (H, W, 3) or (H, W, 4) losslessly, atomically."""
    image = np.asarray(image)
    if image.dtype not in (np.uint8, np.uint16):
        raise TypeError(f"PNG holds uint8 or uint16, got {image.dtype}")
    if image.ndim == 3 and image.shape[2] not in (3, 4) or image.ndim not in (2, 3):
        raise ValueError(f"PNG image must be (H, W), (H, W, 3) or (H, W, 4), got {image.shape}")
    with atomic_path(path) as tmp:
        if image.dtype == np.uint8:
            iio.imwrite(tmp, np.ascontiguousarray(image), extension=".png")
            return
        h, w = image.shape[:2]
        c = 1 if image.ndim == 2 else image.shape[2]
        writer = png.Writer(w, h, greyscale=c == 1, alpha=c == 4, bitdepth=16, compression=6)
        with open(tmp, "wb") as f:
            writer.write_array(f, np.ascontiguousarray(image).ravel())


def read_png(path: str | os.PathLike) -> np.ndarray:
    """Read a PNG with its stored bit depth: uint8, or uint16 for 16-bit files."""
    w, h, rows, info = png.Reader(filename=str(path)).asDirect()
    if info["bitdepth"] != 16:
        return np.asarray(iio.imread(path, extension=".png"))
    c = info["planes"]
    a = np.vstack([np.asarray(r, dtype=np.uint16) for r in rows]).reshape(h, w, c)
    return a[..., 0] if c == 1 else a


def to_srgb8(linear: np.ndarray) -> np.ndarray:
    """Linear float RGB -> 8-bit sRGB (clipped, IEC 61966-2-1 transfer curve)."""
    x = np.clip(np.nan_to_num(linear, nan=0.0, posinf=1.0), 0.0, 1.0)
    srgb = np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)
    return (srgb * 255.0 + 0.5).astype(np.uint8)
