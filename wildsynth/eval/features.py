"""KID and Fréchet distance on feature arrays the caller provides (numpy + scipy).

wildsynth ships no Inception network (no weights can be downloaded), so these are
"KID" and "FD" — the Fréchet distance on *given* features — and never FID: the
numbers are only comparable between runs that use the same feature extractor.

- FD (Fréchet / 2-Wasserstein distance of Gaussians fitted to each set; Heusel et al.
  2017): ``|mu_a - mu_b|^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))`` with unbiased
  (N - 1) covariances; the matrix square root by ``scipy.linalg.sqrtm``, its real part.
- KID (Bińkowski et al. 2018): the unbiased MMD^2 with the cubic polynomial kernel
  ``k(x, y) = (x.y / d + 1)^3``, averaged over ``subsets`` random subsets of
  ``subset_size`` rows of each set (seeded); the mean and standard deviation over subsets.
- Nearest training sample: Euclidean distance from each generated feature to its nearest
  training feature (cKDTree).
"""

from __future__ import annotations

import numpy as np
from scipy import linalg
from scipy.spatial import cKDTree


def _features(x: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(x, np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"{name}: expected an (N, D) feature array with N >= 2, got {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name}: features hold non-finite values")
    return x


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    a, b = _features(a, "first set"), _features(b, "second set")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"feature sizes differ: {a.shape[1]} and {b.shape[1]}")
    return frechet_from_moments(a.mean(0), np.atleast_2d(np.cov(a, rowvar=False)),
                                b.mean(0), np.atleast_2d(np.cov(b, rowvar=False)))


def frechet_from_moments(mu_a, cov_a, mu_b, cov_b) -> float:
    mu_a, mu_b = np.asarray(mu_a, np.float64), np.asarray(mu_b, np.float64)
    cov_a, cov_b = np.asarray(cov_a, np.float64), np.asarray(cov_b, np.float64)
    root = linalg.sqrtm(cov_a @ cov_b)
    if not np.isfinite(root).all():  # singular product: regularise as the reference FID code does
        eps = 1e-6 * np.eye(len(cov_a))
        root = linalg.sqrtm((cov_a + eps) @ (cov_b + eps))
    d = mu_a - mu_b
    return float(d @ d + np.trace(cov_a) + np.trace(cov_b) - 2.0 * np.trace(np.real(root)))


def _mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    d = x.shape[1]
    kxx = (x @ x.T / d + 1) ** 3
    kyy = (y @ y.T / d + 1) ** 3
    kxy = (x @ y.T / d + 1) ** 3
    m, n = len(x), len(y)
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                 - 2.0 * kxy.mean())


def kid(a: np.ndarray, b: np.ndarray, subsets: int = 100, subset_size: int = 1000, seed: int = 0) -> dict:
    a, b = _features(a, "first set"), _features(b, "second set")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"feature sizes differ: {a.shape[1]} and {b.shape[1]}")
    from ..core.seeds import SeedTree

    rng = SeedTree(seed).child("evaluate").child("kid").rng()
    m = min(subset_size, len(a), len(b))
    vals = np.array([_mmd2_unbiased(a[rng.choice(len(a), m, replace=False)], b[rng.choice(len(b), m, replace=False)])
                     for _ in range(subsets)])
    return {"kid": float(vals.mean()), "kid_std": float(vals.std()), "subsets": subsets, "subset_size": m}


def nearest_train(generated: np.ndarray, train: np.ndarray) -> dict:
    g, t = _features(generated, "generated"), _features(train, "train")
    d, j = cKDTree(t).query(g, k=1, workers=1)
    i = int(d.argmin())
    return {"min": float(d.min()), "median": float(np.median(d)), "mean": float(d.mean()),
            "closest_pair": [i, int(j[i])]}


def feature_metrics(generated: np.ndarray, reference: np.ndarray, train: np.ndarray | None = None,
                    subsets: int = 100, subset_size: int = 1000, seed: int = 0) -> dict:
    out = {"generated": int(len(generated)), "reference": int(len(reference)),
           "fd": frechet_distance(generated, reference), **kid(generated, reference, subsets, subset_size, seed)}
    if train is not None:
        out["nearest_train"] = nearest_train(generated, train)
        out["nearest_train"]["reference_to_train"] = nearest_train(reference, train)
    return out
