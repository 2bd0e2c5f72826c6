"""Filling disocclusions (holes) of the warped right view.

``background`` (the paper's choice): holes take the pixels of another image at
the same positions, after that image's per-channel mean and standard deviation
are matched to the left image's. When no background image is given, a
deterministic procedural one is used: the left image itself, flipped
left-right and upside-down and circularly shifted by a random offset (drawn
from the pair's generator). It has the scene's colour statistics by
construction but no structure aligned with the hole.

``inpaint``: geometry-aware mirror fill. A hole seen in the right view is
background revealed from behind a nearer surface, so each horizontal run of
hole pixels is filled from the side whose right-view disparity is smaller
(farther); the run is filled by mirroring the texture across that boundary
(continuing the background's texture instead of smearing one colour). If the
run touches the image border only the other side is used; a row with no
covered pixels falls back to the background fill.

Edge pixels only partly covered by a surface (coverage < 1 beside a hole) are
blended with the fill by their coverage, so edges stay anti-aliased.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .warp import HOLE_COVERAGE


@njit(cache=True)
def _channel_stats(img):
    h, w, nc = img.shape
    s1 = np.zeros(nc)
    s2 = np.zeros(nc)
    for y in range(h):
        for x in range(w):
            for c in range(nc):
                v = np.float64(img[y, x, c])
                s1[c] += v
                s2[c] += v * v
    n = h * w
    mean = s1 / n
    var = np.maximum(s2 / n - mean * mean, 0.0)
    return mean, np.sqrt(var)


def channel_stats(img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation of an (H, W, C) image (float64)."""
    return _channel_stats(np.ascontiguousarray(img, np.float32))


def match_colour_stats(src: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Per-channel affine map giving ``src`` the mean and std of ``ref``."""
    ms, ss = channel_stats(src)
    mr, sr = channel_stats(ref)
    gain = np.where(ss > 1e-8, sr / np.maximum(ss, 1e-8), 0.0)
    return (src * gain.astype(np.float32) + (mr - ms * gain).astype(np.float32)).astype(np.float32)


def fit_background(background: np.ndarray, shape: tuple[int, int, int], rng: np.random.Generator) -> np.ndarray:
    """Tile (if smaller) and randomly crop a float image to ``shape`` (H, W, C)."""
    h, w, nc = shape
    bg = background
    if bg.shape[2] != nc:
        bg = np.repeat(bg.mean(axis=2, keepdims=True), nc, axis=2) if nc != 1 else bg.mean(axis=2, keepdims=True)
    reps = (-(-h // bg.shape[0]), -(-w // bg.shape[1]), 1)
    if reps[0] > 1 or reps[1] > 1:
        bg = np.tile(bg, reps)
    y0 = int(rng.integers(0, bg.shape[0] - h + 1))
    x0 = int(rng.integers(0, bg.shape[1] - w + 1))
    return np.ascontiguousarray(bg[y0:y0 + h, x0:x0 + w], np.float32)


def procedural_background(left: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The documented default: the left image flipped both ways and circularly shifted."""
    h, w = left.shape[:2]
    dy, dx = int(rng.integers(0, h)), int(rng.integers(0, w))
    return np.ascontiguousarray(np.roll(left[::-1, ::-1], (dy, dx), axis=(0, 1)))


@njit(cache=True)
def _mirror_inpaint(img, holes, dright, out, done):
    h, w, nc = img.shape
    for y in range(h):
        x = 0
        while x < w:
            if not holes[y, x]:
                x += 1
                continue
            a = x
            while x < w and holes[y, x]:
                x += 1
            b = x  # run is [a, b)
            has_l = a - 1 >= 0
            has_r = b < w
            if not has_l and not has_r:
                continue
            use_r = has_r and (not has_l or dright[y, b] <= dright[y, a - 1])
            for t in range(a, b):
                if use_r:
                    s = 2 * b - 1 - t
                    if s >= w or holes[y, s]:
                        s = b
                else:
                    s = 2 * a - 1 - t
                    if s < 0 or holes[y, s]:
                        s = a - 1
                for c in range(nc):
                    out[y, t, c] = img[y, s, c]
                done[y, t] = True


def inpaint_holes(warped: np.ndarray, holes: np.ndarray, dright: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mirror-inpaint hole runs from their background side; return (fill image, filled mask)."""
    out = np.zeros_like(warped)
    done = np.zeros(holes.shape, np.bool_)
    _mirror_inpaint(np.ascontiguousarray(warped), holes, np.ascontiguousarray(dright), out, done)
    return out, done


def composite_fill(warped: np.ndarray, coverage: np.ndarray, holes: np.ndarray, fill: np.ndarray) -> np.ndarray:
    """Put ``fill`` into holes; blend partly covered edge pixels by coverage."""
    edge = np.zeros_like(holes)
    edge[:, 1:] |= holes[:, :-1]
    edge[:, :-1] |= holes[:, 1:]
    blend = holes | (edge & (coverage < 1.0))
    a = np.where(blend, np.minimum(coverage, 1.0), 1.0)[..., None]
    return (warped * a + fill * (1.0 - a)).astype(np.float32)


__all__ = ["HOLE_COVERAGE", "match_colour_stats", "fit_background", "procedural_background", "inpaint_holes", "composite_fill"]
