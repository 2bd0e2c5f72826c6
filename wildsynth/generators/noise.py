"""Gradient (Perlin) noise and fractal sums, in numba, evaluated at any points.

Every function takes a permutation table from ``perm_table(rng)``, so noise
is a pure function of the seed tree. Amplitudes are roughly in [-1, 1].
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

_G2 = np.array([[1, 1], [-1, 1], [1, -1], [-1, -1], [1, 0], [-1, 0], [0, 1], [0, -1]], dtype=np.float64) / np.array(
    [[np.sqrt(2)]] * 4 + [[1.0]] * 4
)
_G3 = np.array(
    [[1, 1, 0], [-1, 1, 0], [1, -1, 0], [-1, -1, 0], [1, 0, 1], [-1, 0, 1], [1, 0, -1], [-1, 0, -1],
     [0, 1, 1], [0, -1, 1], [0, 1, -1], [0, -1, -1], [1, 1, 0], [-1, 1, 0], [0, -1, 1], [0, -1, -1]],
    dtype=np.float64,
)


def perm_table(rng: np.random.Generator) -> np.ndarray:
    """A doubled random permutation of 0..255 (int32, length 512)."""
    p = rng.permutation(256).astype(np.int32)
    return np.concatenate([p, p])


@njit(cache=True, inline="always")
def _fade(t):
    return t * t * t * (t * (t * 6.0 - 15.0) + 10.0)


@njit(cache=True)
def _perlin2(x, y, perm, g2):
    xi, yi = np.floor(x), np.floor(y)
    xf, yf = x - xi, y - yi
    X, Y = int(xi) & 255, int(yi) & 255
    u, v = _fade(xf), _fade(yf)
    h00 = perm[perm[X] + Y] & 7
    h10 = perm[perm[X + 1] + Y] & 7
    h01 = perm[perm[X] + Y + 1] & 7
    h11 = perm[perm[X + 1] + Y + 1] & 7
    n00 = g2[h00, 0] * xf + g2[h00, 1] * yf
    n10 = g2[h10, 0] * (xf - 1.0) + g2[h10, 1] * yf
    n01 = g2[h01, 0] * xf + g2[h01, 1] * (yf - 1.0)
    n11 = g2[h11, 0] * (xf - 1.0) + g2[h11, 1] * (yf - 1.0)
    a = n00 + u * (n10 - n00)
    b = n01 + u * (n11 - n01)
    return 1.4142 * (a + v * (b - a))


@njit(cache=True)
def _perlin3(x, y, z, perm, g3):
    xi, yi, zi = np.floor(x), np.floor(y), np.floor(z)
    xf, yf, zf = x - xi, y - yi, z - zi
    X, Y, Z = int(xi) & 255, int(yi) & 255, int(zi) & 255
    u, v, w = _fade(xf), _fade(yf), _fade(zf)
    acc = 0.0
    for dz in range(2):
        wz = w if dz else 1.0 - w
        for dy in range(2):
            wy = v if dy else 1.0 - v
            for dx in range(2):
                wx = u if dx else 1.0 - u
                h = perm[perm[perm[X + dx] + Y + dy] + Z + dz] & 15
                acc += wx * wy * wz * (g3[h, 0] * (xf - dx) + g3[h, 1] * (yf - dy) + g3[h, 2] * (zf - dz))
    return acc


@njit(cache=True, parallel=True)
def _fbm2(x, y, perm, g2, octaves, lacunarity, gain, ridged):
    out = np.empty(x.shape[0])
    for i in prange(x.shape[0]):
        f, a, s, norm = 1.0, 1.0, 0.0, 0.0
        weight = 1.0
        for o in range(octaves):
            ox, oy = 17.13 * o, -31.7 * o  # decorrelate octaves
            n = _perlin2(x[i] * f + ox, y[i] * f + oy, perm, g2)
            if ridged:
                n = 1.0 - abs(n)
                n = n * n * weight
                weight = min(max(n * 2.0, 0.0), 1.0)
            s += a * n
            norm += a
            f *= lacunarity
            a *= gain
        out[i] = s / norm
    return out


@njit(cache=True, parallel=True)
def _fbm3(x, y, z, perm, g3, octaves, lacunarity, gain):
    out = np.empty(x.shape[0])
    for i in prange(x.shape[0]):
        f, a, s, norm = 1.0, 1.0, 0.0, 0.0
        for o in range(octaves):
            s += a * _perlin3(x[i] * f + 5.3 * o, y[i] * f - 9.1 * o, z[i] * f + 2.9 * o, perm, g3)
            norm += a
            f *= lacunarity
            a *= gain
        out[i] = s / norm
    return out


def fbm2(x, y, perm, octaves=8, lacunarity=2.0, gain=0.5, ridged=False) -> np.ndarray:
    """Fractal Brownian motion of 2D Perlin noise at points (x, y) (any shape, same shape out).

    With ``ridged`` the sum is of ``(1 - |n|)^2`` weighted by the previous octave
    (sharp crests, smooth valleys), in [0, 1].
    """
    x = np.asarray(x, dtype=np.float64)
    shape = x.shape
    y = np.broadcast_to(np.asarray(y, dtype=np.float64), shape)
    r = _fbm2(np.ascontiguousarray(x.ravel()), np.ascontiguousarray(y.ravel()), perm, _G2,
              int(octaves), float(lacunarity), float(gain), bool(ridged))
    return r.reshape(shape)


def fbm3(p: np.ndarray, perm, octaves=6, lacunarity=2.0, gain=0.5) -> np.ndarray:
    """Fractal 3D Perlin noise at points p (..., 3)."""
    p = np.asarray(p, dtype=np.float64)
    flat = p.reshape(-1, 3)
    r = _fbm3(np.ascontiguousarray(flat[:, 0]), np.ascontiguousarray(flat[:, 1]),
              np.ascontiguousarray(flat[:, 2]), perm, _G3, int(octaves), float(lacunarity), float(gain))
    return r.reshape(p.shape[:-1])
