"""Points on triangle meshes: the closest triangle of a mesh and the barycentric coordinates there.

Used to carry a surface point seen on a deforming mesh at one time to the same material
point at another time (``core.motion.Deforming``): a hit point lies on the mesh, so its
closest triangle and barycentric coordinates are exact to float precision.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree


def closest_barycentric(p: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Barycentric coordinates (N, 3) of the point of each triangle (a, b, c), each (N, 3), closest to
    ``p`` (N, 3): Ericson's Voronoi regions (vertex, edge or face), so they are all >= 0 and sum to 1."""
    ab, ac, ap = b - a, c - a, p - a
    d1, d2 = (ab * ap).sum(-1), (ac * ap).sum(-1)
    bp = p - b
    d3, d4 = (ab * bp).sum(-1), (ac * bp).sum(-1)
    cp = p - c
    d5, d6 = (ab * cp).sum(-1), (ac * cp).sum(-1)
    va, vb, vc = d3 * d6 - d5 * d4, d5 * d2 - d1 * d6, d1 * d4 - d3 * d2
    s = va + vb + vc
    s = np.where(np.abs(s) < 1e-300, 1e-300, s)
    v, w = vb / s, vc / s  # inside the face
    bary = np.stack([1.0 - v - w, v, w], -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = (vc <= 0) & (d1 >= 0) & (d3 <= 0)  # edge ab
        x = d1[m] / (d1[m] - d3[m])
        bary[m] = np.stack([1 - x, x, 0 * x], -1)
        m = (vb <= 0) & (d2 >= 0) & (d6 <= 0)  # edge ac
        x = d2[m] / (d2[m] - d6[m])
        bary[m] = np.stack([1 - x, 0 * x, x], -1)
        m = (va <= 0) & ((d4 - d3) >= 0) & ((d5 - d6) >= 0)  # edge bc
        x = (d4[m] - d3[m]) / ((d4[m] - d3[m]) + (d5[m] - d6[m]))
        bary[m] = np.stack([0 * x, 1 - x, x], -1)
    for m, k in (((d1 <= 0) & (d2 <= 0), 0), ((d3 >= 0) & (d4 <= d3), 1), ((d6 >= 0) & (d5 <= d6), 2)):
        bary[m] = np.eye(3)[k]
    return np.nan_to_num(bary)


def locate(points: np.ndarray, vertices: np.ndarray, faces: np.ndarray, k: int = 16) -> tuple[np.ndarray, ...]:
    """For each point (N, 3): the index of its closest triangle of the mesh, the barycentric
    coordinates (N, 3) of the closest point there, and the distance (N,).

    Exact, not a heuristic: candidates are the triangles with the ``k`` nearest centroids; a
    point whose best candidate distance ``d`` plus the largest centroid-to-corner distance ``R``
    of the mesh reaches beyond its k-th centroid may have a closer triangle outside the set, so
    it is searched again with more candidates (up to every triangle)."""
    v = np.asarray(vertices, dtype=np.float64)
    p = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    f = np.asarray(faces, dtype=np.int64)
    n = len(p)
    tri_out = np.zeros(n, np.int64)
    bary_out = np.zeros((n, 3))
    dist_out = np.full(n, np.inf)
    if n == 0 or len(f) == 0:
        return tri_out, bary_out, dist_out
    corners = v[f]  # (F, 3, 3)
    cent = corners.mean(1)
    reach = float(np.linalg.norm(corners - cent[:, None], axis=-1).max())
    tree = cKDTree(cent)
    todo = np.arange(n)
    kk = min(k, len(f))
    while len(todo):
        dc, cand = tree.query(p[todo], kk)
        dc, cand = dc.reshape(len(todo), kk), cand.reshape(len(todo), kk)
        q = np.repeat(p[todo], kk, 0)
        c = corners[cand.ravel()]
        bary = closest_barycentric(q, c[:, 0], c[:, 1], c[:, 2])
        d = np.linalg.norm(np.einsum("nk,nkd->nd", bary, c) - q, axis=1).reshape(len(todo), kk)
        best = d.argmin(1)
        rows = np.arange(len(todo))
        tri_out[todo] = cand[rows, best]
        bary_out[todo] = bary.reshape(len(todo), kk, 3)[rows, best]
        dist_out[todo] = d[rows, best]
        sure = (kk >= len(f)) | (dc[:, -1] > d[rows, best] + reach)
        todo = todo[~sure]
        kk = min(kk * 4, len(f))
    return tri_out, bary_out, dist_out
