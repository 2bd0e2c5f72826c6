"""Band-limited relief: the numpy displacements that material recipes register.

A displacement is called with a ``Surface`` (points, unit normals, per-vertex
band-limit spacing, the mesh's mask attributes), its own random stream and the
material's params, and returns offsets along the normals in metres (object
units for instanced prototypes).

Band limit: a mesh whose vertices are ``s`` apart cannot show relief of
wavelength below ``2 s`` (Nyquist); such octaves would only alias into noise
on coarse, far terrain. Each octave of wavelength ``L`` is weighted by
``clip(log2(L / (2 s)), 0, 1)``: full at ``L >= 4 s``, gone at ``L <= 2 s``,
a smooth fade between, so level-of-detail seams do not pop. Octaves are not
renormalised: a coarse mesh shows the same large relief, without the fine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit, prange

from ..generators.noise import _G3, _perlin3, perm_table


@dataclass
class Surface:
    """What a displacement sees: (V, 3) points and unit normals (float64), (V,) spacing in
    the same units (edge length, or the pixel footprint if coarser), per-vertex attributes."""

    points: np.ndarray
    normals: np.ndarray
    spacing: np.ndarray
    attributes: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.points)

    def mask(self, name: str, default: float = 0.0) -> np.ndarray:
        """A per-vertex attribute as float64 (``default`` where the mesh has none)."""
        a = self.attributes.get(name)
        if a is None:
            return np.full(len(self), default)
        return np.asarray(a, dtype=np.float64).reshape(len(self), -1)[:, 0]

    def subset(self, keep: np.ndarray) -> Surface:
        return Surface(self.points[keep], self.normals[keep], self.spacing[keep],
                       {k: np.asarray(a)[keep] for k, a in self.attributes.items()})


def ramp(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Blender's clamped linear Map Range from [lo, hi] to [0, 1] (masks as the shaders make them)."""
    return np.clip((np.asarray(x, dtype=np.float64) - lo) / (hi - lo), 0.0, 1.0)


def band_weight(wavelength, spacing):
    """Weight of relief of ``wavelength`` on a mesh of vertex ``spacing`` (0 at <= 2 s, 1 at >= 4 s)."""
    return np.clip(np.log2(np.asarray(wavelength) / (2.0 * np.maximum(spacing, 1e-12))), 0.0, 1.0)


@njit(cache=True, inline="always")
def _band(wavelength, spacing):
    w = np.log2(wavelength / (2.0 * max(spacing, 1e-12)))
    return min(max(w, 0.0), 1.0)


@njit(cache=True, parallel=True)
def _banded_fbm3(q, spacing, perm, g3, octaves, wavelength, lacunarity, gain):
    """fbm of 3D Perlin noise at noise coordinates q (V, 3), octave o of wavelength
    ``wavelength / lacunarity**o`` metres weighted by the band limit at each vertex."""
    out = np.zeros(q.shape[0])
    for i in prange(q.shape[0]):
        f, a, s, norm, wl = 1.0, 1.0, 0.0, 0.0, wavelength
        for o in range(octaves):
            norm += a
            w = _band(wl, spacing[i])
            if w > 0.0:
                s += a * w * _perlin3(q[i, 0] * f + 5.3 * o, q[i, 1] * f - 9.1 * o, q[i, 2] * f + 2.9 * o, perm, g3)
            f *= lacunarity
            a *= gain
            wl /= lacunarity
        out[i] = s / norm
    return out


def banded_fbm(points: np.ndarray, spacing: np.ndarray, rng: np.random.Generator, scale: float,
               octaves: int, gain: float = 0.5) -> np.ndarray:
    """Band-limited fractal noise at ``points`` (base wavelength ``1 / scale``), roughly in [-1, 1]."""
    perm = perm_table(rng)
    off = rng.uniform(-100, 100, 3)
    q = np.ascontiguousarray(np.asarray(points, dtype=np.float64) * scale + off)
    return _banded_fbm3(q, np.ascontiguousarray(spacing, dtype=np.float64), perm, _G3, int(octaves),
                        1.0 / scale, 2.0, float(gain))


@dataclass(frozen=True)
class Relief:
    """Fractal noise relief (``amplitude`` m, base wavelength ``1 / scale`` m), optionally with
    horizontal strata ledges every ``1 / strata`` m of height and wind ripples of
    ``ripple_wavelength`` m (crests across ``ripple_angle``, or a drawn direction; slightly wavy)."""

    scale: float
    amplitude: float
    octaves: int = 5
    strata: float = 0.0
    ripple_wavelength: float = 0.0
    ripple_amplitude: float = 0.0
    ripple_angle: float | None = None  # crests across this direction (radians from +X); None: drawn

    def __call__(self, surface: Surface, rng: np.random.Generator, params: dict) -> np.ndarray:
        p, s = surface.points, surface.spacing
        h = banded_fbm(p, s, rng, self.scale, self.octaves)
        if self.strata > 0:  # triangle wave in height: ledges
            ledge = 0.6 * (np.abs((p[:, 2] * self.strata) % 1.0 - 0.5) - 0.25)
            h = h + band_weight(1.0 / self.strata, s) * ledge
        out = self.amplitude * h
        if self.ripple_amplitude > 0 and self.ripple_wavelength > 0:
            drawn = rng.uniform(0.0, np.pi)
            ang = drawn if self.ripple_angle is None else self.ripple_angle
            w = band_weight(self.ripple_wavelength, s)
            live = w > 0
            if live.any():
                d = p[live, 0] * np.cos(ang) + p[live, 1] * np.sin(ang)
                # crests wander over ~8 wavelengths (low frequency: no band limit needed)
                warp = banded_fbm(p[live], np.zeros(int(live.sum())), rng, 1.0 / (8.0 * self.ripple_wavelength), 2)
                phase = np.pi * (d / self.ripple_wavelength + 2.0 * warp)
                # |sin|: rounded crests, sharp troughs; minus its mean 2/pi so the sand keeps its level
                out[live] += self.ripple_amplitude * w[live] * (np.abs(np.sin(phase)) - 2.0 / np.pi)
        return out


def blend(surface: Surface, rng: np.random.Generator, params: dict,
          layers: list[tuple[np.ndarray, Relief]]) -> np.ndarray:
    """Sum of reliefs weighted per vertex (weights (V,) each); a relief is evaluated only
    where its weight is non-zero, and every layer draws its random stream either way."""
    out = np.zeros(len(surface))
    for weight, relief in layers:
        sub = np.random.default_rng(rng.integers(0, 2**63, size=2))
        live = weight > 1e-6
        if live.any():
            out[live] += weight[live] * relief(surface.subset(live), sub, params)
    return out
