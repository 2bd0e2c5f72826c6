"""Jellyfish: a dome-shaped bell (a surface of revolution) and hanging tentacles.

The bell pulses: its rim bone scales the lower bell radially by ``1 - contraction`` at the peak of
each beat (a non-rigid bone matrix, which linear blend skinning allows), its top bone stretches a
little vertically; the tentacles sway with a wave running down each one. It drifts slowly, rising
on each contraction and sinking between beats.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from . import CreatureKind, Place, register
from .body import Part, Skeleton, assemble, polyline
from .rig import CreatureRig, SwimPath


class JellyfishParams(BaseModel):
    """A jellyfish's bell, tentacles and pulsing."""

    model_config = ConfigDict(extra="forbid")

    radius: float = Field(0.15, gt=0.01, le=2.0, description="bell radius, m")
    height: float = Field(0.7, gt=0.2, le=2.0, description="bell height per radius")
    tentacles: int = Field(8, ge=0, le=24, description="number of tentacles")
    tentacle_length: float = Field(3.0, ge=0.2, le=20.0, description="tentacle length per bell radius")
    pulse_hz: float = Field(0.8, gt=0.05, le=5.0, description="bell beats per second")
    contraction: float = Field(0.25, ge=0.0, le=0.6, description="rim contraction at the peak of a beat")
    drift: float = Field(0.05, ge=0.0, le=1.0, description="horizontal drift speed, m/s")


def sample(rng: np.random.Generator) -> JellyfishParams:
    return JellyfishParams(radius=float(np.exp(rng.uniform(np.log(0.06), np.log(0.3)))), height=rng.uniform(0.5, 0.9),
                           tentacles=int(rng.integers(6, 13)), tentacle_length=rng.uniform(1.5, 4.0),
                           pulse_hz=rng.uniform(0.5, 1.2), contraction=rng.uniform(0.15, 0.3),
                           drift=rng.uniform(0.0, 0.08))


def size(p: JellyfishParams) -> float:
    return float(max(p.radius, 0.5 * (p.height + p.tentacle_length) * p.radius))


def make(p: JellyfishParams, rng: np.random.Generator, place: Place) -> CreatureRig:
    R, h = p.radius, p.height * p.radius
    sk = Skeleton()
    top = sk.add("top", None, (0, 0, h), (0, 0, 0.4 * h), up=(1, 0, 0))
    rim = sk.add("rim", "top", (0, 0, 0.4 * h), (0, 0, 0.0), up=(1, 0, 0))
    parts = []
    s = np.linspace(0, 1, 14)
    c = polyline([(0, 0, h), (0, 0, -0.05 * h)], 14)
    r = R * np.sin(np.pi / 2 * np.clip(s / 0.92, 0, 1)) ** 0.8
    r[-1] = 0.8 * R
    parts.append(Part("bell", c, r, r, [top, rim], up=(1, 0, 0), segments=20, blend=0.35 * h))
    chains = []
    length = p.tentacle_length * R
    for k in range(p.tentacles):
        a = 2 * np.pi * k / max(p.tentacles, 1) + rng.uniform(-0.1, 0.1)
        base = np.array([0.75 * R * np.cos(a), 0.75 * R * np.sin(a), 0.0])
        bones = []
        for j in range(3):
            bones.append(sk.add(f"t{k}_{j}", f"t{k}_{j - 1}" if j else "rim", base - np.array([0, 0, length * j / 3]),
                                base - np.array([0, 0, length * (j + 1) / 3]), up=(np.cos(a), np.sin(a), 0)))
        ct = polyline([base + np.array([0, 0, 0.05 * h]), base - np.array([0, 0, length])], 10)
        tr = np.linspace(0.04, 0.012, 10) * R + 0.002
        parts.append(Part("tentacle", ct, tr, tr, [rim] + bones, up=(1, 0, 0), segments=5, blend=0.2 * length,
                          region=1.0))
        chains.append((bones, a))
    body = assemble(sk, parts)
    rest = sk.rest_local()
    z = place.z if place.z is not None else float(place.ground(place.xy[:1], place.xy[1:2])[0]) + 1.0
    path = SwimPath(np.asarray(place.xy, float), float(place.heading), p.drift, z)
    ph = rng.uniform(0, 2 * np.pi)

    def beat(t: float) -> float:
        """0 at rest, 1 at full contraction: a quick squeeze and a slower release."""
        x = (p.pulse_hz * t + ph / (2 * np.pi)) % 1.0
        return float(np.sin(np.pi * x / 0.35) ** 2 if x < 0.35 else 0.0)

    def pose(t: float) -> np.ndarray:
        b = beat(t)
        local = np.tile(np.eye(3), (len(sk), 1, 1))
        squeeze = 1.0 - p.contraction * b
        local[rim] = np.diag([1.0 + 0.2 * p.contraction * b, squeeze, squeeze])  # bone x is down the axis
        local[top] = np.diag([1.0 + 0.1 * p.contraction * b, 1.0, 1.0])
        for bones, a in chains:
            for j, i in enumerate(bones):
                local[i] = _bend(0.25 * np.sin(2 * np.pi * 0.4 * t + ph + a - 1.2 * j))
        root = path.frame(t)
        root[2, 3] += 0.3 * R * (np.sin(2 * np.pi * p.pulse_hz * t + ph) - np.sin(ph))
        return sk.fk(root, local, rest=rest)

    return CreatureRig(body, pose, 0, t0=place.t0, path=path.frame)


def _bend(angle: float) -> np.ndarray:
    """Rotation about a bone's own z axis (a tentacle swinging sideways)."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


register(CreatureKind("jellyfish", "jellyfish", "water", JellyfishParams, sample, make, "creature_skin", size))
