"""Weather as particles: rain streaks, snowflakes, dust motes and falling leaves.

Particles fill the camera's view between ``near`` and ``far`` metres (they
follow the camera, as in a real shot) and fall with their own velocity: each
kind is one ``Instances`` object of class ``weather_particle`` plus a
``core.motion.Fall`` track in ``scene.motions``, so sequences get correct flow
for them. With ``in_ground_truth`` off they appear in RGB only, and depth,
normals and ids show the scene behind them.

Fog is a box of scattering air around the camera (a volume with no surface),
so the sun and the sky beyond it stay lit; it is never in the ground truth.
"""

from __future__ import annotations

from typing import Callable, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..core.camera import Camera
from ..core.mesh import Instances, Mesh, compose_trs
from ..core.motion import Fall, axis_angle_matrices
from ..core.scene import MaterialRef, Object, Scene
from ..core.seeds import SeedTree
from .rocks import icosphere


class WeatherParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rain: float = Field(0.0, ge=0.0, le=2000.0, description="rain streaks per 1000 m^3 of view volume (0 = off; 300 = heavy)")
    snow: float = Field(0.0, ge=0.0, le=2000.0, description="snowflakes per 1000 m^3 (0 = off; 200 = dense)")
    dust: float = Field(0.0, ge=0.0, le=2000.0, description="dust motes per 1000 m^3 (0 = off)")
    leaves: float = Field(0.0, ge=0.0, le=500.0, description="falling leaves per 1000 m^3 (0 = off)")
    near: float = Field(0.8, gt=0.05, le=50.0, description="nearest particle distance, m")
    far: float = Field(25.0, gt=0.1, le=500.0, description="farthest particle distance, m")
    wind: float = Field(1.0, ge=0.0, le=30.0, description="horizontal wind speed, m/s")
    in_ground_truth: bool = Field(True, description="particles appear in depth, normals and segmentation")
    fog: float = Field(0.0, ge=0.0, le=1.0, description="fog density, 1/m (0.003 haze, 0.03 thick fog; 0 = off; slows rendering)")
    fog_height: float = Field(60.0, gt=0.0, le=5000.0, description="fog layer top above the camera, m")
    fog_extent: float = Field(1500.0, gt=1.0, le=20000.0, description="fog layer half-width around the camera, m")
    fog_kind: Literal["air", "murk"] = Field("air", description="air: grey-white scattering fog; murk: blue-green underwater murk that also absorbs")
    max_particles: int = Field(200000, ge=0, le=5000000, description="cap per kind")


# kind -> (size m, fall speed m/s, spin rad/s, flutter m, material)
_KINDS = {
    "rain": (0.0012, 7.0, 0.0, 0.0, "rain_drop"),
    "snow": (0.004, 1.0, 3.0, 0.08, "snowflake"),
    "dust": (0.0008, 0.05, 1.0, 0.05, "dust_mote"),
    "leaves": (0.04, 1.0, 3.0, 0.2, "leaf_litter"),
}


def _streak() -> Mesh:
    """A rain streak: a thin closed hexagonal prism along +Z, 1 unit radius, 40 units long
    (the length a 7 m/s drop moves in about 1/150 s at 1.2 mm radius)."""
    a = np.linspace(0, 2 * np.pi, 7)[:-1]
    ring = np.stack([np.cos(a), np.sin(a), np.zeros(6)], -1)
    v = np.concatenate([ring + [0, 0, -20.0], ring + [0, 0, 20.0], [[0, 0, -22.0], [0, 0, 22.0]]])
    j = np.arange(6)
    jn = (j + 1) % 6
    sides = np.concatenate([np.stack([j, jn, 6 + jn], -1), np.stack([j, 6 + jn, 6 + j], -1)])
    caps = np.concatenate([np.stack([np.full(6, 12), jn, j], -1), np.stack([np.full(6, 13), 6 + j, 6 + jn], -1)])
    return Mesh(v, np.concatenate([sides, caps]), smooth=True)


def _flake() -> Mesh:
    m = icosphere(1)
    return Mesh(m.vertices * [1.0, 1.0, 0.25], m.faces)


def _leaf() -> Mesh:
    v = np.array([[1.0, 0, 0], [0, 0.45, 0], [-1.0, 0, 0], [0, -0.45, 0], [0, 0, 0.05], [0, 0, -0.05]])
    f = np.array([[0, 1, 4], [1, 2, 4], [2, 3, 4], [3, 0, 4], [1, 0, 5], [2, 1, 5], [3, 2, 5], [0, 3, 5]])
    return Mesh(v, f, smooth=False)


def _mesh(kind: str) -> Mesh:
    return {"rain": _streak, "snow": _flake, "dust": lambda: icosphere(1), "leaves": _leaf}[kind]()


def view_volume(camera: Camera, near: float, far: float) -> float:
    """Volume of the view frustum between near and far, m^3."""
    tx = camera.width / (2 * camera.K[0, 0])
    ty = camera.height / (2 * camera.K[1, 1])
    return float(4 * tx * ty * (far**3 - near**3) / 3)


def fog_box(camera: Camera, extent: float, top: float) -> Mesh:
    """A closed box around the camera: ``extent`` m to each side, from 500 m below it to ``top`` above."""
    c = camera.position
    lo = np.array([c[0] - extent, c[1] - extent, c[2] - 500.0])
    hi = np.array([c[0] + extent, c[1] + extent, c[2] + top])
    v = np.array([[lo[0] if i & 1 == 0 else hi[0], lo[1] if i & 2 == 0 else hi[1], lo[2] if i & 4 == 0 else hi[2]]
                  for i in range(8)])
    f = np.array([[0, 2, 1], [1, 2, 3], [4, 5, 6], [5, 7, 6], [0, 1, 4], [1, 5, 4],
                  [2, 6, 3], [3, 6, 7], [0, 4, 2], [2, 4, 6], [1, 3, 5], [3, 7, 5]])
    return Mesh(v, f, smooth=False)


def add_weather(scene: Scene, params: WeatherParams, camera: Camera, ground: Callable, seeds: SeedTree,
                duration: float = 0.0) -> list[Object]:
    """Add every enabled particle kind to ``scene`` (objects and ``scene.motions``).

    Particles are placed for the middle of a shot of ``duration`` seconds, so a
    sequence sees them pass through the view rather than start in it.
    """
    if params.far <= params.near:
        raise ValueError(f"weather.far ({params.far}) must exceed weather.near ({params.near})")
    added = []
    volume = view_volume(camera, params.near, params.far)
    for kind, (size, speed, spin, flutter, material) in _KINDS.items():
        density = getattr(params, kind)
        if density <= 0:
            continue
        rng = seeds.child(kind).rng()
        n = int(min(params.max_particles, round(density * volume / 1000.0)))
        if n == 0:
            continue
        # pixels uniform, depth log-uniform: more particles near the camera, as a volume fill would give
        mid = camera.points_in_view(n, params.near, params.far, rng, margin=0.0)
        wind_dir = seeds.child("wind").rng().uniform(0, 2 * np.pi)
        vel = np.zeros((n, 3))
        vel[:, 2] = -speed * rng.uniform(0.8, 1.2, n)
        vel[:, 0] = params.wind * np.cos(wind_dir) * rng.uniform(0.7, 1.3, n)
        vel[:, 1] = params.wind * np.sin(wind_dir) * rng.uniform(0.7, 1.3, n)
        centres = mid - vel * (0.5 * duration)
        floor = ground(centres[:, 0], centres[:, 1]) + size
        centres[:, 2] = np.maximum(centres[:, 2], floor)
        if kind == "rain":  # streaks point along their velocity
            from ..core.mesh import rotation_align_z

            rot = rotation_align_z(vel)
        else:
            rot = axis_angle_matrices(rng.normal(size=(n, 3)), rng.uniform(0, 2 * np.pi, n))
        scale = size * rng.uniform(0.7, 1.3, n)
        obj = scene.add(Object(f"weather_{kind}", Instances(_mesh(kind), compose_trs(centres, rot, scale)),
                               MaterialRef(material, seeds.child(kind).child("material").int()),
                               semantic="weather_particle", generator=f"weather.{kind}",
                               params=params.model_dump(), in_ground_truth=params.in_ground_truth))
        scene.motions.append(Fall(obj.ids, centres, vel, rng.normal(size=(n, 3)),
                                  spin * rng.uniform(0.5, 1.5, n) * rng.choice([-1, 1], n),
                                  flutter=flutter * rng.uniform(0.5, 1.5, n),
                                  flutter_frequency=rng.uniform(0.3, 1.2, n), phase=rng.uniform(0, 2 * np.pi, n)))
        added.append(obj)
    if params.fog > 0:  # a volume only (no surface): never in the ground truth
        fog = scene.add(Object("fog", fog_box(camera, params.fog_extent, params.fog_height),
                               MaterialRef("fog" if params.fog_kind == "air" else "murk",
                                           params=(("density", params.fog),)), semantic="sky",
                               generator="weather.fog", params={"fog": params.fog}, in_ground_truth=False))
        added.append(fog)
    return added
