"""Creatures in scenes: how many of each kind a biome has, where they start, and their motion.

``add_creatures`` adds the animals of a biome (``BIOMES``: expected count per kind, times
``CreatureParams.density``) to a scene, each its own mesh object, instance id and skin material,
and returns their ``core.motion.Skinned`` motion. Starting points are drawn so that the animal
is in view of the shot's middle camera mid-shot (reference-size cameras, so nothing depends on
the output resolution): ground kinds on the terrain between ``near`` and ``far`` metres (never in
water), air kinds in the sky of the view at least ``air_clearance`` above the terrain under their
whole path, water kinds between the bed and the surface. A candidate is kept only if its path over
the whole shot (padding times included) stays clear of the layout's obstacle spheres, of every
camera and of the animals placed before it; otherwise another is drawn (``attempts``).

Groups (``GROUPS``, ``AQUATIC_GROUPS``): flocks of birds and schools of fish whose members follow
boids paths (``flock.py``), each member its own mesh and id, ``params.group`` naming its group.

``add_aquatic`` is the hook of underwater scenes: fish and jellyfish in the water column, crabs on
the bed, and fish schools.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ...core.mesh import Mesh
from ...core.motion import Skinned, skin
from ...core.scene import MaterialRef, Object, Scene
from ...core.seeds import SeedTree
from ...core.shot import Shot
from . import CREATURES, Place
from .flock import BoidParams, simulate
from .herd import HerdParams, gait_for, plan_herd

# expected animals per frame by scene (biome); kinds a build lacks are skipped. The meadow (the default
# scene, whose pipeline tests pin its moving ids) has none unless asked: creatures.counts={"herbivore": 2}
BIOMES: dict[str, dict[str, float]] = {
    "plains": {"herbivore": 1.5, "carnivore": 0.4, "bird": 3.0},
    "forest": {"herbivore": 1.0, "carnivore": 0.5, "bird": 1.5, "snake": 0.3},
    "river": {"herbivore": 1.5, "bird": 3.0, "dragonfly": 1.5},
    "lake": {"herbivore": 1.0, "bird": 3.0, "dragonfly": 1.5},
    "desert": {"snake": 1.5, "carnivore": 0.4, "bird": 1.0},
    "coast": {"bird": 5.0, "crab": 2.0},
    "arctic": {"herbivore": 1.0, "carnivore": 0.5, "bird": 1.0},
    "mountain": {"herbivore": 0.8, "bird": 2.0},
    "canyon": {"bird": 2.0, "snake": 0.3},
    "cliff": {"bird": 3.0},
}
AQUATIC = {"fish": 8.0, "jellyfish": 2.0, "crab": 2.0}
# expected boids groups per frame by scene: kind -> mean number of flocks (birds) or schools (fish)
# (and herds of ground animals, swarms of insects): a plains frame has one herd at density 1
GROUPS: dict[str, dict[str, float]] = {"plains": {"bird": 0.5, "herbivore": 1.0},
                                       "coast": {"bird": 1.0}, "lake": {"bird": 0.6, "dragonfly": 0.5},
                                       "river": {"bird": 0.5, "dragonfly": 0.5}, "cliff": {"bird": 0.8},
                                       "arctic": {"herbivore": 0.4}, "mountain": {"herbivore": 0.3}}
AQUATIC_GROUPS = {"fish": 1.0}
CAMERA_CLEARANCE = 1.0  # m between an animal's bounding sphere and a camera centre


class CreatureParams(BaseModel):
    """Animals placed by biome (``BIOMES``): on by default where a biome has them."""

    model_config = ConfigDict(extra="forbid")

    density: float = Field(1.0, ge=0.0, le=50.0, description="multiplier of the biome's expected animals (0: none)")
    kinds: Optional[list[str]] = Field(None, min_length=1, description="only these kinds (None: the biome's)")
    counts: Optional[dict[str, int]] = Field(None, description="exact count per kind, replacing the biome's "
                                                               "(with density 1)")
    near: float = Field(5.0, gt=0.5, le=500.0, description="nearest ground animal from the camera mid-shot, m")
    far: float = Field(30.0, gt=1.0, le=2000.0, description="farthest ground animal from the camera mid-shot, m")
    air_near: float = Field(10.0, gt=1.0, le=2000.0, description="nearest bird from the camera mid-shot, m")
    air_far: float = Field(60.0, gt=1.0, le=5000.0, description="farthest bird from the camera mid-shot, m")
    air_clearance: float = Field(4.0, ge=0.0, le=500.0, description="birds stay this high above the terrain, m")
    attempts: int = Field(30, ge=1, le=500, description="candidate starts drawn per animal")
    flocks: float = Field(1.0, ge=0.0, le=50.0, description="multiplier of the biome's bird flocks and fish schools "
                                                          "(boids groups; 0: none)")
    flock_size: tuple[int, int] = Field((5, 12), description="members of a flock or school (smallest, largest)")
    groups: Optional[dict[str, int]] = Field(None, description="exact number of groups (flocks, schools, herds, "
                                                               "swarms) per kind, replacing the biome's")
    boids: BoidParams = Field(default_factory=BoidParams, description="steering of flocks and schools")
    swarm: BoidParams = Field(default_factory=lambda: BoidParams(separation=0.3, radius=2.0, w_cohesion=1.5,
                                                                 max_accel=20.0),
                              description="steering of insect swarms (low fliers, e.g. dragonflies)")
    herd: HerdParams = Field(default_factory=HerdParams, description="formation and steering of herds")

    @field_validator("flock_size")
    @classmethod
    def _sizes(cls, v):
        if not 1 <= v[0] <= v[1] <= 500:
            raise ValueError(f"flock_size must be 1 <= smallest <= largest <= 500, got {v}")
        return v

    @field_validator("kinds")
    @classmethod
    def _known(cls, v):
        if v:
            bad = [k for k in v if k not in CREATURES]
            if bad:
                raise ValueError(f"unknown creature kind(s) {', '.join(bad)}; known: {', '.join(sorted(CREATURES))}")
        return v

    @field_validator("counts", "groups")
    @classmethod
    def _known_counts(cls, v):
        if v:
            bad = [k for k in v if k not in CREATURES]
            if bad:
                raise ValueError(f"unknown creature kind(s) {', '.join(bad)}; known: {', '.join(sorted(CREATURES))}")
            neg = [k for k, n in v.items() if not 0 <= n <= 1000]
            if neg:
                raise ValueError(f"creature counts must be 0..1000, got {', '.join(f'{k}={v[k]}' for k in neg)}")
        return v


@dataclass
class CreaturePlan:
    """The animals a shot got: their motion (one rig per id) and what each is."""

    motion: Skinned
    kinds: list[str]
    radii: np.ndarray
    triangles: list[int]


class GridGround:
    """A height function sampled once on a regular grid and interpolated bilinearly: the terrain's
    own ``height(x, y)`` costs tens of milliseconds per call whatever the number of points, and a
    walking animal asks for a few points many times per frame. Outside the grid it asks ``fn``."""

    def __init__(self, fn: Callable, lo: np.ndarray, hi: np.ndarray, spacing: float, max_points: int = 600_000):
        span = np.maximum(np.asarray(hi, float) - np.asarray(lo, float), spacing)
        spacing = max(spacing, float(np.sqrt(span[0] * span[1] / max_points)))
        self.fn, self.lo, self.h = fn, np.asarray(lo, float), spacing
        self.n = np.ceil(span / spacing).astype(int) + 1
        xs, ys = (self.lo[d] + spacing * np.arange(self.n[d]) for d in (0, 1))
        gx, gy = np.meshgrid(xs, ys, indexing="ij")
        self.z = np.asarray(fn(gx.ravel(), gy.ravel()), dtype=np.float64).reshape(gx.shape)

    def __call__(self, x, y) -> np.ndarray:
        x, y = np.asarray(x, float), np.asarray(y, float)
        fx, fy = (x - self.lo[0]) / self.h, (y - self.lo[1]) / self.h
        inside = (fx >= 0) & (fy >= 0) & (fx <= self.n[0] - 1) & (fy <= self.n[1] - 1)
        i = np.clip(np.floor(fx).astype(int), 0, self.n[0] - 2)
        j = np.clip(np.floor(fy).astype(int), 0, self.n[1] - 2)
        a, b = np.clip(fx - i, 0, 1), np.clip(fy - j, 0, 1)
        z = ((1 - a) * (1 - b) * self.z[i, j] + a * (1 - b) * self.z[i + 1, j] + (1 - a) * b * self.z[i, j + 1]
             + a * b * self.z[i + 1, j + 1])
        if not inside.all():
            z = np.where(inside, z, np.asarray(self.fn(np.atleast_1d(x), np.atleast_1d(y)), float).reshape(z.shape))
        return z


def _counts(params: CreatureParams, table: dict[str, float], rng: np.random.Generator) -> dict[str, int]:
    if params.counts is not None:
        return {k: int(round(n * params.density)) for k, n in params.counts.items()}
    out = {}
    for kind, mean in table.items():
        if kind not in CREATURES or (params.kinds and kind not in params.kinds):
            continue
        x = mean * params.density
        out[kind] = int(np.floor(x + rng.uniform()))  # random rounding: the mean is kept
    return out


def _path_times(shot: Shot) -> np.ndarray:
    t = np.asarray(shot.times, dtype=np.float64)
    return t if len(t) < 3 else np.linspace(t[0], t[-1], min(4 * len(t), 64))


def _clear(centres: np.ndarray, radius: float, obstacles, cams: np.ndarray, others: list) -> bool:
    """Whether a path of centres (S, 3) keeps its sphere out of obstacles, cameras and other paths."""
    if obstacles is not None and len(getattr(obstacles, "radii", ())):
        oc = np.asarray(obstacles.centers, float)
        orad = np.asarray(obstacles.radii, float)
        d = np.linalg.norm(centres[:, None] - oc[None], axis=-1)
        if (d < orad[None] + 0.8 * radius).any():
            return False
    if (np.linalg.norm(centres[:, None] - cams[None], axis=-1) < radius + CAMERA_CLEARANCE).any():
        return False
    for c, r in others:  # bounding spheres of long bodies overlap long before the bodies do
        if (np.linalg.norm(centres - c, axis=1) < 0.7 * (radius + r)).any():
            return False
    return True


def _start(kind, cam, rng, p: CreatureParams, ground: Callable, floor: Callable,
           water: tuple[float, float] | None):
    """A random start (xy, z or None, heading) in view of ``cam`` for a kind's habitat, or None."""
    habitat = kind.habitat
    heading = rng.uniform(0, 2 * np.pi)
    if habitat == "air" and kind.altitude is not None:  # low fliers: a point of the view near the ground
        lo, hi = kind.view or (p.air_near, p.air_far)
        q = cam.points_in_view(1, lo, hi, rng, margin=0.15)[0]
        g = float(ground(q[:1], q[1:2])[0])
        return q[:2], g + rng.uniform(*kind.altitude), heading
    if habitat in ("ground", "seabed"):
        fwd = cam.cam_to_world[:3, 2]
        yaw0 = np.arctan2(fwd[1], fwd[0])
        a = yaw0 + rng.uniform(-0.4, 0.4) * cam.hfov
        lo, hi = kind.view or ((p.near, p.far) if water is None else (1.0, 8.0))
        d = float(np.exp(rng.uniform(np.log(lo), np.log(max(hi, lo * 1.01)))))
        xy = cam.position[:2] + d * np.array([np.cos(a), np.sin(a)])
        if habitat == "ground" and water is None:
            g = float(ground(xy[:1], xy[1:2])[0])
            if float(floor(xy[:1], xy[1:2])[0]) > g + 0.05:
                return None  # water there
        return xy, None, heading
    if habitat == "air":
        q = cam.points_in_view(1, *(kind.view or (p.air_near, p.air_far)), rng, margin=0.15)[0]
        return q[:2], float(q[2]), heading
    lo_z, hi_z = water if water is not None else (None, None)
    if lo_z is None:
        return None
    q = cam.points_in_view(1, 1.5, 12.0, rng, margin=0.1)[0]
    bed = float(ground(q[:1], q[1:2])[0])
    z = float(np.clip(q[2], max(bed, lo_z) + 0.3, hi_z - 0.3))
    return q[:2], z, heading


def place_creatures(scene: Scene, counts: dict[str, int], params: CreatureParams, shot: Shot, ground: Callable,
                    floor: Callable, obstacles, seeds: SeedTree, water: tuple[float, float] | None = None,
                    groups: dict[str, int] | None = None) -> CreaturePlan | None:
    """Add ``counts`` animals per kind to ``scene`` in view of the shot (see the module doc), then
    ``groups`` boids flocks or schools per kind (``flock.py``)."""
    if not any(counts.values()) and not any((groups or {}).values()):
        return None
    mid = len(shot.times) // 2
    cam = shot.reference(shot.rigs[mid].main)
    t_mid, t_first = float(shot.times[mid]), float(shot.times[0])
    times = _path_times(shot)
    cams = np.array([c.position for rig in shot.rigs for c in rig.cameras.values()])
    # the terrain (and water) near the cameras, sampled once: ground animals walk on it
    reach = max(params.far, 8.0) + 3.0 * max(shot.duration(), 1.0) + 5.0
    lo, hi = cams[:, :2].min(0) - reach, cams[:, :2].max(0) + reach
    near_ground = GridGround(ground, lo, hi, 0.15)
    near_floor = near_ground if floor is ground else GridGround(floor, lo, hi, 0.3)
    far_ground = GridGround(ground, cams[:, :2].min(0) - params.air_far - 150.0,
                            cams[:, :2].max(0) + params.air_far + 150.0, 2.0, 100_000)
    ground, floor = near_ground, near_floor
    rigs, ids, kinds, radii, tris, placed = [], [], [], [], [], []

    def add(rig, kind_name: str, prm, node: SeedTree, radius: float, extra: dict | None = None) -> None:
        kind, mesh = CREATURES[kind_name], rig.body.mesh
        obj = scene.add(Object(
            f"creature.{len(rigs):03d}.{kind_name}",
            Mesh(skin(rig, t_first), mesh.faces, {k: a.copy() for k, a in mesh.attributes.items()}),
            MaterialRef(kind.material, node.child("material").int(), (("palette", kind.palette),)),
            semantic=kind.semantic, generator=f"creatures.{kind_name}",
            params={"kind": kind_name, "triangles": mesh.n_triangles, **(extra or {}), **prm.model_dump()}))
        rigs.append(rig)
        ids.append(obj.instance_id)
        kinds.append(kind_name)
        radii.append(radius)
        tris.append(mesh.n_triangles)
    for kind_name in sorted(counts):
        kind = CREATURES[kind_name]
        for j in range(counts[kind_name]):
            node = seeds.child(kind_name).child(str(j))
            prm = kind.sample(node.child("params").rng())
            bind = kind.make(prm, node.child("body").rng(), Place(np.zeros(2), 0.0, ground, 0.0)).body.mesh.vertices
            radius = float(np.linalg.norm(bind - bind.mean(0), axis=1).max())  # the body's own bounding sphere
            rng = node.child("place").rng()
            rig = None
            for _ in range(params.attempts):
                st = _start(kind, cam, rng, params, ground, floor, water)
                if st is None:
                    continue
                xy, z, heading = st
                gr = far_ground if kind.habitat == "air" and kind.altitude is None else ground
                clearance = params.air_clearance if kind.altitude is None else kind.altitude[0]
                if kind.habitat == "air":
                    z = max(z, float(gr(np.array([xy[0]]), np.array([xy[1]]))[0]) + clearance + radius)
                cand = kind.make(prm, node.child("body").rng(), Place(np.asarray(xy, float), heading, gr, z, t_mid))
                centres = np.stack([cand.centre(t) for t in times])
                if kind.habitat == "air":  # lift the whole path over the terrain under it
                    need = np.asarray(gr(centres[:, 0], centres[:, 1])) + clearance + radius
                    lift = float(max(0.0, (need - centres[:, 2]).max()))
                    if lift > 0:
                        cand = kind.make(prm, node.child("body").rng(),
                                         Place(np.asarray(xy, float), heading, gr, z + lift, t_mid))
                        centres[:, 2] += lift
                if kind.habitat == "ground" and water is None:
                    wet = np.asarray(floor(centres[:, 0], centres[:, 1])) > np.asarray(
                        ground(centres[:, 0], centres[:, 1])) + 0.05
                    if wet.any():
                        continue
                if _clear(centres, radius, obstacles, cams, placed):
                    rig = cand
                    placed.append((centres, radius))
                    break
            if rig is not None:
                add(rig, kind_name, prm, node, radius)
    for kind_name in sorted(groups or {}):
        kind = CREATURES[kind_name]
        for g in range(groups[kind_name]):
            node = seeds.child(f"{kind_name}_group").child(str(g))
            rng = node.child("place").rng()
            if kind.habitat == "ground":
                for rig, prm, member, radius, centres in _herd(kind, node, rng, params, cam, times, t_mid, ground,
                                                               floor, water, obstacles, cams, placed):
                    placed.append((centres, radius))
                    add(rig, kind_name, prm, member, radius, {"group": f"{kind_name}_group.{g}"})
                continue
            prm = kind.sample(node.child("params").rng())
            st = _start(kind, cam, rng, params, ground, floor, water)
            if st is None:
                continue
            xy, z, heading = st
            bind = kind.make(prm, node.child("body").rng(), Place(np.zeros(2), 0.0, ground, 0.0)).body.mesh.vertices
            radius = float(np.linalg.norm(bind - bind.mean(0), axis=1).max())
            low = kind.habitat == "air" and kind.altitude is not None  # an insect swarm near the ground
            base = params.swarm if low else params.boids
            bp = base.model_copy(update={"separation": max(base.separation, 2.2 * radius),
                                         "radius": max(base.radius, 6.0 * radius)})
            speed = float(getattr(prm, "speed", 1.0))
            gr = far_ground if kind.habitat == "air" and not low else ground
            g0 = float(gr(np.array([xy[0]]), np.array([xy[1]]))[0])
            if low:
                z = min(max(float(z), g0 + kind.altitude[0] + radius), g0 + kind.altitude[1])
            elif water is None:
                z = max(float(z), g0 + params.air_clearance + 2 * radius)
            n = int(rng.integers(params.flock_size[0], params.flock_size[1] + 1))
            start = np.array([xy[0], xy[1], z]) - speed * (t_mid - times[0]) * np.array([np.cos(heading),
                                                                                         np.sin(heading), 0.0])
            if low:
                clearance, ceiling = kind.altitude[0] + radius, g0 + kind.altitude[1] + 1.0
            else:
                clearance = (params.air_clearance if water is None else 0.3) + radius
                ceiling = None if water is None else water[1] - radius
            members = simulate(n, start, heading, speed, float(times[0]), float(times[-1]) + 0.05,
                               node.child("boids").rng(), bp, gr, clearance, ceiling, obstacles)
            for k, sp in enumerate(members):
                centres = np.stack([sp.frame(t)[:3, 3] for t in times])
                if (np.linalg.norm(centres[:, None] - cams[None], axis=-1) < radius + CAMERA_CLEARANCE).any():
                    continue
                member = node.child(str(k))
                rig = kind.make(prm, member.child("body").rng(), Place(np.asarray(xy, float), heading, gr, z,
                                                                      0.0, sp.frame))
                add(rig, kind_name, prm, member, radius, {"group": f"{kind_name}_group.{g}"})
    if not rigs:
        return None
    return CreaturePlan(Skinned(ids, rigs), kinds, np.array(radii), tris)


def _herd(kind, node: SeedTree, rng: np.random.Generator, params: CreatureParams, cam, times: np.ndarray,
          t_mid: float, ground: Callable, floor: Callable, water, obstacles, cams: np.ndarray, placed: list):
    """A herd of ``kind`` (``herd.py``) in view mid-shot: [(rig, params, seed node, radius, centres)] of the
    members whose paths stay dry, clear of obstacles, cameras and the animals placed before."""
    if "gait" not in kind.params.model_fields:
        raise ValueError(f"creatures: {kind.name} does not walk in herds (herds are of quadrupeds)")
    hp = params.herd
    n = int(rng.integers(hp.size[0], hp.size[1] + 1))
    speed = float(rng.uniform(*hp.speed))
    members = []
    for k in range(n):
        member = node.child(str(k))
        prm = kind.sample(member.child("params").rng())
        prm = prm.model_copy(update={"gait": gait_for(speed, prm.hip_height), "speed": speed, "turn_deg": 0.0})
        bind = kind.make(prm, member.child("body").rng(), Place(np.zeros(2), 0.0, ground, 0.0)).body.mesh.vertices
        radius = float(np.linalg.norm(bind - bind.mean(0), axis=1).max())
        members.append((prm, member, radius, float(np.ptp(bind[:, 0]))))
    length = max(m[3] for m in members)
    far = max(params.far, params.near + 1.0)
    near = min(max(params.near, 2.0 * length), far - 0.5)
    for _ in range(params.attempts):
        st = _start(kind, cam, rng, params.model_copy(update={"near": near, "far": far}), ground, floor, water)
        if st is None:
            continue
        xy, _, heading = st
        start = np.asarray(xy, float) - speed * (t_mid - times[0]) * np.array([np.cos(heading), np.sin(heading)])
        tracks = plan_herd(n, start, heading, speed, float(times[0]) - 2.0, float(times[-1]) + 2.0,
                           node.child("herd").rng(), hp, length, ground, obstacles,
                           [m[0].body_length for m in members])
        out = []
        for (prm, member, radius, _), track in zip(members, tracks):
            rig = kind.make(prm, member.child("body").rng(), Place(track.xy(0.0)[0], 0.0, ground, None, 0.0,
                                                                  None, track))
            centres = np.stack([rig.centre(t) for t in times])
            if water is None:
                wet = np.asarray(floor(centres[:, 0], centres[:, 1])) > np.asarray(
                    ground(centres[:, 0], centres[:, 1])) + 0.05
                if wet.any():
                    continue
            # herd-mates are kept apart by the herd itself: check only the obstacles, cameras, earlier animals
            if _clear(centres, radius, obstacles, cams, placed):
                out.append((rig, prm, member, radius, centres))
        if len(out) >= max(1, (n + 1) // 2):
            return out
    return []


def add_creatures(scene: Scene, params: CreatureParams, shot: Shot, ground: Callable, floor: Callable, obstacles,
                  seeds: SeedTree, biome: str | None) -> CreaturePlan | None:
    """The animals of ``biome`` (a scene name in ``BIOMES``; others get none unless ``counts`` says)."""
    if params.density <= 0:
        return None
    table = BIOMES.get(biome or "", {})
    counts = _counts(params, table, seeds.child("counts").rng())
    if params.groups is not None:
        groups = {k: n for k, n in params.groups.items() if not params.kinds or k in params.kinds}
    else:
        groups = {} if params.counts is not None else _groups(params, GROUPS.get(biome or "", {}), seeds)
    return place_creatures(scene, counts, params, shot, ground, floor, obstacles, seeds, None, groups)


def _groups(params: CreatureParams, table: dict[str, float], seeds: SeedTree) -> dict[str, int]:
    rng = seeds.child("groups").rng()
    return {k: int(np.floor(m * params.density * params.flocks + rng.uniform())) for k, m in table.items()
            if k in CREATURES and (not params.kinds or k in params.kinds)}


def add_aquatic(scene: Scene, params: CreatureParams, shot: Shot, seabed: Callable, water_level: float, obstacles,
                seeds: SeedTree, table: dict[str, float] | None = None) -> CreaturePlan | None:
    """The hook of underwater scenes: fish and jellyfish between ``seabed(x, y)`` and ``water_level``
    (m), crabs on the bed; ``table`` overrides ``AQUATIC`` (expected count per kind)."""
    if params.density <= 0:
        return None
    counts = _counts(params, {k: v for k, v in (table or AQUATIC).items()
                              if k in CREATURES and CREATURES[k].habitat in ("water", "seabed")},
                     seeds.child("counts").rng())
    lo = float(np.min(seabed(np.array([shot.rigs[0].main.position[0]]), np.array([shot.rigs[0].main.position[1]]))))
    if params.groups is not None:
        groups = {k: n for k, n in params.groups.items() if CREATURES[k].habitat in ("water", "seabed")}
    else:
        groups = {} if params.counts is not None or table is not None else _groups(params, AQUATIC_GROUPS, seeds)
    return place_creatures(scene, counts, params, shot, seabed, seabed, obstacles, seeds, (lo, float(water_level)),
                           groups)
