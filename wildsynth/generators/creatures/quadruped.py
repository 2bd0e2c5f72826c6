"""Four-legged walkers (herbivores, carnivores): body plan, skeleton and gait.

Skeleton (17 bones): hips (root) -> chest -> neck0 -> neck1 -> head (-> two ears); hips ->
tail0..2; per leg upper -> lower -> foot, the front legs on the chest, the hind legs on the
hips. Parts: an elliptical torso swept from rump to chest, the neck, the head (cranium to snout),
ears, optional horns, the tail, four tapered legs and hooves or paws.

Motion: the body follows a ``GroundPath`` (an arc over the terrain, pitched with it), a little
crouched below the straight-legged bind height so the legs can reach. Each foot target comes
from the ``Gait`` (walk: lateral sequence LH, LF, RH, RF a quarter cycle apart, duty 0.65; trot:
diagonal pairs, duty 0.45; stand: every foot planted) and each leg reaches it by two-bone IK, the
hoof kept level. The chest sways, the head bobs twice per stride, the tail swings; a standing
animal grazes (neck lowered, head nodding).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from . import Place
from .body import Part, Skeleton, assemble, frame, polyline, profile, rot_x, rot_y, rot_z
from .rig import CreatureRig, Gait, GroundPath, two_bone_ik

LEGS = ("lf", "rf", "lh", "rh")  # left/right, front/hind
GAITS = {"walk": ((0.25, 0.75, 0.0, 0.5), 0.65), "trot": ((0.0, 0.5, 0.5, 0.0), 0.45),
         "stand": ((0.0, 0.0, 0.0, 0.0), 1.0)}


class QuadrupedParams(BaseModel):
    """A four-legged body and its gait."""

    model_config = ConfigDict(extra="forbid")

    body_length: float = Field(1.2, gt=0.1, le=4.0, description="torso length, rump to chest, m")
    hip_height: float = Field(0.9, gt=0.05, le=3.0, description="hip joint above the ground (legs straight), m")
    girth: float = Field(0.2, gt=0.05, le=0.5, description="torso half-height per body length")
    neck_length: float = Field(0.6, gt=0.02, le=2.5, description="neck length, m")
    neck_angle_deg: float = Field(45.0, ge=-10.0, le=80.0, description="neck elevation above horizontal, deg")
    head_length: float = Field(0.45, gt=0.03, le=1.2, description="head length, cranium to snout, m")
    head_width: float = Field(0.1, gt=0.01, le=0.5, description="half-width of the cranium, m")
    tail_length: float = Field(0.35, ge=0.02, le=2.0, description="tail length, m")
    tail_thickness: float = Field(0.03, gt=0.003, le=0.3, description="tail radius at its base, m")
    leg_thickness: float = Field(0.07, gt=0.01, le=0.5, description="thigh radius, m")
    ears: float = Field(0.12, ge=0.0, le=0.5, description="ear length, m (0: none)")
    horns: float = Field(0.0, ge=0.0, le=1.5, description="horn length, m (0: none)")
    gait: Literal["walk", "trot", "stand"] = Field("walk", description="walk, trot or stand (grazing)")
    speed: float = Field(1.0, ge=0.0, le=12.0, description="walking speed, m/s (stand: 0)")
    stride: float = Field(1.0, gt=0.2, le=2.0, description="stride length per hip height")
    turn_deg: float = Field(0.0, ge=-60.0, le=60.0, description="turn rate, degrees/s")


def size(p: QuadrupedParams) -> float:
    """Bounding radius of the body about its origin (between the feet), m."""
    reach = p.body_length / 2 + p.neck_length + p.head_length
    return float(np.hypot(max(reach, p.body_length / 2 + p.tail_length), p.hip_height + p.neck_length))


def _dir(angle_deg: float) -> np.ndarray:
    a = np.radians(angle_deg)
    return np.array([np.cos(a), 0.0, np.sin(a)])


def build(p: QuadrupedParams, rng: np.random.Generator, snout: float = 0.55, paws: bool = False) -> tuple:
    """(body, layout dict) in the bind pose; ``snout``: snout width per cranium width."""
    L, H = p.body_length, p.hip_height
    r = p.girth * L
    foot_r = max(0.18 * p.leg_thickness, 0.012)
    sk = Skeleton()
    back = H + 0.35 * r
    hips = sk.add("hips", None, (-L / 2, 0, back), (0, 0, back + 0.05 * r))
    chest = sk.add("chest", "hips", (0, 0, back + 0.05 * r), (L / 2, 0, back + 0.12 * r))
    nb = np.array([L / 2 + 0.1 * r, 0.0, back + 0.35 * r])
    nd = _dir(p.neck_angle_deg)
    sk.add("neck0", "chest", nb, nb + nd * p.neck_length / 2)
    sk.add("neck1", "neck0", nb + nd * p.neck_length / 2, nb + nd * p.neck_length)
    hb = nb + nd * p.neck_length
    hd = _dir(-30.0 if p.neck_angle_deg > 20 else -10.0)
    head = sk.add("head", "neck1", hb, hb + hd * p.head_length)
    tb = np.array([-L / 2 - 0.2 * r, 0.0, back + 0.15 * r])
    td = _dir(-110.0) * 0.35 + np.array([-0.65, 0, 0])
    td /= np.linalg.norm(td)
    tails = []
    for k in range(3):
        tails.append(sk.add(f"tail{k}", "tail1" if k == 2 else ("tail0" if k == 1 else "hips"),
                            tb + td * p.tail_length * k / 3, tb + td * p.tail_length * (k + 1) / 3))
    leg_len = H - foot_r
    a, b = 0.5 * leg_len, 0.5 * leg_len
    hip_xy = {}
    for leg in LEGS:
        x = (L / 2 - 0.45 * r) if leg[1] == "f" else (-L / 2 + 0.45 * r)
        y = (0.55 if leg[0] == "l" else -0.55) * 0.75 * r
        hip_xy[leg] = (x, y)
        par = "chest" if leg[1] == "f" else "hips"
        up = (1.0, 0.0, 0.0)  # cross(down, +y): the bind convention of two_bone_ik
        sk.add(f"{leg}_upper", par, (x, y, H), (x, y, H - a), up)
        sk.add(f"{leg}_lower", f"{leg}_upper", (x, y, H - a), (x, y, foot_r), up)
        sk.add(f"{leg}_foot", f"{leg}_lower", (x, y, foot_r), (x + 2.2 * foot_r, y, foot_r))
    ears = []
    if p.ears > 0:
        for side in (1, -1):
            eb = hb + hd * 0.2 * p.head_length + np.array([0, side * 0.6 * p.head_width, 0.7 * p.head_width])
            ears.append(sk.add(f"ear_{'l' if side > 0 else 'r'}", "head", eb,
                               eb + p.ears * np.array([-0.3, side * 0.5, 0.8]) / np.linalg.norm([-0.3, 0.5, 0.8])))

    parts = []
    s = np.linspace(0, 1, 22)
    c = polyline([(-L / 2 - 0.5 * r, 0, back - 0.15 * r), (0, 0, back - 0.12 * r), (L / 2 + 0.45 * r, 0, back)], 22)
    belly = rng.uniform(0.9, 1.1)
    # rump, a belly, and a deeper chest behind the shoulders (the keel of a walking quadruped)
    parts.append(Part("torso", c, profile(s, [(0, 0.05 * r), (0.1, 0.62 * r), (0.5, 0.74 * r * belly),
                                              (0.8, 0.74 * r), (0.93, 0.6 * r), (1, 0.08 * r)]),
                      profile(s, [(0, 0.05 * r), (0.1, 0.82 * r), (0.45, 0.95 * r * belly), (0.78, 1.08 * r),
                                  (0.92, 0.9 * r), (1, 0.08 * r)]), [hips, chest], segments=16, blend=0.25 * L))
    nn = 10
    cn = polyline([nb - nd * 0.15 * r, nb + nd * p.neck_length], nn)
    sn = np.linspace(0, 1, nn)
    nr = profile(sn, [(0, 0.75 * r), (0.35, 0.5 * r), (1, 1.2 * p.head_width)])  # thick at the shoulders
    nr[[0, -1]] *= 0.5
    parts.append(Part("neck", cn, 0.75 * nr, nr, [chest, sk.index("neck0"), sk.index("neck1"), head],
                      segments=12, blend=0.3 * p.neck_length))
    ch = polyline([hb - hd * 0.15 * p.head_length, hb + hd * p.head_length], 12)
    sh = np.linspace(0, 1, 12)
    hw = p.head_width
    parts.append(Part("head", ch, profile(sh, [(0, 0.3 * hw), (0.12, 0.95 * hw), (0.35, hw), (0.85, snout * hw),
                                               (1, 0.2 * hw)]),
                      profile(sh, [(0, 0.3 * hw), (0.12, 1.05 * hw), (0.35, 1.0 * hw), (0.85, 0.7 * snout * hw),
                                   (1, 0.2 * hw)]), [head], segments=12, blend=0.1))
    for e in ears:
        eh, et = sk.bind[e][:3, 3], sk.tail(np.stack(sk.bind), e)
        se = np.linspace(0, 1, 5)
        parts.append(Part("ear", polyline([eh, et], 5), profile(se, [(0, 0.15 * p.ears), (0.4, 0.28 * p.ears),
                                                                     (1, 0.03 * p.ears)]),
                          np.full(5, 0.05 * p.ears), [e], up=(1.0, 0.0, 0.0), segments=6, blend=0.05, region=1.0))
    if p.horns > 0:
        for side in (1, -1):
            hbase = hb + hd * 0.15 * p.head_length + np.array([0, side * 0.5 * hw, 0.85 * hw])
            pts = [hbase + p.horns * np.array([-0.2 * u * u - 0.1 * u, side * 0.25 * u, 0.9 * u])
                   for u in np.linspace(0, 1, 7)]
            hr = np.linspace(0.12, 0.01, 7) * p.horns + 0.004
            parts.append(Part("horn", np.array(pts), hr, hr, [head], segments=6, blend=0.1, region=2.0))
    ct = polyline([tb - td * 0.1 * p.tail_length, tb + td * p.tail_length], 10)
    st = np.linspace(0, 1, 10)
    # a tail thinning from its root, then a brush or tuft of hair towards the tip
    trad = profile(st, [(0, p.tail_thickness), (0.35, 0.65 * p.tail_thickness), (0.8, 0.85 * p.tail_thickness),
                        (1, 0.15 * p.tail_thickness)])
    parts.append(Part("tail", ct, trad, trad, [hips] + tails, segments=8, blend=0.35 * p.tail_length / 3))
    lt = p.leg_thickness
    for leg in LEGS:
        x, y = hip_xy[leg]
        up_i, lo_i, ft_i = (sk.index(f"{leg}_{n}") for n in ("upper", "lower", "foot"))
        cl = polyline([(x, y, H + 0.45 * r), (x, y, H - a), (x, y, foot_r)], 14)
        sl = np.linspace(0, 1, 14)
        # muscled haunch (hind) or shoulder (front) at the top, deep fore-aft, tapering to a slim
        # cannon bone below the hock or knee (width: across the body, depth: fore-aft)
        top = 2.0 if leg[1] == "h" else 1.5
        depth = profile(sl, [(0, top * lt), (0.22, top * lt), (0.48, 0.8 * lt), (0.58, 0.55 * lt), (0.9, 0.4 * lt),
                             (1, 0.33 * lt)])
        width = profile(sl, [(0, 1.05 * lt), (0.25, 0.95 * lt), (0.55, 0.45 * lt), (0.9, 0.34 * lt),
                             (1, 0.28 * lt)])
        par = chest if leg[1] == "f" else hips
        parts.append(Part("leg", cl, width, depth, [par, up_i, lo_i], up=(1.0, 0.0, 0.0), segments=10,
                          blend=0.12 * leg_len))
        cf = polyline([(x - 0.8 * foot_r, y, foot_r), (x + 2.0 * foot_r, y, 0.9 * foot_r)], 5)
        fr = np.array([0.5, 1.0, 1.05, 0.95, 0.45]) * foot_r * (1.5 if paws else 1.2)
        parts.append(Part("foot", cf, fr, fr * 0.8, [lo_i, ft_i], segments=8, blend=0.02, region=2.0))
    body = assemble(sk, parts)
    return body, {"hip_xy": hip_xy, "foot_r": foot_r, "upper": a, "lower": b, "tails": tails, "ears": ears}


def make(p: QuadrupedParams, rng: np.random.Generator, place: Place, snout: float = 0.55,
         paws: bool = False) -> CreatureRig:
    body, lay = build(p, rng, snout, paws)
    sk = body.skeleton
    rest = sk.rest_local()
    phases, duty = GAITS[p.gait]
    speed = 0.0 if p.gait == "stand" else p.speed
    stride = p.stride * p.hip_height
    freq = speed / stride if speed > 0 else 0.4
    if place.track is not None:  # a herd member: its planned ground path, the gait driven by the distance walked
        if p.gait == "stand":
            raise ValueError("a herd member walks or trots: gait 'stand' has no track")
        path = place.track
    else:
        path = GroundPath(np.asarray(place.xy, float), float(place.heading), speed, np.radians(p.turn_deg),
                          place.ground, p.body_length)
    crouch = 0.1 * p.hip_height
    offs = np.array([lay["hip_xy"][leg] for leg in LEGS])
    cycles = cycle_time = None
    if speed > 0:
        def cycles(t: float) -> float:
            return path.cycles(t, stride)

        def cycle_time(c: float) -> float:
            return path.cycle_time(c, stride)
    gait = Gait(np.asarray(phases) + rng.uniform(0, 1), duty, freq, 0.12 * p.hip_height, offs, lay["foot_r"],
                cycles, cycle_time)
    ph = rng.uniform(0, 2 * np.pi, 4)
    ids = {n: sk.index(n) for n in sk.names}
    legs = [(ids[f"{leg}_upper"], ids[f"{leg}_lower"], ids[f"{leg}_foot"], 1.0 if leg[1] == "h" else -1.0)
            for leg in LEGS]
    graze = p.gait == "stand"

    def root_at(t: float) -> np.ndarray:
        bob = 0.012 * p.hip_height * np.sin(4 * np.pi * gait.cycle(t) + ph[0]) if speed > 0 else 0.0
        return path.frame(t, -crouch + bob)

    def pose(t: float) -> np.ndarray:
        w = 2 * np.pi * gait.cycle(t)
        local = np.tile(np.eye(3), (len(sk), 1, 1))
        local[ids["chest"]] = rot_z(0.04 * np.sin(w + ph[1])) if speed > 0 else np.eye(3)
        if graze:
            local[ids["neck0"]] = rot_y(np.radians(0.9 * p.neck_angle_deg + 25.0))
            local[ids["head"]] = rot_y(0.25 + 0.12 * np.sin(2 * np.pi * 0.6 * t + ph[2]))
        else:
            local[ids["neck0"]] = rot_y(0.05 * np.sin(2 * w + ph[2]))
            local[ids["head"]] = rot_y(-0.05 * np.sin(2 * w + ph[2]))
        for k, i in enumerate(lay["tails"]):
            local[i] = rot_z(0.25 * (k + 1) / 3 * np.sin(2 * np.pi * 0.8 * t + ph[3] - 0.7 * k)) @ rot_y(0.05 * k)
        for e in lay["ears"]:
            local[e] = rot_x(0.15 * np.sin(2 * np.pi * 0.3 * t + ph[3] + e))
        root = root_at(t)
        first = sk.fk(root, local, rest=rest)
        feet, _ = gait.feet(t, root_at, place.ground)
        fwd, lat = root[:3, 0], root[:3, 1]
        level = np.array([fwd[0], fwd[1], 0.0])
        over = {}
        for (ui, li, fi, pole), target in zip(legs, feet):
            hip = first[ui, :3, 3]
            wu, wl, reached = two_bone_ik(hip, target, lay["upper"], lay["lower"], pole * fwd, lat)
            over[ui], over[li] = wu, wl
            over[fi] = frame(reached, level)
        return sk.fk(root, local, over, rest=rest)

    rig = CreatureRig(body, pose, ids["hips"], t0=place.t0, path=root_at)
    foot_ids = [x[2] for x in legs]
    rig.gait, rig.root_at = gait, root_at
    rig.feet_at = lambda world: world[foot_ids, :3, 3]  # foot points (L, 3) of posed bones
    return rig
