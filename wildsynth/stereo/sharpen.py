"""Depth sharpening: remove flying pixels at depth discontinuities.

Monocular depth and anti-aliased renders put in-between values on object edges
("flying pixels"); warped, they smear the edge across the gap. Following Watson
et al. 2020, pixels whose disparity gradient is strong are declared bad and
re-filled from valid neighbours, so every edge becomes a clean step.

Decisions (documented in docs/stereo.md):

* The gradient is the 3x3 Sobel operator normalised to a derivative (divided by
  8), in pixels of disparity per pixel; bad where its magnitude exceeds the
  threshold (default 3). Normalising keeps steep but continuous surfaces (a
  ground plane near the camera has about 1 px/px) intact.
* "Nearest valid value on its side": each bad pixel looks for the nearest good
  pixel along the 8 horizontal, vertical and diagonal directions, and takes the candidate minimising
  ``|candidate - own value| + distance``: a flying pixel close in value to the
  foreground joins the foreground, one close to the background joins the
  background. Pixels with no value at all (invalid input depth) take the
  spatially nearest good value.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from scipy import ndimage


@njit(cache=True)
def _fill_bad(disp, bad, has_value):
    h, w = disp.shape
    out = disp.copy()
    for y in range(h):
        for x in range(w):
            if not bad[y, x]:
                continue
            own = disp[y, x]
            best = np.inf
            val = own
            for dy, dx in ((0, -1), (0, 1), (-1, 0), (1, 0), (-1, -1), (-1, 1), (1, -1), (1, 1)):
                yy = y + dy
                xx = x + dx
                step = 1.4142135623730951 if dy != 0 and dx != 0 else 1.0
                dist = step
                while 0 <= yy < h and 0 <= xx < w:
                    if not bad[yy, xx]:
                        c = disp[yy, xx]
                        score = dist + (abs(c - own) if has_value[y, x] else 0.0)
                        if score < best:
                            best = score
                            val = c
                        break
                    if dist >= best:  # cannot beat the best any more
                        break
                    yy += dy
                    xx += dx
                    dist += step
            out[y, x] = val
    return out


def gradient_magnitude(disp: np.ndarray) -> np.ndarray:
    """|Sobel gradient| / 8: pixels of disparity per pixel."""
    gx = ndimage.sobel(disp, axis=1, mode="nearest")
    gy = ndimage.sobel(disp, axis=0, mode="nearest")
    return np.hypot(gx, gy) * np.float32(0.125)


def fill_invalid(disp: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Give invalid pixels the spatially nearest valid value (they still need a disparity to warp)."""
    if valid.all():
        return disp
    return _fill_bad(np.ascontiguousarray(disp, np.float32), ~valid, np.zeros(disp.shape, np.bool_))


def flying_pixels(disp: np.ndarray, threshold: float = 3.0) -> np.ndarray:
    """Boolean map of pixels at strong disparity gradients."""
    return gradient_magnitude(disp) > threshold


def sharpen_disparity(disp: np.ndarray, threshold: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    """Replace flying pixels; return (sharpened disparity, flying-pixel mask)."""
    disp = np.ascontiguousarray(disp, np.float32)
    bad = flying_pixels(disp, threshold)
    if not bad.any():
        return disp, bad
    return _fill_bad(disp, bad, np.ones(disp.shape, np.bool_)), bad
