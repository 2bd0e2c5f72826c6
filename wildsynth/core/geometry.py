"""Geometry helpers every stage shares (one copy each)."""

from __future__ import annotations

import numpy as np


def face_normals(vertices: np.ndarray, faces: np.ndarray, unit: bool = True) -> np.ndarray:
    """Geometric normals per face (F, 3) float64, area-weighted (twice the area) unless ``unit``."""
    v = np.asarray(vertices, dtype=np.float64)
    a, b, c = v[faces[:, 0]], v[faces[:, 1]], v[faces[:, 2]]
    n = np.cross(b - a, c - a)
    return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-30) if unit else n


def vertex_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted unit vertex normals (V, 3) float64 (bincount: fast for millions of faces)."""
    v = np.asarray(vertices, dtype=np.float64)
    fn = face_normals(v, faces, unit=False)
    out = np.zeros_like(v)
    for k in range(3):
        for d in range(3):
            out[:, d] += np.bincount(faces[:, k], fn[:, d], minlength=len(v))
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-30)


def height_normal(height, x, y, eps: float = 0.05) -> np.ndarray:
    """Unit normals (..., 3) of the surface z = ``height(x, y)`` by central differences ``eps`` apart."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    dx = (height(x + eps, y) - height(x - eps, y)) / (2 * eps)
    dy = (height(x, y + eps) - height(x, y - eps)) / (2 * eps)
    n = np.stack([-dx, -dy, np.ones_like(dx)], -1)
    return n / np.linalg.norm(n, axis=-1, keepdims=True)
