"""Dragonfly: a round head, a thorax, a long slender abdomen on four bones, two pairs of long flat wings.

Flies low (about 0.5-2.5 m above the ground) along a weaving line, hovering now and then; the
wings beat fast (25-40 Hz), fore and hind pairs a quarter beat apart, and the abdomen bobs.
Small: it is placed 2-8 m from the camera (``CreatureKind.view``). In a swarm (``placement.GROUPS``)
each member follows its own boids path (``flock.py``, ``CreatureParams.swarm``).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from . import CreatureKind, Place, register
from .body import Part, Skeleton, assemble, polyline, profile, rot_x, rot_y
from .rig import CreatureRig, GivenPath, SwimPath


class DragonflyParams(BaseModel):
    """A dragonfly's body, wings and flight."""

    model_config = ConfigDict(extra="forbid")

    length: float = Field(0.07, gt=0.01, le=0.3, description="head to abdomen tip, m")
    wingspan: float = Field(1.3, gt=0.5, le=2.5, description="wingspan per body length")
    beat_hz: float = Field(30.0, gt=1.0, le=80.0, description="wing beats per second")
    beat_deg: float = Field(40.0, ge=0.0, le=80.0, description="wing beat amplitude, degrees")
    speed: float = Field(1.5, ge=0.0, le=15.0, description="flight speed, m/s")


def sample(rng: np.random.Generator) -> DragonflyParams:
    return DragonflyParams(length=rng.uniform(0.05, 0.09), wingspan=rng.uniform(1.1, 1.5),
                           beat_hz=rng.uniform(25.0, 40.0), beat_deg=rng.uniform(30.0, 50.0),
                           speed=rng.uniform(0.5, 3.0))


def size(p: DragonflyParams) -> float:
    return float(0.5 * p.length * max(1.0, p.wingspan))


def make(p: DragonflyParams, rng: np.random.Generator, place: Place) -> CreatureRig:
    L = p.length
    r = 0.045 * L
    sk = Skeleton()
    thorax = sk.add("thorax", None, (0.1 * L, 0, 0), (0.28 * L, 0, 0))
    head = sk.add("head", "thorax", (0.28 * L, 0, 0), (0.36 * L, 0, 0))
    abd = []
    xs = np.linspace(0.1 * L, -0.64 * L, 5)
    for k in range(4):
        abd.append(sk.add(f"abd{k}", "thorax" if k == 0 else f"abd{k - 1}", (xs[k], 0, 0), (xs[k + 1], 0, 0)))
    wings = []
    half = 0.5 * p.wingspan * L
    for fore, x in ((True, 0.22 * L), (False, 0.12 * L)):
        for side in (1, -1):
            n = f"{'f' if fore else 'h'}{'l' if side > 0 else 'r'}"
            root = np.array([x, side * r, r])
            wings.append((sk.add(n, "thorax", root, root + np.array([-0.08 * L, side * half, 0.0])), fore, root, side))
    parts = []
    s = np.linspace(0, 1, 8)
    parts.append(Part("thorax", polyline([(0.06 * L, 0, 0), (0.3 * L, 0, 0)], 8),
                      profile(s, [(0, 0.3 * r), (0.5, 1.6 * r), (1, 0.5 * r)]),
                      profile(s, [(0, 0.3 * r), (0.5, 1.8 * r), (1, 0.5 * r)]), [thorax], segments=8, blend=0.05))
    parts.append(Part("head", polyline([(0.27 * L, 0, 0.2 * r), (0.38 * L, 0, 0.2 * r)], 7),
                      profile(np.linspace(0, 1, 7), [(0, 0.4 * r), (0.5, 2.0 * r), (1, 0.3 * r)]),
                      profile(np.linspace(0, 1, 7), [(0, 0.4 * r), (0.5, 1.6 * r), (1, 0.3 * r)]), [head],
                      segments=8, blend=0.05, region=2.0))
    sa = np.linspace(0, 1, 16)
    ra = profile(sa, [(0, 0.8 * r), (0.1, 0.7 * r), (0.9, 0.55 * r), (1, 0.2 * r)])
    parts.append(Part("abdomen", polyline([(0.1 * L, 0, 0), (-0.64 * L, 0, 0)], 16), ra, ra, [thorax] + abd,
                      segments=6, blend=0.12 * L))
    for wi, fore, root, side in wings:
        cw = polyline([root, root + np.array([-0.08 * L, side * half, 0.0])], 10)
        sw = np.linspace(0, 1, 10)
        chord = (0.11 if fore else 0.13) * L
        parts.append(Part("wing", cw, profile(sw, [(0, 0.4 * chord), (0.3, chord), (0.9, 0.8 * chord),
                                                   (1, 0.2 * chord)]), np.full(10, 0.004 * L), [wi], segments=6,
                          blend=0.05, region=1.0))
    body = assemble(sk, parts)
    rest = sk.rest_local()
    ground_z = float(place.ground(np.asarray(place.xy[:1], float), np.asarray(place.xy[1:2], float))[0])
    z = place.z if place.z is not None else ground_z + rng.uniform(0.5, 2.5)
    path = SwimPath(np.asarray(place.xy, float), float(place.heading), p.speed, z, weave=rng.uniform(0.1, 0.6),
                    weave_hz=rng.uniform(0.2, 0.6), phase=rng.uniform(0, 2 * np.pi))
    if place.path is not None:  # a swarm member: its boids path (scene time, so t0 = 0)
        path = GivenPath(place.path)
    amp = np.radians(p.beat_deg)
    ph = rng.uniform(0, 2 * np.pi)

    def pose(t: float) -> np.ndarray:
        local = np.tile(np.eye(3), (len(sk), 1, 1))
        w = 2 * np.pi * p.beat_hz * t + ph
        for wi, fore, _, side in wings:
            local[wi] = rot_y(-amp * np.sin(w + (0.0 if fore else np.pi / 2))) @ rot_x(side * 0.2 * np.cos(w))
        for k, i in enumerate(abd):
            local[i] = rot_y(0.06 * np.sin(2 * np.pi * 1.5 * t + ph - 0.6 * k))
        return sk.fk(path.frame(t), local, rest=rest)

    return CreatureRig(body, pose, 0, t0=place.t0, path=path.frame)


register(CreatureKind("dragonfly", "insect", "air", DragonflyParams, sample, make, "creature_skin", size,
                      palette="insect", view=(2.0, 8.0), altitude=(0.5, 2.5)))
