"""Water surfaces: ocean (Gerstner waves), lakes filling the terrain's basins, flat sheets (lake ice),
rivers following the terrain's drainage.

Each is a separate mesh (labelled ``water`` or ``ice`` by the scene) on the same
camera-centred polar grid as the terrain, so its detail follows the camera and
it reaches the horizon. The terrain hides the parts of a water sheet that lie
under the land; a river sheet is cut to a strip around the river's course.
Waves are geometry (not a shader), so depth, normals and segmentation show the
wavy surface exactly.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..core.mesh import Mesh
from .terrain.field import split_faces
from .terrain.landforms import River, smoothstep


class WaveParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(12, ge=0, le=64, description="number of Gerstner wave trains")
    wavelength_max: float = Field(40.0, ge=0.5, le=500.0, description="longest wavelength, m")
    wavelength_min: float = Field(1.5, ge=0.1, le=100.0, description="shortest wavelength, m")
    steepness: float = Field(0.55, ge=0.0, le=1.0, description="crest sharpness (1 = cusps, no folding)")
    amplitude_ratio: float = Field(0.018, ge=0.0, le=0.1, description="amplitude / wavelength")
    spread_deg: float = Field(40.0, ge=0.0, le=180.0, description="spread of wave directions around the wind")
    fade_distance: float = Field(4000.0, ge=10.0, le=100000.0, description="waves fade out beyond this distance, m")


def gerstner(x: np.ndarray, y: np.ndarray, params: WaveParams, rng: np.random.Generator,
             t: float = 0.0) -> np.ndarray:
    """Displacements (N, 3) of a sum of Gerstner waves at rest positions (x, y).

    Wavelengths are log-spaced, amplitudes proportional to wavelength, phase
    speeds from deep-water dispersion (c = sqrt(g / k)). The horizontal
    steepness is scaled so the sum never folds (sum of Q_i k_i A_i <= steepness).
    """
    p = params
    n = p.count
    out = np.zeros((len(x), 3))
    if n == 0:
        return out
    wind = rng.uniform(0, 2 * np.pi)
    lam = np.geomspace(p.wavelength_max, p.wavelength_min, n)
    ang = wind + np.radians(p.spread_deg) * rng.uniform(-1, 1, n)
    phase = rng.uniform(0, 2 * np.pi, n)
    k = 2 * np.pi / lam
    amp = p.amplitude_ratio * lam * rng.uniform(0.6, 1.0, n)
    omega = np.sqrt(9.81 * k)
    q = p.steepness / max(float(np.sum(k * amp)), 1e-9)
    for i in range(n):
        dx, dy = np.cos(ang[i]), np.sin(ang[i])
        th = k[i] * (dx * x + dy * y) - omega[i] * t + phase[i]
        c, s = np.cos(th), np.sin(th)
        out[:, 0] += q * amp[i] * dx * c
        out[:, 1] += q * amp[i] * dy * c
        out[:, 2] += amp[i] * s
    return out


def _sheet(cones, extent, ppt) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A water sheet's grid: detail follows every camera's view cone (``terrain/lod.py``)."""
    from .terrain.lod import lod_grid

    return lod_grid(cones, extent, ppt, margin_deg=12.0, r0=0.05, radial_factor=3.0, back_factor=12.0,
                    far_start=300.0, far_factor=6.0)


def _nearest_eye_distance(cones, x, y) -> np.ndarray:
    return np.min([np.hypot(x - c.eye[0], y - c.eye[1]) for c in cones], axis=0)


def ocean_mesh(cones, level: float, waves: WaveParams, rng: np.random.Generator, extent: float = 20000.0,
               pixels_per_triangle: float = 3.0, keep=None) -> Mesh:
    """A wavy sea surface around the camera. ``keep(x, y) -> bool`` may drop faces (e.g. deep under land)."""
    xv, yv, faces = _sheet(cones, extent, pixels_per_triangle)
    d = gerstner(xv, yv, waves, rng)
    fade = 1.0 - smoothstep(0.5 * waves.fade_distance, waves.fade_distance, _nearest_eye_distance(cones, xv, yv))
    v = np.stack([xv + d[:, 0] * fade, yv + d[:, 1] * fade, level + d[:, 2] * fade], -1)
    mesh = Mesh(v, faces, {"foam": np.clip(d[:, 2] / max(waves.amplitude_ratio * waves.wavelength_max, 1e-6),
                                           0, 1).astype(np.float32)})
    return _keep_faces(mesh, keep)


def lake_mesh(cones, level: float, extent: float = 20000.0, pixels_per_triangle: float = 4.0, keep=None) -> Mesh:
    """A flat water (or ice) sheet at ``level``."""
    xv, yv, faces = _sheet(cones, extent, pixels_per_triangle)
    mesh = Mesh(np.stack([xv, yv, np.full_like(xv, level)], -1), faces)
    return _keep_faces(mesh, keep)


def river_ripples(u: np.ndarray, v: np.ndarray, spacing: np.ndarray, rng: np.random.Generator,
                  count: int = 16) -> np.ndarray:
    """Height (m) of a river's small surface waves at along-stream ``u`` and across-stream ``v`` (m).

    ``count`` wave trains with wavelengths log-uniform in 0.3-3 m, their crests mostly across the
    current (standing waves and the wakes of stones; wave vectors within 60 degrees of the flow),
    amplitude 0.25-0.5 % of the wavelength, random phases; a 10-25 m envelope leaves calm, glassy
    stretches between rippled ones. A train fades where the local vertex ``spacing`` exceeds a
    quarter of its wavelength and is gone at half, so coarse far triangles do not alias it."""
    lam = np.exp(rng.uniform(np.log(0.3), np.log(3.0), count))
    ang = np.radians(60.0) * rng.uniform(-1.0, 1.0, count)
    amp = lam * rng.uniform(0.0025, 0.005, count)
    phase = rng.uniform(0.0, 2 * np.pi, count)
    h = np.zeros_like(u)
    for i in range(count):
        k = 2 * np.pi / lam[i]
        keep = 1.0 - smoothstep(0.25 * lam[i], 0.5 * lam[i], spacing)
        h += keep * amp[i] * np.sin(k * (np.cos(ang[i]) * u + np.sin(ang[i]) * v) + phase[i])
    env_lam = rng.uniform(10.0, 25.0, 2)
    env_ang = rng.uniform(0.0, np.pi, 2)
    env_ph = rng.uniform(0.0, 2 * np.pi, 2)
    env = np.ones_like(u)
    for i in range(2):
        env *= np.sin(2 * np.pi / env_lam[i] * (np.cos(env_ang[i]) * u + np.sin(env_ang[i]) * v) + env_ph[i])
    return h * (0.6 + 0.5 * env)


def river_mesh(cones, river: River, extent: float = 20000.0, pixels_per_triangle: float = 3.0,
               rng: np.random.Generator | None = None) -> Mesh:
    """The river's water surface: the sheet z = level(x, y) (falling along the course) cut to a strip
    around the course, under the banks, with small irregular waves (``river_ripples``; ``rng`` draws
    them, None: seed 0)."""
    xv, yv, faces = _sheet(cones, extent, pixels_per_triangle)
    c = np.stack([xv[faces].mean(axis=1), yv[faces].mean(axis=1)], -1)
    pc = river.project(c[:, 0], c[:, 1])
    ok = pc["distance"] < pc["width"] * 1.2
    faces, face_level = faces[ok], pc["level"][ok]
    used, inv = np.unique(faces, return_inverse=True)
    xv, yv, faces = xv[used], yv[used], inv.reshape(-1, 3).astype(np.int32)
    pr = river.project(xv, yv)
    # a vertex of a big (far) triangle may lie beyond the river's reach: it takes the lowest level
    # of its faces' centres instead of its own projection
    far = np.full(len(xv), np.inf)
    spacing = np.zeros(len(xv))
    for k in range(3):
        np.minimum.at(far, faces[:, k], face_level)
        a, b = faces[:, k], faces[:, (k + 1) % 3]
        edge = np.hypot(xv[a] - xv[b], yv[a] - yv[b])
        np.maximum.at(spacing, a, edge)
        np.maximum.at(spacing, b, edge)
    level = np.where(pr["distance"] < pr["width"] * 1.5, pr["level"], far)
    u, v = pr["s"], np.clip(pr["offset"], -1e3, 1e3)
    ripple = river_ripples(u, v, spacing, rng if rng is not None else np.random.default_rng(0))
    return Mesh(np.stack([xv, yv, level + ripple], -1), faces)


def lake_meshes(cones, field, extent: float = 20000.0, pixels_per_triangle: float = 4.0) -> list[tuple[object, Mesh]]:
    """One flat sheet per lake of a ``TerrainField`` (``field.lakes``), at the lake's spill level,
    cut to the faces over its basin that reach below that level (the terrain hides the rest)."""
    if not field.lakes:
        return []
    half = -field.x0
    reach = max(float(np.hypot(abs(c.eye[0]) + half, abs(c.eye[1]) + half)) for c in cones)
    xv, yv, faces = _sheet(cones, min(extent, reach), pixels_per_triangle)
    c = np.stack([xv[faces].mean(axis=1), yv[faces].mean(axis=1)], -1)
    lake_of_face = field.lake_at(c[:, 0], c[:, 1])
    cand = lake_of_face > 0
    ground = np.full(len(xv), np.inf)
    used = np.unique(faces[cand])
    ground[used] = field.height(xv[used], yv[used])
    lowest = ground[faces].min(axis=1)
    out = []
    for lake in field.lakes:
        f = faces[(lake_of_face == lake.id) & (lowest < lake.level)]
        if len(f) == 0:
            continue
        used, inv = np.unique(f, return_inverse=True)
        v = np.stack([xv[used], yv[used], np.full(len(used), lake.level)], -1)
        out.append((lake, Mesh(v, inv.reshape(-1, 3).astype(np.int32))))
    return out


def _keep_faces(mesh: Mesh, keep) -> Mesh:
    if keep is None:
        return mesh
    c = mesh.vertices[mesh.faces].mean(axis=1).astype(np.float64)
    ok = keep(c[:, 0], c[:, 1])
    if ok.all():
        return mesh
    if not ok.any():
        return Mesh(np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int32))
    return split_faces(mesh, ok.astype(np.int64))[1]


__all__ = ["WaveParams", "gerstner", "lake_mesh", "lake_meshes", "ocean_mesh", "river_mesh", "river_ripples"]
