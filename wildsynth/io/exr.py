"""OpenEXR float32 images (lossless), via the OpenEXR package.

Channel naming (documented in the README): depth is ``Z``; three-component
images (colour, normals, vectors) are ``R,G,B``; anything else keeps the name
it is given. Rows are stored top-first, as in every other image here.
"""

from __future__ import annotations

import os

import numpy as np
import OpenEXR

from .atomic import atomic_path


def write_exr(path: str | os.PathLike, channels: dict[str, np.ndarray] | np.ndarray, *, name: str = "Z") -> None:
    """Write float32 channels to ``path`` atomically (ZIP compression).

    ``channels`` maps a name to an (H, W) array, or to an (H, W, 3) array that is
    written as ``<name>.R/G/B`` (or plain ``R,G,B`` when the name is ``"RGB"``).
    A bare array is written under ``name``: (H, W) as one channel, (H, W, 3) as RGB.
    """
    if isinstance(channels, np.ndarray):
        arr = channels
        channels = {("RGB" if arr.ndim == 3 else name): arr}
    out: dict[str, np.ndarray] = {}
    shape = None
    for key, arr in channels.items():
        arr = np.ascontiguousarray(arr, dtype=np.float32)
        if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (3, 4)):
            raise ValueError(f"EXR channel {key!r}: expected (H, W) or (H, W, 3|4), got {arr.shape}")
        if shape is None:
            shape = arr.shape[:2]
        elif arr.shape[:2] != shape:
            raise ValueError(f"EXR channel {key!r}: size {arr.shape[:2]} differs from {shape}")
        out[key] = arr
    header = {"compression": OpenEXR.ZIP_COMPRESSION, "type": OpenEXR.scanlineimage}
    with atomic_path(path) as tmp:
        OpenEXR.File(header, out).write(str(tmp))


def read_exr(path: str | os.PathLike, separate: bool = False) -> dict[str, np.ndarray]:
    """Read every channel of an EXR as float32 arrays.

    By default OpenEXR's groups (``R,G,B`` -> ``RGB``, ``X,Y,Z`` -> ``XYZ``) come
    back as (H, W, C) arrays under the group name and single channels as (H, W);
    with ``separate`` every channel is its own (H, W) array.
    """
    f = OpenEXR.File(str(path), separate_channels=separate)
    return {k: np.asarray(v.pixels, dtype=np.float32) for k, v in f.channels().items()}


def read_exr_image(path: str | os.PathLike) -> np.ndarray:
    """Read an EXR holding one image (one channel or one RGB group) as an array."""
    chans = read_exr(path)
    if len(chans) != 1:
        raise ValueError(f"{path}: expected one channel group, found {sorted(chans)}")
    return next(iter(chans.values()))
