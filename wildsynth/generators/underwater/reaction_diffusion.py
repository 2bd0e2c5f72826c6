"""Reaction–diffusion corals: Gray–Scott on the surface mesh (brain and star corals).

Gray–Scott (Pearson 1993): du/dt = Du ∇²u − u v² + F (1 − u), dv/dt = Dv ∇²v + u v² − (F + k) v,
with Du = 0.21, Dv = 0.105 in *cells*² per unit time (Pearson's 2e-5 and 1e-5 on his 256-cell,
2.5-unit square) and explicit Euler steps of dt ≤ 1. ``gray_scott`` runs one solver on any
sparse Laplacian: the periodic 5-point grid (``grid_laplacian``, cells of 1) for measuring the
pattern, or the surface mesh (``mesh_laplacian``: the cotangent Laplace–Beltrami operator with a
lumped mass, ∇² in metres⁻², with the cell length ``cell`` in metres).

Feed/kill in the documented ranges (measured wavelengths in docs/underwater.md, tested):
F = 0.055, k = 0.062 (Infinigen's values) grows labyrinths of stripes (brain coral);
F = 0.037, k = 0.060 labyrinths too; F = 0.030, k = 0.062 isolated spots (star coral polyps);
F = 0.042, k = 0.063 spots mixed with short stripes.
The ``v`` field is applied as geometry (displacement along vertex normals, ridges or
raised corallites) and kept as the ``pattern`` attribute (0 = valley, 1 = ridge) for colour.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from pydantic import BaseModel, ConfigDict, Field
from scipy.sparse import coo_matrix, csr_matrix

from ...core.mesh import Mesh
from ..rocks import icosphere
from . import register
from ._shapes import unit01

DU, DV = 0.21, 0.105  # cells² per unit time (Pearson 1993)


@njit(cache=True, parallel=True)
def _gs_run(indptr, indices, data, u, v, du, dv, f, k, dt, steps):
    # Each vertex's update reads only the previous step's fields, so the vertex loops run in
    # parallel with results identical to the serial loops (no reductions across vertices).
    n = len(u)
    lu = np.empty(n)
    lv = np.empty(n)
    for _ in range(steps):
        for i in prange(n):
            su = 0.0
            sv = 0.0
            for p in range(indptr[i], indptr[i + 1]):
                j = indices[p]
                su += data[p] * u[j]
                sv += data[p] * v[j]
            lu[i] = su
            lv[i] = sv
        for i in prange(n):
            uvv = u[i] * v[i] * v[i]
            u[i] += dt * (du * lu[i] - uvv + f * (1.0 - u[i]))
            v[i] += dt * (dv * lv[i] + uvv - (f + k) * v[i])
    return u, v


def gray_scott(lap: csr_matrix, feed: float, kill: float, time: float, rng: np.random.Generator,
               cell: float = 1.0, seeds: float = 0.004, neighbours: csr_matrix | None = None, rings: int = 3,
               ) -> tuple[np.ndarray, np.ndarray]:
    """Run Gray–Scott to ``time`` on Laplacian ``lap`` (units of length⁻², length = metres or cells).

    Diffusion is Du·cell², Dv·cell²; the step is the largest stable one up to 1 (Gershgorin bound).
    Start: u = 1, v = 0 except random seed vertices (a fraction ``seeds``, grown by ``rings`` rings
    of ``neighbours`` when given: patches a few cells wide, smaller ones decay) at u = 0.5,
    v = 0.25, plus 1 % noise. Returns (u, v)."""
    n = lap.shape[0]
    u = np.ones(n)
    v = np.zeros(n)
    s = rng.random(n) < seeds
    if neighbours is not None:
        for _ in range(rings):
            s = s | (neighbours @ s.astype(np.float64) > 0)
    u[s], v[s] = 0.5, 0.25
    u += 0.01 * rng.standard_normal(n)
    v += 0.01 * rng.standard_normal(n) * s
    du, dv = DU * cell * cell, DV * cell * cell
    gersh = float(np.abs(lap).sum(axis=1).max())
    dt = min(1.0, 1.8 / (du * gersh))
    steps = int(np.ceil(time / dt))
    lap = lap.tocsr()
    u, v = _gs_run(lap.indptr, lap.indices, lap.data.astype(np.float64), u, v, du, dv, feed, kill, dt, steps)
    return u, v


def grid_laplacian(n: int) -> csr_matrix:
    """Periodic 5-point Laplacian on an n x n grid of unit cells (row-major)."""
    idx = np.arange(n * n).reshape(n, n)
    rows, cols = [], []
    for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0)):
        rows.append(idx.ravel())
        cols.append(np.roll(np.roll(idx, dy, 0), dx, 1).ravel())
    r = np.concatenate(rows + [idx.ravel()])
    c = np.concatenate(cols + [idx.ravel()])
    w = np.concatenate([np.ones(4 * n * n), -4.0 * np.ones(n * n)])
    return coo_matrix((w, (r, c)), shape=(n * n, n * n)).tocsr()


def mesh_adjacency(faces: np.ndarray, n: int) -> csr_matrix:
    e = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    e = np.unique(np.sort(e, axis=1), axis=0)
    a = coo_matrix((np.ones(2 * len(e)), (np.r_[e[:, 0], e[:, 1]], np.r_[e[:, 1], e[:, 0]])), shape=(n, n))
    return a.tocsr()


def mesh_laplacian(vertices: np.ndarray, faces: np.ndarray) -> csr_matrix:
    """Cotangent Laplace–Beltrami operator with a lumped (barycentric) mass, metres⁻²:
    L u_i = 1 / A_i Σ_j (cot α_ij + cot β_ij) / 2 (u_j − u_i), A_i a third of the area of the
    faces at i. Cotangents are clipped to [0, 2] (angles of 26.6° to 90°), which leaves
    well-shaped meshes exact (on a right-triangle grid it is the 5-point stencil, on a sphere
    the first harmonic's eigenvalue −2/R² to 1 %, tested) and keeps slivers (the squashed base
    of a dome) from flipping signs or forcing tiny time steps; unlike the umbrella operator it
    does not depend on the triangulation's direction."""
    v = np.asarray(vertices, np.float64)
    f = np.asarray(faces, np.int64)
    n = len(v)
    rows, cols, w = [], [], []
    for k in range(3):
        i, j, o = f[:, (k + 1) % 3], f[:, (k + 2) % 3], f[:, k]  # edge (i, j) opposite vertex o
        a, b = v[i] - v[o], v[j] - v[o]
        cot = np.einsum("ij,ij->i", a, b) / np.maximum(np.linalg.norm(np.cross(a, b), axis=1), 1e-30)
        cot = np.clip(cot, 0.0, 2.0)  # angles of 26.6-90 degrees: sliver faces neither flip nor stiffen it
        rows += [i, j]
        cols += [j, i]
        w += [0.5 * cot, 0.5 * cot]
    r, c, ww = np.concatenate(rows), np.concatenate(cols), np.concatenate(w)
    area = 0.5 * np.linalg.norm(np.cross(v[f[:, 1]] - v[f[:, 0]], v[f[:, 2]] - v[f[:, 0]]), axis=1)
    mass = np.bincount(f.ravel(), np.repeat(area / 3.0, 3), minlength=n)
    diag = -np.bincount(r, ww, minlength=n)
    m = coo_matrix((np.r_[ww, diag], (np.r_[r, np.arange(n)], np.r_[c, np.arange(n)])), shape=(n, n)).tocsr()
    m.sum_duplicates()
    return csr_matrix(m.multiply(1.0 / np.maximum(mass, 1e-30)[:, None]))


def dome(radius: float, height: float, cell: float, max_detail: int) -> Mesh:
    """A closed dome (icosphere squashed: the top half to ``height``, the bottom to a rounded
    base 0.4 x ``height`` deep, resting on z = 0), subdivided until its edges are no longer than ``cell`` (or ``max_detail`` reached)."""
    level = int(np.clip(np.ceil(np.log2(1.05 * radius / max(cell, 1e-6))), 1, max_detail))
    s = icosphere(level)
    v = s.vertices.astype(np.float64)
    z = np.where(v[:, 2] > 0, v[:, 2] * height, v[:, 2] * 0.4 * height)
    out = np.stack([v[:, 0] * radius, v[:, 1] * radius, z + 0.4 * height], -1)
    return Mesh(out, s.faces)


class RDCoralParams(BaseModel):
    """A reaction–diffusion coral head."""

    model_config = ConfigDict(extra="forbid")
    size: float = Field(0.25, gt=0.01, le=5.0, description="radius of the head, m",
                        json_schema_extra={"rand": (0.15, 0.35)})
    height: float = Field(0.6, ge=0.2, le=1.5, description="height / radius", json_schema_extra={"rand": (0.45, 0.8)})
    feed: float = Field(0.055, ge=0.01, le=0.1, description="Gray–Scott feed rate F")
    kill: float = Field(0.062, ge=0.04, le=0.075, description="Gray–Scott kill rate k")
    cell: float = Field(0.006, gt=0.0, le=0.1, description="RD length unit, m (pattern wavelength ≈ 14-16 cells); "
                                                            "raised to the mean mesh edge when max_detail caps the mesh",
                        json_schema_extra={"rand": (0.005, 0.008)})
    time: float = Field(2500.0, ge=100.0, le=20000.0, description="simulated time in RD units (steps of dt ≤ 1)")
    relief: float = Field(0.35, ge=0.0, le=2.0, description="displacement of ridges, in cells",
                          json_schema_extra={"rand": (0.25, 0.45)})
    max_detail: int = Field(5, ge=1, le=7, description="icosphere subdivisions at most (LOD): 20·4^n triangles")


def _rd_coral(p: RDCoralParams, rng: np.random.Generator, sign: float) -> Mesh:
    base = dome(p.size, p.height * p.size, p.cell, p.max_detail)
    v = base.vertices.astype(np.float64)
    edges = mesh_adjacency(base.faces, len(v)).tocoo()
    cell = max(p.cell, float(np.linalg.norm(v[edges.row] - v[edges.col], axis=1).mean()))
    lap = mesh_laplacian(v, base.faces)
    _, vv = gray_scott(lap, p.feed, p.kill, p.time, rng, cell=cell, neighbours=mesh_adjacency(base.faces, len(v)))
    pattern = unit01(vv)
    n = base.vertex_normals().astype(np.float64)
    h = p.height * p.size
    top = np.clip((v[:, 2] - 0.4 * h) / (0.3 * h), 0.0, 1.0)  # no relief on the rounded base
    amp = sign * p.relief * cell * 4.0
    v = v + n * (amp * (pattern - 0.5) * top)[:, None]
    return Mesh(v, base.faces, {"pattern": pattern})


@register("brain_coral", RDCoralParams, "coral", "Gray–Scott on the dome mesh, F 0.055 k 0.062: labyrinth ridges "
          "displaced along normals", "coral", tiny={"max_detail": 3, "time": 600.0})
def brain_coral(p: RDCoralParams, rng: np.random.Generator) -> Mesh:
    return _rd_coral(p, rng, 1.0)


class StarCoralParams(RDCoralParams):
    feed: float = Field(0.030, ge=0.01, le=0.1, description="Gray–Scott feed rate F (spots)")
    kill: float = Field(0.062, ge=0.04, le=0.075, description="Gray–Scott kill rate k (spots)")
    height: float = Field(0.5, ge=0.2, le=1.5, description="height / radius", json_schema_extra={"rand": (0.35, 0.7)})


@register("star_coral", StarCoralParams, "coral", "Gray–Scott on the dome mesh, F 0.030 k 0.062: spots raised as "
          "corallites", "coral", tiny={"max_detail": 3, "time": 600.0})
def star_coral(p: StarCoralParams, rng: np.random.Generator) -> Mesh:
    return _rd_coral(p, rng, 1.0)
