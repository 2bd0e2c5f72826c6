"""Test helpers: exact point-to-triangle distances against a scene's own triangles."""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from wildsynth.core.surface import closest_barycentric


def scene_triangles_with_ids(scene, ids=None) -> tuple[np.ndarray, np.ndarray]:
    """World triangles (F, 3, 3) and the instance id owning each (only those of ``ids`` if given)."""
    tris, own = [], []
    for o in scene.objects:
        if o.is_instanced:
            sel = np.arange(len(o.geometry.ids)) if ids is None else np.flatnonzero(np.isin(o.geometry.ids, ids))
            m = o.geometry.mesh
            base = m.vertices.astype(np.float64)[m.faces]
            for t, i in zip(o.geometry.transforms[sel].astype(np.float64), o.geometry.ids[sel]):
                tris.append(base @ t[:3, :3].T + t[:3, 3])
                own.append(np.full(len(base), i, dtype=np.uint32))
        elif ids is None or o.instance_id in ids:
            m = o.geometry
            tris.append(m.vertices.astype(np.float64)[m.faces])
            own.append(np.full(len(m.faces), o.instance_id, dtype=np.uint32))
    return np.concatenate(tris), np.concatenate(own)


def closest_on_triangles(p: np.ndarray, tri: np.ndarray) -> np.ndarray:
    """Closest points on triangles tri (N, 3, 3) to points p (N, 3) (``core.surface.closest_barycentric``)."""
    bary = closest_barycentric(p, tri[:, 0], tri[:, 1], tri[:, 2])
    return np.einsum("nk,nkj->nj", bary, tri)


def nearest_triangle(points: np.ndarray, tris: np.ndarray, k: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Distance to, and index of, the nearest triangle for each point.

    Candidates are the ``k`` nearest centroids within each size class of triangles (radius
    bins a factor of 2 apart): with one class for all, a big ground triangle under dense
    small grass blades never made the candidate list, whose centroids were all nearer."""
    centroids = tris.mean(axis=1)
    radius = np.linalg.norm(tris - centroids[:, None], axis=2).max(axis=1)
    size_class = np.floor(np.log2(np.maximum(radius, 1e-6))).astype(int)
    best_d = np.full(len(points), np.inf)
    best_i = np.zeros(len(points), dtype=np.int64)
    for c in np.unique(size_class):
        members = np.nonzero(size_class == c)[0]
        _, cand = cKDTree(centroids[members]).query(points, k=min(k, len(members)))
        cand = members[np.atleast_2d(cand.reshape(len(points), -1))]
        n, kk = cand.shape
        q = closest_on_triangles(np.repeat(points, kk, 0), tris[cand.ravel()])
        d = np.linalg.norm(q - np.repeat(points, kk, 0), axis=1).reshape(n, kk)
        j = np.argmin(d, axis=1)
        dj = d[np.arange(n), j]
        better = dj < best_d
        best_d[better], best_i[better] = dj[better], cand[np.arange(n), j][better]
    return best_d, best_i


def refine_misses(points: np.ndarray, tris: np.ndarray, dist: np.ndarray, idx: np.ndarray, tol,
                  chunk: int = 200_000) -> tuple[np.ndarray, np.ndarray]:
    """``nearest_triangle``'s answer made exact for the points farther than ``tol`` (scalar or per point):
    those are searched against every triangle (long thin triangles, kelp stipes, can hide from the
    centroid candidates)."""
    dist, idx = dist.copy(), idx.copy()
    tol = np.broadcast_to(np.asarray(tol, dtype=np.float64), dist.shape)
    for i in np.flatnonzero(dist > tol):
        for s in range(0, len(tris), chunk):
            t = tris[s:s + chunk]
            q = closest_on_triangles(np.repeat(points[i][None], len(t), 0), t)
            d = np.linalg.norm(q - points[i], axis=1)
            j = int(d.argmin())
            if d[j] < dist[i]:
                dist[i], idx[i] = d[j], s + j
    return dist, idx


def render_still(scene, camera, size: tuple[int, int]):
    """RGB (2 samples, no denoising, every pixel sampled alike) and the ground-truth passes of one view at
    ``size``: what the scene tests check the exact ground truth on."""
    from wildsynth.render.cycles import CyclesRenderer
    from wildsynth.render.settings import RenderSettings

    settings = RenderSettings(width=size[0], height=size[1], samples=2, denoise=False, adaptive_min_samples=0)
    with CyclesRenderer(scene, settings, seed=0) as r:
        return r.render_rgb(camera), r.render_gt(camera)
