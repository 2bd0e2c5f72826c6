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


# -- cellular relief: pebbles, clods, cracks, joints ----------------------------------------------


@njit(cache=True, inline="always")
def _cell_hash(x, y, z, perm):
    return perm[perm[perm[x & 255] + (y & 255)] + (z & 255)]


@njit(cache=True, parallel=True)
def _worley3(q, perm, jitter):
    """Distances to the nearest and second-nearest feature point of a jittered grid (cell units),
    and a random value in [0, 1) per nearest cell, at points q (V, 3)."""
    n = q.shape[0]
    f1 = np.empty(n)
    f2 = np.empty(n)
    cid = np.empty(n)
    for i in prange(n):
        cx, cy, cz = int(np.floor(q[i, 0])), int(np.floor(q[i, 1])), int(np.floor(q[i, 2]))
        b1, b2, best = 1e9, 1e9, 0.0
        for dz in range(-1, 2):
            for dy in range(-1, 2):
                for dx in range(-1, 2):
                    x, y, z = cx + dx, cy + dy, cz + dz
                    h = _cell_hash(x, y, z, perm)
                    fx = x + 0.5 + jitter * (perm[h] / 255.0 - 0.5)
                    fy = y + 0.5 + jitter * (perm[h + 1] / 255.0 - 0.5)
                    fz = z + 0.5 + jitter * (perm[h + 2] / 255.0 - 0.5)
                    d = np.sqrt((q[i, 0] - fx) ** 2 + (q[i, 1] - fy) ** 2 + (q[i, 2] - fz) ** 2)
                    if d < b1:
                        b2 = b1
                        b1 = d
                        best = perm[h + 3] / 256.0
                    elif d < b2:
                        b2 = d
        f1[i], f2[i], cid[i] = b1, b2, best
    return f1, f2, cid


def worley(points: np.ndarray, rng: np.random.Generator, size: float, jitter: float = 0.9):
    """Cellular noise of cells ``size`` apart: (F1, F2 in cell units, a random value per cell)."""
    perm = perm_table(rng)
    off = rng.uniform(-100, 100, 3)
    q = np.ascontiguousarray(np.asarray(points, dtype=np.float64) / size + off)
    return _worley3(q, perm, float(jitter))


def _smoothstep(x):
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


@dataclass(frozen=True)
class Cells:
    """Cellular relief of cells ``size`` m across, peak ``amplitude`` m.

    ``kind``: "pebbles" (a rounded stone per cell, sunk between), "clods" (soft mounds: soil
    clods, tussocks, moss cushions, snow lumps), "cracks" (polygonal plates with grooves ``width`` (cell units) deep ``amplitude``, edges
    curled up by ``curl`` of it: drying mud), "joints" (narrow fractures only: rock)."""

    size: float
    amplitude: float
    kind: str = "pebbles"
    width: float = 0.08
    curl: float = 0.0
    cover: float = 1.0  # share of cells that carry a stone or clod (pebbles / clods)

    def __call__(self, surface: Surface, rng: np.random.Generator, params: dict) -> np.ndarray:
        p, s = surface.points, surface.spacing
        sub = np.random.default_rng(rng.integers(0, 2**63, size=2))  # drawn whatever is live
        w = band_weight(self.size, s)
        out = np.zeros(len(surface))
        live = w > 0
        if not live.any():
            return out
        f1, f2, cid = worley(p[live], sub, self.size)
        edge = f2 - f1  # 0 on a cell border, ~0.5+ deep inside
        if self.kind in ("cracks", "joints"):
            # a groove can be no narrower than the mesh can show: widen it and make it shallower
            res = 1.5 * s[live] / self.size
            wid = np.maximum(self.width, res)
            groove = (1.0 - _smoothstep(edge / wid)) * (self.width / wid)
            h = -groove
            if self.kind == "cracks":
                h = h + self.curl * np.clip(1.0 - edge / 0.35, 0.0, 1.0) ** 2 + 0.15 * (cid - 0.5)
        else:
            if self.kind == "pebbles":  # steep-sided, rounded stones
                lump, height = np.sqrt(_smoothstep(edge / 0.55)), 0.5 + 0.5 * cid
            else:  # clods and tussocks: soft mounds of varied height
                lump, height = _smoothstep(edge / 0.45), 0.3 + 0.7 * cid
            present = cid < self.cover
            h = np.where(present, height * lump, 0.0) - 0.5 * self.cover
        out[live] = self.amplitude * w[live] * h
        return out


@dataclass(frozen=True)
class Ripples:
    """Wind ripples on sand (``wavelength`` m crest spacing, ``amplitude`` m half height) with
    irregular crests: the domain is warped (crests bend, local spacing varies ~±25 %), two ripple
    trains of slightly different spacing and heading are blended by a noise mask (where one
    takes over, crests fork or end, as real ripples bifurcate), and crest height varies.
    Asymmetric profile: a gentle stoss side into the wind, a steep lee side (``lee`` of a period)."""

    wavelength: float
    amplitude: float
    angle: float | None = None  # crests run across this heading (radians from +X); None: drawn
    lee: float = 0.3

    def __call__(self, surface: Surface, rng: np.random.Generator, params: dict) -> np.ndarray:
        lam = self.wavelength
        drawn = rng.uniform(0.0, np.pi)
        ang = drawn if self.angle is None else self.angle
        seeds = rng.integers(0, 2**63, size=(4, 2))  # every stream drawn whatever is live
        p, s = surface.points, surface.spacing
        w = band_weight(0.8 * lam, s)
        out = np.zeros(len(surface))
        live = w > 0
        if not live.any():
            return out
        q = p[live]
        zero = np.zeros(len(q))
        warp = np.stack([banded_fbm(q, zero, np.random.default_rng(seeds[k]), 1.0 / (5.0 * lam), 2)
                         for k in range(2)], -1)
        qx, qy = q[:, 0] + 1.3 * lam * warp[:, 0], q[:, 1] + 1.3 * lam * warp[:, 1]

        def train(heading, spacing):
            t = (qx * np.cos(heading) + qy * np.sin(heading)) / spacing
            t = t - np.floor(t)
            tri = np.where(t < 1.0 - self.lee, t / (1.0 - self.lee), (1.0 - t) / self.lee)
            return _smoothstep(tri) - 0.5

        mix = _smoothstep(1.5 * banded_fbm(q, zero, np.random.default_rng(seeds[2]), 1.0 / (3.0 * lam), 2) + 0.5)
        h = (1.0 - mix) * train(ang, lam) + mix * train(ang + 0.14, 1.13 * lam)
        height = 0.75 + 0.35 * banded_fbm(q, zero, np.random.default_rng(seeds[3]), 1.0 / (4.0 * lam), 2)
        out[live] = 2.0 * self.amplitude * w[live] * height * h
        return out


@dataclass(frozen=True)
class Strata:
    """Sedimentary beds: layers of mean thickness ``thickness`` m (varying, wavy by a warp of
    ``warp`` thicknesses), each bulging out by ``depth`` m times its hardness (hard beds stand
    out, soft ones recede, with a notch at each bedding plane)."""

    thickness: float
    depth: float
    warp: float = 0.4

    def __call__(self, surface: Surface, rng: np.random.Generator, params: dict) -> np.ndarray:
        sub = np.random.default_rng(rng.integers(0, 2**63, size=2))
        salt = float(rng.uniform(0.0, 1000.0))
        p, s = surface.points, surface.spacing
        w = band_weight(self.thickness, s)
        out = np.zeros(len(surface))
        live = w > 0
        if not live.any():
            return out
        q = p[live]
        t = q[:, 2] / self.thickness + self.warp * banded_fbm(q, np.zeros(len(q)), sub, 0.3 / self.thickness, 2)
        bed = np.floor(t)
        hard = np.modf(np.abs(np.sin(bed * 12.9898 + salt)) * 43758.5453)[0]
        bulge = np.sqrt(np.sin(np.pi * (t - bed)))
        out[live] = self.depth * w[live] * ((0.35 + 0.65 * hard) * bulge - 0.5)
        return out


@dataclass(frozen=True)
class Stack:
    """The sum of several reliefs (each with its own random stream)."""

    parts: tuple

    def __call__(self, surface: Surface, rng: np.random.Generator, params: dict) -> np.ndarray:
        out = np.zeros(len(surface))
        for part in self.parts:
            out += part(surface, np.random.default_rng(rng.integers(0, 2**63, size=2)), params)
        return out


def stack(*parts) -> Stack:
    return Stack(tuple(parts))


# -- wind ripples with dislocations: forking, ending, bending crests --------------------------------


@njit(cache=True, inline="always")
def _hash2(i, j, s):
    h = (i * 73856093) ^ (j * 19349663) ^ (s * 83492791)
    h = (h ^ (h >> 13)) * 1274126177
    h = h ^ (h >> 16)
    return h & 0x7FFFFFFF


@njit(cache=True, parallel=True)
def _dislocations(u, v, cell, share, seed):
    """Phase (radians) of ripple dislocation pairs at points (u, v) in wavelengths (u along the wind).

    Each lattice cell of ``cell`` wavelengths holds, with probability ``share``, a pair of opposite
    phase singularities 1-3 wavelengths apart: around one a crest forks (Y-junction), at the
    other one ends. The pair's phase (the difference of the two polar angles, wrapped) jumps by
    2 pi only across the segment between the two points, where the sine stays continuous, and it
    fades out (window) before the next cell, so 3x3 neighbouring cells are all that count."""
    n = u.shape[0]
    out = np.zeros(n)
    r1, r2 = 2.6, 0.9 * cell
    for i in prange(n):
        cx, cy = int(np.floor(u[i] / cell)), int(np.floor(v[i] / cell))
        acc = 0.0
        for dy in range(-1, 2):
            for dx in range(-1, 2):
                h = _hash2(cx + dx, cy + dy, seed)
                if (h & 1023) / 1023.0 >= share:
                    continue
                mx = (cx + dx + 0.25 + 0.5 * ((h >> 10) & 255) / 255.0) * cell
                my = (cy + dy + 0.25 + 0.5 * ((h >> 18) & 255) / 255.0) * cell
                rr = np.sqrt((u[i] - mx) ** 2 + (v[i] - my) ** 2)
                if rr >= r2:
                    continue
                h2 = _hash2(cx + dx, cy + dy, seed + 7)
                ang = np.pi * ((h2 & 1023) / 1023.0)
                half = 0.5 + 1.0 * ((h2 >> 10) & 1023) / 1023.0
                ox, oy = half * np.cos(ang), half * np.sin(ang)
                d = np.arctan2(v[i] - my - oy, u[i] - mx - ox) - np.arctan2(v[i] - my + oy, u[i] - mx + ox)
                if d > np.pi:
                    d -= 2.0 * np.pi
                elif d < -np.pi:
                    d += 2.0 * np.pi
                t = min(max((rr - r1) / (r2 - r1), 0.0), 1.0)
                sign = 1.0 if (h2 >> 21) & 1 else -1.0
                acc += sign * d * (1.0 - t * t * (3.0 - 2.0 * t))
        out[i] = acc
    return out


@dataclass(frozen=True)
class WindRipples:
    """Wind ripples across a wind heading: crests ``wavelength`` m apart (locally ±10-15 %: the phase
    is warped along and across the wind), ``amplitude`` m half height varying crest to crest, with
    dislocation pairs (``defects``: share of cells of 7 wavelengths holding one) where crests fork
    and end, as wind ripples do. Asymmetric: a gentle stoss side, a steep lee (``lee`` of a period).

    The wind heading (radians from +X, the direction it blows to) is the material param ``wind``
    where there is one (the desert's dune landform sets it), else drawn. Wind shadow: no ripples
    on ground that faces downwind (a dune's slip face and the lee just behind its crest; the
    normal's downwind component from ``shadow[0]`` to ``shadow[1]``). ``patches`` > 0 keeps the
    train only where a noise of 12 wavelengths exceeds its mean by ``patches - 0.5`` (0.5: half
    the ground): megaripples of coarse grains lie in patches."""

    wavelength: float
    amplitude: float
    lee: float = 0.3
    defects: float = 0.5
    shadow: tuple = (0.05, 0.2)
    patches: float = 0.0

    def __call__(self, surface: Surface, rng: np.random.Generator, params: dict) -> np.ndarray:
        lam = self.wavelength
        drawn = rng.uniform(0.0, 2.0 * np.pi)
        streams = rng.integers(0, 2**63, size=(5, 2))  # every stream drawn whatever is live
        salt = int(rng.integers(1, 2**30))
        wind = float(params["wind"]) if "wind" in params else drawn
        p, s = surface.points, surface.spacing
        w = band_weight(0.8 * lam, s)
        out = np.zeros(len(surface))
        c, sn = np.cos(wind), np.sin(wind)
        lee = surface.normals[:, 0] * c + surface.normals[:, 1] * sn
        w = w * (1.0 - _smoothstep((lee - self.shadow[0]) / (self.shadow[1] - self.shadow[0])))
        live = w > 0
        if not live.any():
            return out
        q, zero = p[live], np.zeros(int(live.sum()))

        def noise(k, wl):
            return banded_fbm(q, zero, np.random.default_rng(streams[k]), 1.0 / (wl * lam), 2)

        a = (q[:, 0] * c + q[:, 1] * sn) / lam  # along the wind, in wavelengths
        b = (-q[:, 0] * sn + q[:, 1] * c) / lam  # across
        a = a + 0.8 * noise(0, 8.0) + 0.25 * noise(1, 3.0)  # spacing varies (~±10-15 %), crests bend and wander
        phase = a + _dislocations(a, b, 7.0, float(self.defects), salt) / (2.0 * np.pi)
        t = phase - np.floor(phase)
        tri = np.where(t < 1.0 - self.lee, t / (1.0 - self.lee), (1.0 - t) / self.lee)
        h = _smoothstep(tri) - 0.5
        height = np.clip(0.8 + 0.6 * noise(2, 5.0), 0.15, 1.4)  # crest height varies crest to crest
        if self.patches > 0:
            height = height * _smoothstep(2.5 * (noise(3, 12.0) + self.patches - 0.5) + 0.5)
        out[live] = 2.0 * self.amplitude * w[live] * height * h
        return out
