"""Groups: flocks of birds and schools of fish that move by boids (Reynolds 1987), deterministic per seed.

Each member steers by the sum of: separation (away from neighbours nearer than ``separation``,
weighted by 1/d), alignment (towards the mean velocity of neighbours within ``radius``), cohesion
(towards their centre), a pull towards the group's travel direction at ``speed``, avoidance of
obstacle spheres and of the floor (the terrain, or the sea bed, under ``clearance``) and, in water,
of the surface (a soft push within 1 m of ``clearance``, a hard floor at it). The state is integrated with a fixed step (semi-implicit Euler, ``dt``) over the
shot's time range from a seeded start; a member's path at any time t is the cubic Hermite
interpolation of its sampled positions and velocities, so the renderer and the ground truth see one
smooth, exact function of t (``SampledPath.frame``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from .body import cross3


class BoidParams(BaseModel):
    """Steering of a flock or school."""

    model_config = ConfigDict(extra="forbid")

    separation: float = Field(1.0, gt=0.0, le=100.0, description="members keep at least this apart, m")
    radius: float = Field(4.0, gt=0.0, le=500.0, description="neighbourhood for alignment and cohesion, m")
    w_separation: float = Field(3.0, ge=0.0, le=100.0, description="weight of separation")
    w_alignment: float = Field(1.0, ge=0.0, le=100.0, description="weight of alignment")
    w_cohesion: float = Field(0.6, ge=0.0, le=100.0, description="weight of cohesion")
    max_accel: float = Field(12.0, gt=0.0, le=200.0, description="largest steering acceleration, m/s^2")
    dt: float = Field(1.0 / 60.0, gt=0.001, le=0.1, description="integration step, s")


@dataclass
class SampledPath:
    """A member's frame over time from sampled positions (S, 3) and velocities (S, 3) at ``times``."""

    times: np.ndarray
    pos: np.ndarray
    vel: np.ndarray

    def frame(self, t: float) -> np.ndarray:
        ts = self.times
        k = int(np.clip(np.searchsorted(ts, t) - 1, 0, len(ts) - 2))
        h = ts[k + 1] - ts[k]
        u = float(np.clip((t - ts[k]) / h, 0.0, 1.0)) if t <= ts[-1] else (t - ts[k]) / h
        p0, p1, v0, v1 = self.pos[k], self.pos[k + 1], self.vel[k] * h, self.vel[k + 1] * h
        u2, u3 = u * u, u * u * u
        p = (2 * u3 - 3 * u2 + 1) * p0 + (u3 - 2 * u2 + u) * v0 + (-2 * u3 + 3 * u2) * p1 + (u3 - u2) * v1
        d = ((6 * u2 - 6 * u) * p0 + (3 * u2 - 4 * u + 1) * v0 + (-6 * u2 + 6 * u) * p1 + (3 * u2 - 2 * u) * v1) / h
        x = d / max(np.linalg.norm(d), 1e-9)
        y = cross3(np.array([0.0, 0.0, 1.0]), x)
        if np.linalg.norm(y) < 1e-6:
            y = np.array([0.0, 1.0, 0.0])
        y /= np.linalg.norm(y)
        m = np.eye(4)
        m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = x, y, cross3(x, y), p
        return m


def simulate(n: int, centre: np.ndarray, heading: float, speed: float, t0: float, t1: float,
             rng: np.random.Generator, bp: BoidParams, floor: Callable, clearance: float,
             ceiling: float | None = None, obstacles=None, spread: float | None = None) -> list[SampledPath]:
    """``n`` boids starting around ``centre`` at ``t0`` travelling along ``heading`` at ``speed``,
    integrated to ``t1``; one ``SampledPath`` each."""
    spread = spread if spread is not None else bp.separation * max(n, 1) ** (1 / 3) * 1.2
    goal = np.array([np.cos(heading), np.sin(heading), 0.0]) * speed
    p = np.asarray(centre, float) + rng.normal(size=(n, 3)) * np.array([spread, spread, 0.3 * spread])
    v = goal + rng.normal(size=(n, 3)) * 0.1 * speed
    p[:, 2] = np.maximum(p[:, 2], np.asarray(floor(p[:, 0], p[:, 1]), float) + clearance)
    if ceiling is not None:
        p[:, 2] = np.minimum(p[:, 2], ceiling - 0.1)
    steps = max(int(np.ceil((t1 - t0) / bp.dt)), 1)
    times = t0 + bp.dt * np.arange(steps + 1)
    out_p, out_v = [p.copy()], [v.copy()]
    oc = np.asarray(getattr(obstacles, "centers", np.zeros((0, 3))), float) if obstacles is not None else np.zeros((0, 3))
    orad = np.asarray(getattr(obstacles, "radii", np.zeros(0)), float) if obstacles is not None else np.zeros(0)
    for _ in range(steps):
        d = p[:, None] - p[None]  # (n, n, 3) from j to i
        dist = np.linalg.norm(d, axis=-1) + np.eye(n) * 1e9
        near = dist < bp.radius
        sep = ((d / dist[..., None] ** 2) * (dist < bp.separation)[..., None]).sum(1)
        cnt = np.maximum(near.sum(1, keepdims=True), 1)
        align = (near[..., None] * v[None]).sum(1) / cnt - v
        coh = (near[..., None] * p[None]).sum(1) / cnt - p
        coh[near.sum(1) == 0] = 0.0
        align[near.sum(1) == 0] = 0.0
        acc = bp.w_separation * sep * bp.separation + bp.w_alignment * align + bp.w_cohesion * coh + (goal - v)
        low = np.asarray(floor(p[:, 0], p[:, 1]), float) + clearance
        acc[:, 2] += 6.0 * np.maximum(low + 1.0 - p[:, 2], 0.0)
        if ceiling is not None:
            acc[:, 2] -= 6.0 * np.maximum(p[:, 2] - (ceiling - 1.0), 0.0)
        if len(orad):
            do = p[:, None] - oc[None]
            dd = np.linalg.norm(do, axis=-1)
            push = np.maximum(orad[None] + 2.0 - dd, 0.0)
            acc += 4.0 * (push[..., None] * do / np.maximum(dd, 1e-6)[..., None]).sum(1)
        a = np.linalg.norm(acc, axis=1, keepdims=True)
        acc *= np.minimum(1.0, bp.max_accel / np.maximum(a, 1e-9))
        v = v + bp.dt * acc
        sp = np.linalg.norm(v, axis=1, keepdims=True)
        v *= np.clip(sp, 0.5 * speed, 1.5 * speed) / np.maximum(sp, 1e-9)
        p = p + bp.dt * v
        p[:, 2] = np.maximum(p[:, 2], np.asarray(floor(p[:, 0], p[:, 1]), float) + clearance)  # never below
        if ceiling is not None:
            p[:, 2] = np.minimum(p[:, 2], ceiling - 0.1)
        out_p.append(p.copy())
        out_v.append(v.copy())
    P, V = np.stack(out_p), np.stack(out_v)
    return [SampledPath(times, P[:, i], V[:, i]) for i in range(n)]
