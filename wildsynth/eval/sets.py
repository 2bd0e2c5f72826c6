"""Distribution metrics for sets of shapes (Achlioptas et al. 2018; Yang et al. 2019, PointFlow).

Shapes are point sets; the distance between two shapes is their Chamfer distance
(``metric="l2"``: mean squared nearest distances summed over both directions, as
PointFlow reports; ``"l1"``: the Chamfer-L1 of ``eval/geometry.py``). With S_g the
generated and S_r the reference set:

- MMD = mean over r in S_r of min over g in S_g of D(g, r)  (fidelity; lower is better)
- COV = |{argmin_r D(g, r) : g in S_g}| / |S_r|              (coverage; higher is better)
- 1-NNA: every shape of S_g u S_r classified by its nearest other shape's set (leave one
  out); the accuracy, 0.5 when the two sets are samples of one distribution, 1 when they
  are separable (Lopez-Paz & Oquab 2017).
- Nearest training sample (memorisation check): for each generated shape, min over the
  training shapes of D; reported as min / median / mean with the closest pair.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

METRICS = ("l1", "l2")


def _pair(a_tree, a, b_tree, b, metric: str) -> float:
    da, _ = b_tree.query(a, k=1, workers=1)
    db, _ = a_tree.query(b, k=1, workers=1)
    if metric == "l1":
        return float(0.5 * (da.mean() + db.mean()))
    return float(np.mean(da * da) + np.mean(db * db))


def chamfer_matrix(a: list[np.ndarray], b: list[np.ndarray], metric: str = "l2") -> np.ndarray:
    """(len(a), len(b)) Chamfer distances."""
    if metric not in METRICS:
        raise ValueError(f"metric {metric!r}: choose one of {', '.join(METRICS)}")
    ta = [cKDTree(x) for x in a]
    tb = ta if b is a else [cKDTree(x) for x in b]
    m = np.zeros((len(a), len(b)))
    for i in range(len(a)):
        for j in range(len(b)):
            if b is a and j < i:
                m[i, j] = m[j, i]
            elif b is a and j == i:
                m[i, j] = 0.0
            else:
                m[i, j] = _pair(ta[i], a[i], tb[j], b[j], metric)
    return m


def mmd_cov(d_gr: np.ndarray) -> tuple[float, float]:
    """MMD and COV from the (generated, reference) distance matrix."""
    mmd = float(d_gr.min(axis=0).mean())
    cov = float(len(np.unique(d_gr.argmin(axis=1))) / d_gr.shape[1])
    return mmd, cov


def one_nna(d_gg: np.ndarray, d_rr: np.ndarray, d_gr: np.ndarray) -> float:
    """Leave-one-out 1-nearest-neighbour accuracy over S_g u S_r."""
    ng, nr = d_gr.shape
    full = np.block([[d_gg, d_gr], [d_gr.T, d_rr]]).astype(np.float64)
    np.fill_diagonal(full, np.inf)
    label = np.r_[np.zeros(ng, bool), np.ones(nr, bool)]
    return float(np.mean(label[full.argmin(axis=1)] == label))


def nearest_summary(d: np.ndarray) -> dict:
    """Summary of each row's nearest column of a (generated, training) distance matrix."""
    best = d.min(axis=1)
    i = int(best.argmin())
    return {"min": float(best.min()), "median": float(np.median(best)), "mean": float(best.mean()),
            "closest_pair": [i, int(d[i].argmin())]}


def set_metrics(generated: list[np.ndarray], reference: list[np.ndarray], train: list[np.ndarray] | None = None,
                metric: str = "l2") -> dict:
    """MMD, COV, 1-NNA (and the nearest-training-sample distance when ``train`` is given)."""
    if len(generated) < 1 or len(reference) < 1:
        raise ValueError("both sets need at least one shape")
    d_gr = chamfer_matrix(generated, reference, metric)
    d_gg = chamfer_matrix(generated, generated, metric)
    d_rr = chamfer_matrix(reference, reference, metric)
    mmd, cov = mmd_cov(d_gr)
    out = {"distance": f"chamfer_{metric}", "generated": len(generated), "reference": len(reference),
           "mmd": mmd, "cov": cov, "one_nna": one_nna(d_gg, d_rr, d_gr)}
    if train is not None:
        out["nearest_train"] = nearest_summary(chamfer_matrix(generated, train, metric))
        out["nearest_train"]["reference_to_train"] = nearest_summary(chamfer_matrix(reference, train, metric))
    return out
