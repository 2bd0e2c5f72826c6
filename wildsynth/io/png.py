"""PNG images: 8-bit previews, 16-bit ids and encoded ground truth."""

from __future__ import annotations

import os

import imageio.v3 as iio
import numpy as np

from .atomic import atomic_path


def write_png(path: str | os.PathLike, image: np.ndarray) -> None:
    """Write a uint8 or uint16 image (H, W), (H, W, 3) or (H, W, 4) losslessly, atomically."""
    image = np.asarray(image)
    if image.dtype not in (np.uint8, np.uint16):
        raise TypeError(f"PNG holds uint8 or uint16, got {image.dtype}")
    if image.ndim == 3 and image.shape[2] not in (3, 4) or image.ndim not in (2, 3):
        raise ValueError(f"PNG image must be (H, W), (H, W, 3) or (H, W, 4), got {image.shape}")
    with atomic_path(path) as tmp:
        iio.imwrite(tmp, np.ascontiguousarray(image), extension=".png")


def read_png(path: str | os.PathLike) -> np.ndarray:
    """Read a PNG with its stored bit depth (uint8 or uint16)."""
    return np.asarray(iio.imread(path, extension=".png"))


def to_srgb8(linear: np.ndarray) -> np.ndarray:
    """Linear float RGB -> 8-bit sRGB (clipped, IEC 61966-2-1 transfer curve)."""
    x = np.clip(np.nan_to_num(linear, nan=0.0, posinf=1.0), 0.0, 1.0)
    srgb = np.where(x <= 0.0031308, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)
    return (srgb * 255.0 + 0.5).astype(np.uint8)
