"""Moving things for sequences: falling particles, wind sway of vegetation, movers (generators/movers.py),
and the point tracks sampled on all of them.

Both return ``core.motion`` objects keyed by instance id, so the renderer
moves exactly what the ground truth maps (see core/motion.py).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..core.camera import Camera
from ..core.mesh import Instances, Mesh, compose_trs
from ..core.motion import Fall, Sway, axis_angle_matrices
from ..core.scene import MaterialRef, Object, Scene
from ..core.seeds import SeedTree
from .creatures.placement import CreatureParams
from .movers import MoverParams

PLANT_CLASSES = ("tree", "bush", "grass", "flower", "fern")


class TrackParams(BaseModel):
    """Query points of the point tracks (format ``tracks``): sampled on the first output frame."""

    model_config = ConfigDict(extra="forbid")

    points: int = Field(1024, ge=1, le=1_000_000, description="query points per camera")
    moving_share: float = Field(0.5, ge=0.0, le=1.0, description="share of the points put on moving things when "
                                                                 "they cover enough pixels")
    rel_tol: float = Field(0.01, ge=0.0, le=1.0, description="visibility: relative depth tolerance")
    abs_tol: float = Field(0.005, ge=0.0, le=10.0, description="visibility: absolute depth tolerance, m")


class MotionParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    particles: int = Field(150, ge=0, le=100000, description="falling particles (leaves) in front of the camera")
    particle_size: float = Field(0.06, gt=0.001, le=2.0, description="particle size (half-length), m")
    fall_speed: float = Field(0.8, ge=0.0, le=20.0, description="mean falling speed, m/s")
    near: float = Field(1.5, gt=0.05, le=100.0, description="nearest particle distance from the first camera, m")
    far: float = Field(12.0, gt=0.1, le=1000.0, description="farthest particle distance from the first camera, m")
    sway_degrees: float = Field(3.0, ge=0.0, le=45.0, description="wind sway amplitude of vegetation, degrees")
    sway_frequency: float = Field(0.6, ge=0.0, le=10.0, description="wind sway frequency, Hz")
    movers: MoverParams = Field(default_factory=MoverParams, description="rigid things flying through the view "
                                                                         "(count 0: none)")
    creatures: CreatureParams = Field(default_factory=CreatureParams,
                                      description="animals by biome (generators/creatures; density 0: none)")
    tracks: TrackParams = Field(default_factory=TrackParams,
                                description="point tracks of shots with more than one frame")


def leaf_mesh() -> Mesh:
    """A closed, flat, diamond-shaped leaf of half-length 1 (double-sided by construction)."""
    v = np.array([[1.0, 0, 0], [0, 0.45, 0], [-1.0, 0, 0], [0, -0.45, 0], [0, 0, 0.08], [0, 0, -0.08]])
    f = np.array([[0, 1, 4], [1, 2, 4], [2, 3, 4], [3, 0, 4], [1, 0, 5], [2, 1, 5], [3, 2, 5], [0, 3, 5]])
    return Mesh(v, f, smooth=False)


def add_falling_particles(scene: Scene, params: MotionParams, camera: Camera, duration: float,
                          ground: Callable[[np.ndarray, np.ndarray], np.ndarray], seeds: SeedTree) -> Fall | None:
    """Add leaves inside the first camera's view that fall during ``duration`` seconds.

    Particles are placed so that half-way through the shot they sit at random
    pixels and depths of the first view; they start above the ground.
    """
    n = params.particles
    if n == 0:
        return None
    rng = seeds.rng()
    u = rng.uniform(0.05, 0.95, n) * camera.width
    v = rng.uniform(0.05, 0.95, n) * camera.height
    z = np.exp(rng.uniform(np.log(params.near), np.log(max(params.far, params.near * 1.01)), n))
    pc = np.stack([(u - camera.K[0, 2]) / camera.K[0, 0] * z, (v - camera.K[1, 2]) / camera.K[1, 1] * z, z], -1)
    mid = pc @ camera.cam_to_world[:3, :3].T + camera.cam_to_world[:3, 3]
    speed = params.fall_speed * rng.uniform(0.6, 1.4, n)
    drift = rng.normal(0.0, 0.2, (n, 2)) * params.fall_speed
    vel = np.concatenate([drift, -speed[:, None]], 1)
    centres = mid - vel * (0.5 * duration)  # rest position = time 0
    floor = ground(centres[:, 0], centres[:, 1]) + params.particle_size * 2
    centres[:, 2] = np.maximum(centres[:, 2], floor)
    rot0 = axis_angle_matrices(rng.normal(size=(n, 3)), rng.uniform(0, 2 * np.pi, n))
    scale = params.particle_size * rng.uniform(0.7, 1.3, n)
    inst = Instances(leaf_mesh(), compose_trs(centres, rot0, scale))
    obj = scene.add(Object("falling_leaves", inst, MaterialRef("leaf_litter", seeds.child("material").int()),
                           semantic="weather_particle", generator="motion.falling_particles",
                           params=params.model_dump()))
    return Fall(obj.ids, centres, vel, rng.normal(size=(n, 3)), rng.uniform(1.0, 5.0, n) * rng.choice([-1, 1], n),
                flutter=rng.uniform(0.05, 0.25, n), flutter_frequency=rng.uniform(0.3, 1.0, n),
                phase=rng.uniform(0, 2 * np.pi, n))


def wind_sway(scene: Scene, params: MotionParams, seeds: SeedTree) -> Sway | None:
    """Sway every vegetation id of the scene about its base (one rigid rotation per id)."""
    if params.sway_degrees <= 0:
        return None
    ids, pivots = [], []
    for o in scene.objects:
        if o.semantic not in PLANT_CLASSES or isinstance(getattr(o, "id_groups", None), str):
            continue  # "given" ids move with their owner
        g = o.geometry
        if isinstance(g, Instances):
            uniq, inv = np.unique(g.ids, return_inverse=True)
            sums = np.zeros((len(uniq), 3))
            np.add.at(sums, inv, g.transforms[:, :3, 3].astype(np.float64))
            ids.append(uniq)
            pivots.append(sums / np.bincount(inv)[:, None])
        else:
            lo, hi = g.bounds()
            ids.append(np.array([o.instance_id]))
            pivots.append(np.array([[(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, lo[2]]]))
    if not ids:
        return None
    ids, pivots = np.concatenate(ids), np.concatenate(pivots)
    rng = seeds.rng()
    n = len(ids)
    wind = rng.uniform(0, 2 * np.pi)
    amp = np.radians(params.sway_degrees) * rng.uniform(0.5, 1.0, n)
    return Sway(ids, pivots, amp, params.sway_frequency * rng.uniform(0.7, 1.3, n), rng.uniform(0, 2 * np.pi, n),
                (np.cos(wind), np.sin(wind)))
