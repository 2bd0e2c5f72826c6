"""Training augmentations that keep the disparity label valid.

Photometric only, never geometric, so the left-view disparity stays exact:

* with probability ``p_shared_jitter`` (0.5, as in the paper) one colour
  jitter (brightness, contrast, saturation factors in 1 +- ``jitter``) is
  applied to both images;
* the right image alone gets, each with its own probability: an extra colour
  jitter (half strength), Gaussian blur, and Gaussian noise -- mimicking the
  photometric differences between two real cameras.

Values are clipped to [0, 1] only when the input was an integer image (its
range is known); float images (possibly HDR) are left unclipped.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from scipy import ndimage

from .fill import channel_stats
from .params import StereoParams


def _factors(rng: np.random.Generator, strength: float) -> np.ndarray:
    return (1.0 + rng.uniform(-strength, strength, size=3)).astype(np.float32)


@njit(cache=True)
def _jitter_kernel(img, gain, offset, sat, out):
    h, w, nc = img.shape
    for y in range(h):
        for x in range(w):
            g = 0.0
            for c in range(nc):
                v = img[y, x, c] * gain + offset
                out[y, x, c] = v
                g += v
            g /= nc
            for c in range(nc):
                out[y, x, c] = g + (out[y, x, c] - g) * sat


def colour_jitter(img: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Brightness, contrast (around the mean grey), saturation (around per-pixel grey)."""
    b, c, s = (float(v) for v in factors)
    img = np.ascontiguousarray(img, np.float32)
    m = float(channel_stats(img)[0].mean()) * b  # mean grey after the brightness change
    out = np.empty_like(img)
    # brightness then contrast, (img * b - m) * c + m, is one affine map
    _jitter_kernel(img, b * c, m * (1.0 - c), s if img.shape[2] == 3 else 1.0, out)
    return out


def augment_pair(
    left: np.ndarray, right: np.ndarray, params: StereoParams, rng: np.random.Generator, clip: bool
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Apply the augmentations; return (left, right, record of what was applied)."""
    applied: dict = {}
    # draw every decision up front so the stream is fixed whatever is applied
    u = rng.random(4)
    shared = _factors(rng, params.jitter)
    own = _factors(rng, params.jitter * 0.5)
    sigma_blur = float(rng.uniform(*params.blur_sigma))
    sigma_noise = float(rng.uniform(*params.noise_std))
    if u[0] < params.p_shared_jitter:
        left, right = colour_jitter(left, shared), colour_jitter(right, shared)
        applied["shared_jitter"] = shared.tolist()
    if u[1] < params.p_right_jitter:
        right = colour_jitter(right, own)
        applied["right_jitter"] = own.tolist()
    if u[2] < params.p_right_blur and sigma_blur > 0:
        right = ndimage.gaussian_filter(right, sigma=(sigma_blur, sigma_blur, 0), mode="nearest", truncate=3.0)
        applied["right_blur_sigma"] = sigma_blur
    if u[3] < params.p_right_noise and sigma_noise > 0:
        noise = rng.standard_normal(size=right.shape, dtype=np.float32)
        right = right + noise * np.float32(sigma_noise)
        applied["right_noise_sigma"] = sigma_noise
    if clip:
        left = np.clip(left, 0.0, 1.0)
        right = np.clip(right, 0.0, 1.0)
    return left.astype(np.float32, copy=False), right.astype(np.float32, copy=False), applied
