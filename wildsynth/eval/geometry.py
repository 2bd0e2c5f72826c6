"""Surface metrics between two meshes or point sets (numpy + scipy.spatial.cKDTree).

- Meshes are compared through ``n`` area-weighted uniform surface samples with their face
  normals (``sample_surface``, seeded).
- ``d(x, Y)`` is the Euclidean distance from x to its nearest point of Y.
- Chamfer-L1 (Occupancy Networks' convention): ``0.5 (mean_p d(p, G) + mean_g d(g, P))``.
- Chamfer-L2: ``mean_p d(p, G)^2 + mean_g d(g, P)^2`` (the sum of squared terms, as the
  point-cloud generation papers use).
- F-score at ``tau = ratio * diag(bbox(G))`` (default ratio 0.01): precision = share of
  P within tau of G, recall = share of G within tau of P, F = 2 P R / (P + R).
- Normal consistency: ``0.5 (mean_p |n_p . n_g(p)| + mean_g |n_g . n_p(g)|)`` with the
  nearest neighbour's normal (orientation-free); ``None`` when either side has no normals.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree


def face_areas_normals(vertices: np.ndarray, faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    v = np.asarray(vertices, np.float64)
    a, b, c = v[faces[:, 0]], v[faces[:, 1]], v[faces[:, 2]]
    cr = np.cross(b - a, c - a)
    norm = np.linalg.norm(cr, axis=1)
    return 0.5 * norm, cr / np.where(norm > 0, norm, 1.0)[:, None]


def sample_surface(vertices: np.ndarray, faces: np.ndarray, n: int, rng: np.random.Generator
                   ) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points uniform over the surface area and their faces' unit normals."""
    area, normal = face_areas_normals(vertices, faces)
    total = area.sum()
    if not total > 0:
        raise ValueError("the mesh has zero surface area")
    f = rng.choice(len(faces), size=n, p=area / total)
    r1, r2 = rng.random(n), rng.random(n)
    s = np.sqrt(r1)
    w0, w1, w2 = 1 - s, s * (1 - r2), s * r2
    v = np.asarray(vertices, np.float64)
    tri = v[faces[f]]
    pts = w0[:, None] * tri[:, 0] + w1[:, None] * tri[:, 1] + w2[:, None] * tri[:, 2]
    return pts, normal[f]


def nearest(a: np.ndarray, b: np.ndarray, tree: cKDTree | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Distance from each point of ``a`` to its nearest point of ``b``, and that point's index."""
    tree = tree or cKDTree(b)
    d, i = tree.query(a, k=1, workers=1)
    return d, i


def chamfer(p: np.ndarray, g: np.ndarray) -> dict[str, float]:
    dp, _ = nearest(p, g)
    dg, _ = nearest(g, p)
    return {"chamfer_l1": float(0.5 * (dp.mean() + dg.mean())),
            "chamfer_l2": float(np.mean(dp * dp) + np.mean(dg * dg))}


def bbox_diagonal(points: np.ndarray) -> float:
    return float(np.linalg.norm(points.max(0) - points.min(0)))


def surface_metrics(pred_pts: np.ndarray, gt_pts: np.ndarray, pred_normals: np.ndarray | None = None,
                    gt_normals: np.ndarray | None = None, fscore_ratio: float = 0.01) -> dict:
    """Chamfer-L1/L2, F-score, precision, recall and normal consistency of two point sets."""
    p = np.asarray(pred_pts, np.float64)
    g = np.asarray(gt_pts, np.float64)
    for name, a in (("prediction", p), ("ground truth", g)):
        if a.ndim != 2 or a.shape[1] != 3 or len(a) == 0:
            raise ValueError(f"{name}: expected a non-empty (N, 3) point array, got {a.shape}")
    dp, ip = nearest(p, g)
    dg, ig = nearest(g, p)
    diag = bbox_diagonal(g)
    tau = fscore_ratio * diag
    prec = float(np.mean(dp <= tau))
    rec = float(np.mean(dg <= tau))
    out = {"pred_points": len(p), "gt_points": len(g), "gt_bbox_diagonal": diag,
           "chamfer_l1": float(0.5 * (dp.mean() + dg.mean())),
           "chamfer_l2": float(np.mean(dp * dp) + np.mean(dg * dg)),
           "fscore_threshold": tau, "fscore_ratio": fscore_ratio, "precision": prec, "recall": rec,
           "fscore": 0.0 if prec + rec == 0 else 2 * prec * rec / (prec + rec), "normal_consistency": None}
    if pred_normals is not None and gt_normals is not None:
        pn = _unit(pred_normals)
        gn = _unit(gt_normals)
        a = np.abs(np.einsum("nc,nc->n", pn, gn[ip])).mean()
        b = np.abs(np.einsum("nc,nc->n", gn, pn[ig])).mean()
        out["normal_consistency"] = float(0.5 * (a + b))
    return out


def _unit(n: np.ndarray) -> np.ndarray:
    n = np.asarray(n, np.float64)
    return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)


def mesh_metrics(pred_v: np.ndarray, pred_f: np.ndarray, gt_v: np.ndarray, gt_f: np.ndarray, n: int = 30000,
                 seed: int = 0, fscore_ratio: float = 0.01) -> dict:
    """``surface_metrics`` on ``n`` area-weighted samples of each mesh (seeded by ``seed``)."""
    from ..core.seeds import SeedTree

    root = SeedTree(seed).child("evaluate")
    pp, pn = sample_surface(pred_v, pred_f, n, root.child("pred").rng())
    gp, gn = sample_surface(gt_v, gt_f, n, root.child("gt").rng())
    out = surface_metrics(pp, gp, pn, gn, fscore_ratio)
    out["samples"] = n
    return out
