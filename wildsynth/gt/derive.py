"""Ground-truth products derived from raw passes and cameras (numpy only)."""

from __future__ import annotations

import numpy as np

from ..core.camera import Camera


def normals_to_camera(normal_world: np.ndarray, camera: Camera) -> np.ndarray:
    """World-axes unit normals -> OpenCV camera axes (x right, y down, z forward).

    Zero vectors (sky) stay zero; others are renormalised to unit length.
    """
    r = camera.cam_to_world[:3, :3]
    n = (normal_world.astype(np.float64) @ r).astype(np.float32)  # R^T n for row vectors
    length = np.linalg.norm(n, axis=-1, keepdims=True)
    return np.where(length > 0, n / np.maximum(length, 1e-12), 0.0).astype(np.float32)


def semantic_from_instance(instance: np.ndarray, id_to_class: np.ndarray) -> np.ndarray:
    """Class ids per pixel from instance ids via the scene's lookup table (0 = sky)."""
    if instance.size and instance.max() >= len(id_to_class):
        raise ValueError(f"instance id {int(instance.max())} is not in the object table")
    return id_to_class[instance].astype(np.uint16)


def depth_to_distance(depth: np.ndarray, camera: Camera) -> np.ndarray:
    """Ray distance from z-depth: dist = z * |K^-1 (u, v, 1)|."""
    h, w = depth.shape
    uu, vv = np.meshgrid(np.arange(w) + 0.5, np.arange(h) + 0.5)
    x = (uu - camera.K[0, 2]) / camera.K[0, 0]
    y = (vv - camera.K[1, 2]) / camera.K[1, 1]
    return (depth * np.sqrt(x * x + y * y + 1.0)).astype(np.float32)
