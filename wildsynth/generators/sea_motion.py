"""Moving water for the underwater scenes: kelp swaying in a current, a wavy sea surface, marine snow.

All three have exact ground truth by construction: the renderer draws the vertex positions a motion
gives for each time and ``gt/`` carries every surface point by the same positions (``core.motion``).

- ``CurrentSway`` (a ``Deforming`` motion): each plant (one mesh, one id) bends downstream like a
  cantilever in the current. A rest vertex at height ``h`` above its holdfast (plant height ``H``,
  ``u = h / H``) moves horizontally by ``D(h, t) = H u^2 (lean + a sin(2 pi (t / T - h / L) + phase))``
  along the current plus a smaller cross-current term of its own period: a steady lean and a wave
  travelling up the stipe. Its height becomes the arc length left over,
  ``z(h) = integral_0^h sqrt(1 - |dD/dh|^2)``, so a vertical stipe keeps its length as it bends, and
  tops that would pass ``ceiling`` are squeezed smoothly under it (a canopy under the surface).
- ``BedSway`` (a ``CurrentSway``): the same law for many small plants on the bed (seagrass, seaweed),
  computed for all of them at once over their concatenated vertices (a per-vertex plant index), each
  plant's ``lean`` and ``amplitude`` scaled by its kind's flexibility (``BedSwayParams.kinds``) and its
  phase set by where it stands along the current, so a swell passes over a meadow.
- ``SurfaceWaves`` (a ``Deforming`` motion): a square sheet around the cameras whose vertices rise
  and fall by a sum of deep-water waves (``omega^2 = g k``), faded to flat at the sheet's edge.
- ``marine_snow``: small flocs as one ``Instances`` object and a ``core.motion.Fall`` track (drift with
  the current, slow sinking, a gentle wobble and spin): rigid, so their flow is exact as well.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..core.camera import Camera
from ..core.mesh import Instances, Mesh, compose_trs
from ..core.motion import Deforming, Fall, axis_angle_matrices
from .rocks import icosphere
from .weather import view_volume

GRAVITY = 9.81
FLAT_FROM = 0.8  # the wavy sheet is flat from this fraction of its half-width to its edge


class CurrentParams(BaseModel):
    """The current that sways the kelp, the seagrass and the seaweed."""

    model_config = ConfigDict(extra="forbid")

    lean: float = Field(0.25, ge=0.0, le=0.6, description="steady downstream lean of a plant's top / its height")
    amplitude: float = Field(0.08, ge=0.0, le=0.3, description="swaying of a plant's top / its height")
    cross: float = Field(0.4, ge=0.0, le=1.0, description="cross-current swaying / the downstream swaying")
    period: float = Field(7.0, gt=0.5, le=60.0, description="period of the swell that sways the kelp, s")
    wavelength: float = Field(18.0, gt=0.5, le=500.0, description="wavelength of the bend travelling up a stipe, m")
    heading: float | None = Field(None, ge=0.0, le=360.0, description="direction the current flows to, degrees from +X (None: drawn)")


class CurrentSway(Deforming):
    """Plants bending in a current (see the module doc): ``rest`` world vertices and ``faces`` per id,
    ``base`` (N, 3) holdfasts, ``height`` (N,) plant heights, ``phase`` (N, 2) per plant."""

    def __init__(self, ids, rest: list, faces: list, base, height, phase, params: CurrentParams, heading: float,
                 ceiling: float, samples: int = 64):
        self.ids = np.asarray(ids, dtype=np.uint32)
        self.rest = [np.asarray(v, dtype=np.float64) for v in rest]
        self.faces = [np.asarray(f, dtype=np.int64) for f in faces]
        n = len(self.ids)
        if not len(self.rest) == len(self.faces) == n:
            raise ValueError(f"CurrentSway: {n} ids, {len(self.rest)} meshes, {len(self.faces)} face sets")
        self.base = np.asarray(base, dtype=np.float64).reshape(n, 3)
        self.height = np.asarray(height, dtype=np.float64).reshape(n)
        self.phase = np.asarray(phase, dtype=np.float64).reshape(n, 2)
        self.p = params
        self.along = np.array([np.cos(heading), np.sin(heading)])
        self.across = np.array([-self.along[1], self.along[0]])
        self.ceiling = float(ceiling)
        self.samples = int(samples)
        self._cache: dict[float, list[np.ndarray]] = {}

    def _offsets(self, h: np.ndarray, k: int, t: float) -> tuple[np.ndarray, np.ndarray]:
        """Downstream and cross-stream offsets (m) at heights ``h`` of plant ``k`` at time ``t``."""
        p, H = self.p, self.height[k]
        u = np.clip(h / H, 0.0, None)
        w = 2.0 * np.pi * (t / p.period - h / p.wavelength)
        a = H * u * u * (p.lean + p.amplitude * np.sin(w + self.phase[k, 0]))
        c = H * u * u * p.amplitude * p.cross * np.sin(0.77 * w + self.phase[k, 1])
        return a, c

    def _pose(self, k: int, t: float) -> np.ndarray:
        v = self.rest[k]
        b = self.base[k]
        h = np.clip(v[:, 2] - b[2], 0.0, None)
        grid = np.linspace(0.0, max(float(h.max()), 1e-6), self.samples)
        ga, gc = self._offsets(grid, k, t)
        slope2 = (np.diff(ga) ** 2 + np.diff(gc) ** 2) / np.maximum(np.diff(grid), 1e-12) ** 2
        rise = np.sqrt(np.clip(1.0 - slope2, 0.1 ** 2, 1.0)) * np.diff(grid)
        zmap = np.concatenate([[0.0], np.cumsum(rise)])
        a, c = self._offsets(h, k, t)
        out = v.copy()
        out[:, :2] += a[:, None] * self.along + c[:, None] * self.across
        out[:, 2] = b[2] + np.interp(h, grid, zmap) + (v[:, 2] - b[2] - h)  # (below the holdfast: unchanged)
        return squeeze_under(out, self.ceiling)

    def vertices(self, t: float) -> list[np.ndarray]:
        t = float(t)
        got = self._cache.get(t)
        if got is None:
            got = [self._pose(k, t) for k in range(len(self.ids))]
            if len(self._cache) >= 4:
                self._cache.pop(next(iter(self._cache)))
            self._cache[t] = got
        return got

    def deltas(self, t: float) -> np.ndarray:
        return np.repeat(np.eye(4)[None], len(self.ids), 0)  # the holdfasts never move


class BedSwayParams(BaseModel):
    """Which plants of the bed bend in the current (the scene's ``CurrentParams``), and how much."""

    model_config = ConfigDict(extra="forbid")

    kinds: dict[str, float] = Field(default_factory=lambda: {"seagrass": 1.3, "seaweed": 0.8},
                                    description="kind -> flexibility: its lean and swaying are the current's times "
                                                "this (kinds not named stay still; empty: nothing on the bed moves)")
    view_margin: float = Field(30.0, ge=0.0, le=180.0, description="plants more than this many degrees outside every "
                                                                   "camera's view (and over 8 m from it) stay still")
    samples: int = Field(16, ge=4, le=256, description="heights at which a plant's bent length is integrated")

    @field_validator("kinds")
    @classmethod
    def _known(cls, v: dict[str, float]) -> dict[str, float]:
        from .underwater import get_kind

        for name, flex in v.items():
            get_kind(name)  # one-line error naming the unknown kind
            if not 0.0 <= flex <= 3.0:
                raise ValueError(f"sway.kinds[{name!r}] = {flex}: flexibility must be in [0, 3]")
        return v


class BedSway(CurrentSway):
    """``CurrentSway``'s law for many small plants at once. ``rest`` world vertices and ``faces`` per id
    (one plant each), ``base`` (N, 3), ``height`` (N,), ``phase`` (N, 2) as there, ``flex`` (N,) multiplies
    the current's ``lean`` and ``amplitude`` per plant. Every plant is posed by one set of array operations
    over the concatenated vertices (a per-vertex plant index), not a loop over plants."""

    def __init__(self, ids, rest: list, faces: list, base, height, phase, flex, params: CurrentParams,
                 heading: float, ceiling: float, samples: int = 16):
        super().__init__(ids, rest, faces, base, height, phase, params, heading, ceiling, samples)
        n = len(self.ids)
        self.flex = np.asarray(flex, dtype=np.float64).reshape(n)
        if np.any(self.height <= 0):
            raise ValueError("BedSway: every plant needs a height > 0")
        sizes = np.array([len(v) for v in self.rest], dtype=np.int64)
        self._split = np.cumsum(sizes)[:-1]
        self._owner = np.repeat(np.arange(n), sizes)
        self._all = np.concatenate(self.rest) if n else np.zeros((0, 3))
        self._h = np.clip(self._all[:, 2] - self.base[self._owner, 2], 0.0, None)
        hmax = np.zeros(n)
        if n:
            np.maximum.at(hmax, self._owner, self._h)
        self._hmax = np.maximum(hmax, 1e-6)

    def _offsets_of(self, h: np.ndarray, k: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
        """``_offsets`` for heights ``h`` of plants ``k`` (arrays of one shape, or broadcasting)."""
        p, H = self.p, self.height[k]
        u = np.clip(h / H, 0.0, None)
        w = 2.0 * np.pi * (t / p.period - h / p.wavelength)
        f = self.flex[k]
        a = H * u * u * f * (p.lean + p.amplitude * np.sin(w + self.phase[k, 0]))
        c = H * u * u * f * p.amplitude * p.cross * np.sin(0.77 * w + self.phase[k, 1])
        return a, c

    def _offsets(self, h: np.ndarray, k: int, t: float) -> tuple[np.ndarray, np.ndarray]:
        return self._offsets_of(h, np.full(np.shape(h), k, dtype=np.int64), t)

    def _pose_all(self, t: float) -> np.ndarray:
        n, s = len(self.ids), self.samples
        plants = np.arange(n)[:, None]
        grid = self._hmax[:, None] * np.linspace(0.0, 1.0, s)[None]  # (N, S)
        ga, gc = self._offsets_of(grid, plants, t)
        step = np.diff(grid, axis=1)
        slope2 = (np.diff(ga, axis=1) ** 2 + np.diff(gc, axis=1) ** 2) / np.maximum(step, 1e-12) ** 2
        rise = np.sqrt(np.clip(1.0 - slope2, 0.1 ** 2, 1.0)) * step
        zmap = np.concatenate([np.zeros((n, 1)), np.cumsum(rise, axis=1)], axis=1)  # (N, S)
        k, h, v = self._owner, self._h, self._all
        pos = h / self._hmax[k] * (s - 1)
        i = np.clip(np.floor(pos).astype(np.int64), 0, s - 2)
        f = pos - i
        z = zmap[k, i] * (1.0 - f) + zmap[k, i + 1] * f
        a, c = self._offsets_of(h, k, t)
        out = v.copy()
        out[:, :2] += a[:, None] * self.along + c[:, None] * self.across
        out[:, 2] = self.base[k, 2] + z + (v[:, 2] - self.base[k, 2] - h)  # (below the base: unchanged)
        return squeeze_under(out, self.ceiling)

    def vertices(self, t: float) -> list[np.ndarray]:
        t = float(t)
        got = self._cache.get(t)
        if got is None:
            got = np.split(self._pose_all(t), self._split) if len(self.ids) else []
            if len(self._cache) >= 4:
                self._cache.pop(next(iter(self._cache)))
            self._cache[t] = got
        return got


def swell_phase(base: np.ndarray, params: CurrentParams, heading: float, rng: np.random.Generator) -> np.ndarray:
    """(N, 2) phases of plants at ``base`` (N, 3): the swell's phase where each stands along the current
    (one ``params.wavelength`` per cycle, so a wave passes over a meadow) plus a jitter of 0.5 rad
    (standard deviation), and a free cross-current phase; two draws per plant whatever ``base`` holds."""
    along = np.asarray(base, dtype=np.float64)[:, :2] @ np.array([np.cos(heading), np.sin(heading)])
    jitter = rng.normal(0.0, 0.5, len(along))
    cross = rng.uniform(0.0, 2 * np.pi, len(along))
    return np.stack([-2.0 * np.pi * along / params.wavelength + jitter, cross], -1)


def squeeze_under(v: np.ndarray, ceiling: float, soft: float = 0.5) -> np.ndarray:
    """Heights above ``ceiling - soft`` compressed smoothly so none exceeds ``ceiling`` (monotone, C1)."""
    z = v[:, 2]
    start = ceiling - soft
    over = z > start
    if over.any():
        v = v.copy()
        v[over, 2] = start + soft * (1.0 - np.exp(-(z[over] - start) / soft))
    return v


class WaveParams(BaseModel):
    """Waves on the sea surface (geometry: they move in sequences with exact flow)."""

    model_config = ConfigDict(extra="forbid")

    height: float = Field(0.35, ge=0.0, le=5.0, description="crest-to-trough height of the swell, m (0: a flat surface)")
    wavelength: float = Field(9.0, gt=0.5, le=300.0, description="wavelength of the longest waves, m")
    components: int = Field(6, ge=1, le=32, description="wave trains summed (wavelengths down to a fifth of the longest)")
    spread: float = Field(50.0, ge=0.0, le=180.0, description="spread of the wave headings about the mean, degrees")
    radius: float = Field(45.0, gt=5.0, le=1000.0, description="half-width of the wavy sheet around the cameras, m (flat beyond)")
    spacing: float = Field(0.3, gt=0.02, le=10.0, description="vertex spacing of the wavy sheet, m")


class SurfaceWaves(Deforming):
    """One wavy sheet (one id): rest vertices on the plane z = ``level``, heights a sum of deep-water
    wave trains times a fade to zero at the sheet's edge."""

    def __init__(self, id_: int, rest: Mesh, level: float, amp, k_vec, omega, phase, fade):
        self.ids = np.array([id_], dtype=np.uint32)
        self.rest = np.asarray(rest.vertices, dtype=np.float64)
        self.faces = [np.asarray(rest.faces, dtype=np.int64)]
        self.level = float(level)
        self.amp, self.k_vec, self.omega, self.phase = (np.asarray(a, dtype=np.float64) for a in (amp, k_vec, omega, phase))
        self.fade = np.asarray(fade, dtype=np.float64)
        self._cache: dict[float, list[np.ndarray]] = {}

    def heights(self, xy: np.ndarray, t: float) -> np.ndarray:
        arg = xy @ self.k_vec.T - self.omega[None] * t + self.phase[None]
        return (self.amp[None] * np.sin(arg)).sum(1)

    def vertices(self, t: float) -> list[np.ndarray]:
        t = float(t)
        got = self._cache.get(t)
        if got is None:
            v = self.rest.copy()
            v[:, 2] = self.level + self.fade * self.heights(v[:, :2], t)
            got = [v]
            if len(self._cache) >= 4:
                self._cache.pop(next(iter(self._cache)))
            self._cache[t] = got
        return got

    def deltas(self, t: float) -> np.ndarray:
        return np.eye(4)[None]


def wave_sheet(centre, params: WaveParams, level: float, rng: np.random.Generator):
    """(rest mesh of the square sheet, amplitudes, wave vectors, angular frequencies, phases, fade):
    the wavy part of the surface around ``centre`` (x, y)."""
    r, s = params.radius, params.spacing
    n = int(np.ceil(2 * r / s)) + 1
    g = np.linspace(-r, r, n)
    x, y = np.meshgrid(g + centre[0], g + centre[1], indexing="xy")
    v = np.stack([x.ravel(), y.ravel(), np.full(x.size, level)], -1)
    i = np.arange(n - 1)
    a = (i[None, :] + n * i[:, None]).ravel()
    faces = np.concatenate([np.stack([a, a + 1, a + n + 1], -1), np.stack([a, a + n + 1, a + n], -1)])
    edge = np.maximum(np.abs(x - centre[0]), np.abs(y - centre[1])).ravel() / r
    fade = 1.0 - np.clip((edge - FLAT_FROM + 0.25) / 0.25, 0.0, 1.0) ** 2
    fade = np.where(edge >= FLAT_FROM, 0.0, fade)  # flat (z = level) from FLAT_FROM of the radius out
    m = params.components
    head = rng.uniform(0, 2 * np.pi)
    lam = params.wavelength * np.geomspace(1.0, 0.2, m) * rng.uniform(0.85, 1.15, m)
    ang = head + np.radians(params.spread) * rng.uniform(-1.0, 1.0, m)
    k = 2 * np.pi / lam
    amp = lam / lam.sum() * (params.height / 2.0)  # steepness falls with the shorter waves
    k_vec = np.stack([k * np.cos(ang), k * np.sin(ang)], -1)
    return Mesh(v, faces.astype(np.int64)), amp, k_vec, np.sqrt(GRAVITY * k), rng.uniform(0, 2 * np.pi, m), fade


class MarineSnowParams(BaseModel):
    """Marine snow: pale flocs drifting in the water in front of the camera."""

    model_config = ConfigDict(extra="forbid")

    density: float = Field(5.0, ge=0.0, le=2000.0, description="flocs per m^3 of view volume (0: none)")
    near: float = Field(0.4, gt=0.05, le=50.0, description="nearest floc from the camera, m")
    far: float = Field(8.0, gt=0.1, le=200.0, description="farthest floc from the camera, m")
    size: float = Field(0.0015, gt=0.0002, le=0.05, description="median floc radius, m")
    drift: float = Field(0.08, ge=0.0, le=3.0, description="drift with the current, m/s")
    sink: float = Field(0.01, ge=0.0, le=1.0, description="sinking speed, m/s")
    max_flocs: int = Field(60000, ge=0, le=2000000, description="cap on the number of flocs")


def marine_snow(params: MarineSnowParams, camera: Camera, heading: float, ceiling: float, duration: float,
                rng: np.random.Generator) -> tuple[Instances, dict] | None:
    """Flocs in the view of ``camera`` (placed for the middle of a ``duration`` s shot, kept under
    ``ceiling``): the ``Instances`` (ids assigned by the scene) and the ``Fall`` arguments."""
    near, far = sorted((params.near, params.far))
    far = max(far, near + 0.1)
    n = int(min(params.max_flocs, round(params.density * view_volume(camera, near, far))))
    if n == 0:
        return None
    mid = camera.points_in_view(n, near, far, rng, margin=0.0)
    along = np.array([np.cos(heading), np.sin(heading), 0.0])
    vel = along[None] * params.drift * rng.uniform(0.7, 1.3, n)[:, None]
    vel[:, 2] -= params.sink * rng.uniform(0.5, 1.5, n)
    centres = mid - vel * (0.5 * duration)
    centres[:, 2] = np.minimum(centres[:, 2], ceiling - 0.05)
    rot = axis_angle_matrices(rng.normal(size=(n, 3)), rng.uniform(0, 2 * np.pi, n))
    size = params.size * np.exp(rng.normal(0.0, 0.4, n))
    squash = np.stack([size, size * rng.uniform(0.5, 1.0, n), size * rng.uniform(0.4, 0.9, n)], -1)
    floc = icosphere(1)
    inst = Instances(Mesh(floc.vertices, floc.faces), compose_trs(centres, rot, squash))
    fall = {"centres": centres, "velocity": vel, "spin_axis": rng.normal(size=(n, 3)),
            "spin_rate": rng.uniform(-0.8, 0.8, n), "flutter": 0.01 * rng.uniform(0.5, 1.5, n),
            "flutter_frequency": rng.uniform(0.1, 0.4, n), "phase": rng.uniform(0, 2 * np.pi, n)}
    return inst, fall


def marine_snow_motion(ids, fall: dict) -> Fall:
    return Fall(ids, fall["centres"], fall["velocity"], fall["spin_axis"], fall["spin_rate"],
                flutter=fall["flutter"], flutter_frequency=fall["flutter_frequency"], phase=fall["phase"])
