"""Cacti: ribbed columns with arms (saguaro), ribbed barrels, prickly-pear pads; all with spines.

Ribs are a cosine modulation of the tube cross-section; spines are thin
three-sided cones in clusters (areoles) along the rib crests.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ...core.mesh import Mesh
from ..rocks import icosphere
from .geometry import Skeleton, lathe, merge, skin

Kind = Literal["saguaro", "columnar", "barrel", "prickly_pear"]
KINDS = ("saguaro", "columnar", "barrel", "prickly_pear")
# linear albedo of cactus skin: grey-green under a waxy bloom (luminance ~0.1, far less saturated than a
# leaf), the pads bluer; spines straw to grey; old stems corky grey-brown near the ground
GREEN = (0.085, 0.11, 0.066)
PAD_GREEN = (0.085, 0.115, 0.09)
SPINE = (0.55, 0.5, 0.4)
CORK = (0.16, 0.14, 0.11)


class CactusParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind = Field("saguaro", description="growth form")
    height: float = Field(3.0, gt=0.1, le=15.0, description="height, m (barrels and pads scale down)")
    ribs: int = Field(12, ge=4, le=30, description="ribs around the stem")
    spines: float = Field(1.0, ge=0.0, le=3.0, description="spine density relative to default")


def _spines(points: np.ndarray, normals: np.ndarray, length: float, rng, per: int = 3) -> Mesh:
    n = len(points) * per
    if n == 0:
        return Mesh(np.zeros((0, 3)), np.zeros((0, 3)))
    base = np.repeat(points, per, 0)
    d = np.repeat(normals, per, 0) + rng.normal(0, 0.45, (n, 3))
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    tip = base + d * length * rng.uniform(0.6, 1.3, (n, 1))
    a = np.cross(d, rng.normal(0, 1, (n, 3)))
    a /= np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-9)
    b = np.cross(d, a)
    w = length * 0.04
    v = np.concatenate([base + a * w, base - 0.5 * a * w + 0.87 * b * w, base - 0.5 * a * w - 0.87 * b * w, tip])
    i = np.arange(n)
    f = np.concatenate([np.stack([i, i + n, i + 3 * n], -1), np.stack([i + n, i + 2 * n, i + 3 * n], -1),
                        np.stack([i + 2 * n, i, i + 3 * n], -1)])
    return Mesh(v, f)


def _crest_points(mesh: Mesh, sides: int, ribs: int, every: int, n_rings: int):
    """Vertices on rib crests (every ``every``-th ring) with outward normals."""
    per_rib = sides // ribs
    rings = np.arange(1, n_rings - 1, every)
    idx = (rings[:, None] * sides + np.arange(0, sides, per_rib)[None]).ravel()
    idx = idx[idx < n_rings * sides]
    nrm = mesh.vertex_normals()[idx]
    return mesh.vertices[idx].astype(np.float64), nrm.astype(np.float64)


def _skin_tint(body: Mesh, green: np.ndarray, rng, cork: float) -> np.ndarray:
    """Per-vertex colour of the body: rib grooves darker (shade and dust), crests lighter, a drift
    in tone up the stem, and corky bark over the lowest ``cork`` share of the height."""
    v = body.vertices.astype(np.float64)
    f = body.faces
    n = len(v)
    nb = np.zeros((n, 3))
    cnt = np.zeros(n)
    for a, b in ((0, 1), (1, 2), (2, 0)):  # mean of the edge neighbours
        for i, j in ((f[:, a], f[:, b]), (f[:, b], f[:, a])):
            np.add.at(nb, i, v[j])
            cnt += np.bincount(i, minlength=n)
    nb /= np.maximum(cnt, 1)[:, None]
    nrm = body.vertex_normals().astype(np.float64)
    concave = np.einsum("ij,ij->i", nb - v, nrm)  # > 0 in a groove
    scale = np.percentile(np.abs(concave), 90) + 1e-9
    c = np.clip(concave / scale, -1.0, 1.0)
    shade = 1.0 - 0.4 * np.clip(c, 0.0, 1.0) + 0.12 * np.clip(-c, 0.0, 1.0)
    z = v[:, 2]
    zr = (z - z.min()) / max(np.ptp(z), 1e-9)
    drift = 1.0 + 0.12 * np.sin(zr * rng.uniform(4.0, 8.0) + rng.uniform(0, 2 * np.pi))
    col = green[None, :] * (shade * drift)[:, None]
    if cork > 0:
        t = np.clip((cork - zr) / (0.5 * cork), 0.0, 1.0)[:, None]
        col = col * (1 - t) + np.asarray(CORK)[None, :] * t
    return col.astype(np.float32)


def cactus(params: CactusParams, rng: np.random.Generator) -> Mesh:
    ribs = params.ribs
    sides = ribs * 4
    depth = 0.08

    def prof(theta, nodes):
        return np.broadcast_to(1.0 - depth + depth * np.cos(theta * ribs) ** 2, (len(nodes), len(theta)))

    if params.kind in ("saguaro", "columnar"):
        H = params.height * rng.uniform(0.8, 1.2)
        r = 0.045 * H + 0.05
        n = 16
        t = np.linspace(0, 1, n)
        pos = [np.stack([np.zeros(n), np.zeros(n), t * H], -1)]
        par = [np.arange(n) - 1]
        rad = [r * (1 - 0.1 * t) * np.where(t > 0.95, np.sqrt(np.maximum(1 - (t - 0.95) / 0.06, 0.05)), 1.0)]
        arms = int(rng.integers(1, 4)) if params.kind == "saguaro" else 0
        count = n
        for k in range(arms):
            at = int(rng.integers(int(0.35 * n), int(0.65 * n)))
            a = rng.uniform(0, 2 * np.pi)
            out = np.array([np.cos(a), np.sin(a), 0.0])
            m = 10
            s = np.linspace(0, 1, m + 1)[1:]
            reach = rng.uniform(0.15, 0.25) * H
            rise = rng.uniform(0.25, 0.4) * H
            horiz = reach * np.clip(s * 2.0, 0, 1)
            up = rise * np.clip((s - 0.35) / 0.65, 0, 1) ** 0.8 + 0.05 * H * s
            pts = pos[0][at] + out * horiz[:, None] + np.array([0, 0, 1.0]) * up[:, None]
            pos.append(pts)
            par.append(np.concatenate([[at], count + np.arange(m - 1)]))
            ar = 0.7 * r * np.ones(m)
            ar[-1] *= 0.5
            rad.append(ar)
            count += m
        sk = Skeleton(np.concatenate(pos), np.concatenate(par), np.concatenate(rad))
        body = skin(sk, sides=sides, profile=prof)
        n_rings = len(sk)
        pts, nrm = _crest_points(body, sides, ribs, 1, n_rings)
        spine_len = 0.03 + 0.01 * r
    elif params.kind == "barrel":
        R = min(params.height, 1.5) * 0.35 * rng.uniform(0.8, 1.2)
        phi = np.linspace(0.02, np.pi * 0.97, 14)
        rr = R * np.sin(phi)
        zz = R * 1.2 * (1 - np.cos(phi)) / 2 * 1.3
        body = lathe(rr, zz, sides=sides, close_bottom=True, close_top=True,
                     modulate=lambda th, k: np.broadcast_to(1 - 0.2 + 0.2 * np.cos(th * ribs) ** 2, (len(k), len(th))))
        n_rings = 14
        pts, nrm = _crest_points(body, sides, ribs, 1, n_rings)
        spine_len = 0.05 * R / 0.35 + 0.02
    else:  # prickly pear: flattened ellipsoid pads growing on each other's rims
        s0 = min(params.height, 2.0) * 0.18
        pad = icosphere(2)
        parts = []
        centres = [(np.array([0.0, 0.0, s0]), np.array([0.0, 0.0, 1.0]), s0)]
        for k in range(int(rng.integers(4, 10))):
            c, d, s = centres[int(rng.integers(len(centres)))]
            a = rng.normal(0, 0.7)
            nd = np.array([np.sin(a) * d[2] + d[0], rng.normal(0, 0.3), np.cos(a)])
            nd /= np.linalg.norm(nd)
            ns = s * rng.uniform(0.7, 0.95)
            centres.append((c + d * s * 0.9 + nd * ns * 0.9, nd, ns))
        pts, nrm = [], []
        for c, d, s in centres:
            x = np.cross(d, [1.0, 0.0, 0.0]) if abs(d[0]) < 0.9 else np.cross(d, [0.0, 1.0, 0.0])
            x /= np.linalg.norm(x)
            y = np.cross(d, x)
            m = np.eye(4)
            m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = y * s * 0.75, x * s * 0.16, d * s, c
            p = pad.transformed(m)
            parts.append(p)
            sel = rng.uniform(0, 1, len(p.vertices)) < 0.25 * params.spines
            pts.append(p.vertices[sel].astype(np.float64))
            nrm.append(p.vertex_normals()[sel].astype(np.float64))
        body = merge(parts)
        pts, nrm = np.concatenate(pts), np.concatenate(nrm)
        spine_len = 0.02
    if params.kind != "prickly_pear" and params.spines < 1.0:
        keep = rng.uniform(0, 1, len(pts)) < params.spines
        pts, nrm = pts[keep], nrm[keep]
    per = (5 if params.kind == "barrel" else 3) if params.spines > 0 else 0  # barrels: dense hooked spines
    spines = _spines(pts, nrm, spine_len, rng, per=per)
    green = np.asarray(PAD_GREEN if params.kind == "prickly_pear" else GREEN) * rng.uniform(0.85, 1.15)
    green = green * rng.uniform(0.94, 1.06, 3)
    cork = {"saguaro": 0.12, "columnar": 0.08}.get(params.kind, 0.0) * rng.uniform(0.5, 1.5)
    parts = [Mesh(body.vertices, body.faces, {"tint": _skin_tint(body, green, rng, cork)})]
    if len(spines.faces):
        parts.append(Mesh(spines.vertices, spines.faces,
                          {"tint": np.tile(np.asarray(SPINE, dtype=np.float32), (len(spines.vertices), 1))}))
    return merge(parts)
