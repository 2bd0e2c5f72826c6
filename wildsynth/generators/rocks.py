"""Boulders: noise-displaced ellipsoids (closed, convex-ish) scattered as Instances.

A few prototype meshes are made per scene; each placement picks one, with its
own size, rotation and tilt, and sinks partly into the ground.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..core.mesh import Instances, Mesh, compose_trs, rotation_align_z, rotation_z
from ..core.seeds import SeedTree
from .noise import fbm3, perm_table
from .scatter import poisson_thin


class RockParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(120, ge=0, le=100000, description="number of boulders scattered")
    radius: float = Field(90.0, gt=0.0, le=5000.0, description="radius of the scatter area around the origin, m")
    size_median: float = Field(0.6, gt=0.01, le=50.0, description="median boulder size (radius), m")
    size_spread: float = Field(0.6, ge=0.0, le=2.0, description="log-normal spread of sizes")
    roughness: float = Field(0.25, ge=0.0, le=0.6, description="noise displacement relative to size")
    prototypes: int = Field(6, ge=1, le=64, description="distinct rock meshes")
    subdivisions: int = Field(3, ge=1, le=6, description="icosphere subdivisions per prototype")
    sink: float = Field(0.25, ge=0.0, le=0.9, description="fraction of the size buried in the ground")


def icosphere(subdivisions: int) -> Mesh:
    """Unit icosphere (outward CCW faces), by repeated edge midpoints."""
    t = (1.0 + 5 ** 0.5) / 2.0
    v = np.array([[-1, t, 0], [1, t, 0], [-1, -t, 0], [1, -t, 0], [0, -1, t], [0, 1, t],
                  [0, -1, -t], [0, 1, -t], [t, 0, -1], [t, 0, 1], [-t, 0, -1], [-t, 0, 1]], dtype=np.float64)
    f = np.array([[0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11], [1, 5, 9], [5, 11, 4],
                  [11, 10, 2], [10, 7, 6], [7, 1, 8], [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8],
                  [3, 8, 9], [4, 9, 5], [2, 4, 11], [6, 2, 10], [8, 6, 7], [9, 8, 1]], dtype=np.int64)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    for _ in range(subdivisions):
        edges = np.sort(np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]]), axis=1)
        uniq, inv = np.unique(edges, axis=0, return_inverse=True)
        mid = v[uniq[:, 0]] + v[uniq[:, 1]]
        mid /= np.linalg.norm(mid, axis=1, keepdims=True)
        m = len(v) + inv.reshape(3, -1).T  # midpoints of edges (01, 12, 20) per face
        v = np.concatenate([v, mid])
        a, b, c = f[:, 0], f[:, 1], f[:, 2]
        f = np.concatenate([np.stack([a, m[:, 0], m[:, 2]], -1), np.stack([b, m[:, 1], m[:, 0]], -1),
                            np.stack([c, m[:, 2], m[:, 1]], -1), m])
    return Mesh(v, f)


def rock_mesh(params: RockParams, rng: np.random.Generator) -> Mesh:
    """One boulder of unit size: ellipsoid axes, flattened base, fractal displacement."""
    sphere = icosphere(params.subdivisions)
    d = sphere.vertices.astype(np.float64)
    axes = rng.uniform([0.8, 0.6, 0.45], [1.2, 1.0, 0.8])
    perm = perm_table(rng)
    offset = rng.uniform(-100, 100, 3)
    disp = fbm3(d * 1.3 + offset, perm, octaves=5, gain=0.55)
    r = 1.0 + params.roughness * 2.0 * disp
    v = d * r[:, None] * axes
    v[:, 2] = np.where(v[:, 2] < -0.2 * axes[2], -0.2 * axes[2] + 0.3 * (v[:, 2] + 0.2 * axes[2]), v[:, 2])
    return Mesh(v, sphere.faces, smooth=True)


def scatter_rocks(params: RockParams, seeds: SeedTree, height: Callable, normal: Callable) -> list[Instances]:
    """Prototypes and placements: one ``Instances`` per prototype (ids assigned by the scene)."""
    protos = [rock_mesh(params, seeds.child(f"proto{k}").rng()) for k in range(params.prototypes)]
    rng = seeds.child("placement").rng()
    n = params.count
    if n == 0:
        return []
    # dart throwing in a disc with spacing by size (bigger rocks keep more room)
    cand = 4 * n
    rad = params.radius * np.sqrt(rng.uniform(0, 1, cand))
    ang = rng.uniform(0, 2 * np.pi, cand)
    xy = np.stack([rad * np.cos(ang), rad * np.sin(ang)], -1)
    size = params.size_median * np.exp(params.size_spread * rng.standard_normal(cand))
    size = np.clip(size, params.size_median * 0.15, params.size_median * 6.0)
    # greedy Poisson-disk thinning: bigger rocks keep more room
    idx = poisson_thin(xy, size, limit=n, factor=1.4)
    xy, size = xy[idx], size[idx]
    m = len(idx)
    z = height(xy[:, 0], xy[:, 1])
    nrm = normal(xy[:, 0], xy[:, 1])
    tilt = nrm + rng.normal(0, 0.15, (m, 3))
    rot = rotation_align_z(tilt) @ rotation_z(rng.uniform(0, 2 * np.pi, m))
    pos = np.stack([xy[:, 0], xy[:, 1], z - params.sink * size * 0.6], -1)
    mats = compose_trs(pos, rot, size)
    which = rng.integers(0, len(protos), m)
    return [Instances(protos[k], mats[which == k]) for k in range(len(protos)) if np.any(which == k)]
