"""Fish: a fusiform body on a chain of six spine bones, forked tail fin, dorsal and pectoral fins.

Swims a weaving line at constant depth; the body undulates with a travelling wave of lateral
bending whose amplitude grows towards the tail (carangiform swimming): bone k bends by
``A (k / n)^1.5 sin(2 pi f t - 2 pi k / (n wavelength))``.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from . import CreatureKind, Place, register
from .body import Part, Skeleton, assemble, polyline, profile, rot_z
from .rig import CreatureRig, GivenPath, SwimPath

N_SPINE = 6


class FishParams(BaseModel):
    """A fish's body, fins and swimming."""

    model_config = ConfigDict(extra="forbid")

    length: float = Field(0.4, gt=0.02, le=5.0, description="nose to tail-fin tip, m")
    depth: float = Field(0.14, gt=0.03, le=0.6, description="body half-height per length")
    width: float = Field(0.5, gt=0.1, le=1.2, description="body half-width per half-height")
    tail_fin: float = Field(0.22, gt=0.05, le=0.6, description="tail fin height per length")
    dorsal: float = Field(0.1, ge=0.0, le=0.4, description="dorsal fin height per length (0: none)")
    speed: float = Field(0.6, ge=0.0, le=10.0, description="swimming speed, m/s")
    beat_hz: float = Field(2.0, gt=0.1, le=20.0, description="tail beats per second")
    amplitude_deg: float = Field(18.0, ge=0.0, le=45.0, description="bend of the last spine bone, degrees")
    wavelength: float = Field(1.0, gt=0.3, le=3.0, description="body wave length per body length")


def sample(rng: np.random.Generator) -> FishParams:
    length = float(np.exp(rng.uniform(np.log(0.15), np.log(0.8))))
    return FishParams(length=length, depth=rng.uniform(0.1, 0.22), width=rng.uniform(0.35, 0.65),
                      tail_fin=rng.uniform(0.16, 0.3), dorsal=rng.uniform(0.0, 0.15),
                      speed=length * rng.uniform(0.8, 2.0), beat_hz=rng.uniform(1.5, 3.5),
                      amplitude_deg=rng.uniform(12.0, 24.0), wavelength=rng.uniform(0.8, 1.3))


def size(p: FishParams) -> float:
    return float(p.length / 2 + p.tail_fin * p.length / 2)


def build(p: FishParams, rng: np.random.Generator):
    L = p.length
    hgt = p.depth * L
    wid = p.width * hgt
    sk = Skeleton()
    xs = np.linspace(0.5 * L, -0.3 * L, N_SPINE + 1)
    spine = [sk.add(f"spine{k}", f"spine{k - 1}" if k else None, (xs[k], 0, 0), (xs[k + 1], 0, 0))
             for k in range(N_SPINE)]
    fin = sk.add("caudal", f"spine{N_SPINE - 1}", (xs[-1], 0, 0), (-0.5 * L, 0, 0))
    parts = []
    s = np.linspace(0, 1, 24)
    c = polyline([(0.5 * L, 0, 0), (-0.36 * L, 0, 0)], 24)
    parts.append(Part("body", c, profile(s, [(0, 0.05 * wid), (0.12, 0.75 * wid), (0.3, wid), (0.75, 0.45 * wid),
                                             (0.95, 0.2 * wid), (1, 0.1 * wid)]),
                      profile(s, [(0, 0.05 * hgt), (0.12, 0.7 * hgt), (0.35, hgt), (0.75, 0.45 * hgt),
                                  (0.95, 0.14 * hgt), (1, 0.1 * hgt)]),
                      spine, segments=14, blend=0.1 * L))
    tf = p.tail_fin * L
    ct = polyline([(-0.3 * L, 0, 0), (-0.5 * L, 0, 0)], 8)
    st = np.linspace(0, 1, 8)
    parts.append(Part("tail_fin", ct, np.full(8, 0.012 * L), profile(st, [(0, 0.15 * hgt), (0.6, 0.7 * tf / 2),
                                                                         (1, tf / 2)]),
                      [spine[-1], fin], segments=8, blend=0.05 * L, region=1.0))
    if p.dorsal > 0:
        cd = polyline([(0.15 * L, 0, 0.85 * hgt), (-0.12 * L, 0, 0.7 * hgt)], 8)
        sd = np.linspace(0, 1, 8)
        parts.append(Part("dorsal", cd, np.full(8, 0.01 * L), profile(sd, [(0, 0.02 * L), (0.3, p.dorsal * L),
                                                                           (1, 0.02 * L)]),
                          spine[1:4], segments=6, blend=0.1 * L, region=1.0))
    for side in (1, -1):
        cp = polyline([(0.25 * L, side * 0.6 * wid, -0.4 * hgt), (0.12 * L, side * (wid + 0.12 * L), -0.6 * hgt)], 6)
        sp = np.linspace(0, 1, 6)
        parts.append(Part("pectoral", cp, profile(sp, [(0, 0.03 * L), (0.5, 0.05 * L), (1, 0.01 * L)]),
                          np.full(6, 0.006 * L), spine[:2], up=(0, 0, 1), segments=6, blend=0.05 * L, region=1.0))
    return assemble(sk, parts), spine, fin


def make(p: FishParams, rng: np.random.Generator, place: Place) -> CreatureRig:
    body, spine, fin = build(p, rng)
    sk = body.skeleton
    rest = sk.rest_local()
    z = place.z if place.z is not None else float(place.ground(place.xy[:1], place.xy[1:2])[0]) + 0.5
    path = SwimPath(np.asarray(place.xy, float), float(place.heading), p.speed, z,
                    weave=rng.uniform(0.0, 0.3) * p.length * 3, weave_hz=rng.uniform(0.1, 0.3),
                    phase=rng.uniform(0, 2 * np.pi))
    if place.path is not None:  # a school member: its boids path
        path = GivenPath(place.path)
    amp = np.radians(p.amplitude_deg)
    ph = rng.uniform(0, 2 * np.pi)
    n = len(spine)

    def pose(t: float) -> np.ndarray:
        local = np.tile(np.eye(3), (len(sk), 1, 1))
        w = 2 * np.pi * p.beat_hz * t + ph
        for k, i in enumerate(spine):
            a = amp * ((k + 1) / n) ** 1.5 * 0.6
            local[i] = rot_z(a * np.sin(w - 2 * np.pi * k / (n * p.wavelength)))
        local[fin] = rot_z(0.5 * amp * np.sin(w - 2 * np.pi / p.wavelength))
        return sk.fk(path.frame(t), local, rest=rest)

    return CreatureRig(body, pose, 0, t0=place.t0, path=path.frame)


register(CreatureKind("fish", "fish", "water", FishParams, sample, make, "creature_skin", size))

