"""Snake: a long tapering tube on a chain of 16 bones, a slightly wider head.

Slithers by lateral undulation: a travelling wave of yaw bends runs down the chain while the head
moves forward along a gentle arc; every bone is then draped onto the terrain (its origin set to
the ground height plus the body radius), so the whole body lies on the ground.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from . import CreatureKind, Place, register
from .body import Part, Skeleton, assemble, polyline, profile, rot_z
from .rig import CreatureRig, GroundPath

N_BONES = 16


class SnakeParams(BaseModel):
    """A snake's body and slithering."""

    model_config = ConfigDict(extra="forbid")

    length: float = Field(1.2, gt=0.1, le=10.0, description="head to tail tip, m")
    radius: float = Field(0.022, gt=0.003, le=0.3, description="body radius, m")
    speed: float = Field(0.4, ge=0.0, le=5.0, description="forward speed, m/s")
    wave_hz: float = Field(1.0, gt=0.05, le=10.0, description="body waves per second")
    amplitude_deg: float = Field(22.0, ge=0.0, le=60.0, description="bend per bone, degrees")
    waves: float = Field(1.5, gt=0.3, le=5.0, description="waves along the body")
    turn_deg: float = Field(0.0, ge=-60.0, le=60.0, description="turn rate, degrees/s")


def sample(rng: np.random.Generator) -> SnakeParams:
    length = float(np.exp(rng.uniform(np.log(0.6), np.log(2.2))))
    return SnakeParams(length=length, radius=length * rng.uniform(0.014, 0.024), speed=rng.uniform(0.15, 0.6),
                       wave_hz=rng.uniform(0.6, 1.5), amplitude_deg=rng.uniform(14.0, 28.0),
                       waves=rng.uniform(1.2, 2.0), turn_deg=rng.uniform(-10.0, 10.0))


def size(p: SnakeParams) -> float:
    return float(p.length / 2)


def make(p: SnakeParams, rng: np.random.Generator, place: Place) -> CreatureRig:
    L, r = p.length, p.radius
    sk = Skeleton()
    xs = np.linspace(L / 2, -L / 2, N_BONES + 1)
    bones = [sk.add(f"b{k}", f"b{k - 1}" if k else None, (xs[k], 0, r), (xs[k + 1], 0, r)) for k in range(N_BONES)]
    s = np.linspace(0, 1, 48)
    c = polyline([(L / 2 + 0.5 * r, 0, r), (-L / 2, 0, r)], 48)
    w = profile(s, [(0, 0.3 * r), (0.025, 1.25 * r), (0.06, 0.9 * r), (0.1, r), (0.6, r), (0.95, 0.35 * r),
                    (1, 0.1 * r)])
    body = assemble(sk, [Part("body", c, w, w * 0.85, bones, segments=10, blend=0.6 * L / N_BONES)])
    rest = sk.rest_local()
    path = GroundPath(np.asarray(place.xy, float), float(place.heading), p.speed, np.radians(p.turn_deg),
                      place.ground, 0.2 * L)
    amp = np.radians(p.amplitude_deg)
    ph = rng.uniform(0, 2 * np.pi)

    def pose(t: float) -> np.ndarray:
        local = np.tile(np.eye(3), (len(sk), 1, 1))
        for k, i in enumerate(bones):
            env = min(1.0, (k + 1) / 3)
            local[i] = rot_z(env * amp * np.sin(2 * np.pi * p.wave_hz * t + ph - 2 * np.pi * p.waves * k / N_BONES))
        root = path.frame(t, 0.0)
        out = sk.fk(root, local, rest=rest)
        xy = out[:, :2, 3]
        out[:, 2, 3] = np.asarray(place.ground(xy[:, 0], xy[:, 1]), dtype=np.float64) + r
        return out

    return CreatureRig(body, pose, 0, t0=place.t0, path=lambda t: path.frame(t, 0.0))


register(CreatureKind("snake", "snake", "ground", SnakeParams, sample, lambda p, rng, place: make(p, rng, place),
                      "creature_skin", size))
