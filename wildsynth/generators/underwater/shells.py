"""Mollusc shells: coiled shells swept along a logarithmic helico-spiral, and bivalves.

Coiled shells follow Raup's (1966) model. A generating curve (the aperture: an ellipse of
semi-axes ρ and a·ρ in the plane through the coiling axis) is swept around the axis while
every length grows by the whorl expansion rate W per revolution: after a turn θ,
ρ(θ) = ρ₀ W^(θ/2π). Its centre lies at R(θ) = ρ(θ) (1 + D) / (1 − D) from the axis (D: the
inner edge's distance from the axis relative to the outer edge's) and is translated along
the axis by z(θ) = −T R(θ) (T: translation rate). W, D and T set the kind: a snail
(W ≈ 2, D ≈ 0.1, T ≈ 1.5), a conch (broad last whorl with a row of knobs on its shoulder),
an auger (W ≈ 1.2, T ≈ 9: a long spire), a nautilus (W ≈ 3, D = 0, T = 0: planispiral,
each whorl enveloping the last). Axial ribs, spiral cords and knobs modulate ρ; ``pattern``
carries colour bands (spiral stripes and growth lines).

Bivalves (clam, scallop, mussel) are two valves, each a closed lens over its outline (a
domed outer face with concentric growth rings or radial ribs from the umbo, a shallower
inner face), hinged at the umbo and slightly agape. Shells rest at z = 0: coiled shells
aperture down (a planispiral nautilus on its side), bivalves on a valve.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ...core.mesh import Mesh, rotation_align_z
from . import register
from ._shapes import cap, grid_faces, outward, unit01


class CoilParams(BaseModel):
    """A coiled shell (Raup's parameters)."""

    model_config = ConfigDict(extra="forbid")
    size: float = Field(0.05, gt=0.002, le=1.0, description="aperture radius ρ at the lip, m",
                        json_schema_extra={"rand": (0.03, 0.07)})
    W: float = Field(2.0, gt=1.01, le=10.0, description="whorl expansion rate per revolution",
                     json_schema_extra={"rand": (1.8, 2.3)})
    D: float = Field(0.1, ge=0.0, lt=0.95, description="distance of the generating curve from the axis (0 = touching)",
                     json_schema_extra={"rand": (0.05, 0.2)})
    T: float = Field(1.5, ge=0.0, le=12.0, description="translation along the axis per radial distance",
                     json_schema_extra={"rand": (1.2, 1.9)})
    whorls: float = Field(4.5, gt=0.5, le=20.0, description="revolutions from apex to lip")
    aspect: float = Field(1.2, gt=0.2, le=3.0, description="aperture height / width")
    ribs: int = Field(0, ge=0, le=60, description="axial ribs per whorl")
    rib_depth: float = Field(0.0, ge=0.0, le=0.5, description="relative rib height")
    cords: int = Field(0, ge=0, le=60, description="spiral cords around the aperture")
    cord_depth: float = Field(0.0, ge=0.0, le=0.3, description="relative cord height")
    knobs: int = Field(0, ge=0, le=30, description="knobs per whorl on the shoulder")
    knob_size: float = Field(0.0, ge=0.0, le=1.0, description="relative knob height")
    bands: int = Field(3, ge=0, le=30, description="colour bands around the aperture", json_schema_extra={"rand": (1, 6)})
    steps: int = Field(36, ge=6, le=200, description="generating curves per whorl (LOD)")
    sides: int = Field(20, ge=6, le=128, description="points on the generating curve (LOD)")


def coil_rows(p: CoilParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The swept surface in the shell's own frame (coiling axis = z): rows (M, K, 3),
    turn angle θ (M,) (0 at the lip) and the curve angle φ (K,)."""
    m = max(int(round(p.whorls * p.steps)), 1) + 1  # exactly ``steps`` rows per revolution
    theta = np.linspace(-2 * np.pi * p.whorls, 0.0, m)
    phi = np.linspace(0, 2 * np.pi, p.sides, endpoint=False)
    g = p.W ** (theta / (2 * np.pi))
    rho = p.size * g
    R = rho * (1 + p.D) / (1 - p.D)
    z = -p.T * R
    th, ph = theta[:, None], phi[None, :]
    mod = np.ones((m, p.sides))
    if p.ribs and p.rib_depth:
        mod += p.rib_depth * np.maximum(np.sin(p.ribs * th), 0.0) ** 3
    if p.cords and p.cord_depth:
        mod += p.cord_depth * 0.5 * (1 + np.cos(p.cords * ph))
    if p.knobs and p.knob_size:  # on the shoulder: the top outer side of the aperture
        shoulder = np.exp(-((ph - 0.35 * np.pi + np.pi) % (2 * np.pi) - np.pi) ** 2 / 0.12)
        mod += p.knob_size * shoulder * np.maximum(np.sin(p.knobs * th), 0.0) ** 6
    r_loc = rho[:, None] * mod
    radial = R[:, None] + r_loc * np.cos(ph)
    x = radial * np.cos(th)
    y = radial * np.sin(th)
    zz = z[:, None] + p.aspect * r_loc * np.sin(ph)
    return np.stack([x, y, zz], -1), theta, phi


def _lay(mesh: Mesh, rng: np.random.Generator, lip: np.ndarray | None = None) -> Mesh:
    """Rest a shell on the floor at z = 0 with a random heading: aperture down when the lip ring
    (K, 3) is given (as a snail rests), else with its coiling axis vertical (lying on its side)."""
    a = rng.uniform(0, 2 * np.pi)
    rot = np.eye(3)
    if lip is not None:
        c = lip.mean(0)
        n = np.linalg.svd(lip - c)[2][2]
        if n @ (c - mesh.vertices[:-1].astype(np.float64).mean(0)) < 0:
            n = -n  # the aperture faces away from the shell's bulk
        rot = np.diag([1.0, -1.0, -1.0]) @ rotation_align_z(n[None])[0].T  # n -> +z -> -z
    yaw = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
    v = mesh.vertices.astype(np.float64) @ (yaw @ rot).T
    v[:, 2] -= v[:, 2].min()
    v[:, :2] -= 0.5 * (v[:, :2].min(0) + v[:, :2].max(0))
    return Mesh(v, mesh.faces, mesh.attributes)


def coiled_shell(p: CoilParams, rng: np.random.Generator) -> Mesh:
    rows, theta, phi = coil_rows(p)
    m, k, _ = rows.shape
    v = rows.reshape(-1, 3)
    apex = rows[0].mean(0)
    f = np.concatenate([grid_faces(m, k), cap(np.arange(k), len(v))])
    v = np.concatenate([v, apex[None]])
    band = 0.5 + 0.5 * np.cos(p.bands * phi)[None, :] * np.ones((m, 1))
    growth = 0.5 + 0.5 * np.cos(theta * 9.0)[:, None]
    pat = np.concatenate([(0.8 * band + 0.2 * growth).ravel(), [0.5]])
    mesh = Mesh(v, f, {"pattern": pat.astype(np.float32)})
    if _outward_sign(rows) < 0:
        mesh.faces = mesh.faces[:, ::-1].copy()
    return _lay(mesh, rng, None if p.T == 0 else rows[-1])


def _outward_sign(rows: np.ndarray) -> float:
    """+1 when grid_faces' winding points away from the generating curves' centres at the lip."""
    m, k, _ = rows.shape
    a, b, c = rows[-2, 0], rows[-1, 0], rows[-1, 1]
    n = np.cross(c - a, b - a)  # face (i,j),(i+1,j+1),(i+1,j) order of grid_faces' first triangle
    return float(n @ (rows[-1, 0] - rows[-1].mean(0)))


@register("snail_shell", CoilParams, "shell", "Raup spiral sweep: W ≈ 2, D ≈ 0.1, T ≈ 1.5, spiral colour bands", "sea_shell", tiny={"steps": 12, "sides": 8})
def snail(p: CoilParams, rng: np.random.Generator) -> Mesh:
    return coiled_shell(p, rng)


class ConchParams(CoilParams):
    W: float = Field(2.6, gt=1.01, le=10.0, description="whorl expansion rate per revolution",
                     json_schema_extra={"rand": (2.4, 2.9)})
    T: float = Field(1.0, ge=0.0, le=12.0, description="translation along the axis per radial distance",
                     json_schema_extra={"rand": (0.8, 1.3)})
    D: float = Field(0.05, ge=0.0, lt=0.95, description="distance of the generating curve from the axis")
    aspect: float = Field(1.8, gt=0.2, le=3.0, description="aperture height / width")
    knobs: int = Field(9, ge=0, le=30, description="knobs per whorl on the shoulder")
    knob_size: float = Field(0.45, ge=0.0, le=1.0, description="relative knob height",
                             json_schema_extra={"rand": (0.3, 0.6)})
    size: float = Field(0.08, gt=0.002, le=1.0, description="aperture radius ρ at the lip, m",
                        json_schema_extra={"rand": (0.06, 0.1)})


@register("conch_shell", ConchParams, "shell", "Raup spiral sweep: broad last whorl (W ≈ 2.6, tall aperture), "
          "knobbed shoulder", "sea_shell", tiny={"steps": 12, "sides": 8})
def conch(p: ConchParams, rng: np.random.Generator) -> Mesh:
    return coiled_shell(p, rng)


class AugerParams(CoilParams):
    W: float = Field(1.22, gt=1.01, le=10.0, description="whorl expansion rate per revolution",
                     json_schema_extra={"rand": (1.18, 1.3)})
    T: float = Field(9.0, ge=0.0, le=12.0, description="translation along the axis per radial distance",
                     json_schema_extra={"rand": (8.0, 11.0)})
    D: float = Field(0.05, ge=0.0, lt=0.95, description="distance of the generating curve from the axis")
    whorls: float = Field(12.0, gt=0.5, le=20.0, description="revolutions from apex to lip")
    ribs: int = Field(18, ge=0, le=60, description="axial ribs per whorl")
    rib_depth: float = Field(0.08, ge=0.0, le=0.5, description="relative rib height")
    steps: int = Field(24, ge=6, le=200, description="generating curves per whorl (LOD)")
    size: float = Field(0.012, gt=0.002, le=1.0, description="aperture radius ρ at the lip, m",
                        json_schema_extra={"rand": (0.009, 0.016)})


@register("auger_shell", AugerParams, "shell", "Raup spiral sweep: slow expansion (W ≈ 1.2), high translation "
          "(T ≈ 9): a long ribbed spire", "sea_shell", tiny={"steps": 8, "sides": 8})
def auger(p: AugerParams, rng: np.random.Generator) -> Mesh:
    return coiled_shell(p, rng)


class NautilusParams(CoilParams):
    W: float = Field(3.0, gt=1.01, le=10.0, description="whorl expansion rate per revolution",
                     json_schema_extra={"rand": (2.8, 3.3)})
    T: float = Field(0.0, ge=0.0, le=12.0, description="translation along the axis (0: planispiral)")
    D: float = Field(0.02, ge=0.0, lt=0.95, description="distance of the generating curve from the axis")
    aspect: float = Field(0.75, gt=0.2, le=3.0, description="aperture width along the axis / radial depth")
    whorls: float = Field(3.0, gt=0.5, le=20.0, description="revolutions from apex to lip")
    bands: int = Field(0, ge=0, le=30, description="colour bands around the aperture")
    size: float = Field(0.07, gt=0.002, le=1.0, description="aperture radius ρ at the lip, m",
                        json_schema_extra={"rand": (0.05, 0.09)})


@register("nautilus_shell", NautilusParams, "shell", "Raup spiral sweep, planispiral: W ≈ 3, D ≈ 0, T = 0, flame "
          "stripes along the growth lines", "sea_shell", tiny={"steps": 12, "sides": 8})
def nautilus(p: NautilusParams, rng: np.random.Generator) -> Mesh:
    mesh = coiled_shell(p, rng)
    rows, theta, phi = coil_rows(p)
    flames = 0.5 + 0.5 * np.sin(theta * 7.0)[:, None] * np.ones((1, len(phi)))
    fade = np.clip((theta + 2 * np.pi) / (2 * np.pi), 0, 1)[:, None]  # the last half-whorl is pale
    pat = np.concatenate([(flames * (1 - fade) + fade).ravel(), [0.5]])
    mesh.attributes["pattern"] = pat.astype(np.float32)
    return mesh


# ---------------------------------------------------------------- bivalves

class BivalveParams(BaseModel):
    """A bivalve: two hinged valves over a closed outline."""

    model_config = ConfigDict(extra="forbid")
    size: float = Field(0.04, gt=0.003, le=0.6, description="half-length of the valve, m",
                        json_schema_extra={"rand": (0.03, 0.05)})
    inflation: float = Field(0.35, gt=0.05, le=1.0, description="valve height / half-length",
                             json_schema_extra={"rand": (0.28, 0.42)})
    elongation: float = Field(1.15, gt=0.3, le=3.0, description="length / width of the outline",
                              json_schema_extra={"rand": (1.05, 1.25)})
    rings: int = Field(10, ge=0, le=60, description="concentric growth rings", json_schema_extra={"rand": (6, 14)})
    ring_depth: float = Field(0.015, ge=0.0, le=0.2, description="ring height / half-length")
    ribs: int = Field(0, ge=0, le=60, description="radial ribs from the umbo")
    rib_depth: float = Field(0.0, ge=0.0, le=0.3, description="rib height / half-length")
    ears: float = Field(0.0, ge=0.0, le=1.0, description="size of the flat auricles beside the umbo (scallops)")
    beak: float = Field(0.0, ge=0.0, le=1.0, description="outline pointed towards the umbo (mussels)")
    gape: float = Field(0.12, ge=0.0, le=1.2, description="opening angle between the valves, rad",
                        json_schema_extra={"rand": (0.0, 0.25)})
    rows: int = Field(16, ge=3, le=200, description="rows from the centre to the margin (LOD)")
    sides: int = Field(48, ge=8, le=256, description="points around the outline (LOD)")


def _outline(p: BivalveParams, alpha: np.ndarray) -> np.ndarray:
    """Margin radius around the valve centre; the umbo is at alpha = π/2 (the dorsal side)."""
    r = 1.0 / np.sqrt((np.cos(alpha) / p.elongation) ** 2 + np.sin(alpha) ** 2)
    dorsal = np.exp(-((alpha - np.pi / 2) ** 2) / 0.25)
    r = r * (1.0 - 0.25 * dorsal * (1 - p.beak)) + p.beak * 0.6 * dorsal
    if p.ears:
        for s in (-1.0, 1.0):
            r = r + p.ears * 0.35 * np.exp(-((alpha - np.pi / 2 - s * 0.55) ** 2) / 0.03)
    return r


def valve(p: BivalveParams) -> Mesh:
    """One closed valve, commissure in z = 0, domed towards +z, umbo at +y."""
    alpha = np.linspace(-np.pi / 2, 1.5 * np.pi, p.sides, endpoint=False)
    u = np.linspace(0.0, 1.0, p.rows + 1)[1:]
    r = _outline(p, alpha)
    umbo = np.array([0.0, 0.9 * _outline(p, np.array([np.pi / 2]))[0] * (1 - 0.3 * p.beak)])
    x = u[:, None] * r[None] * np.cos(alpha)[None]
    y = u[:, None] * r[None] * np.sin(alpha)[None]
    dist = np.hypot(x - umbo[0], y - umbo[1])
    beta = np.arctan2(y - umbo[1], x - umbo[0])
    h = p.inflation * (1 - u[:, None] ** 2) ** 0.6 * np.ones_like(x)
    h = h + 0.12 * p.inflation * np.exp(-dist**2 / 0.08)
    rel = np.clip(dist / max(float(dist.max()), 1e-9), 0, 1)
    if p.rings:
        h = h + p.ring_depth * np.sin(np.pi * p.rings * rel) ** 2 * u[:, None]
    if p.ribs:
        h = h + p.rib_depth * u[:, None] * np.cos(p.ribs * beta) ** 2
    h[-1] = 0.0
    outer = np.stack([x, y, h], -1)
    inner = np.stack([x, y, 0.55 * h], -1)[:-1][::-1]
    rows = np.concatenate([outer, inner]) * p.size
    n = len(rows)
    v = np.concatenate([rows.reshape(-1, 3), [[0, 0, (p.inflation + 0.12 * p.inflation * np.exp(-umbo @ umbo / 0.08))
                                               * p.size], [0, 0, 0.55 * p.inflation * p.size]]])
    f = np.concatenate([grid_faces(n, p.sides), cap(np.arange(p.sides), len(v) - 2),
                        cap((n - 1) * p.sides + np.arange(p.sides), len(v) - 1, reverse=True)])
    ring = np.concatenate([np.repeat(u, p.sides), np.repeat(u[:-1][::-1], p.sides), [0.0, 0.0]])
    pat = 0.5 + 0.5 * np.cos(2 * np.pi * max(p.rings, 3) * ring)
    return outward(Mesh(v, f, {"pattern": 0.25 + 0.5 * unit01(pat)}))  # soft growth bands


def bivalve(p: BivalveParams, rng: np.random.Generator) -> Mesh:
    top = valve(p)
    v = top.vertices.astype(np.float64)
    hinge_y = float(v[:, 1].max())
    # open the upper valve about the hinge line (parallel to x through the umbo)
    c, s = np.cos(p.gape), np.sin(p.gape)
    y, z = v[:, 1] - hinge_y, v[:, 2]
    up = np.stack([v[:, 0], hinge_y + c * y - s * z, s * y + c * z], -1)
    low = v * [1.0, 1.0, -1.0]
    vv = np.concatenate([up, low])
    ff = np.concatenate([top.faces, top.faces[:, ::-1] + len(v)])
    pat = np.concatenate([top.attributes["pattern"]] * 2)
    return _rest(Mesh(vv, ff, {"pattern": pat}), rng)


def _rest(mesh: Mesh, rng: np.random.Generator) -> Mesh:
    a = rng.uniform(0, 2 * np.pi)
    rot = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
    v = mesh.vertices.astype(np.float64) @ rot.T
    v[:, 2] -= v[:, 2].min()
    return Mesh(v, mesh.faces, mesh.attributes)


@register("clam", BivalveParams, "shell", "two hinged valves over an oval outline, concentric growth rings", "sea_shell", tiny={"rows": 4, "sides": 12})
def clam(p: BivalveParams, rng: np.random.Generator) -> Mesh:
    return bivalve(p, rng)


class ScallopParams(BivalveParams):
    elongation: float = Field(1.0, gt=0.3, le=3.0, description="length / width of the outline")
    inflation: float = Field(0.22, gt=0.05, le=1.0, description="valve height / half-length")
    rings: int = Field(0, ge=0, le=60, description="concentric growth rings")
    ribs: int = Field(18, ge=0, le=60, description="radial ribs from the umbo", json_schema_extra={"rand": (14, 22)})
    rib_depth: float = Field(0.05, ge=0.0, le=0.3, description="rib height / half-length")
    ears: float = Field(0.6, ge=0.0, le=1.0, description="size of the flat auricles beside the umbo")


@register("scallop", ScallopParams, "shell", "two hinged valves, radial ribs from the umbo, auricles", "sea_shell", tiny={"rows": 4, "sides": 12})
def scallop(p: ScallopParams, rng: np.random.Generator) -> Mesh:
    return bivalve(p, rng)


class MusselParams(BivalveParams):
    elongation: float = Field(2.0, gt=0.3, le=3.0, description="length / width of the outline",
                              json_schema_extra={"rand": (1.8, 2.3)})
    beak: float = Field(0.8, ge=0.0, le=1.0, description="outline pointed towards the umbo")
    rings: int = Field(20, ge=0, le=60, description="concentric growth rings")
    ring_depth: float = Field(0.005, ge=0.0, le=0.2, description="ring height / half-length")
    gape: float = Field(0.02, ge=0.0, le=1.2, description="opening angle between the valves, rad")


@register("mussel", MusselParams, "shell", "two hinged valves over a long, beaked outline, fine growth lines",
          "sea_shell", tiny={"rows": 4, "sides": 12})
def mussel(p: MusselParams, rng: np.random.Generator) -> Mesh:
    return bivalve(p, rng)
