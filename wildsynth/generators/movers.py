"""Movers: rigid procedural things flying through the view (FlyingThings3D-style), for flow and stereo.

Rocks, logs, branches, leaves, debris and abstract shapes (platonic solids,
tori, twisted boxes), each its own mesh, instance id and wildsynth material,
move with smooth random 6-DoF motion (``core.motion.Flight``: drift plus
low-frequency wobble, spin plus tumble). Every mover's path is planned from
the shot before anything renders:

- its centre passes a random pixel and depth of the middle camera half-way
  through the shot, with its drift speed capped so it can stay in view;
- several candidate paths are drawn; a path is checked at sample times a few
  centimetres of travel apart over the whole shot (ground-truth padding
  included) against the floor (ground, or water, height + radius +
  clearance), the layout's obstacle spheres (inflated by the radius) and the
  cameras (never closer than radius + 0.3 m);
- the candidate kept is the one in view of the shot's main camera for the
  largest share of output frames that needs no lift; any remaining floor or
  obstacle violation is removed by raising that whole path (a constant lift
  keeps the motion as smooth as it was).

Placement uses the reference-size cameras (``Shot.reference``), so movers
never depend on the output resolution. Deforming things (creatures) will move
through the same ``Motion.move_points`` hook (core/motion.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal, Optional

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from scipy.spatial import ConvexHull

from ..core.mesh import Instances, Mesh
from ..core.motion import Flight, axis_angle_matrices
from ..core.scene import MaterialRef, Object, Scene
from ..core.seeds import SeedTree
from ..core.shot import Shot

Kind = Literal["rock", "log", "branch", "leaf", "debris", "platonic", "torus", "twisted_box"]
KINDS: tuple[str, ...] = ("rock", "log", "branch", "leaf", "debris", "platonic", "torus", "twisted_box")

_STONE = ("rock", "granite", "basalt", "mossy_rock", "slate", "sandstone", "limestone_strata")
_WOOD = ("bark", "pine_bark", "birch_bark")
# materials each kind draws from (names of materials.library.RECIPES; ones a build lacks are skipped)
KIND_MATERIALS: dict[str, tuple[str, ...]] = {
    "rock": _STONE, "log": _WOOD, "branch": _WOOD, "leaf": ("leaf", "leaf_litter"),
    "debris": _WOOD + ("rock", "slate"),
    "platonic": _STONE + _WOOD + ("ice", "mushroom_cap", "cactus", "petal"),
    "torus": _STONE + _WOOD + ("ice", "mushroom_cap", "cactus", "petal"),
    "twisted_box": _STONE + _WOOD + ("ice", "mushroom_cap", "cactus", "petal"),
}
CAMERA_CLEARANCE = 0.3  # m between a mover's bounding sphere and any camera centre
STEP = 0.03  # m: the most a mover travels between two sample times of its path check


class MoverParams(BaseModel):
    """Rigid things flying through the view with smooth random 6-DoF motion (off by default)."""

    model_config = ConfigDict(extra="forbid")

    count: int = Field(0, ge=0, le=2000, description="number of movers (0: none)")
    kinds: list[Kind] = Field(list(KINDS), min_length=1, description="shapes to draw from: " + ", ".join(KINDS))
    materials: Optional[list[str]] = Field(None, min_length=1, description="material recipes to draw from "
                                           "(None: each kind's natural ones, abstract shapes any solid one)")
    size_min: float = Field(0.12, gt=0.01, le=20.0, description="smallest bounding radius, m")
    size_max: float = Field(0.6, gt=0.01, le=20.0, description="largest bounding radius, m (log-uniform)")
    speed_min: float = Field(0.5, ge=0.0, le=100.0, description="slowest drift speed, m/s")
    speed_max: float = Field(3.0, ge=0.0, le=100.0, description="fastest drift speed, m/s (capped so a mover can "
                                                               "cross at most ~80 % of the view during the shot)")
    spin_max: float = Field(150.0, ge=0.0, le=2000.0, description="fastest spin, degrees/s")
    wobble: float = Field(0.3, ge=0.0, le=10.0, description="amplitude of the path's low-frequency wobble, m")
    wobble_frequency: float = Field(0.5, ge=0.0, le=5.0, description="highest wobble and tumble frequency, Hz")
    near: float = Field(2.0, gt=0.1, le=500.0, description="nearest mid-shot distance from the camera, m")
    far: float = Field(15.0, gt=0.1, le=1000.0, description="farthest mid-shot distance from the camera, m")
    clearance: float = Field(0.2, ge=0.0, le=10.0, description="gap kept above the ground and obstacles, m")
    in_view: float = Field(0.75, ge=0.0, le=1.0, description="share of output frames a path should be in view")
    attempts: int = Field(12, ge=1, le=200, description="candidate paths drawn per mover")
    detail: int = Field(2, ge=0, le=4, description="mesh detail level (tessellation of each shape)")

    @field_validator("materials")
    @classmethod
    def _known_materials(cls, v):
        if v:
            from ..materials.library import RECIPES  # names only: a parameter check, nothing is built

            bad = [m for m in v if m not in RECIPES]
            if bad:
                raise ValueError(f"unknown material(s) {', '.join(bad)}; known: {', '.join(sorted(RECIPES))}")
        return v

    @model_validator(mode="after")
    def _ranges(self):
        for lo, hi in (("size_min", "size_max"), ("speed_min", "speed_max"), ("near", "far")):
            if getattr(self, lo) > getattr(self, hi):
                raise ValueError(f"{lo} ({getattr(self, lo)}) must not exceed {hi} ({getattr(self, hi)})")
        return self


# -- shapes: every one centred at the origin with bounding radius 1 -------------------------------

def _normalise(mesh: Mesh) -> Mesh:
    v = mesh.vertices.astype(np.float64)
    lo, hi = v.min(0), v.max(0)
    v = v - (lo + hi) / 2.0
    return Mesh(v / max(float(np.linalg.norm(v, axis=1).max()), 1e-9), mesh.faces, dict(mesh.attributes),
                mesh.smooth)


def _outward(v: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Faces of a star-shaped (about the origin) closed mesh turned so their normals point out."""
    n = np.cross(v[f[:, 1]] - v[f[:, 0]], v[f[:, 2]] - v[f[:, 0]])
    flip = np.einsum("ij,ij->i", n, v[f].mean(1)) < 0
    f = f.copy()
    f[flip] = f[flip][:, ::-1]
    return f


PHI = (1.0 + 5.0**0.5) / 2.0


def _cyclic(a: float, b: float) -> list[tuple[float, float, float]]:
    """(0, +-a, +-b) and its cyclic permutations."""
    out = []
    for sa in (-1, 1):
        for sb in (-1, 1):
            p = (0.0, sa * a, sb * b)
            out += [p, (p[2], p[0], p[1]), (p[1], p[2], p[0])]
    return out


def platonic(rng: np.random.Generator, detail: int = 2) -> Mesh:
    """A tetrahedron, cube, octahedron, dodecahedron or icosahedron, slightly stretched, flat shaded."""
    cube = [(x, y, z) for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)]
    solids = {
        "tetrahedron": [(1, 1, 1), (1, -1, -1), (-1, 1, -1), (-1, -1, 1)],
        "cube": cube,
        "octahedron": [tuple(s * np.eye(3)[i]) for i in range(3) for s in (-1, 1)],
        "dodecahedron": cube + _cyclic(1.0 / PHI, PHI),
        "icosahedron": _cyclic(1.0, PHI),
    }
    name = list(solids)[int(rng.integers(len(solids)))]
    v = np.array(solids[name], dtype=np.float64) * rng.uniform(0.75, 1.0, 3)
    f = _outward(v, ConvexHull(v).simplices.astype(np.int64))
    return _normalise(Mesh(v, f, smooth=False))


def torus(rng: np.random.Generator, detail: int = 2) -> Mesh:
    """A ring torus (major radius 1, minor 0.2-0.45), smooth shaded."""
    r = rng.uniform(0.2, 0.45)
    nu, nv = 12 * (detail + 2), 6 * (detail + 2)
    a = np.linspace(0, 2 * np.pi, nu, endpoint=False)[:, None]
    b = np.linspace(0, 2 * np.pi, nv, endpoint=False)[None, :]
    ring = 1.0 + r * np.cos(b)
    v = np.stack([ring * np.cos(a), ring * np.sin(a), np.broadcast_to(r * np.sin(b), (nu, nv))], -1).reshape(-1, 3)
    i, j = np.meshgrid(np.arange(nu), np.arange(nv), indexing="ij")
    p, q = (i + 1) % nu, (j + 1) % nv
    k = lambda x, y: (x * nv + y).ravel()  # noqa: E731
    f = np.concatenate([np.stack([k(i, j), k(p, j), k(p, q)], -1), np.stack([k(i, j), k(p, q), k(i, q)], -1)])
    return _normalise(Mesh(v, f))


def twisted_box(rng: np.random.Generator, detail: int = 2) -> Mesh:
    """A box of random proportions twisted (and tapered) about its long axis; faces tessellated so
    the twist bends them."""
    n = 2 + 2 * detail
    s = np.linspace(-1.0, 1.0, n + 1)
    uu, vv = (a.ravel() for a in np.meshgrid(s, s, indexing="ij"))
    cell = (np.arange(n)[:, None] * (n + 1) + np.arange(n)[None, :]).ravel()
    tri = np.concatenate([np.stack([cell, cell + n + 1, cell + n + 2], -1), np.stack([cell, cell + n + 2, cell + 1], -1)])
    verts, faces = [], []
    for axis in range(3):
        for sign in (-1.0, 1.0):
            p = np.zeros((len(uu), 3))
            p[:, axis] = sign
            p[:, (axis + 1) % 3], p[:, (axis + 2) % 3] = uu, vv
            faces.append(tri + sum(len(x) for x in verts))
            verts.append(p)
    v = np.concatenate(verts) * np.array([rng.uniform(0.35, 0.7), rng.uniform(0.35, 0.7), 1.0])
    f = _outward(v, np.concatenate(faces))
    twist = rng.uniform(0.4, 1.6) * rng.choice([-1, 1])  # radians per unit of length
    taper = 1.0 - rng.uniform(0.0, 0.3) * (v[:, 2] + 1.0) / 2.0
    ang = twist * v[:, 2]
    c, sn = np.cos(ang), np.sin(ang)
    x, y = v[:, 0] * taper, v[:, 1] * taper
    v = np.stack([c * x - sn * y, sn * x + c * y, v[:, 2]], -1)
    return _normalise(Mesh(v, f, smooth=False))


def _rock(rng: np.random.Generator, detail: int = 2) -> Mesh:
    from .rocks import RockShape, make_rock

    kind = ("boulder", "chunk", "pebble")[int(rng.integers(3))]
    return _normalise(make_rock(RockShape(kind=kind, base=1.0, detail=min(detail + 1, 4)), rng))


def _log(rng: np.random.Generator, detail: int = 2, branch: bool = False) -> Mesh:
    from .plants.deadwood import LogParams, log

    p = (LogParams(length=2.0, radius=rng.uniform(0.04, 0.08), stubs=int(rng.integers(4, 9)), bark=0.5) if branch
         else LogParams(length=2.0, radius=rng.uniform(0.12, 0.3), stubs=int(rng.integers(0, 4))))
    return _normalise(log(p, rng))


def _leaf(rng: np.random.Generator, detail: int = 2) -> Mesh:
    from .plants.leaves import leaf

    return _normalise(leaf(("ovate", "serrated", "lobed", "palmate")[int(rng.integers(4))], rng))


def _debris(rng: np.random.Generator, detail: int = 2) -> Mesh:
    if rng.uniform() < 0.5:
        from .plants.deadwood import pine_cone

        return _normalise(pine_cone(rng))
    from .rocks import RockShape, make_rock

    return _normalise(make_rock(RockShape(kind="chunk", flatness=0.25, elongation=1.8, base=1.0,
                                          detail=min(detail + 1, 4)), rng))


SHAPES: dict[str, Callable[..., Mesh]] = {
    "rock": _rock, "log": _log, "branch": lambda rng, detail=2: _log(rng, detail, branch=True), "leaf": _leaf,
    "debris": _debris, "platonic": platonic, "torus": torus, "twisted_box": twisted_box,
}
SIZE_FACTOR = {"leaf": 0.5, "debris": 0.6}  # leaves and debris come smaller than the drawn size


# -- paths ----------------------------------------------------------------------------------------

@dataclass
class MoverPlan:
    """The movers a shot got: their motion and what their paths were checked against."""

    motion: Flight
    radii: np.ndarray  # (N,) bounding radii, m
    kinds: list[str]
    in_view: np.ndarray  # (N,) share of output frames whose main camera sees the centre
    lift: np.ndarray  # (N,) m the kept path was raised by
    clearance: float


def _sample_times(shot: Shot, speed_bound: float) -> np.ndarray:
    t0, t1 = float(shot.times[0]), float(shot.times[-1])
    if t1 <= t0:
        return np.array([t0])
    n = int(np.clip(np.ceil((t1 - t0) * max(speed_bound, 1e-6) / STEP), 4 * len(shot.times), 20000))
    return np.unique(np.concatenate([np.linspace(t0, t1, n), np.asarray(shot.times, dtype=np.float64)]))


def _floor_need(pos: np.ndarray, radii: np.ndarray, floor: Callable, obstacles, margin: float) -> np.ndarray:
    """(S, M) lowest allowed centre height at each sampled position (S, M, 3): above the floor by
    radius + margin, and above every obstacle sphere (inflated by radius + margin) it passes."""
    s, m = pos.shape[:2]
    need = np.asarray(floor(pos[..., 0].ravel(), pos[..., 1].ravel()), dtype=np.float64).reshape(s, m)
    need = need + radii[None] + margin
    if obstacles is not None and len(getattr(obstacles, "radii", ())):
        oc = np.asarray(obstacles.centers, dtype=np.float64)
        orad = np.asarray(obstacles.radii, dtype=np.float64)
        lo, hi = pos.reshape(-1, 3).min(0), pos.reshape(-1, 3).max(0)
        reach = orad + radii.max() + margin
        near = np.all((oc[:, :2] > lo[:2] - reach[:, None]) & (oc[:, :2] < hi[:2] + reach[:, None]), axis=1)
        for c, r in zip(oc[near], orad[near]):
            big = r + radii[None] + margin  # (1, M)
            d2 = ((pos[..., :2] - c[:2]) ** 2).sum(-1)
            cap = np.where(d2 < big**2, c[2] + np.sqrt(np.maximum(big**2 - d2, 0.0)), -np.inf)
            need = np.maximum(need, cap)
    return need


def _draw_paths(p: MoverParams, n: int, shot: Shot, rng: np.random.Generator) -> Flight:
    """``n`` candidate flights whose centres pass random points of the middle camera's view mid-shot."""
    mid = len(shot.times) // 2
    cam = shot.reference(shot.rigs[mid].main)
    t_mid = float(shot.times[mid])
    duration = max(shot.duration(), 1e-6)
    target = cam.points_in_view(n, p.near, p.far, rng, margin=0.1)
    dist = np.linalg.norm(target - cam.position, axis=1)
    d = rng.normal(size=(n, 3)) * np.array([1.0, 1.0, 0.5])
    d /= np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-12)
    cap = 0.8 * 2.0 * dist * np.tan(cam.hfov / 2.0) / duration  # cross at most ~80 % of the view
    speed = np.minimum(rng.uniform(p.speed_min, p.speed_max, n), cap)
    k = 2
    amp = rng.uniform(-1.0, 1.0, (n, k, 3)) * p.wobble / k
    freq = rng.uniform(0.2, 1.0, (n, k)) * p.wobble_frequency
    phase = rng.uniform(0.0, 2 * np.pi, (n, k, 3))
    axis = rng.normal(size=(n, 3))
    axis /= np.maximum(np.linalg.norm(axis, axis=1, keepdims=True), 1e-12)
    spin = axis * np.radians(rng.uniform(0.2, 1.0, n) * p.spin_max)[:, None]
    tumble = rng.normal(0.0, 0.3, (n, k, 3))
    tumble_freq = rng.uniform(0.2, 1.0, (n, k)) * p.wobble_frequency
    tumble_phase = rng.uniform(0.0, 2 * np.pi, (n, k, 3))
    f = Flight(np.zeros(n, np.uint32), np.zeros((n, 3)), d * speed[:, None], amp, freq, phase, spin, tumble,
               tumble_freq, tumble_phase)
    f.centres = target - f.positions(t_mid)  # so that c(t_mid) = target
    return f


def plan_paths(p: MoverParams, radii: np.ndarray, shot: Shot, floor: Callable, obstacles,
               rng: np.random.Generator) -> tuple[Flight, np.ndarray, np.ndarray]:
    """The kept flight of each mover (ids unset), its in-view share and the lift it needed."""
    n, a = len(radii), p.attempts
    cand = _draw_paths(p, n * a, shot, rng)
    r = np.repeat(radii, a)
    wobble_speed = np.linalg.norm((np.abs(cand.amp) * 2 * np.pi * cand.freq[..., None]).sum(1), axis=1)
    speed_bound = float(np.max(np.linalg.norm(cand.velocity, axis=1) + wobble_speed, initial=0.0))
    ts = _sample_times(shot, speed_bound)
    pos = np.stack([cand.positions(t) for t in ts])  # (S, M, 3)
    lift = np.maximum((_floor_need(pos, r, floor, obstacles, p.clearance) - pos[..., 2]).max(0), 0.0)
    # cameras: every time of the shot, nearest camera centre at each sample time must stay clear
    cams = np.array([[c.position for c in rig.cameras.values()] for rig in shot.rigs])  # (T, C, 3)
    k_of = np.clip(np.searchsorted(np.asarray(shot.times), ts), 0, len(shot.times) - 1)
    lifted = pos.copy()
    lifted[..., 2] += lift[None]
    gap = np.linalg.norm(lifted[:, :, None, :] - cams[k_of][:, None, :, :], axis=-1).min(axis=(0, 2))
    collide = gap < r + CAMERA_CLEARANCE
    seen = np.zeros(n * a)
    for k in shot.frames:
        cam = shot.reference(shot.rigs[k].main)
        c = cand.positions(float(shot.times[k]))
        c[:, 2] += lift
        uv, z = cam.project(c)
        seen += (z > 0.1) & (uv[:, 0] >= 0) & (uv[:, 0] < cam.width) & (uv[:, 1] >= 0) & (uv[:, 1] < cam.height)
    seen /= len(shot.frames)
    score = np.minimum(seen, p.in_view) - 0.5 * np.minimum(lift / (r + 0.5), 1.0) - 10.0 * collide + 1e-3 * seen
    best = score.reshape(n, a).argmax(1) + np.arange(n) * a
    keep = Flight(np.zeros(n, np.uint32), cand.centres[best], cand.velocity[best], cand.amp[best], cand.freq[best],
                  cand.phase[best], cand.spin[best], cand.tumble[best], cand.tumble_freq[best],
                  cand.tumble_phase[best])
    keep.lift(lift[best])
    return keep, seen[best], lift[best]


def add_movers(scene: Scene, params: MoverParams, shot: Shot, floor: Callable, obstacles, seeds: SeedTree,
               available: set[str] | None = None) -> MoverPlan | None:
    """Add ``params.count`` movers to ``scene`` (one ``Instances`` of one placement each, class
    ``mover``) and return their plan; ``floor(x, y)`` is the height they stay above (ground or
    water), ``obstacles`` any object with ``centers`` (N, 3) and ``radii`` (N,) (or None), and
    ``available`` the material names that exist (None: all of ``KIND_MATERIALS``)."""
    p = params
    if p.count == 0:
        return None
    rng = seeds.child("shapes").rng()
    kinds, meshes, radii, mats = [], [], [], []
    for k in range(p.count):
        kind = p.kinds[int(rng.integers(len(p.kinds)))]
        pool = [m for m in (p.materials or KIND_MATERIALS[kind]) if available is None or m in available]
        if not pool:
            raise ValueError(f"movers: none of the materials {list(p.materials or KIND_MATERIALS[kind])} exists")
        size = float(np.exp(rng.uniform(np.log(p.size_min), np.log(p.size_max)))) * SIZE_FACTOR.get(kind, 1.0)
        mesh = SHAPES[kind](np.random.default_rng(rng.integers(2**63)), p.detail)
        meshes.append(Mesh(mesh.vertices * size, mesh.faces, dict(mesh.attributes), mesh.smooth))
        kinds.append(kind)
        radii.append(size)
        mats.append(pool[int(rng.integers(len(pool)))])
    radii = np.array(radii)
    flight, seen, lift = plan_paths(p, radii, shot, floor, obstacles, seeds.child("paths").rng())
    rest = axis_angle_matrices(rng.normal(size=(p.count, 3)), rng.uniform(0.0, 2 * np.pi, p.count))
    mat_seeds = seeds.child("materials")
    ids = []
    for k in range(p.count):
        t = np.eye(4)
        t[:3, :3], t[:3, 3] = rest[k], flight.centres[k]
        obj = scene.add(Object(f"mover.{k:04d}", Instances(meshes[k], t[None]),
                               MaterialRef(mats[k], mat_seeds.child(str(k)).int()), semantic="mover",
                               generator=f"movers.{kinds[k]}",
                               params={"kind": kinds[k], "radius": round(float(radii[k]), 4),
                                       "speed": round(float(np.linalg.norm(flight.velocity[k])), 4),
                                       "in_view": round(float(seen[k]), 3), "lift": round(float(lift[k]), 4)}))
        ids.append(int(obj.ids[0]))
    flight.ids = np.asarray(ids, dtype=np.uint32)
    return MoverPlan(flight, radii, kinds, seen, lift, p.clearance)
