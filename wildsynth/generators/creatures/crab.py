"""Crab: a wide flat carapace, eight jointed legs and two claws; walks sideways.

Each leg (hip on the carapace rim -> knee arched above -> tip on the ground) reaches its foot
target by two-bone IK with the knee bent upwards; the feet follow an alternating tetrapod gait
(neighbouring legs half a cycle apart, duty 0.6), planted on the ground under the body's path,
which runs along the body's side (crabs walk sideways). The claws sway and pinch.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from . import CreatureKind, Place, register
from .body import Part, Skeleton, assemble, cross3, hom, polyline, profile, rot_y, rot_z
from .rig import CreatureRig, Gait, GroundPath, two_bone_ik


class CrabParams(BaseModel):
    """A crab's carapace, legs, claws and sideways walk."""

    model_config = ConfigDict(extra="forbid")

    width: float = Field(0.12, gt=0.01, le=1.0, description="carapace width (side to side), m")
    length: float = Field(0.7, gt=0.3, le=1.5, description="carapace length per width")
    leg_span: float = Field(1.0, gt=0.3, le=3.0, description="leg reach beyond the carapace per width")
    claw: float = Field(0.5, gt=0.1, le=1.5, description="claw length per width")
    speed: float = Field(0.15, ge=0.0, le=2.0, description="sideways walking speed, m/s")
    turn_deg: float = Field(0.0, ge=-90.0, le=90.0, description="turn rate, degrees/s")


def sample(rng: np.random.Generator) -> CrabParams:
    return CrabParams(width=float(np.exp(rng.uniform(np.log(0.06), np.log(0.25)))), length=rng.uniform(0.6, 0.85),
                      leg_span=rng.uniform(0.8, 1.3), claw=rng.uniform(0.35, 0.7), speed=rng.uniform(0.05, 0.3),
                      turn_deg=rng.uniform(-20.0, 20.0))


def size(p: CrabParams) -> float:
    return float(p.width * (0.5 + p.leg_span))


def make(p: CrabParams, rng: np.random.Generator, place: Place) -> CreatureRig:
    W, L = p.width, p.width * p.length
    hgt = 0.6 * W * p.leg_span * 0.45  # body height above the ground
    foot_r = 0.02 * W
    sk = Skeleton()
    body = sk.add("body", None, (-L / 2, 0, hgt), (L / 2, 0, hgt))
    legs = []
    for side in (1, -1):
        for k in range(4):
            x = L * (0.25 - 0.17 * k)
            hip = np.array([x, side * 0.45 * W, hgt])
            out = np.array([np.sin(0.35 * (1.5 - k)) * 0.3, side * 1.0, 0.0])
            out /= np.linalg.norm(out)
            tip = hip + out * (0.5 * W + p.leg_span * W) * 0.9
            tip[2] = foot_r
            knee = hip + 0.45 * (tip - hip) + np.array([0, 0, 0.55 * hgt + 0.1 * W])
            a, b = float(np.linalg.norm(knee - hip)), float(np.linalg.norm(tip - knee))
            lateral = cross3(np.array([0.0, 0.0, 1.0]), out)  # normal of the leg's vertical plane
            n = f"{'l' if side > 0 else 'r'}{k}"
            ui = sk.add(f"{n}_upper", "body", hip, knee, up=cross3(knee - hip, lateral))
            li = sk.add(f"{n}_lower", f"{n}_upper", knee, tip, up=cross3(tip - knee, lateral))
            legs.append((ui, li, hip, knee, tip, a, b, lateral))
    claws = []
    for side in (1, -1):
        n = "l" if side > 0 else "r"
        base = np.array([0.45 * L, side * 0.3 * W, hgt])
        ci = sk.add(f"{n}_arm", "body", base, base + np.array([0.5 * p.claw * W, side * 0.15 * W, 0.0]))
        cb = base + np.array([0.5 * p.claw * W, side * 0.15 * W, 0.0])
        pi = sk.add(f"{n}_pincer", f"{n}_arm", cb, cb + np.array([0.5 * p.claw * W, -side * 0.05 * W, 0.0]))
        claws.append((ci, pi, base, cb, side))
    parts = []
    s = np.linspace(0, 1, 14)
    c = polyline([(-L / 2, 0, hgt), (L / 2, 0, hgt + 0.05 * W)], 14)
    parts.append(Part("carapace", c, profile(s, [(0, 0.2 * W), (0.25, 0.48 * W), (0.6, 0.52 * W), (1, 0.25 * W)]),
                      profile(s, [(0, 0.06 * W), (0.4, 0.22 * W), (1, 0.08 * W)]), [body], segments=16, blend=0.1))
    for ui, li, hip, knee, tip, a, b, _ in legs:
        cl = polyline([hip, knee, tip], 10)
        r = np.linspace(0.07, 0.025, 10) * W
        parts.append(Part("leg", cl, r, r * 0.8, [body, ui, li], segments=6, blend=0.1 * (a + b), region=1.0))
    for ci, pi, base, cb, side in claws:
        cc = polyline([base, cb, cb + np.array([0.5 * p.claw * W, -side * 0.05 * W, 0.0])], 10)
        sc = np.linspace(0, 1, 10)
        rc = profile(sc, [(0, 0.08 * W), (0.45, 0.09 * W), (0.7, 0.17 * W), (1, 0.03 * W)])
        parts.append(Part("claw", cc, rc, rc * 0.7, [body, ci, pi], segments=8, blend=0.1 * p.claw * W,
                          region=2.0))
    body_mesh = assemble(sk, parts)
    rest = sk.rest_local()
    path = GroundPath(np.asarray(place.xy, float), float(place.heading), p.speed, np.radians(p.turn_deg),
                      place.ground, W)
    side_on = hom(rot_z(-np.pi / 2))  # the body's +y (left side) leads: it walks sideways
    stride = 0.35 * W * p.leg_span
    freq = p.speed / stride if p.speed > 0 else 0.5
    phases = np.array([(k % 2) * 0.5 + (0.5 if side < 0 else 0.0) for side in (1, -1) for k in range(4)])
    offs = np.array([leg[4][:2] for leg in legs])
    gait = Gait(phases % 1.0 + rng.uniform(0, 1), 0.6 if p.speed > 0 else 1.0, freq, 0.25 * hgt, offs, foot_r)
    ph = rng.uniform(0, 2 * np.pi)

    def root_at(t: float) -> np.ndarray:
        return path.frame(t, -0.08 * hgt) @ side_on

    def pose(t: float) -> np.ndarray:
        local = np.tile(np.eye(3), (len(sk), 1, 1))
        for ci, pi, *_ in claws:
            local[ci] = rot_y(0.15 * np.sin(2 * np.pi * 0.5 * t + ph))
            local[pi] = rot_z(0.2 * np.sin(2 * np.pi * 1.3 * t + ph))
        root = root_at(t)
        first = sk.fk(root, local, rest=rest)
        feet, _ = gait.feet(t, root_at, place.ground)
        over = {}
        up = root[:3, 2]
        for (ui, li, *_rest, a, b, lateral), target in zip(legs, feet):
            wu, wl, _ = two_bone_ik(first[ui, :3, 3], target, a, b, up, root[:3, :3] @ lateral)
            over[ui], over[li] = wu, wl
        return sk.fk(root, local, over, rest=rest)

    rig = CreatureRig(body_mesh, pose, 0, t0=place.t0, path=root_at)
    lower = [leg[1] for leg in legs]
    rig.gait, rig.root_at = gait, root_at
    rig.feet_at = lambda world: np.stack([sk.tail(world, i) for i in lower])  # leg tips (L, 3)
    return rig


register(CreatureKind("crab", "crab", "seabed", CrabParams, sample, make, "creature_skin", size))
