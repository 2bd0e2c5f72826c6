"""Laplacian growth: finger and tube corals whose tips race for the open water.

A dielectric-breakdown-like growth (Niemeyer, Pietronero & Wiesmann 1984) with the harmonic
field approximated by unit charges on the colony's nodes: at each step the potential
φ(x) = Σ_j 1 / |x − p_j| is evaluated just ahead of every growing tip. A tip in the open
(low φ) grows a full step, a shielded one grows (φ_min / φ)^η of a step and stops below
``stop``; tips turn down the field gradient (away from their neighbours) with an upward bias,
and fork with a probability proportional to their speed. Finger corals (Porites) fork and
stay blunt; tube corals (Tubastraea) never fork, and each tip is carved into a cup.
The skeleton's surface is the implicit union of round cones (one connected, closed mesh).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ...core.mesh import Mesh
from . import register
from ._shapes import implicit_skin, unit01


def laplacian_growth(starts: np.ndarray, dirs: np.ndarray, steps: int, step: float, eta: float, fork: float,
                     rng: np.random.Generator, up: float = 0.3, stop: float = 0.25, turn: float = 0.5,
                     max_tips: int = 64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grow from a root at the origin through ``starts``: (positions, parent, is_live_tip)."""
    pos = [np.zeros(3)] + [np.asarray(s, np.float64) for s in starts]
    parent = [-1] + [0] * len(starts)
    tips = list(range(1, len(pos)))
    tdir = [np.asarray(d, np.float64) / np.linalg.norm(d) for d in dirs]
    zup = np.array([0.0, 0.0, 1.0])
    for _ in range(steps):
        if not tips:
            break
        p_all = np.asarray(pos)
        tp = p_all[tips]
        d = np.asarray(tdir)
        probe = tp + step * d
        diff = probe[:, None, :] - p_all[None]
        r = np.maximum(np.linalg.norm(diff, axis=2), 0.5 * step)
        phi = (1.0 / r).sum(axis=1)
        grad = -(diff / r[..., None] ** 3).sum(axis=1)  # ∇φ
        rate = (phi.min() / phi) ** eta
        away = -grad / np.maximum(np.linalg.norm(grad, axis=1, keepdims=True), 1e-12)
        nd = d + turn * away + up * zup + 0.15 * rng.standard_normal(d.shape)
        nd /= np.linalg.norm(nd, axis=1, keepdims=True)
        new_tips, new_dirs = [], []
        for k, t in enumerate(tips):
            if rate[k] < stop:
                continue  # shielded: this tip stops for good
            pos.append(tp[k] + step * rate[k] * nd[k])
            parent.append(t)
            new_tips.append(len(pos) - 1)
            new_dirs.append(nd[k])
            if len(tips) + len(new_tips) < max_tips and rng.random() < fork * rate[k]:
                side = np.cross(nd[k], rng.standard_normal(3))
                side /= np.linalg.norm(side)
                b1, b2 = nd[k] + 0.7 * side, nd[k] - 0.7 * side
                b1, b2 = b1 / np.linalg.norm(b1), b2 / np.linalg.norm(b2)
                pos[-1] = tp[k] + step * rate[k] * b1  # the tip splits into two diverging tips
                new_dirs[-1] = b1
                pos.append(tp[k] + step * rate[k] * b2)
                parent.append(t)
                new_tips.append(len(pos) - 1)
                new_dirs.append(b2)
        tips, tdir = new_tips, new_dirs
    live = np.zeros(len(pos), dtype=bool)
    live[tips] = True
    return np.asarray(pos), np.asarray(parent, dtype=np.int64), live


class FingerParams(BaseModel):
    """A finger or tube coral grown by Laplacian growth."""

    model_config = ConfigDict(extra="forbid")
    size: float = Field(0.3, gt=0.02, le=3.0, description="colony height, m", json_schema_extra={"rand": (0.2, 0.4)})
    starts: int = Field(7, ge=1, le=40, description="branches leaving the base", json_schema_extra={"rand": (5, 9)})
    radius: float = Field(0.07, gt=0.005, le=0.3, description="finger radius / size",
                          json_schema_extra={"rand": (0.06, 0.085)})
    eta: float = Field(1.5, ge=0.0, le=6.0, description="growth exponent η (higher: fiercer competition)")
    fork: float = Field(0.06, ge=0.0, le=0.5, description="fork probability per step at full speed",
                        json_schema_extra={"rand": (0.04, 0.08)})
    steps: int = Field(22, ge=2, le=200, description="growth steps")
    resolution: int = Field(96, ge=16, le=320, description="marching-cubes cells across the colony (LOD)")


def _starts(rng, n, r0, spread):
    a = rng.uniform(0, 2 * np.pi, n)
    tilt = spread * np.sqrt(rng.random(n))
    d = np.stack([np.sin(tilt) * np.cos(a), np.sin(tilt) * np.sin(a), np.cos(tilt)], -1)
    return d * r0, d


def _mesh(pos, parent, radius, resolution, hollows=None, blur=1.0) -> Mesh:
    c = np.flatnonzero(parent >= 0)
    r = np.full(len(c), radius)
    ext = float(np.ptp(pos, axis=0).max() + 2 * radius)
    m = implicit_skin(pos[parent[c]], pos[c], r, r, voxel=ext / resolution, blur=blur, max_cells=resolution + 8,
                      hollows=hollows)
    m.attributes["pattern"] = unit01(m.vertices[:, 2])
    return m


@register("finger_coral", FingerParams, "coral", "Laplacian (dielectric-breakdown) growth of blunt forking "
          "fingers, implicit skin", "coral", tiny={"resolution": 32, "steps": 8})
def finger_coral(p: FingerParams, rng: np.random.Generator) -> Mesh:
    s, d = _starts(rng, p.starts, 0.12 * p.size, 0.9)
    step = p.size / p.steps
    pos, parent, _ = laplacian_growth(s, d, p.steps, step, p.eta, p.fork, rng, up=0.35)
    return _mesh(pos, parent, p.radius * p.size, p.resolution)


class TubeParams(FingerParams):
    starts: int = Field(12, ge=1, le=40, description="tubes", json_schema_extra={"rand": (8, 16)})
    radius: float = Field(0.05, gt=0.005, le=0.3, description="tube radius / size",
                          json_schema_extra={"rand": (0.04, 0.06)})
    fork: float = Field(0.0, ge=0.0, le=0.5, description="fork probability (tube corals do not fork)")
    eta: float = Field(2.0, ge=0.0, le=6.0, description="growth exponent η (higher: fiercer competition)")
    steps: int = Field(12, ge=2, le=200, description="growth steps")


@register("tube_coral", TubeParams, "coral", "Laplacian growth of unforked tubes competing for space, a cup carved "
          "at each tip", "coral", tiny={"resolution": 32, "steps": 6, "starts": 5})
def tube_coral(p: TubeParams, rng: np.random.Generator) -> Mesh:
    s, d = _starts(rng, p.starts, 0.1 * p.size, 1.1)
    step = p.size / p.steps
    pos, parent, _ = laplacian_growth(s, d, p.steps, step, p.eta, p.fork, rng, up=0.25, stop=0.0, turn=0.8)
    r = p.radius * p.size
    tips = np.setdiff1d(np.arange(len(pos)), parent)
    tdir = pos[tips] - pos[parent[tips]]
    tdir /= np.maximum(np.linalg.norm(tdir, axis=1, keepdims=True), 1e-12)
    # a cup at each tip whose neighbours stand clear of it (a cup cut into a touching tube would
    # leave slivers of wall floating)
    branch = np.zeros(len(pos), dtype=np.int64)
    for i in range(1, len(pos)):
        branch[i] = i if parent[i] == 0 else branch[parent[i]]
    clear = np.ones(len(tips), dtype=bool)
    for k, t in enumerate(tips):
        other = branch != branch[t]
        other[0] = False
        if other.any():
            clear[k] = np.linalg.norm(pos[other] - pos[t], axis=1).min() > 3.0 * r
    tips, tdir = tips[clear], tdir[clear]
    hollow = (pos[tips] - 0.8 * r * tdir, pos[tips] + 2.0 * r * tdir, np.full(len(tips), 0.5 * r))
    return _mesh(pos, parent, r, p.resolution, hollows=hollow, blur=0.7)
