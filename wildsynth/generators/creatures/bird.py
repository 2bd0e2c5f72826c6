"""Bird: a spindle body, short neck, round head and conical beak, two-segment wings and a fan tail.

Flies a banked circle (or a straight line) at constant altitude; the wings beat (the inner segment
by ``flap_deg``, the outer lagging with 40 % more), alternating with glides (wings held at a small
dihedral) for ``glide`` of the time; the body bobs against the downstroke and the tail tilts.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from . import CreatureKind, Place, register
from .body import Part, Skeleton, assemble, polyline, profile, rot_x, rot_y
from .rig import CreatureRig, FlightPath, GivenPath


class BirdParams(BaseModel):
    """A bird's body, wings and flight."""

    model_config = ConfigDict(extra="forbid")

    body_length: float = Field(0.3, gt=0.03, le=1.5, description="body length, beak base to tail base, m")
    girth: float = Field(0.16, gt=0.05, le=0.4, description="body half-height per body length")
    wingspan: float = Field(0.8, gt=0.05, le=4.0, description="wing tip to wing tip, m")
    chord: float = Field(0.35, gt=0.05, le=1.0, description="wing root chord per body length")
    beak: float = Field(0.25, gt=0.02, le=1.0, description="beak length per head length")
    tail: float = Field(0.5, gt=0.05, le=1.5, description="tail length per body length")
    flap_hz: float = Field(4.0, gt=0.2, le=30.0, description="wing beats per second")
    flap_deg: float = Field(35.0, ge=0.0, le=80.0, description="wing beat amplitude, degrees")
    glide: float = Field(0.3, ge=0.0, le=1.0, description="share of the time spent gliding")
    speed: float = Field(8.0, ge=0.5, le=40.0, description="flight speed, m/s")
    radius: float = Field(30.0, gt=2.0, le=1e6, description="turn radius, m (1e6: straight)")
    direction: int = Field(1, description="+1 counter-clockwise, -1 clockwise")


def sample(rng: np.random.Generator) -> BirdParams:
    length = float(np.exp(rng.uniform(np.log(0.18), np.log(0.6))))
    return BirdParams(body_length=length, girth=rng.uniform(0.13, 0.18), wingspan=length * rng.uniform(2.2, 3.4),
                      chord=rng.uniform(0.28, 0.42), beak=rng.uniform(0.2, 0.6), tail=rng.uniform(0.35, 0.7),
                      flap_hz=float(np.clip(1.6 / length, 2.0, 9.0) * rng.uniform(0.85, 1.15)),
                      flap_deg=rng.uniform(28.0, 45.0), glide=rng.uniform(0.1, 0.6), speed=rng.uniform(6.0, 12.0),
                      radius=rng.uniform(12.0, 60.0) if rng.uniform() < 0.7 else 1e6,
                      direction=int(rng.choice([-1, 1])))


def size(p: BirdParams) -> float:
    return float(max(p.wingspan / 2, p.body_length * (0.5 + p.tail) + 0.4 * p.body_length))


def build(p: BirdParams, rng: np.random.Generator):
    L, r = p.body_length, p.girth * p.body_length
    sk = Skeleton()
    body = sk.add("body", None, (-L / 2, 0, 0), (L / 2, 0, 0))
    hl = 0.32 * L
    head = sk.add("head", "body", (L / 2, 0, 0.25 * r), (L / 2 + hl, 0, 0.35 * r))
    tail = sk.add("tail", "body", (-L / 2, 0, 0.05 * r), (-L / 2 - p.tail * L, 0, 0.1 * r))
    half = p.wingspan / 2
    wings = []
    for side in (1, -1):
        sh = np.array([0.12 * L, side * 0.6 * r, 0.45 * r])
        el = sh + np.array([-0.05 * L, side * 0.45 * (half - 0.6 * r), 0.0])
        tip = sh + np.array([-0.22 * L, side * (half - 0.6 * r), 0.0])
        n = "l" if side > 0 else "r"
        wi = sk.add(f"{n}_inner", "body", sh, el)
        wo = sk.add(f"{n}_outer", f"{n}_inner", el, tip)
        wings.append((wi, wo, sh, el, tip))
    parts = []
    s = np.linspace(0, 1, 16)
    c = polyline([(-L / 2 - 0.1 * L, 0, 0), (L / 2 + 0.05 * L, 0, 0.2 * r)], 16)
    parts.append(Part("body", c, profile(s, [(0, 0.1 * r), (0.2, 0.75 * r), (0.55, 0.95 * r), (0.9, 0.7 * r),
                                             (1, 0.3 * r)]),
                      profile(s, [(0, 0.1 * r), (0.2, 0.8 * r), (0.55, r), (0.9, 0.75 * r), (1, 0.3 * r)]),
                      [body, head, tail], segments=12, blend=0.12 * L))
    hr = 0.55 * r
    ch = polyline([(L / 2 - 0.1 * hl, 0, 0.25 * r), (L / 2 + hl * (1 + p.beak), 0, 0.3 * r)], 12)
    sh_ = np.linspace(0, 1, 12)
    k = 1.0 / (1 + p.beak)
    parts.append(Part("head", ch, profile(sh_, [(0, 0.3 * hr), (0.15, 0.95 * hr), (0.45 * k + 0.2, hr),
                                                (0.95 * k, 0.35 * hr), (1, 0.03 * hr)]),
                      profile(sh_, [(0, 0.3 * hr), (0.15, 0.95 * hr), (0.45 * k + 0.2, hr),
                                    (0.95 * k, 0.3 * hr), (1, 0.03 * hr)]), [head], segments=10, blend=0.05))
    for wi, wo, sh, el, tip in wings:
        cw = polyline([sh, el, tip], 14)
        sw = np.linspace(0, 1, 14)
        chord = p.chord * L
        parts.append(Part("wing", cw, profile(sw, [(0, 0.5 * chord), (0.45, 0.45 * chord), (0.85, 0.3 * chord),
                                                   (1, 0.05 * chord)]),
                          np.full(14, 0.04 * r) + 0.1 * r * (1 - sw), [body, wi, wo], up=(0, 0, 1), segments=8,
                          blend=0.15 * half, region=1.0))
    ct = polyline([(-L / 2 + 0.1 * L, 0, 0.05 * r), (-L / 2 - p.tail * L, 0, 0.1 * r)], 8)
    st = np.linspace(0, 1, 8)
    parts.append(Part("tail", ct, profile(st, [(0, 0.3 * r), (0.4, 0.5 * r), (1, 0.75 * r)]),
                      np.full(8, 0.05 * r), [body, tail], segments=8, blend=0.15 * L, region=1.0))
    return assemble(sk, parts), wings


def make(p: BirdParams, rng: np.random.Generator, place: Place) -> CreatureRig:
    body, wings = build(p, rng)
    sk = body.skeleton
    rest = sk.rest_local()
    ground_z = float(place.ground(np.asarray(place.xy[:1], float), np.asarray(place.xy[1:2], float))[0])
    z = place.z if place.z is not None else ground_z + rng.uniform(6.0, 20.0)
    radius = p.radius if p.radius < 1e5 else np.inf
    heading = float(place.heading)
    if place.path is not None:  # a flock member: its boids path (scene time, so t0 = 0)
        path = GivenPath(place.path)
    elif np.isfinite(radius):  # place.xy on the circle, flying along ``heading`` there
        a0 = heading - p.direction * np.pi / 2
        centre = np.asarray(place.xy, float) - radius * np.array([np.cos(a0), np.sin(a0)])
        path = FlightPath(centre, radius, a0, p.speed, p.direction, z)
    else:
        path = FlightPath(np.asarray(place.xy, float), np.inf, heading, p.speed, 1, z)
    ph = rng.uniform(0, 2 * np.pi, 3)
    period = rng.uniform(2.5, 5.0)
    amp = np.radians(p.flap_deg)
    dihedral = np.radians(rng.uniform(4.0, 10.0))

    def flapping(t: float) -> float:
        """1 while beating, 0 while gliding (smooth switch)."""
        if p.glide <= 0:
            return 1.0
        if p.glide >= 1:
            return 0.0
        x = np.sin(2 * np.pi * t / period + ph[1]) - np.cos(np.pi * (1 - p.glide))
        return float(0.5 + 0.5 * np.tanh(4.0 * x))

    def pose(t: float) -> np.ndarray:
        g = flapping(t)
        w = 2 * np.pi * p.flap_hz * t + ph[0]
        inner = dihedral + g * amp * np.sin(w)
        outer = 0.5 * dihedral + g * 1.4 * amp * np.sin(w - 0.6)
        local = np.tile(np.eye(3), (len(sk), 1, 1))
        for wi, wo, *_ in wings:
            local[wi] = rot_y(-inner) @ rot_x(0.1 * g * np.cos(w))
            local[wo] = rot_y(-(outer - inner) * 0.8)
        local[sk.index("tail")] = rot_y(0.1 * np.sin(2 * np.pi * 0.5 * t + ph[2]))
        root = path.frame(t)
        root[:3, 3] += root[:3, 2] * (-0.04 * p.body_length * g * np.sin(w))
        return sk.fk(root, local, rest=rest)

    return CreatureRig(body, pose, 0, t0=place.t0, path=path.frame)


register(CreatureKind("bird", "bird", "air", BirdParams, sample, make, "creature_skin", size))

