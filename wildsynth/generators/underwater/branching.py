"""Branching corals: space colonisation (staghorn, elkhorn, sea fan, table) and an L-system (sea whip).

Space colonisation (Runions, Lane & Prusinkiewicz 2007): attraction points fill the
colony's envelope; each point pulls its nearest node within ``influence``; every pulled
node grows one ``step`` along the mean direction to its points (plus a tropism); points
within ``kill`` of a node are consumed. Envelopes: a hemisphere (staghorn thicket), a
tilted flat layer (elkhorn's palmate branches), a vertical disc with every node kept in
its plane (sea fan), a thin horizontal disc on a stalk (table coral). Radii follow the pipe
model (r_parent^e = Σ r_child^e). The sea whip is a stochastic bracketed L-system read by
a 3D turtle. Every skeleton is one tree from one root; its surface is the implicit union of
round cones around the segments (filleted by a small blur, marching cubes), so a colony
is one connected, closed mesh.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy.spatial import cKDTree

from ...core.mesh import Mesh
from ..plants.geometry import pipe_radii
from . import register
from ._shapes import implicit_skin, unit01


def colonise(attractors: np.ndarray, roots: np.ndarray, step: float, influence: float, kill: float,
             tropism: np.ndarray | None = None, plane_y: bool = False, max_nodes: int = 4000,
             max_iter: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Space colonisation from ``roots`` towards ``attractors``: (positions (N, 3), parent (N,))."""
    pos = [np.asarray(r, np.float64) for r in np.atleast_2d(roots)]
    parent = [-1] * len(pos)
    pts = np.asarray(attractors, np.float64)
    trop = np.zeros(3) if tropism is None else np.asarray(tropism, np.float64)
    for _ in range(max_iter):
        if not len(pts) or len(pos) >= max_nodes:
            break
        nodes = np.asarray(pos)
        tree = cKDTree(nodes)
        d, idx = tree.query(pts, distance_upper_bound=influence)
        ok = np.isfinite(d)
        if not ok.any():  # nothing in reach yet: the newest node grows straight on (a stalk)
            last = len(pos) - 1
            dirn = nodes[last] - nodes[parent[last]] if parent[last] >= 0 else np.array([0.0, 0.0, 1.0])
            pos.append(nodes[last] + step * dirn / np.linalg.norm(dirn))
            parent.append(last)
            continue
        acc = np.zeros_like(nodes)
        dv = pts[ok] - nodes[idx[ok]]
        dv /= np.maximum(np.linalg.norm(dv, axis=1, keepdims=True), 1e-12)
        np.add.at(acc, idx[ok], dv)
        grow = np.unique(idx[ok])
        g = acc[grow]
        g = g / np.maximum(np.linalg.norm(g, axis=1, keepdims=True), 1e-12) + trop
        if plane_y:
            g[:, 1] = 0.0
        norm = np.linalg.norm(g, axis=1)
        keep = norm > 1e-6
        grow, g = grow[keep], g[keep] / norm[keep, None]
        new = nodes[grow] + step * g
        dn, _ = tree.query(new)
        keep = dn > 0.3 * step  # no node twice in the same place (a point pulled from both sides)
        if not keep.any():
            break
        pos.extend(new[keep])
        parent.extend(grow[keep].tolist())
        d2, _ = cKDTree(np.asarray(pos)).query(pts)
        pts = pts[d2 > kill]
    return np.asarray(pos), np.asarray(parent, dtype=np.int64)


def skeleton_mesh(pos: np.ndarray, parent: np.ndarray, radius: np.ndarray, resolution: int,
                  blur: float = 0.8) -> Mesh:
    """The implicit skin of a skeleton (segments parent -> child); ``pattern`` = 1 at tips, 0 at the base."""
    child = np.flatnonzero(parent >= 0)
    a, b = pos[parent[child]], pos[child]
    ext = float(np.ptp(pos, axis=0).max() + 2 * radius.max())
    mesh = implicit_skin(a, b, radius[parent[child]], radius[child], voxel=ext / resolution, blur=blur,
                         max_cells=resolution + 8)
    r = mesh.attributes["radius"]
    mesh.attributes["pattern"] = 1.0 - unit01(r)
    return mesh


class BranchParams(BaseModel):
    """A branching coral colony grown by space colonisation."""

    model_config = ConfigDict(extra="forbid")
    size: float = Field(0.5, gt=0.02, le=5.0, description="colony radius, m", json_schema_extra={"rand": (0.3, 0.7)})
    points: int = Field(300, ge=10, le=5000, description="attraction points (branch density)",
                        json_schema_extra={"rand": (220, 380)})
    step: float = Field(0.05, gt=0.005, le=0.3, description="growth step / size")
    influence: float = Field(0.35, gt=0.02, le=2.0, description="attraction radius / size")
    kill: float = Field(0.09, gt=0.005, le=0.5, description="kill radius / size")
    tip_radius: float = Field(0.018, gt=0.001, le=0.2, description="branch tip radius / size",
                              json_schema_extra={"rand": (0.014, 0.022)})
    pipe_exponent: float = Field(2.4, ge=1.5, le=4.0, description="pipe-model exponent (lower: thicker bases)")
    tropism: float = Field(0.35, ge=0.0, le=2.0, description="pull of growth towards the envelope's preferred "
                                                             "direction")
    resolution: int = Field(120, ge=16, le=320, description="marching-cubes cells across the colony (LOD)")


def _hemisphere(rng, n, r, z0):
    d = rng.standard_normal((n, 3))
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    d[:, 2] = np.abs(d[:, 2])
    return d * (r * rng.random(n) ** (1 / 3))[:, None] + [0.0, 0.0, z0]


def _grow(p: BranchParams, pts: np.ndarray, trop, plane_y=False, stalk=0.0) -> tuple[np.ndarray, np.ndarray]:
    roots = np.array([[0.0, 0.0, 0.0]])
    pos, parent = colonise(pts, roots, p.step * p.size, p.influence * p.size, p.kill * p.size,
                           np.asarray(trop) * p.tropism, plane_y=plane_y)
    return pos, parent


def _colony(p: BranchParams, pos, parent, blur=0.8) -> Mesh:
    rad = pipe_radii(parent, p.tip_radius * p.size, p.pipe_exponent)
    return skeleton_mesh(pos, parent, rad, p.resolution, blur)


@register("staghorn_coral", BranchParams, "coral", "space colonisation of a hemisphere, upward tropism, pipe-model "
          "radii, implicit skin", "coral", tiny={"resolution": 32, "points": 60})
def staghorn(p: BranchParams, rng: np.random.Generator) -> Mesh:
    pts = _hemisphere(rng, p.points, p.size, 0.1 * p.size)
    pts = pts[pts[:, 2] > 0.15 * p.size]
    return _colony(p, *_grow(p, pts, [0.0, 0.0, 1.0]))


class ElkhornParams(BranchParams):
    points: int = Field(120, ge=10, le=5000, description="attraction points (branch density)",
                        json_schema_extra={"rand": (90, 150)})
    tip_radius: float = Field(0.05, gt=0.001, le=0.2, description="branch tip radius / size",
                              json_schema_extra={"rand": (0.04, 0.06)})
    step: float = Field(0.06, gt=0.005, le=0.3, description="growth step / size")
    influence: float = Field(0.45, gt=0.02, le=2.0, description="attraction radius / size")
    kill: float = Field(0.12, gt=0.005, le=0.5, description="kill radius / size")
    pipe_exponent: float = Field(2.0, ge=1.5, le=4.0, description="pipe-model exponent (lower: thicker bases)")


@register("elkhorn_coral", ElkhornParams, "coral", "space colonisation of a tilted flat layer: flattened palmate "
          "branches fused by the implicit skin", "coral", tiny={"resolution": 32, "points": 100})
def elkhorn(p: ElkhornParams, rng: np.random.Generator) -> Mesh:
    n = p.points
    r = p.size * np.sqrt(rng.random(n))
    a = rng.uniform(0, 2 * np.pi, n)
    x, y = r * np.cos(a), r * np.sin(a)
    z = 0.35 * p.size + 0.25 * r + 0.06 * p.size * rng.standard_normal(n)  # a shallow upturned layer
    pts = np.stack([x, y, z], -1)
    pos, parent = _grow(p, pts, [0.0, 0.0, 0.3])
    # flat palmate branches: skin the skeleton stretched 2.2x in z, then squash the surface back
    # (round cross-sections become flat ellipses, lying in the branches' layer)
    flat = 2.2
    mesh = _colony(p, pos * [1.0, 1.0, flat], parent, blur=1.2)
    mesh.vertices[:, 2] /= flat
    return mesh


class FanParams(BranchParams):
    points: int = Field(700, ge=10, le=5000, description="attraction points (branch density)",
                        json_schema_extra={"rand": (550, 850)})
    tip_radius: float = Field(0.005, gt=0.001, le=0.2, description="branch tip radius / size")
    step: float = Field(0.03, gt=0.005, le=0.3, description="growth step / size")
    influence: float = Field(0.15, gt=0.02, le=2.0, description="attraction radius / size")
    kill: float = Field(0.04, gt=0.005, le=0.5, description="kill radius / size")
    tropism: float = Field(0.15, ge=0.0, le=2.0, description="upward pull")
    resolution: int = Field(200, ge=16, le=320, description="marching-cubes cells across the colony (LOD)")


@register("sea_fan", FanParams, "coral", "planar space colonisation of a vertical disc (gorgonian fan), nodes "
          "kept in the plane", "coral", tiny={"resolution": 40, "points": 150})
def sea_fan(p: FanParams, rng: np.random.Generator) -> Mesh:
    n = p.points
    r = p.size * np.sqrt(rng.random(n))
    a = rng.uniform(0, np.pi, n)
    pts = np.stack([0.9 * r * np.cos(a), np.zeros(n), 0.08 * p.size + r * np.sin(a)], -1)
    pos, parent = _grow(p, pts, [0.0, 0.0, 1.0], plane_y=True)
    return _colony(p, pos, parent, blur=0.6)


class TableParams(BranchParams):
    points: int = Field(900, ge=10, le=5000, description="attraction points in the table's disc",
                        json_schema_extra={"rand": (700, 1100)})
    stalk: float = Field(0.35, ge=0.05, le=1.5, description="stalk height / size", json_schema_extra={"rand": (0.25, 0.45)})
    tip_radius: float = Field(0.022, gt=0.001, le=0.2, description="branch tip radius / size")
    step: float = Field(0.04, gt=0.005, le=0.3, description="growth step / size")
    influence: float = Field(0.2, gt=0.02, le=2.0, description="attraction radius / size")
    kill: float = Field(0.05, gt=0.005, le=0.5, description="kill radius / size")
    tropism: float = Field(0.0, ge=0.0, le=2.0, description="upward pull")
    pipe_exponent: float = Field(2.8, ge=1.5, le=4.0, description="pipe-model exponent (lower: thicker bases)")


@register("table_coral", TableParams, "coral", "a stalk, then space colonisation of a thin horizontal disc: radial "
          "branches fused into a plate", "coral", tiny={"resolution": 32, "points": 150})
def table_coral(p: TableParams, rng: np.random.Generator) -> Mesh:
    n = p.points
    r = p.size * np.sqrt(rng.uniform(0.02, 1.0, n))
    a = rng.uniform(0, 2 * np.pi, n)
    h = p.stalk * p.size
    pts = np.stack([r * np.cos(a), r * np.sin(a), h + 0.06 * r + 0.015 * p.size * rng.standard_normal(n)], -1)
    pos, parent = _grow(p, pts, [0.0, 0.0, 0.0])
    return _colony(p, pos, parent, blur=1.0)


# ---------------------------------------------------------------- L-system sea whip

def lsystem(axiom: str, rules: dict[str, list[tuple[float, str]]], iterations: int, rng: np.random.Generator) -> str:
    """Stochastic bracketed L-system: each symbol with rules is replaced by one of its
    successors drawn by probability."""
    s = axiom
    for _ in range(iterations):
        out = []
        for ch in s:
            opts = rules.get(ch)
            if opts is None:
                out.append(ch)
                continue
            u, acc = rng.random(), 0.0
            for prob, succ in opts:
                acc += prob
                if u <= acc:
                    out.append(succ)
                    break
            else:
                out.append(opts[-1][1])
        s = "".join(out)
    return s


def turtle(word: str, length: float, angle: float, rng: np.random.Generator, jitter: float = 0.15,
           up: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Read an L-system word in 3D: F forward (length, heading jittered and bent up by ``up``),
    + - yaw, & ^ pitch, / roll, [ ] push/pop. Returns (positions, parent)."""
    pos, parent = [np.zeros(3)], [-1]
    h, l_ = np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0])
    cur = 0
    stack = []

    def rot(v, axis, ang):
        axis = axis / np.linalg.norm(axis)
        return v * np.cos(ang) + np.cross(axis, v) * np.sin(ang) + axis * (axis @ v) * (1 - np.cos(ang))

    for ch in word:
        if ch == "F":
            h = h + jitter * rng.standard_normal(3) + [0.0, 0.0, up]
            h /= np.linalg.norm(h)
            l_ = l_ - (l_ @ h) * h
            l_ /= np.linalg.norm(l_)
            pos.append(pos[cur] + length * h)
            parent.append(cur)
            cur = len(pos) - 1
        elif ch in "+-":
            h = rot(h, np.cross(h, l_), angle if ch == "+" else -angle)
        elif ch in "&^":
            h = rot(h, l_, angle if ch == "&" else -angle)
            l_ = l_ - (l_ @ h) * h
            l_ /= np.linalg.norm(l_)
        elif ch == "/":
            l_ = rot(l_, h, rng.uniform(1.5, 2.6))
        elif ch == "[":
            stack.append((cur, h.copy(), l_.copy()))
        elif ch == "]":
            cur, h, l_ = stack.pop()
    return np.asarray(pos), np.asarray(parent, dtype=np.int64)


class WhipParams(BaseModel):
    """A sea whip (unbranched or sparsely forking gorgonian) from a stochastic L-system."""

    model_config = ConfigDict(extra="forbid")
    size: float = Field(0.8, gt=0.05, le=5.0, description="height, m", json_schema_extra={"rand": (0.5, 1.1)})
    whips: int = Field(5, ge=1, le=20, description="whips from the holdfast", json_schema_extra={"rand": (3, 7)})
    fork: float = Field(0.12, ge=0.0, le=0.6, description="probability that a growing apex forks",
                        json_schema_extra={"rand": (0.06, 0.18)})
    spread: float = Field(0.45, ge=0.0, le=1.5, description="angle between whips and the vertical, rad",
                          json_schema_extra={"rand": (0.3, 0.6)})
    radius: float = Field(0.006, gt=0.0005, le=0.1, description="whip radius at the base / size")
    resolution: int = Field(160, ge=16, le=320, description="marching-cubes cells across the colony (LOD)")


@register("sea_whip", WhipParams, "coral", "stochastic bracketed L-system (A -> F A or F [& / A] A) read by a 3D "
          "turtle, implicit skin", "coral", tiny={"resolution": 32, "whips": 2})
def sea_whip(p: WhipParams, rng: np.random.Generator) -> Mesh:
    rules = {"A": [(1.0 - p.fork, "FA"), (p.fork, "F[&/A]A")]}
    word = "F" + "".join(f"[{'/' * (k + 1)}&A]" for k in range(p.whips))
    word = lsystem(word, rules, 14, rng)
    seg = p.size / 15.0
    pos, parent = turtle(word, seg, p.spread, rng, jitter=0.12, up=0.25)
    depth = np.zeros(len(pos))
    for i in range(1, len(pos)):
        depth[i] = depth[parent[i]] + 1
    rad = p.radius * p.size * (1.0 - 0.6 * depth / max(depth.max(), 1))
    return skeleton_mesh(pos, parent, rad, p.resolution, blur=0.6)


__all__ = ["colonise", "lsystem", "skeleton_mesh", "turtle"]
