"""Point tracks as TAP-Vid / PointOdyssey ``anno.npz`` (numpy's npz, uncompressed), with its reader.

Keys (T frames, N points): ``trajs_2d`` (T, N, 2) float32 pixels, ``trajs_3d``
(T, N, 3) float32 world metres, ``visibs`` (T, N) bool, ``valids`` (T, N) bool,
``intrinsics`` (T, 3, 3) float32, ``extrinsics`` (T, 4, 4) float32
world-to-camera (OpenCV axes), and wildsynth's own ``instance_ids`` (N,)
uint32, ``times`` (T,) float64 seconds, ``frames`` (T,) int32. Conventions:
docs/ground_truth.md (*Point tracks*).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .atomic import atomic_path

KEYS = ("trajs_2d", "trajs_3d", "visibs", "valids", "intrinsics", "extrinsics", "instance_ids", "times", "frames")


def write_anno(path: str | os.PathLike, tracks) -> None:
    """Write a ``gt.tracks.PointTracks`` (or anything with the ``KEYS`` attributes) atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, **{k: np.asarray(getattr(tracks, k)) for k in KEYS})


def read_anno(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The arrays of an ``anno.npz`` by key."""
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}
