"""Plants of the sea: kelp, seagrass, seaweed (geometry only; their sway comes from core/motion).

Kelp (Macrocystis-like): a skinned stipe from a lumpy holdfast, curving up with the
current's lean; along it, gas bladders (pneumatocysts: small ellipsoids) each carrying a
long ruffled blade (``plants.geometry.blade`` with fold, curl and twist). Seagrass: a clump
of long, narrow, curling ribbon blades from one base. Seaweed (Fucus-like wrack): a flat
thallus that forks dichotomously (each strap ends in two narrower straps, to ``forks``
levels), with air vesicles at the forks. ``pattern`` is the position along the blade or
stipe (0 base, 1 tip); ``tint`` the per-part colour.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ...core.mesh import Mesh
from ..plants.geometry import Skeleton, blade, frame_matrix, merge, skin
from ..rocks import icosphere
from . import register


def _pattern(mesh: Mesh, values) -> Mesh:
    mesh.attributes = {"pattern": np.broadcast_to(np.asarray(values, np.float32), (len(mesh.vertices),)).copy()}
    return mesh


def _blob(centre, radii, detail=1, pattern=0.0) -> Mesh:
    s = icosphere(detail)
    return _pattern(Mesh(s.vertices * np.asarray(radii) + centre, s.faces), pattern)


class KelpParams(BaseModel):
    """One kelp frond."""

    model_config = ConfigDict(extra="forbid")
    size: float = Field(2.5, gt=0.1, le=40.0, description="stipe height, m", json_schema_extra={"rand": (1.8, 3.5)})
    blades: int = Field(14, ge=1, le=200, description="blades along the stipe", json_schema_extra={"rand": (10, 18)})
    blade_length: float = Field(0.5, gt=0.05, le=3.0, description="blade length, m", json_schema_extra={"rand": (0.35, 0.65)})
    blade_width: float = Field(0.06, gt=0.005, le=0.5, description="blade half-width, m",
                               json_schema_extra={"rand": (0.045, 0.08)})
    lean: float = Field(0.25, ge=0.0, le=1.0, description="sideways lean of the top / height (the current)",
                        json_schema_extra={"rand": (0.1, 0.35)})
    stipe_radius: float = Field(0.008, gt=0.001, le=0.1, description="stipe radius, m")
    segments: int = Field(24, ge=3, le=200, description="stipe nodes (LOD)")
    blade_rows: int = Field(10, ge=3, le=60, description="rows along a blade (LOD)")


@register("kelp", KelpParams, "kelp", "skinned stipe from a holdfast, pneumatocysts each bearing a ruffled blade",
          "kelp", tiny={"blades": 3, "segments": 5, "blade_rows": 3})
def kelp(p: KelpParams, rng: np.random.Generator) -> Mesh:
    t = np.linspace(0, 1, p.segments)
    head = rng.uniform(0, 2 * np.pi)
    side = np.array([np.cos(head), np.sin(head), 0.0])
    pts = t[:, None] * [0, 0, p.size] + side * (p.lean * p.size * t**2)[:, None]
    pts += 0.02 * p.size * np.cumsum(rng.standard_normal((p.segments, 3)) * [1, 1, 0], 0) / np.sqrt(p.segments)
    pts[0] = 0.0
    rad = p.stipe_radius * (1.0 - 0.4 * t)
    stipe = skin(Skeleton(pts, np.arange(-1, p.segments - 1), rad), sides=6)
    parts = [_pattern(stipe, t[np.clip(np.round(stipe.attributes["along"] / p.size * (p.segments - 1)).astype(int),
                                      0, p.segments - 1)] * 0.3)]
    colors = [(0.18, 0.13, 0.03)]
    parts.append(_blob([0, 0, 0.025], [0.05, 0.05, 0.025], 2))
    colors.append((0.15, 0.11, 0.04))
    for k in range(p.blades):
        s = 0.15 + 0.85 * (k + rng.uniform(0, 0.6)) / p.blades
        i = min(int(s * (p.segments - 1)), p.segments - 2)
        c = pts[i] + (pts[i + 1] - pts[i]) * (s * (p.segments - 1) - i)
        tan = pts[i + 1] - pts[i]
        tan /= np.linalg.norm(tan)
        az = rng.uniform(0, 2 * np.pi)
        out = np.array([np.cos(az), np.sin(az), 0.0])
        out -= (out @ tan) * tan
        out /= np.linalg.norm(out)
        bl = p.blade_length * rng.uniform(0.8, 1.2) * (0.6 + 0.4 * s)
        bw = p.blade_width * rng.uniform(0.8, 1.2)
        float_r = 0.012 * rng.uniform(0.8, 1.2)
        parts.append(_blob(c + out * float_r, [float_r, float_r, 1.6 * float_r], 1, 0.2))
        colors.append((0.25, 0.19, 0.04))
        direction = 0.45 * out + 0.55 * tan + 0.3 * side
        m = blade(lambda u: bw * np.sin(np.pi * np.clip(u, 0, 1) ** 0.6) * (1 - 0.6 * u) + 1e-4, bl,
                  n_along=p.blade_rows, n_across=3, fold=0.15, curl=0.1 * bl, twist=rng.uniform(-1.2, 1.2))
        m = m.transformed(frame_matrix(c + out * 2 * float_r, direction, out))
        parts.append(_pattern(m, m.attributes["tip"]))
        colors.append(tuple(np.array((0.2, 0.16, 0.035)) * rng.uniform(0.8, 1.2)))
    out = merge(parts, colors)
    out.vertices[:, 2] = np.maximum(out.vertices[:, 2], 0.0)
    return out


class SeagrassParams(BaseModel):
    """A clump of seagrass (Zostera/Posidonia-like)."""

    model_config = ConfigDict(extra="forbid")
    size: float = Field(0.5, gt=0.02, le=3.0, description="blade length, m", json_schema_extra={"rand": (0.3, 0.7)})
    blades: int = Field(7, ge=1, le=60, description="blades in the clump", json_schema_extra={"rand": (5, 10)})
    width: float = Field(0.004, gt=0.0005, le=0.05, description="blade half-width, m",
                         json_schema_extra={"rand": (0.003, 0.006)})
    droop: float = Field(0.3, ge=0.0, le=1.0, description="how far the tips bend over / length",
                         json_schema_extra={"rand": (0.15, 0.45)})
    rows: int = Field(12, ge=3, le=60, description="rows along a blade (LOD)")


@register("seagrass", SeagrassParams, "seagrass", "a clump of long ribbon blades from one base, curling over",
          "seagrass", tiny={"blades": 3, "rows": 3})
def seagrass(p: SeagrassParams, rng: np.random.Generator) -> Mesh:
    parts, colors = [], []
    for k in range(p.blades):
        ln = p.size * rng.uniform(0.6, 1.0)
        az = rng.uniform(0, 2 * np.pi)
        out = np.array([np.cos(az), np.sin(az), 0.0])
        m = blade(lambda u: p.width * (1 - 0.3 * u) + 1e-5, ln, n_along=p.rows, n_across=2,
                  curl=p.droop * ln * rng.uniform(0.6, 1.2), twist=rng.uniform(-0.8, 0.8))
        # local +Y up the blade, local -Z (its curl) towards the outside
        up = np.array([0.0, 0.0, 1.0]) + 0.15 * out
        m = m.transformed(frame_matrix(out * 0.004 * rng.random(), up, -out))
        parts.append(_pattern(m, m.attributes["tip"]))
        colors.append(tuple(np.array((0.05, 0.12, 0.03)) * rng.uniform(0.8, 1.25)))
    out = merge(parts, colors)
    out.vertices[:, 2] = np.maximum(out.vertices[:, 2], 0.0)
    return out


class SeaweedParams(BaseModel):
    """A dichotomously forking seaweed (wrack)."""

    model_config = ConfigDict(extra="forbid")
    size: float = Field(0.35, gt=0.02, le=3.0, description="height, m", json_schema_extra={"rand": (0.25, 0.5)})
    forks: int = Field(4, ge=0, le=7, description="levels of forking", json_schema_extra={"rand": (3, 5)})
    width: float = Field(0.012, gt=0.001, le=0.1, description="strap half-width at the base, m",
                         json_schema_extra={"rand": (0.009, 0.015)})
    angle: float = Field(0.45, gt=0.05, le=1.5, description="fork half-angle, rad", json_schema_extra={"rand": (0.35, 0.6)})
    vesicles: bool = Field(True, description="air vesicles at the forks")
    rows: int = Field(5, ge=2, le=40, description="rows along a strap (LOD)")


@register("seaweed", SeaweedParams, "seaweed", "dichotomous forking of flat straps (each ends in two narrower), "
          "vesicles at the forks", "seaweed", tiny={"forks": 2, "rows": 2})
def seaweed(p: SeaweedParams, rng: np.random.Generator) -> Mesh:
    parts, colors = [], []
    seg = p.size / (p.forks + 1) / 0.9
    stack = [(np.zeros(3), np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]), p.width, 0)]
    base_col = np.array((0.16, 0.09, 0.02)) * rng.uniform(0.8, 1.2)
    while stack:
        o, d, side, w, level = stack.pop()
        ln = seg * rng.uniform(0.8, 1.1)
        m = blade(lambda u: w * (1 - 0.25 * u) + 1e-5, ln, n_along=p.rows, n_across=3, fold=0.1,
                  curl=0.05 * ln * rng.standard_normal())
        normal = np.cross(d, side)
        m = m.transformed(frame_matrix(o, d, normal))
        parts.append(_pattern(m, (level + m.attributes["tip"]) / (p.forks + 1)))
        colors.append(tuple(base_col * (1 + 0.1 * level)))
        end = o + d * ln
        if level < p.forks:
            if p.vesicles and rng.random() < 0.5:
                parts.append(_blob(end, [1.3 * w, 0.6 * w, 1.3 * w], 1, (level + 1) / (p.forks + 1)))
                colors.append(tuple(base_col * 1.3))
            twist = rng.uniform(-0.4, 0.4)
            for s in (-1.0, 1.0):
                a = s * p.angle * rng.uniform(0.8, 1.2)
                nd = d * np.cos(a) + side * np.sin(a) + np.array([0, 0, 0.15])
                nd /= np.linalg.norm(nd)
                ns = np.cross(normal, nd)
                ns = ns * np.cos(twist) + np.cross(nd, ns) * np.sin(twist)
                stack.append((end, nd, ns / np.linalg.norm(ns), w * 0.8, level + 1))
    return merge(parts, colors)
