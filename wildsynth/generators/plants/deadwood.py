"""Forest-floor wood: fallen logs (broken, barked, with branch stubs), dead twigs, pine cones."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ...core.mesh import Mesh
from .geometry import Skeleton, lathe, merge, pipe_radii, skin


class LogParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    length: float = Field(4.0, gt=0.2, le=30.0, description="log length, m")
    radius: float = Field(0.18, gt=0.02, le=1.5, description="log radius, m")
    stubs: int = Field(4, ge=0, le=20, description="broken-off branch stubs")
    bark: float = Field(1.0, ge=0.0, le=3.0, description="bark furrow depth relative to default")


def log(params: LogParams, rng: np.random.Generator) -> Mesh:
    """A fallen trunk along +X lying on z = 0 (axis at its radius), tapering, with stubs."""
    L, R = params.length * rng.uniform(0.8, 1.2), params.radius * rng.uniform(0.8, 1.2)
    n = max(int(L / (0.6 * R)), 6)
    t = np.linspace(0, 1, n)
    sag = rng.normal(0, 0.04, (n, 2)).cumsum(0) * R
    pos = np.stack([t * L - L / 2, sag[:, 0], np.full(n, R) + sag[:, 1] * 0.2], -1)
    rad = R * (1.0 - 0.3 * t)
    par = np.arange(n) - 1
    pos_l, par_l, rad_l = [pos], [par], [rad]
    count = n
    for k in range(params.stubs):
        at = int(rng.integers(1, n - 1))
        a = rng.uniform(0, 2 * np.pi)
        d = np.array([0.5, np.cos(a), np.sin(a)])
        d /= np.linalg.norm(d)
        m = 3
        sl = rng.uniform(1.0, 3.0) * R
        pts = pos[at] + d * (sl * np.linspace(1 / m, 1, m))[:, None]
        pos_l.append(pts)
        par_l.append(np.concatenate([[at], count + np.arange(m - 1)]))
        rad_l.append(rad[at] * rng.uniform(0.2, 0.35) * np.linspace(1, 0.7, m))
        count += m
    sk = Skeleton(np.concatenate(pos_l), np.concatenate(par_l), np.concatenate(rad_l))
    return skin(sk, sides=12, bark=0.15 * params.bark, bark_scale=3.0, rng=rng)


def twig(length: float, rng: np.random.Generator, branches: int = 6) -> Mesh:
    """A dead twig: random-walk branching, lying roughly in the XY plane."""
    pos = [np.zeros(3)]
    parent = [-1]
    d0 = np.array([1.0, 0.0, 0.0])
    frontier = [(0, d0, length)]
    while frontier and len(pos) < 6 * branches:
        i, d, span = frontier.pop(0)
        seg = 4
        prev = i
        for s in range(seg):
            d = d + rng.normal(0, 0.25, 3) * np.array([1, 1, 0.3])
            d /= np.linalg.norm(d)
            pos.append(pos[prev] + d * span / seg)
            parent.append(prev)
            prev = len(pos) - 1
            if rng.uniform() < 0.3 and span > length * 0.2:
                side = np.cross(d, [0, 0, 1.0]) * rng.choice([-1, 1])
                frontier.append((prev, (d + side) / np.linalg.norm(d + side), span * 0.5))
    par = np.asarray(parent)
    rad = pipe_radii(par, 0.002 * length / 0.3, 2.5)
    return skin(Skeleton(np.asarray(pos), par, rad), sides=4)


def pine_cone(rng: np.random.Generator, length: float = 0.08) -> Mesh:
    """A cone whose scales follow a golden-angle spiral (radial bumps on a lathe)."""
    m = 16
    zz = np.linspace(0, length, m)
    u = zz / length
    rr = length * 0.32 * np.sin(np.pi * np.clip(u * 0.95 + 0.03, 0, 1)) ** 0.7 * (1 - 0.3 * u)
    spiral = lambda th, k: 1.0 + 0.18 * np.maximum(np.cos(8 * th[None] + 2.39996 * k[:, None] * 1.3), 0) ** 2  # noqa: E731
    body = lathe(rr, zz, sides=24, modulate=spiral)
    rot = np.eye(4)
    rot[:3, :3] = [[1, 0, 0], [0, 0, -1], [0, 1, 0]]  # lies along +Y on the ground
    rot[2, 3] = length * 0.25
    return merge([body.transformed(rot)], colors=[(0.16, 0.09, 0.04)])
