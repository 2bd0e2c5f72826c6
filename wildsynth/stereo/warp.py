"""Forward warping of the left image into the right view with occlusion ordering.

A left pixel at column x with disparity d lands at x' = x - d in the right view
(same row; rectified rig, right camera displaced along +x). It is splatted to
the two nearest target columns floor(x') and floor(x') + 1 with linear weights
(1 - frac, frac); for a pixel footprint these weights are exactly the fraction
of each target pixel it covers.

Collisions (z-buffer with tolerance): per target pixel, contributions whose
disparity is within ``tol`` of the largest disparity landing there form the
*front* layer (the nearer surface wins and is averaged with its own weights);
the next layer behind it is kept too, so that a target pixel only partly covered
by the front surface (its weight < 1, i.e. an anti-aliased edge) is composited
over what lies behind it.

Per target pixel: coverage = a + (1 - a) * min(back weight, 1) with
a = min(front weight, 1). A *hole* (disocclusion or the strip the left camera
never saw) is a target pixel with coverage < 0.5: the pixel-centre rule. A
left pixel is *occluded* (not visible in the right view) when its dominant
target pixel is outside the image or owned by a nearer surface.

Runs row by row in numba, O(H * W); no per-pixel Python.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_EPS = 1e-6
HOLE_COVERAGE = 0.5


@njit(cache=True)
def _warp_kernel(img, disp, tol, out, cover, dright, occ):
    h, w, nc = img.shape
    maxd = np.empty(w, np.float64)
    d2 = np.empty(w, np.float64)
    fw = np.empty(w, np.float64)
    bw = np.empty(w, np.float64)
    fc = np.empty((w, nc), np.float64)
    bc = np.empty((w, nc), np.float64)
    for y in range(h):
        maxd[:] = -np.inf
        d2[:] = -np.inf
        fw[:] = 0.0
        bw[:] = 0.0
        fc[:, :] = 0.0
        bc[:, :] = 0.0
        # pass 1: the nearest surface (largest disparity) per target column
        for x in range(w):
            d = np.float64(disp[y, x])
            xt = x - d
            t0 = np.int64(np.floor(xt))
            f = xt - t0
            if 0 <= t0 < w and 1.0 - f > _EPS and d > maxd[t0]:
                maxd[t0] = d
            t1 = t0 + 1
            if 0 <= t1 < w and f > _EPS and d > maxd[t1]:
                maxd[t1] = d
        # pass 2: accumulate the front layer; find the next layer's depth
        for x in range(w):
            d = np.float64(disp[y, x])
            xt = x - d
            t0 = np.int64(np.floor(xt))
            f = xt - t0
            for k in range(2):
                t = t0 + k
                wt = f if k == 1 else 1.0 - f
                if t < 0 or t >= w or wt <= _EPS:
                    continue
                if d >= maxd[t] - tol:
                    fw[t] += wt
                    for c in range(nc):
                        fc[t, c] += wt * img[y, x, c]
                elif d > d2[t]:
                    d2[t] = d
        # pass 3: accumulate the layer right behind the front one
        for x in range(w):
            d = np.float64(disp[y, x])
            xt = x - d
            t0 = np.int64(np.floor(xt))
            f = xt - t0
            for k in range(2):
                t = t0 + k
                wt = f if k == 1 else 1.0 - f
                if t < 0 or t >= w or wt <= _EPS:
                    continue
                if d < maxd[t] - tol and d >= d2[t] - tol:
                    bw[t] += wt
                    for c in range(nc):
                        bc[t, c] += wt * img[y, x, c]
            # visibility of the left pixel: its dominant target column
            td = np.int64(np.floor(xt + 0.5))
            occ[y, x] = not (0 <= td < w and d >= maxd[td] - tol)
        # composite front over back
        for t in range(w):
            if fw[t] <= 0.0:
                cover[y, t] = 0.0
                dright[y, t] = 0.0
                for c in range(nc):
                    out[y, t, c] = 0.0
                continue
            a = min(fw[t], 1.0)
            cv = a
            for c in range(nc):
                out[y, t, c] = fc[t, c] / fw[t]
            if a < 1.0 and bw[t] > 0.0:
                for c in range(nc):
                    out[y, t, c] = a * out[y, t, c] + (1.0 - a) * bc[t, c] / bw[t]
                cv = a + (1.0 - a) * min(bw[t], 1.0)
            cover[y, t] = cv
            dright[y, t] = maxd[t]


def forward_warp(image: np.ndarray, disparity: np.ndarray, tol: float = 1.0):
    """Warp ``image`` (H, W, C) float32 by ``disparity`` (H, W) into the right view.

    Returns (right (H, W, C) float32 -- holes hold the partial front colour, see
    ``coverage``; coverage (H, W) float32 in [0, 1]; holes (H, W) bool;
    right-view disparity (H, W) float32, 0 in holes; occluded (H, W) bool in
    the left view).
    """
    img = np.ascontiguousarray(image, np.float32)
    disp = np.ascontiguousarray(disparity, np.float32)
    h, w, nc = img.shape
    out = np.empty((h, w, nc), np.float32)
    cover = np.empty((h, w), np.float32)
    dright = np.empty((h, w), np.float32)
    occ = np.empty((h, w), np.bool_)
    _warp_kernel(img, disp, float(tol), out, cover, dright, occ)
    holes = cover < HOLE_COVERAGE
    dright[holes] = 0.0
    return out, cover, holes, dright, occ
