"""Differential growth: lettuce (leaf) corals and ruffled sponges from a growing rim.

The growing margin of the sheet is a closed curve of nodes (in the horizontal plane) that
grows the way tissue with a faster-growing edge does: each node is pulled towards the
midpoint of its two neighbours (bending stiffness), pushed away from every other node
within ``repel`` edge lengths (no node passes through its neighbours), and any edge longer
than one unit is split at its midpoint (growth). Moves are capped at a fraction of an edge,
and a step whose moves would make two segments cross is retried at half the length (down
to standing still), so the curve never self-intersects; the tests check every recorded
curve exactly.

The sheet is the curve's own history: snapshots of the margin at successive times become
rows at successive heights (a node added by a split inherits the midpoint of its parents'
history), so the base is the small starting ring and the top the ruffled rim. The mesh is that
sheet itself, one-sided (a thin tissue, rendered two-sided): offsetting it into a solid made
the two faces cross in the tight folds of the foot, so it is not thickened. ``pattern`` is the
height along the sheet (0 foot, 1 rim) for a paler growing edge.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy.spatial import cKDTree

from ...core.mesh import Mesh
from . import register
from ._shapes import grid_faces


def _orient(a, b, c):
    return (b[..., 0] - a[..., 0]) * (c[..., 1] - a[..., 1]) - (b[..., 1] - a[..., 1]) * (c[..., 0] - a[..., 0])


def crossing_pairs(x: np.ndarray) -> np.ndarray:
    """Pairs (i, j) of non-adjacent segments (x[i], x[i+1]) of the closed polyline ``x`` (N, 2)
    that intersect or touch (orientation predicates in float64; collinear overlaps count)."""
    n = len(x)
    a, b = x, np.roll(x, -1, axis=0)
    mid = 0.5 * (a + b)
    r = float(np.linalg.norm(b - a, axis=1).max())
    pairs = cKDTree(mid).query_pairs(r * 1.0001, output_type="ndarray")
    if not len(pairs):
        return np.zeros((0, 2), dtype=np.int64)
    i, j = pairs[:, 0], pairs[:, 1]
    gap = np.abs(i - j)
    keep = (gap != 1) & (gap != n - 1)
    i, j = i[keep], j[keep]
    p1, p2, q1, q2 = a[i], b[i], a[j], b[j]
    o1, o2, o3, o4 = _orient(p1, p2, q1), _orient(p1, p2, q2), _orient(q1, q2, p1), _orient(q1, q2, p2)
    proper = (o1 * o2 < 0) & (o3 * o4 < 0)

    def on(p, q, s, o):  # s collinear with p-q and within its box
        return (o == 0) & (np.minimum(p[:, 0], q[:, 0]) <= s[:, 0]) & (s[:, 0] <= np.maximum(p[:, 0], q[:, 0])) \
            & (np.minimum(p[:, 1], q[:, 1]) <= s[:, 1]) & (s[:, 1] <= np.maximum(p[:, 1], q[:, 1]))

    touch = on(p1, p2, q1, o1) | on(p1, p2, q2, o2) | on(q1, q2, p1, o3) | on(q1, q2, p2, o4)
    hit = proper | touch
    return np.stack([i[hit], j[hit]], -1)


def grow_curve(steps: int, rng: np.random.Generator, start_nodes: int = 24, repel: float = 2.5,
               stiffness: float = 0.3, push: float = 0.5, max_move: float = 0.15, every: int = 10,
               max_nodes: int = 3000) -> list[np.ndarray]:
    """Differential growth of a closed curve (unit edge length): the snapshots, oldest first,
    each (N_final, 2) in the final node order (nodes born later sit at their parents' midpoint)."""
    ang = np.linspace(0, 2 * np.pi, start_nodes, endpoint=False)
    r0 = 0.8 * start_nodes / (2 * np.pi)
    x = np.stack([np.cos(ang), np.sin(ang)], -1) * r0 * (1 + 0.03 * rng.standard_normal((start_nodes, 1)))
    hist: list[np.ndarray] = [x.copy()]
    for it in range(steps):
        n = len(x)
        f = stiffness * (0.5 * (np.roll(x, 1, 0) + np.roll(x, -1, 0)) - x)
        pairs = cKDTree(x).query_pairs(repel, output_type="ndarray")
        if len(pairs):
            i, j = pairs[:, 0], pairs[:, 1]
            gap = np.abs(i - j)
            keep = (gap != 1) & (gap != n - 1)
            i, j = i[keep], j[keep]
            d = x[i] - x[j]
            dist = np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)
            w = push * (repel - dist) / repel * d / dist
            np.add.at(f, i, w)
            np.add.at(f, j, -w)
        f += 0.02 * rng.standard_normal(f.shape)
        mag = np.linalg.norm(f, axis=1, keepdims=True)
        f = f * np.minimum(1.0, max_move / np.maximum(mag, 1e-12))
        for _ in range(6):
            trial = x + f
            if not len(crossing_pairs(trial)):
                x = trial
                break
            f = 0.5 * f
        # growth: split every edge longer than one unit at its midpoint (history too)
        nxt = np.roll(x, -1, 0)
        long_ = np.flatnonzero(np.linalg.norm(nxt - x, axis=1) > 1.0)
        if len(long_) and n + len(long_) <= max_nodes:
            x = _split(x, long_)
            hist = [_split(h, long_) for h in hist]
        if (it + 1) % every == 0:
            hist.append(x.copy())
    if steps % every:
        hist.append(x.copy())
    return hist


def _split(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    mid = 0.5 * (x[edges] + np.roll(x, -1, 0)[edges])
    return np.insert(x, edges + 1, mid, axis=0)


def sheet(rows: np.ndarray) -> Mesh:
    """The sheet through rows (R, N, 3), each a closed loop, oldest first; ``pattern`` = row height
    (0 foot, 1 rim). One-sided (thin tissue: rendered two-sided), so it is exactly the grown surface."""
    r, n, _ = rows.shape
    along = np.repeat(np.linspace(0.0, 1.0, r), n).astype(np.float32)
    return Mesh(rows.reshape(-1, 3), grid_faces(r, n), {"pattern": along})


class RuffleParams(BaseModel):
    """A ruffled sheet grown by differential growth of its margin."""

    model_config = ConfigDict(extra="forbid")
    size: float = Field(0.3, gt=0.02, le=3.0, description="rim radius, m", json_schema_extra={"rand": (0.2, 0.4)})
    height: float = Field(0.5, gt=0.05, le=3.0, description="height / size", json_schema_extra={"rand": (0.35, 0.6)})
    steps: int = Field(160, ge=5, le=1000, description="growth steps (more: longer, more ruffled rim)",
                       json_schema_extra={"rand": (130, 190)})
    repel: float = Field(2.5, ge=1.5, le=6.0, description="repulsion radius, edge lengths (wider: broader folds)")
    stiffness: float = Field(0.3, ge=0.0, le=1.0, description="pull towards the neighbours' midpoint")
    flare: float = Field(0.7, gt=0.1, le=3.0, description="height profile exponent (< 1: a bowl flaring early)")
    rows: int = Field(12, ge=2, le=100, description="growth snapshots kept as rows (LOD up the sheet)")


def _ruffle(p: RuffleParams, rng: np.random.Generator) -> tuple[Mesh, list[np.ndarray]]:
    every = max(1, p.steps // (p.rows - 1))
    hist = grow_curve(p.steps, rng, repel=p.repel, stiffness=p.stiffness, every=every)
    rows = np.asarray(hist)  # (R, N, 2)
    scale = p.size / float(np.linalg.norm(rows[-1], axis=1).max())
    t = np.linspace(0.0, 1.0, len(rows)) ** p.flare
    z = np.broadcast_to((p.height * p.size * t)[:, None], rows.shape[:2])
    pts = np.concatenate([rows * scale, z[..., None]], -1)
    return sheet(pts), hist


@register("leaf_coral", RuffleParams, "coral", "differential growth of the margin (split, repel, smooth; collision "
          "checked), history as a flaring bowl", "coral", tiny={"steps": 30, "rows": 4})
def leaf_coral(p: RuffleParams, rng: np.random.Generator) -> Mesh:
    return _ruffle(p, rng)[0]


class SpongeRuffleParams(RuffleParams):
    height: float = Field(1.3, gt=0.05, le=3.0, description="height / size", json_schema_extra={"rand": (1.0, 1.6)})
    steps: int = Field(110, ge=5, le=1000, description="growth steps (more: longer, more ruffled rim)",
                       json_schema_extra={"rand": (90, 130)})
    repel: float = Field(3.5, ge=1.5, le=6.0, description="repulsion radius, edge lengths (wider: broader folds)")
    flare: float = Field(1.6, gt=0.1, le=3.0, description="height profile exponent (> 1: a vase widening late)")


@register("ruffled_sponge", SpongeRuffleParams, "sponge", "differential growth of the rim, history as a tall "
          "ruffled vase", "sponge", tiny={"steps": 30, "rows": 4})
def ruffled_sponge(p: SpongeRuffleParams, rng: np.random.Generator) -> Mesh:
    return _ruffle(p, rng)[0]
