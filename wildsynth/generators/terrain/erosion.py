"""Erosion on a regular height grid, in numba: hydraulic (droplets) and thermal (talus).

Both kernels conserve material: hydraulic erosion moves soil from where a
droplet picks it up to where it drops it (a droplet that evaporates or leaves
the grid drops what it still carries at its last cell inside the grid), and
thermal erosion moves soil from a cell to its lower neighbours. The grid sum
changes only by floating-point rounding (tested).

Grid convention: ``h[i, j]`` is the height at x = x0 + j * cell, y = y0 + i * cell.
"""

from __future__ import annotations

import heapq

import numpy as np
from numba import njit
from pydantic import BaseModel, ConfigDict, Field


class ErosionParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    droplets_per_cell: float = Field(0.6, ge=0.0, le=20.0, description="hydraulic droplets per grid cell")
    max_steps: int = Field(48, ge=1, le=1000, description="longest droplet path, cells")
    inertia: float = Field(0.08, ge=0.0, le=0.99, description="how much a droplet keeps its direction")
    capacity: float = Field(1.5, ge=0.0, le=100.0, description="sediment carried per unit slope, speed and water")
    min_slope: float = Field(0.01, ge=0.0, le=1.0, description="slope floor in the capacity (keeps flats eroding)")
    erode_rate: float = Field(0.3, ge=0.0, le=1.0, description="fraction of spare capacity taken per step")
    deposit_rate: float = Field(0.3, ge=0.0, le=1.0, description="fraction of excess sediment dropped per step")
    evaporation: float = Field(0.03, ge=0.0, le=0.5, description="water lost per step")
    gravity: float = Field(4.0, ge=0.1, le=50.0, description="downhill acceleration")
    thermal_iterations: int = Field(30, ge=0, le=1000, description="talus relaxation passes")
    talus_angle: float = Field(38.0, ge=5.0, le=85.0, description="steepest stable slope of loose soil, degrees")
    thermal_rate: float = Field(0.4, ge=0.0, le=0.5, description="fraction of the excess moved per pass")


@njit(cache=True)
def _height_grad(h, x, y):
    """Bilinear height and gradient at continuous grid coordinates (x = column, y = row)."""
    i, j = int(y), int(x)
    u, v = x - j, y - i
    h00, h01, h10, h11 = h[i, j], h[i, j + 1], h[i + 1, j], h[i + 1, j + 1]
    gx = (h01 - h00) * (1 - v) + (h11 - h10) * v
    gy = (h10 - h00) * (1 - u) + (h11 - h01) * u
    z = h00 * (1 - u) * (1 - v) + h01 * u * (1 - v) + h10 * (1 - u) * v + h11 * u * v
    return z, gx, gy


@njit(cache=True)
def _add_bilinear(h, x, y, amount):
    i, j = int(y), int(x)
    u, v = x - j, y - i
    h[i, j] += amount * (1 - u) * (1 - v)
    h[i, j + 1] += amount * u * (1 - v)
    h[i + 1, j] += amount * (1 - u) * v
    h[i + 1, j + 1] += amount * u * v


@njit(cache=True)
def _hydraulic(h, starts, cell, max_steps, inertia, capacity, min_slope, erode_rate, deposit_rate,
               evaporation, gravity, flow):
    rows, cols = h.shape
    for d in range(starts.shape[0]):
        x, y = starts[d, 0], starts[d, 1]
        dx, dy = 0.0, 0.0
        speed, water, sed = 1.0, 1.0, 0.0
        for _ in range(max_steps):
            z, gx, gy = _height_grad(h, x, y)
            flow[int(y), int(x)] += water
            dx = dx * inertia - gx * (1 - inertia)
            dy = dy * inertia - gy * (1 - inertia)
            n = np.sqrt(dx * dx + dy * dy)
            if n < 1e-12:
                break  # a flat pit: stop here and drop the load below
            dx /= n
            dy /= n
            nx, ny = x + dx, y + dy
            if nx < 0 or ny < 0 or nx >= cols - 1 or ny >= rows - 1:
                break  # leaving the grid: drop the load at the last cell inside
            nz = _height_grad(h, nx, ny)[0]
            dh = nz - z
            cap = max(-dh / cell, min_slope) * speed * water * capacity * cell
            if dh > 0 or sed > cap:
                # uphill: fill the pit up to the new height (or all we carry); else drop the excess
                drop = min(dh, sed) if dh > 0 else (sed - cap) * deposit_rate
                sed -= drop
                _add_bilinear(h, x, y, drop)
            else:
                take = min((cap - sed) * erode_rate, -dh)  # never dig below the next point
                sed += take
                _add_bilinear(h, x, y, -take)
            speed = np.sqrt(max(speed * speed - dh / cell * gravity, 0.0))
            water *= 1.0 - evaporation
            x, y = nx, ny
        if sed > 0:
            _add_bilinear(h, x, y, sed)


@njit(cache=True)
def _thermal(h, iterations, talus_dh, rate):
    rows, cols = h.shape
    delta = np.zeros_like(h)
    di = np.array([-1, 1, 0, 0])
    dj = np.array([0, 0, -1, 1])
    for _ in range(iterations):
        delta[:] = 0.0
        for i in range(rows):
            for j in range(cols):
                total, biggest = 0.0, 0.0
                for k in range(4):
                    a, b = i + di[k], j + dj[k]
                    if 0 <= a < rows and 0 <= b < cols:
                        e = h[i, j] - h[a, b] - talus_dh
                        if e > 0:
                            total += e
                            biggest = max(biggest, e)
                if total <= 0:
                    continue
                move = rate * biggest  # moved mass, shared by excess
                for k in range(4):
                    a, b = i + di[k], j + dj[k]
                    if 0 <= a < rows and 0 <= b < cols:
                        e = h[i, j] - h[a, b] - talus_dh
                        if e > 0:
                            m = move * e / total
                            delta[a, b] += m
                            delta[i, j] -= m
        h += delta


def hydraulic_erosion(h: np.ndarray, cell: float, params: ErosionParams,
                      rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Eroded copy of ``h`` and the water that passed each cell (a flow-accumulation map)."""
    out = np.array(h, dtype=np.float64, copy=True)
    flow = np.zeros_like(out)
    rows, cols = out.shape
    n = int(params.droplets_per_cell * rows * cols)
    starts = rng.uniform([0, 0], [cols - 1.0001, rows - 1.0001], (n, 2))
    _hydraulic(out, starts, float(cell), params.max_steps, params.inertia, params.capacity, params.min_slope,
               params.erode_rate, params.deposit_rate, params.evaporation, params.gravity, flow)
    return out, flow


def thermal_erosion(h: np.ndarray, cell: float, params: ErosionParams) -> np.ndarray:
    """Talus relaxation: slopes steeper than the talus angle shed soil to lower neighbours."""
    out = np.array(h, dtype=np.float64, copy=True)
    _thermal(out, params.thermal_iterations, float(cell * np.tan(np.radians(params.talus_angle))),
             float(params.thermal_rate))
    return out


def erode(h: np.ndarray, cell: float, params: ErosionParams,
          rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Hydraulic then thermal erosion; returns (heights, flow accumulation)."""
    out, flow = hydraulic_erosion(h, cell, params, rng)
    return thermal_erosion(out, cell, params), flow


# -- drainage: depression filling, D8 flow, flow accumulation -----------------------------------------

@njit(cache=True)
def _priority_flood(h, eps):
    """Priority-Flood (Barnes et al. 2014): every cell raised to the lowest level at which water
    could leave the grid; with ``eps`` > 0 each cell ends at least ``eps`` above the cell that
    flooded it, so flats get a drainable slope towards their outlet."""
    rows, cols = h.shape
    out = h.copy()
    done = np.zeros(h.shape, np.bool_)
    heap = [(0.0, np.int64(0))]
    heap.pop()
    for i in range(rows):
        for j in range(cols):
            if i == 0 or j == 0 or i == rows - 1 or j == cols - 1:
                heapq.heappush(heap, (out[i, j], np.int64(i * cols + j)))
                done[i, j] = True
    while len(heap):
        z, k = heapq.heappop(heap)
        i, j = k // cols, k % cols
        for di in range(-1, 2):
            for dj in range(-1, 2):
                a, b = i + di, j + dj
                if (di != 0 or dj != 0) and 0 <= a < rows and 0 <= b < cols and not done[a, b]:
                    done[a, b] = True
                    out[a, b] = max(out[a, b], z + eps)
                    heapq.heappush(heap, (out[a, b], np.int64(a * cols + b)))
    return out


def fill_depressions(h: np.ndarray, eps: float = 0.0) -> np.ndarray:
    """``h`` with every pit filled to its spill level (eps = 0: flat lake surfaces; eps > 0: a slope
    of eps per cell across the filled flats so every cell drains). The grid border is the outlet."""
    return _priority_flood(np.ascontiguousarray(h, dtype=np.float64), float(eps))


_D8 = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def d8_receivers(f: np.ndarray) -> np.ndarray:
    """Steepest-descent neighbour of each cell (flat index; -1 on the border and where no
    neighbour is lower). Use on a surface filled with eps > 0 so every inner cell drains."""
    rows, cols = f.shape
    pad = np.pad(f, 1, mode="edge")
    best = np.zeros(f.shape)
    rec = np.full(f.shape, -1, dtype=np.int64)
    ii, jj = np.mgrid[0:rows, 0:cols]
    for di, dj in _D8:
        drop = (f - pad[1 + di:1 + di + rows, 1 + dj:1 + dj + cols]) / np.hypot(di, dj)
        better = drop > best
        best = np.where(better, drop, best)
        rec = np.where(better, (ii + di) * cols + (jj + dj), rec)
    rec[0, :] = rec[-1, :] = rec[:, 0] = rec[:, -1] = -1
    return rec


@njit(cache=True)
def _accumulate(order, rec, acc):
    for k in order:
        r = rec[k]
        if r >= 0:
            acc[r] += acc[k]


def flow_accumulation(f: np.ndarray, rec: np.ndarray) -> np.ndarray:
    """Number of cells draining through each cell (itself included), D8 on the filled surface ``f``."""
    order = np.argsort(-f.ravel(), kind="stable")
    acc = np.ones(f.size)
    _accumulate(order, rec.ravel(), acc)
    return acc.reshape(f.shape)
