"""Sea life that does not swim: anemones, tube sponges, urchins, starfish, sea cucumbers, barnacles.

Built from the shared plant geometry (``plants.geometry``: lathes, skinned skeletons):
an anemone is a lathed column with rings of tapering tentacles (skinned chains curling up
and out); a tube sponge a cluster of lathed open tubes (outer wall, rim, inner wall, floor);
an urchin an oblate test with spines along its normals (Fibonacci-spaced cones); a starfish
a closed lens over a five-armed outline (arms taper, the top domed, tubercles in the
``pattern``); a sea cucumber a skinned, tapered body along a wavy floor-lying curve with
papillae; barnacles a cluster of six-plated volcano cones with an opercular crater.
``pattern`` is in [0, 1] on every kind (tentacle tips, spine tips, tubercles, ...).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ...core.mesh import Mesh
from ..plants.geometry import Skeleton, lathe, merge, skin
from ..rocks import icosphere
from . import register
from ._shapes import cap, grid_faces, outward, unit01


def _with(mesh: Mesh, pattern) -> Mesh:
    mesh.attributes = {"pattern": np.broadcast_to(np.asarray(pattern, np.float32), (len(mesh.vertices),)).copy()}
    return mesh


def _chain(points: np.ndarray, radii: np.ndarray) -> Skeleton:
    n = len(points)
    return Skeleton(points, np.arange(-1, n - 1), radii)


class AnemoneParams(BaseModel):
    """A sea anemone."""

    model_config = ConfigDict(extra="forbid")
    size: float = Field(0.06, gt=0.005, le=1.0, description="column radius, m", json_schema_extra={"rand": (0.04, 0.08)})
    height: float = Field(1.5, gt=0.2, le=5.0, description="column height / radius", json_schema_extra={"rand": (1.1, 1.9)})
    tentacles: int = Field(48, ge=4, le=300, description="tentacles", json_schema_extra={"rand": (36, 70)})
    length: float = Field(1.6, gt=0.2, le=6.0, description="tentacle length / radius", json_schema_extra={"rand": (1.2, 2.0)})
    curl: float = Field(0.8, ge=0.0, le=2.0, description="outward curl of the tentacles", json_schema_extra={"rand": (0.5, 1.1)})
    sides: int = Field(6, ge=3, le=16, description="tentacle cross-section points (LOD)")
    segments: int = Field(8, ge=2, le=40, description="nodes per tentacle (LOD)")


@register("sea_anemone", AnemoneParams, "anemone", "lathed column and oral disc, rings of skinned tapering "
          "tentacles curling outward", "anemone", tiny={"tentacles": 8, "segments": 3, "sides": 3})
def sea_anemone(p: AnemoneParams, rng: np.random.Generator) -> Mesh:
    r, h = p.size, p.height * p.size
    z = np.linspace(0, h, 10)
    prof = r * (1.15 - 0.3 * np.sin(np.pi * z / h) + 0.25 * (z / h) ** 3)
    prof[0] = 1.3 * r
    col = _with(lathe(prof, z, sides=24), 0.0)
    parts = [col]
    t = np.linspace(0, 1, p.segments)
    golden = np.pi * (3 - np.sqrt(5))
    for k in range(p.tentacles):
        ring = np.sqrt((k + 0.5) / p.tentacles)  # spread over the oral disc
        ang = k * golden
        d = np.array([np.cos(ang), np.sin(ang), 0.0])
        base = d * ring * 1.2 * r + [0, 0, h]
        ln = p.length * r * (0.6 + 0.4 * ring) * rng.uniform(0.85, 1.15)
        out = p.curl * ring * (0.5 + 0.5 * rng.random())
        pts = base + ln * (t[:, None] * (np.array([0, 0, 1.0]) * (1 - 0.5 * out * t[:, None]))
                           + d * (out * t[:, None] ** 1.5)) + 0.08 * ln * rng.standard_normal((p.segments, 3)) * t[:, None]
        rad = 0.09 * r * (1.0 - 0.75 * t)
        m = skin(_chain(pts, rad), sides=p.sides)
        parts.append(_with(m, 0.3 + 0.7 * np.clip(m.attributes["along"] / ln, 0.0, 1.0)))
    return merge(parts)


class TubeSpongeParams(BaseModel):
    """A cluster of tube sponges."""

    model_config = ConfigDict(extra="forbid")
    size: float = Field(0.4, gt=0.02, le=3.0, description="tallest tube, m", json_schema_extra={"rand": (0.25, 0.6)})
    tubes: int = Field(4, ge=1, le=12, description="tubes", json_schema_extra={"rand": (3, 6)})
    radius: float = Field(0.12, gt=0.02, le=0.5, description="tube radius / height", json_schema_extra={"rand": (0.09, 0.15)})
    wall: float = Field(0.25, gt=0.05, le=0.8, description="wall thickness / radius")
    sides: int = Field(24, ge=6, le=96, description="points around a tube (LOD)")


@register("tube_sponge", TubeSpongeParams, "sponge", "lathed open tubes (outer wall, rim, inner wall, floor), a "
          "leaning cluster", "sponge", tiny={"sides": 8, "tubes": 2})
def tube_sponge(p: TubeSpongeParams, rng: np.random.Generator) -> Mesh:
    parts = []
    for k in range(p.tubes):
        h = p.size * (1.0 if k == 0 else rng.uniform(0.45, 0.9))
        r = p.radius * p.size * rng.uniform(0.8, 1.1)
        z = np.linspace(0, h, 12)
        ro = r * (0.75 + 0.25 * np.sqrt(z / h))
        ri = ro[::-1] * (1 - p.wall)
        zi = z[::-1] * 0.9 + 0.1 * h
        prof_r = np.concatenate([ro, ri[:-1], [ri[-1]]])
        prof_z = np.concatenate([z, zi[:-1], [zi[-1]]])
        m = lathe(prof_r, prof_z, sides=p.sides, close_bottom=True, close_top=True)
        m = _with(m, 0.0)
        m.attributes["pattern"] = unit01(np.r_[m.vertices[:, 2], 0, h])[:-2]
        ang, lean = rng.uniform(0, 2 * np.pi), rng.uniform(0.0, 0.3) * (k > 0)
        off = (0.0 if k == 0 else rng.uniform(1.6, 2.4) * r) * np.array([np.cos(ang), np.sin(ang), 0])
        c, s = np.cos(lean), np.sin(lean)
        axis = np.array([-np.sin(ang), np.cos(ang), 0.0])  # tilt away from the first tube
        kx = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
        rot = np.eye(3) * c + s * kx + (1 - c) * np.outer(axis, axis)
        mat = np.eye(4)
        mat[:3, :3], mat[:3, 3] = rot, off - [0, 0, 0.05 * r]
        parts.append(m.transformed(mat))
    out = merge(parts)
    out.vertices[:, 2] = np.maximum(out.vertices[:, 2], 0.0)
    return out


class UrchinParams(BaseModel):
    """A sea urchin."""

    model_config = ConfigDict(extra="forbid")
    size: float = Field(0.04, gt=0.005, le=0.5, description="test radius, m", json_schema_extra={"rand": (0.03, 0.05)})
    spines: int = Field(220, ge=10, le=3000, description="spines", json_schema_extra={"rand": (160, 280)})
    length: float = Field(1.4, gt=0.1, le=6.0, description="spine length / radius", json_schema_extra={"rand": (0.9, 2.0)})
    thickness: float = Field(0.05, gt=0.005, le=0.3, description="spine base radius / radius")
    sides: int = Field(5, ge=3, le=12, description="spine cross-section points (LOD)")
    detail: int = Field(3, ge=1, le=6, description="test icosphere subdivisions (LOD)")


@register("sea_urchin", UrchinParams, "urchin", "oblate test with Fibonacci-spaced conical spines along the "
          "normals", "urchin", tiny={"spines": 30, "detail": 1})
def sea_urchin(p: UrchinParams, rng: np.random.Generator) -> Mesh:
    s = icosphere(p.detail)
    v = s.vertices.astype(np.float64) * p.size * [1.0, 1.0, 0.65]
    v[:, 2] += 0.6 * p.size
    body = Mesh(v, s.faces, {"pattern": np.zeros(len(v), np.float32)})
    n = p.spines
    i = np.arange(n) + 0.5
    zc = 1 - 1.7 * i / n  # down to z = -0.7: none on the underside
    rc = np.sqrt(1 - zc**2)
    a = i * np.pi * (3 - np.sqrt(5))
    d = np.stack([rc * np.cos(a), rc * np.sin(a), zc], -1)
    base = d * p.size * [1.0, 1.0, 0.65] * 0.97 + [0, 0, 0.6 * p.size]
    nrm = d / np.array([1.0, 1.0, 0.65])
    nrm /= np.linalg.norm(nrm, axis=1, keepdims=True)
    nrm = nrm + 0.15 * rng.standard_normal(nrm.shape)
    nrm /= np.linalg.norm(nrm, axis=1, keepdims=True)
    ln = p.length * p.size * rng.uniform(0.7, 1.1, n)
    tip = base + nrm * ln[:, None]
    u = np.cross(nrm, [0.3, 0.5, 0.8])
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    w = np.cross(nrm, u)
    th = np.linspace(0, 2 * np.pi, p.sides, endpoint=False)
    rr = p.thickness * p.size
    ring = base[:, None] + rr * (np.cos(th)[None, :, None] * u[:, None] + np.sin(th)[None, :, None] * w[:, None])
    k = p.sides
    sv = np.concatenate([ring.reshape(-1, 3), tip])
    j = np.arange(k)
    faces = np.stack([np.arange(n)[:, None] * k + j, np.arange(n)[:, None] * k + (j + 1) % k,
                      n * k + np.repeat(np.arange(n)[:, None], k, 1)], -1).reshape(-1, 3)
    spines = Mesh(sv, faces, {"pattern": np.r_[np.zeros(n * k), np.ones(n)].astype(np.float32)})
    out = merge([body, spines])
    out.vertices[:, 2] -= out.vertices[:, 2].min()  # resting on its lowest spines
    return out


def lens(x: np.ndarray, y: np.ndarray, top: np.ndarray, bottom: np.ndarray, centre_top: float,
         centre_bottom: float, pattern: np.ndarray) -> Mesh:
    """Closed solid over a polar grid (rows from the centre out, the last row the rim; each row a
    loop): the top surface at heights ``top``, the bottom at ``bottom``, meeting at the rim row."""
    r, k = x.shape
    up = np.stack([x, y, top], -1)
    down = np.stack([x, y, bottom], -1)[:-1][::-1]
    rows = np.concatenate([up, down])
    n = len(rows)
    v = np.concatenate([rows.reshape(-1, 3), [[0, 0, centre_top], [0, 0, centre_bottom]]])
    f = np.concatenate([grid_faces(n, k), cap(np.arange(k), len(v) - 2),
                        cap((n - 1) * k + np.arange(k), len(v) - 1, reverse=True)])
    pat = np.concatenate([pattern.ravel(), pattern[:-1][::-1].ravel(), [pattern[0].mean(), 0.0]])
    return outward(Mesh(v, f, {"pattern": pat.astype(np.float32)}))


class StarfishParams(BaseModel):
    """A starfish."""

    model_config = ConfigDict(extra="forbid")
    size: float = Field(0.1, gt=0.01, le=1.0, description="arm tip radius, m", json_schema_extra={"rand": (0.07, 0.14)})
    arms: int = Field(5, ge=3, le=12, description="arms")
    disc: float = Field(0.3, gt=0.05, le=0.9, description="central disc radius / arm radius",
                        json_schema_extra={"rand": (0.22, 0.36)})
    thickness: float = Field(0.18, gt=0.02, le=0.6, description="disc height / arm radius",
                             json_schema_extra={"rand": (0.14, 0.22)})
    bend: float = Field(0.15, ge=0.0, le=1.0, description="how much the arms curl sideways", json_schema_extra={"rand": (0.0, 0.3)})
    rows: int = Field(14, ge=3, le=100, description="rows from the centre to the rim (LOD)")
    sides: int = Field(120, ge=15, le=600, description="points around the outline (LOD)")


@register("starfish", StarfishParams, "starfish", "closed lens over a tapered five-armed outline, domed top with "
          "tubercles", "starfish", tiny={"rows": 4, "sides": 30})
def starfish(p: StarfishParams, rng: np.random.Generator) -> Mesh:
    a = np.linspace(0, 2 * np.pi, p.sides, endpoint=False)
    arm = np.cos(p.arms * a / 2) ** 2  # 1 on an arm's axis, 0 between arms
    jitter = 1 + 0.08 * np.cos(p.arms * a / 2 + rng.uniform(0, 6)) * rng.uniform(-1, 1)
    rim = p.size * (p.disc + (1 - p.disc) * arm**3.0) * jitter
    u = np.linspace(0, 1, p.rows + 1)[1:]
    rr = u[:, None] * rim[None]
    curl = p.bend * np.sin(p.arms * a)[None] * u[:, None] ** 2
    x, y = rr * np.cos(a + curl), rr * np.sin(a + curl)
    local = p.thickness * p.size * (1 - u[:, None] ** 2) ** 0.5 * (0.35 + 0.65 * (1 - rr / p.size)) + 0 * x
    top = local * (1.0 + 0.15 * np.cos(p.arms * a))[None]
    top[-1] = 0.0
    bottom = np.full_like(top, 0.0)
    bottom[:-1] = 0.06 * p.thickness * p.size
    tub = (np.cos(40 * np.pi * rr / p.size) * np.cos(3 * p.arms * a)[None]) > 0.6
    pat = np.where(tub, 1.0, 0.3) * (u[:, None] < 1)
    return lens(x, y, top + 0.0, bottom, float(p.thickness * p.size * 1.1), 0.06 * p.thickness * p.size * 0.5, pat)


class CucumberParams(BaseModel):
    """A sea cucumber lying on the floor."""

    model_config = ConfigDict(extra="forbid")
    size: float = Field(0.25, gt=0.02, le=2.0, description="body length, m", json_schema_extra={"rand": (0.15, 0.35)})
    radius: float = Field(0.14, gt=0.02, le=0.5, description="body radius / length", json_schema_extra={"rand": (0.1, 0.17)})
    waviness: float = Field(0.15, ge=0.0, le=1.0, description="sideways bend / length", json_schema_extra={"rand": (0.05, 0.25)})
    papillae: float = Field(0.25, ge=0.0, le=1.0, description="height of the papillae / radius",
                            json_schema_extra={"rand": (0.15, 0.35)})
    segments: int = Field(32, ge=4, le=200, description="nodes along the body (LOD)")
    sides: int = Field(16, ge=6, le=64, description="points around the body (LOD)")


@register("sea_cucumber", CucumberParams, "urchin", "skinned tapered body along a wavy floor-lying curve, "
          "papillae in the cross-section", "anemone", tiny={"segments": 6, "sides": 6})
def sea_cucumber(p: CucumberParams, rng: np.random.Generator) -> Mesh:
    t = np.linspace(0, 1, p.segments)
    ph = rng.uniform(0, 2 * np.pi)
    r0 = p.radius * p.size
    pts = np.stack([p.size * (t - 0.5), p.waviness * p.size * np.sin(2.5 * np.pi * t + ph),
                    np.full_like(t, 0.8 * r0)], -1)
    rad = r0 * np.clip(np.sin(np.pi * np.clip(t * 1.04 - 0.02, 0, 1)) ** 0.5, 0.15, None)
    bumps = rng.random((p.segments, p.sides)) < 0.3

    def profile(theta, idx):
        return 1.0 + p.papillae * bumps[idx] * (np.sin(theta)[None] > -0.3)

    m = skin(_chain(pts, rad), sides=p.sides, profile=profile)
    m.vertices[:, 2] = np.maximum(m.vertices[:, 2], 0.05 * r0)
    pat = np.concatenate([bumps.ravel().astype(np.float32), np.zeros(len(m.vertices) - bumps.size, np.float32)])
    return _with(m, pat)


class BarnacleParams(BaseModel):
    """A cluster of acorn barnacles."""

    model_config = ConfigDict(extra="forbid")
    size: float = Field(0.012, gt=0.002, le=0.2, description="base radius of one barnacle, m",
                        json_schema_extra={"rand": (0.008, 0.016)})
    count: int = Field(9, ge=1, le=80, description="barnacles", json_schema_extra={"rand": (5, 14)})
    height: float = Field(0.9, gt=0.2, le=3.0, description="height / base radius", json_schema_extra={"rand": (0.7, 1.1)})
    plates: int = Field(6, ge=4, le=8, description="wall plates")
    sides: int = Field(24, ge=8, le=96, description="points around a cone (LOD)")


@register("barnacles", BarnacleParams, "shell", "a cluster of lathed six-plated volcano cones with opercular "
          "craters, packed without overlap", "sea_shell", tiny={"count": 3, "sides": 8})
def barnacles(p: BarnacleParams, rng: np.random.Generator) -> Mesh:
    parts, centres, radii = [], [], []
    tries = 0
    while len(parts) < p.count and tries < 50 * p.count:
        tries += 1
        r = p.size * rng.uniform(0.6, 1.2)
        c = rng.normal(0, 0.7 * p.size * np.sqrt(p.count), 2)
        if any(np.hypot(*(c - c2)) < (r + r2) * 0.98 for c2, r2 in zip(centres, radii)):
            continue
        centres.append(c)
        radii.append(r)
        h = p.height * r
        rz = [0.0, 0.5 * h, h, h, 0.7 * h]
        rr = [r, 0.72 * r, 0.42 * r, 0.3 * r, 0.2 * r]
        plates, off = p.plates, rng.uniform(0, 2 * np.pi)
        m = lathe(np.array(rr), np.array(rz), sides=p.sides, close_bottom=True, close_top=True,
                  modulate=lambda th, k: 1 + 0.08 * np.cos(plates * th + off)[None] * np.ones((len(k), 1)))
        m.attributes = {"pattern": unit01(np.r_[m.vertices[:, 2], 0.0, h])[:-2]}
        mat = np.eye(4)
        mat[:2, 3] = c
        parts.append(m.transformed(mat))
    return merge(parts)
