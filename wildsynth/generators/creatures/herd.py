"""Herds: ground animals that move together, a leader's path over the terrain and followers in formation.

The leader walks at the herd's speed and wanders (its turn rate a sum of two slow seeded sines),
turning away from the obstacles (trees, rocks: spheres, taken as discs on the ground) ahead of it
within ``lookahead`` seconds. Each follower has a slot of a staggered formation in the leader's
frame (rows ``spacing`` body lengths apart behind it, files ``0.6 spacing`` body lengths apart
across, every other row shifted half a file), jittered by the seed. It steers towards its slot with
a damped spring (``pull``, ``damping``) and the leader's velocity (capped at ``max_accel``), and on
top of that (up to twice the cap) away from any herd-mate nearer than ``separation`` body lengths
and out of obstacle discs; its speed kept within ``[0.4, 1.6]`` of the herd's (never zero, so the gait's
cadence, ``speed / stride``, is always defined). The state is integrated in the plane with a fixed
step ``dt`` from a seeded start; each member's ground path is the cubic Hermite interpolation of its
samples (``rig.TrackPath``), its body height and pitch from the terrain under it, and its gait
driven by the distance it has walked, so every stride is the same length whatever the speed and the
feet stay planted (``quadruped.py``).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from .rig import TrackPath


class HerdParams(BaseModel):
    """A herd's formation and steering (lengths in body lengths, nose to tail)."""

    model_config = ConfigDict(extra="forbid")

    size: tuple[int, int] = Field((5, 10), description="members of a herd, leader included (smallest, largest)")
    spacing: float = Field(1.5, ge=1.1, le=10.0, description="distance between formation rows, body lengths")
    separation: float = Field(1.05, gt=0.3, le=10.0, description="members push apart when nearer, body lengths")
    speed: tuple[float, float] = Field((0.6, 2.2), description="herd speed range, m/s (above the walk-trot "
                                                               "Froude number 0.5 the members trot)")
    wander_deg: float = Field(8.0, ge=0.0, le=60.0, description="leader's wandering turn rate amplitude, deg/s")
    lookahead: float = Field(4.0, gt=0.0, le=30.0, description="leader avoids obstacles this many seconds ahead")
    pull: float = Field(1.2, gt=0.0, le=20.0, description="spring towards the formation slot, 1/s^2")
    damping: float = Field(2.0, ge=0.0, le=20.0, description="damping towards the leader's velocity, 1/s")
    max_accel: float = Field(2.5, gt=0.0, le=50.0, description="largest steering acceleration, m/s^2")
    dt: float = Field(1.0 / 30.0, gt=0.001, le=0.1, description="integration step, s")

    def model_post_init(self, _):
        if not 1 <= self.size[0] <= self.size[1] <= 200:
            raise ValueError(f"herd size must be 1 <= smallest <= largest <= 200, got {self.size}")
        if not 0.0 < self.speed[0] <= self.speed[1] <= 12.0:
            raise ValueError(f"herd speed must be 0 < slowest <= fastest <= 12 m/s, got {self.speed}")


def slots(n: int, length: float, hp: HerdParams, rng: np.random.Generator) -> np.ndarray:
    """Formation offsets (n, 2) in the leader's frame (x forward, y left), the leader's (0, 0) first."""
    cols = max(2, int(round(np.sqrt(n))))
    lon, lat = hp.spacing * length, 0.6 * hp.spacing * length
    out = [np.zeros(2)]
    for i in range(1, n):
        row, col = (i - 1) // cols + 1, (i - 1) % cols
        y = (col - (cols - 1) / 2) * lat + (0.25 if row % 2 else -0.25) * lat
        out.append(np.array([-row * lon, y]))
    out = np.array(out)
    out[1:] += rng.uniform(-0.12, 0.12, (n - 1, 2)) * np.array([lon, lat])
    return out


def _discs(obstacles) -> tuple[np.ndarray, np.ndarray]:
    if obstacles is None or not len(getattr(obstacles, "radii", ())):
        return np.zeros((0, 2)), np.zeros(0)
    return np.asarray(obstacles.centers, float)[:, :2], np.asarray(obstacles.radii, float)


def plan_herd(n: int, centre: np.ndarray, heading: float, speed: float, t0: float, t1: float,
              rng: np.random.Generator, hp: HerdParams, length: float, ground: Callable,
              obstacles=None, torsos=None) -> list[TrackPath]:
    """``n`` members (the leader first) whose formation is centred on ``centre`` (2,) at ``t0``,
    heading ``heading`` at ``speed``, integrated to ``t1``; one ``TrackPath`` each, over ``ground``.
    ``length``: the longest member's body, nose to tail, m; ``torsos`` (n,): each member's torso
    length (its pitch follows the terrain under its front and back; default ``length / 2``)."""
    offs = slots(n, length, hp, rng)
    rot = np.array([[np.cos(heading), -np.sin(heading)], [np.sin(heading), np.cos(heading)]])
    p = np.asarray(centre, float)[:2] + (offs - offs.mean(0)) @ rot.T
    v = np.tile(speed * np.array([np.cos(heading), np.sin(heading)]), (n, 1))
    oc, orad = _discs(obstacles)
    clear = 0.5 * length  # half a body between an obstacle and a member's centre
    sep = hp.separation * length
    wander = np.radians(hp.wander_deg)
    f1, f2 = rng.uniform(0.05, 0.15), rng.uniform(0.15, 0.35)
    a1, a2 = rng.uniform(0, 2 * np.pi, 2)
    steps = max(int(np.ceil((t1 - t0) / hp.dt)), 1)
    times = t0 + hp.dt * np.arange(steps + 1)
    h = float(heading)
    out_p, out_v = [p.copy()], [v.copy()]
    for k in range(steps):
        t = times[k] - t0
        # the leader: wander, and turn away from obstacles ahead
        turn = wander * (0.6 * np.sin(2 * np.pi * f1 * t + a1) + 0.4 * np.sin(2 * np.pi * f2 * t + a2))
        if len(orad):
            fwd = np.array([np.cos(h), np.sin(h)])
            rel = oc - p[0]
            ahead = rel @ fwd
            side = rel @ np.array([-fwd[1], fwd[0]])
            width = 0.5 * (offs[:, 1].max() - offs[:, 1].min()) + clear
            hit = (ahead > 0) & (ahead < hp.lookahead * speed + orad) & (np.abs(side) < orad + width)
            if hit.any():
                j = int(np.argmin(np.where(hit, ahead, np.inf)))
                urgency = 1.0 - ahead[j] / (hp.lookahead * speed + orad[j])
                turn += -np.sign(side[j] if side[j] != 0 else 1.0) * (0.3 + urgency)
        h += turn * hp.dt
        v_lead = speed * np.array([np.cos(h), np.sin(h)])
        # followers: the spring to their slot, damping to the leader's velocity, separation, obstacles
        rot = np.array([[np.cos(h), -np.sin(h)], [np.sin(h), np.cos(h)]])
        target = p[0] + offs @ rot.T
        acc = _cap(hp.pull * (target - p) + hp.damping * (v_lead - v), hp.max_accel)
        # keeping apart and out of obstacles comes first: up to twice the cap on top of the formation's
        d = p[:, None] - p[None]
        dist = np.linalg.norm(d, axis=-1) + np.eye(n) * 1e9
        push = np.maximum(sep - dist, 0.0) / sep
        avoid = 8.0 * speed * (push[..., None] * d / dist[..., None]).sum(1)
        if len(orad):
            do = p[:, None] - oc[None]
            dd = np.linalg.norm(do, axis=-1)
            near = np.maximum(orad[None] + clear + 0.5 - dd, 0.0)
            avoid += 20.0 * (near[..., None] * do / np.maximum(dd, 1e-6)[..., None]).sum(1)
        acc = acc + _cap(avoid, 2.0 * hp.max_accel)
        v = v + hp.dt * acc
        v[0] = v_lead
        sp = np.linalg.norm(v, axis=1, keepdims=True)
        v *= np.clip(sp, 0.4 * speed, 1.6 * speed) / np.maximum(sp, 1e-9)
        p = p + hp.dt * v
        out_p.append(p.copy())
        out_v.append(v.copy())
    P, V = np.stack(out_p), np.stack(out_v)
    torsos = np.full(n, 0.5 * length) if torsos is None else np.asarray(torsos, float)
    return [TrackPath(times, P[:, i], V[:, i], ground, float(torsos[i])) for i in range(n)]


def _cap(acc: np.ndarray, most: float) -> np.ndarray:
    a = np.linalg.norm(acc, axis=1, keepdims=True)
    return acc * np.minimum(1.0, most / np.maximum(a, 1e-9))


def gait_for(speed: float, hip_height: float) -> str:
    """Walk below the Froude number v^2 / (g h) = 0.5 (where quadrupeds switch to a trot), trot above."""
    return "trot" if speed * speed / (9.81 * hip_height) > 0.5 else "walk"
