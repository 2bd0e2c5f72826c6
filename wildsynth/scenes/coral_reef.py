"""Coral reef: a sandy, rippled sea bed with reef mounds (and a drop-off), corals and sea life in dense
patches on the reef and sparse on the sand, fish, a water surface above and blue-green murk.

- Floor (``ReefFloor``): a height field, the surface ``floor.depth`` m below the water at z = 0: reef
  mounds where a low-frequency noise rises above ``floor.reef_cover`` (flat-topped patches with sand
  channels between), rough reef rock on them, and a drop-off along a drawn heading beyond
  ``floor.dropoff_distance``. Meshed for the shot's cameras (``terrain/lod.py``) and split by face into
  ``rock`` (the reef) and ``sand`` (``reef_sand``: ripples displaced, caustics painted).
- Life (``ReefLifeParams``): a Thomas cluster process (``scatter.sample_clustered``) thinned by a
  density high on the reef and low on the sand; each cluster is one kind (drawn from the reef or the
  sand mix at the cluster's first point), each kind a few grown prototypes of the sea-life registry
  (``generators/underwater``) placed as ``Instances``, semantic classes from the registry. Seagrass and
  seaweed in or near the view sway in a gentle current (``current.*``, heading drawn from the seed;
  ``life.sway``; ``sea_scene.place_life``), each such plant a deforming mesh keeping its placement's id.
- Rubble: small reef-rock blocks (``rocks``) on the bed.
- Water: a flat sheet at z = 0 (class ``water_surface``, ``reef_surface``: refraction, Snell's window),
  and the murk volume (``materials/weather.py`` ``murk``) filling the water below it: distance- and
  depth-dependent blue-green absorption and scattering. Appearance only: the murk is out of the
  ground truth, so depth, normals and ids are those of the geometry.
- Fish, jellyfish, crabs and fish schools: the creatures' underwater hook (``add_aquatic``), between
  the bed and the surface, on by default (``creatures.density=0``: none).
- Camera: proposals over the reef (when enough are), ``camera.height_min``-``height_max`` above the bed, capped
  ``camera_surface_clearance`` m under the surface, kept out of the corals (their bounding spheres).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..camera import CameraParams, Obstacles, choose_view
from ..core.geometry import height_normal, vertex_normals
from ..core.mesh import Mesh
from ..core.scene import MaterialRef, Object, Scene
from ..core.seeds import SeedTree
from ..core.shot import Shot
from ..generators.creatures.placement import CreatureParams, add_aquatic
from ..generators.noise import fbm2, perm_table
from ..generators.rocks import RockParams, scatter_rocks
from ..generators.scatter import sample_clustered
from ..generators.sea_motion import BedSwayParams, CurrentParams
from ..generators.terrain.field import MeshParams
from ..generators.terrain.landforms import smoothstep
from ..generators.terrain.lod import cones_from_cameras, lod_grid
from ..generators.underwater import get_kind
from .base import Built, Layout, SceneRecipe, SkyParams, register
from .sea_scene import BedSwaySetup, add_bed, add_water, caustic_params, grow_life, place_life

WATER_LEVEL = 0.0  # the sea surface, m (the bed lies below it)
REEF_MIX = {"brain_coral": 1.0, "star_coral": 0.8, "mound_coral": 1.0, "encrusting_coral": 0.8, "staghorn_coral": 1.2,
            "elkhorn_coral": 0.8, "table_coral": 0.7, "finger_coral": 0.8, "tube_coral": 0.6, "leaf_coral": 0.6,
            "sea_fan": 0.8, "sea_whip": 0.6, "ruffled_sponge": 0.6, "tube_sponge": 0.7, "sea_anemone": 0.6,
            "barnacles": 0.2, "seaweed": 0.4}
SAND_MIX = {"seagrass": 1.5, "starfish": 0.6, "sea_urchin": 0.5, "sea_cucumber": 0.4, "conch_shell": 0.3,
            "snail_shell": 0.3, "clam": 0.3, "scallop": 0.3, "auger_shell": 0.2, "seaweed": 0.3}


class ReefFloorParams(BaseModel):
    """The sea bed: sand, reef mounds and a drop-off."""

    model_config = ConfigDict(extra="forbid")

    depth: float = Field(12.0, ge=3.0, le=200.0, description="depth of the sand bed below the surface, m")
    reef_height: float = Field(2.5, ge=0.0, le=20.0, description="height of the reef mounds above the sand, m")
    reef_scale: float = Field(22.0, ge=2.0, le=500.0, description="typical width of reef patches, m")
    reef_cover: float = Field(0.45, ge=0.0, le=1.0, description="share of the bed under reef (0: sand only, 1: all reef)")
    roughness: float = Field(0.35, ge=0.0, le=5.0, description="metre-scale roughness of the reef rock, m")
    sand_relief: float = Field(0.25, ge=0.0, le=5.0, description="gentle undulation of the sand, m")
    dropoff: float = Field(15.0, ge=0.0, le=500.0, description="extra depth beyond the drop-off, m (0: none)")
    dropoff_distance: float = Field(35.0, ge=5.0, le=2000.0, description="distance from the view area to the drop-off, m")
    dropoff_width: float = Field(12.0, ge=1.0, le=500.0, description="horizontal width of the drop-off slope, m")


class ReefLifeParams(BaseModel):
    """Corals and sea life: clustered on the reef, sparse on the sand."""

    model_config = ConfigDict(extra="forbid")

    reef_density: float = Field(1.5, ge=0.0, le=20.0, description="colonies per m^2 on the reef")
    sand_density: float = Field(0.03, ge=0.0, le=20.0, description="sea life per m^2 on the sand")
    cluster_radius: float = Field(1.2, gt=0.0, le=50.0, description="standard deviation of a patch around its centre, m")
    cluster_size: float = Field(6.0, gt=0.0, le=500.0, description="mean colonies per patch")
    radius: float = Field(30.0, gt=1.0, le=500.0, description="life is placed within this radius of the view area, m")
    scale_min: float = Field(0.8, gt=0.01, le=10.0, description="smallest scale of a placed colony (times its grown size)")
    scale_max: float = Field(2.0, gt=0.01, le=10.0, description="largest scale of a placed colony")
    prototypes: int = Field(3, ge=1, le=16, description="distinct grown meshes per kind")
    prototypes_by_kind: dict[str, int] = Field(default_factory=lambda: {"brain_coral": 1, "star_coral": 1},
                                               description="kind -> distinct grown meshes, replacing prototypes "
                                                           "(default: one for the reaction-diffusion corals, "
                                                           "about 5 s each)")
    reef_mix: dict[str, float] = Field(default_factory=lambda: dict(REEF_MIX), description="kind -> weight on the reef")
    sand_mix: dict[str, float] = Field(default_factory=lambda: dict(SAND_MIX), description="kind -> weight on the sand")
    sway: BedSwayParams = Field(default_factory=BedSwayParams, description="the plants that bend in the current")
    tiny: bool = Field(False, description="grow each kind at its registry's tiny size (fast previews and tests)")

    @model_validator(mode="after")
    def _check(self):
        if self.scale_max < self.scale_min:
            raise ValueError(f"life.scale_max ({self.scale_max}) must be at least life.scale_min ({self.scale_min})")
        if any(not 1 <= n <= 16 for n in self.prototypes_by_kind.values()):
            raise ValueError("life.prototypes_by_kind values must be in [1, 16]")
        for name in (*self.reef_mix, *self.sand_mix, *self.prototypes_by_kind):
            get_kind(name)  # one-line error naming the unknown kind
        if any(w < 0 for w in (*self.reef_mix.values(), *self.sand_mix.values())):
            raise ValueError("life.reef_mix and life.sand_mix weights must be >= 0")
        return self


class MurkParams(BaseModel):
    """The water between the surface and the bed: absorbing, scattering murk (appearance only)."""

    model_config = ConfigDict(extra="forbid")

    density: float = Field(0.035, ge=0.0, le=1.0, description="murk density, 1/m (scattering; absorption twice it; 0: clear)")
    extent: float = Field(400.0, gt=10.0, le=20000.0, description="half-width of the murk box around the camera, m")


class CausticParams(BaseModel):
    """Caustics painted on the bed's colour (an approximation: no light is traced through the surface)."""

    model_config = ConfigDict(extra="forbid")

    strength: float = Field(0.5, ge=0.0, le=2.0, description="brightness of the caustic lines (0: none)")
    scale: float = Field(0.7, gt=0.05, le=20.0, description="size of the caustic cells, m")
    depth: float = Field(25.0, gt=0.5, le=500.0, description="caustics fade out this far below the surface, m")


class CoralReefParams(BaseModel):
    """coral reef: a sandy bed with reef mounds, dense coral patches, fish, the surface above, blue-green water"""

    model_config = ConfigDict(extra="forbid")

    floor: ReefFloorParams = Field(default_factory=ReefFloorParams, description="the sea bed")
    life: ReefLifeParams = Field(default_factory=ReefLifeParams, description="corals and sea life")
    rocks: RockParams = Field(default_factory=lambda: RockParams(count=160, radius=30.0, size_median=0.12,
                                                                 size_spread=0.7, kind="chunk", prototypes=4,
                                                                 subdivisions=2),
                              description="rubble on the bed")
    mesh: MeshParams = Field(default_factory=lambda: MeshParams(extent=400.0, far_start=60.0),
                             description="camera-following meshing of the bed")
    murk: MurkParams = Field(default_factory=MurkParams, description="absorbing, scattering water")
    caustics: CausticParams = Field(default_factory=CausticParams, description="caustics on the bed (painted)")
    surface: bool = Field(True, description="a water surface above (class water_surface)")
    current: CurrentParams = Field(default_factory=lambda: CurrentParams(lean=0.15, amplitude=0.06, period=8.0),
                                   description="the gentle current swaying the seagrass and seaweed (heading drawn)")
    sky: SkyParams = Field(default_factory=lambda: SkyParams(latitude=15.0, min_sun_elevation=40.0, clouds=0.1),
                           description="sun and sky above the water (a high tropical sun by default)")
    camera: CameraParams = Field(default_factory=lambda: CameraParams(height_min=1.5, height_max=4.0, pitch_min=-30.0,
                                                                      pitch_max=-4.0, area_radius=12.0, min_sky=0.05,
                                                                      min_distance=1.0),
                                 description="camera placement (heights above the bed)")
    camera_surface_clearance: float = Field(1.0, ge=0.1, le=50.0, description="the camera stays this far under the surface, m (the bed is capped 0.5 m lower)")
    creatures: CreatureParams = Field(default_factory=CreatureParams,
                                      description="fish, jellyfish, crabs, fish schools (density 0: none)")


class ReefFloor:
    """The sea bed height field (z = 0 is the surface) and its reef mask."""

    def __init__(self, params: ReefFloorParams, seeds: SeedTree, room: float = 1.5):
        self.p = params
        self.ceiling = WATER_LEVEL - room  # the bed never rises above this (room for the camera)
        rng = seeds.rng()
        self.perm = perm_table(seeds.child("noise").rng())
        self.offset = rng.uniform(-1000.0, 1000.0, 2)
        self.heading = float(rng.uniform(0.0, 2 * np.pi))
        self.water_level = WATER_LEVEL

    def reef(self, x, y) -> np.ndarray:
        """Reef cover in [0, 1]: 1 on the mounds, 0 on the sand (a soft edge)."""
        p = self.p
        u = (np.asarray(x, dtype=np.float64) + self.offset[0]) / p.reef_scale
        v = (np.asarray(y, dtype=np.float64) + self.offset[1]) / p.reef_scale
        n = fbm2(u, v, self.perm, 4)  # about [-0.7, 0.7]
        t = 0.55 * (0.5 - p.reef_cover)  # threshold: larger cover, lower threshold
        return smoothstep(t - 0.08, t + 0.08, n)

    def height(self, x, y) -> np.ndarray:
        p = self.p
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        r = self.reef(x, y)
        u, v = x + self.offset[0], y + self.offset[1]
        rough = fbm2(u / 3.0 + 31.0, v / 3.0 - 17.0, self.perm, 4)
        sand = fbm2(u / 9.0 - 5.0, v / 9.0 + 11.0, self.perm, 3)
        along = x * np.cos(self.heading) + y * np.sin(self.heading)
        drop = p.dropoff * smoothstep(p.dropoff_distance, p.dropoff_distance + p.dropoff_width, along)
        z = WATER_LEVEL - p.depth + p.sand_relief * sand + r * (p.reef_height + p.roughness * rough) - drop
        return np.minimum(z, self.ceiling)

    def normal(self, x, y, eps: float = 0.05) -> np.ndarray:
        return height_normal(self.height, x, y, eps)

    def mesh_for(self, cameras, mp: MeshParams) -> Mesh:
        cams = list(cameras)
        cones = cones_from_cameras(cams, [0.0] * len(cams))
        xv, yv, faces = lod_grid(cones, mp.extent, mp.pixels_per_triangle, margin_deg=mp.margin_deg, r0=0.05,
                                 radial_factor=mp.radial_factor, far_start=mp.far_start, far_factor=mp.far_factor,
                                 back_factor=mp.back_factor)
        zv = self.height(xv, yv)
        verts = np.stack([xv, yv, zv], -1)
        nrm = vertex_normals(verts, faces)
        f = lambda a: np.ascontiguousarray(a, dtype=np.float32)  # noqa: E731
        return Mesh(verts, faces, attributes={"reef": f(self.reef(xv, yv)), "slope": f(1.0 - nrm[:, 2]),
                                              "height": f(zv)})


@dataclass
class ReefPlan:
    """Where the sea life goes (layout), grown in build."""

    kinds: list[str]  # per point
    xy: np.ndarray  # (N, 2)
    scale: np.ndarray  # (N,)
    prototype: np.ndarray  # (N,) index of the grown mesh of its kind


@dataclass
class ReefState:
    floor: ReefFloor
    plan: ReefPlan
    rocks: list
    timings: dict


NOMINAL_RADIUS = 0.6  # m: the bounding radius assumed for a colony of scale 1 when the camera is placed


def plan_life(p: ReefLifeParams, floor: ReefFloor, centre, seeds: SeedTree) -> ReefPlan:
    rng = seeds.child("points").rng()
    reef_w, sand_w = p.reef_density, p.sand_density
    top = max(reef_w, sand_w, 1e-9)

    def density(x, y):
        r = floor.reef(x, y)
        return r * reef_w + (1.0 - r) * sand_w

    xy, owner = sample_clustered(rng, density, top, p.cluster_radius, p.cluster_size, centre, p.radius)
    krng = seeds.child("kinds").rng()
    mixes = []
    for mix in (p.reef_mix, p.sand_mix):
        names = sorted(k for k, w in mix.items() if w > 0)
        w = np.array([mix[k] for k in names], dtype=np.float64)
        mixes.append((names, w / w.sum() if len(w) else w))
    kinds = [""] * len(xy)
    clusters, first = np.unique(owner, return_index=True)
    on_reef = floor.reef(xy[first, 0], xy[first, 1]) > 0.5 if len(first) else np.zeros(0, bool)
    u = krng.uniform(size=len(clusters))
    for c, f, reef, uk in zip(clusters, first, on_reef, u):
        names, w = mixes[0] if reef else mixes[1]
        if not names:
            names, w = mixes[1] if reef else mixes[0]
        if not names:
            continue
        k = names[int(np.searchsorted(np.cumsum(w), uk * w.sum(), side="right").clip(0, len(names) - 1))]
        for i in np.flatnonzero(owner == c):
            kinds[i] = k
    srng = seeds.child("scale").rng()
    scale = np.exp(srng.uniform(np.log(p.scale_min), np.log(p.scale_max), len(xy)))
    proto = srng.integers(0, p.prototypes, len(xy))
    n_proto = np.array([p.prototypes_by_kind.get(k, p.prototypes) if k else 1 for k in kinds], dtype=np.int64)
    proto = proto % np.maximum(n_proto, 1) if len(proto) else proto
    keep = np.array([k != "" for k in kinds], dtype=bool)
    return ReefPlan([k for k in kinds if k], xy[keep], scale[keep], proto[keep])


def layout(params: CoralReefParams, seeds: SeedTree) -> Layout:
    t0 = time.perf_counter()
    floor = ReefFloor(params.floor, seeds.child("floor"), params.camera_surface_clearance + 0.5)
    centre = (0.0, 0.0)
    plan = plan_life(params.life, floor, centre, seeds.child("life"))
    timings = {"life_plan_s": time.perf_counter() - t0}
    rocks = scatter_rocks(params.rocks, seeds.child("rocks"), floor.height, floor.normal)
    z = floor.height(plan.xy[:, 0], plan.xy[:, 1]) if len(plan.xy) else np.zeros(0)
    r = NOMINAL_RADIUS * plan.scale
    centres = np.stack([plan.xy[:, 0], plan.xy[:, 1], z + 0.5 * r], -1) if len(z) else np.zeros((0, 3))
    ro = Obstacles.from_instances(rocks)
    obstacles = Obstacles(np.concatenate([centres, ro.centers]), np.concatenate([r, ro.radii]))
    clear = params.camera_surface_clearance

    def place(rng):
        c = params.camera
        n = c.proposals
        rad = c.area_radius * np.sqrt(rng.uniform(0, 1, n))
        ang = rng.uniform(0, 2 * np.pi, n)
        xy = np.stack([centre[0] + rad * np.cos(ang), centre[1] + rad * np.sin(ang)], -1)
        over = floor.reef(xy[:, 0], xy[:, 1]) > 0.5  # over the reef (when enough proposals are): corals around
        if over.sum() >= max(4, n // 8):
            xy[~over] = xy[over][np.arange((~over).sum()) % over.sum()]
        lift = rng.uniform(c.height_min, max(c.height_min, c.height_max), n)
        yaw = rng.uniform(0.0, 2 * np.pi, n)
        pitch = np.radians(rng.uniform(c.pitch_min, max(c.pitch_min, c.pitch_max), n))
        bed = floor.height(xy[:, 0], xy[:, 1])
        ez = np.minimum(bed + lift, WATER_LEVEL - clear)  # under the surface (the params leave room)
        eyes = np.stack([xy[:, 0], xy[:, 1], ez], -1)
        return choose_view(c, floor.height, obstacles, eyes, yaw, pitch)

    return Layout(floor, obstacles, place, surface=floor.height, state=ReefState(floor, plan, rocks, timings),
                  report={"water_level_m": WATER_LEVEL, "colonies": len(plan.xy)})


def build(params: CoralReefParams, layout: Layout, shot: Shot, seeds: SeedTree) -> Built:
    st: ReefState = layout.state
    floor, plan = st.floor, st.plan
    timings = dict(st.timings)
    cams = shot.cameras()
    scene = Scene()
    scene.sun, scene.sky = params.sky.make(seeds.child("sky").rng())
    mats = seeds.child("materials")
    t0 = time.perf_counter()
    mesh = floor.mesh_for(cams, params.mesh)
    timings["terrain_mesh_s"] = time.perf_counter() - t0
    caustic = caustic_params(params.caustics, WATER_LEVEL)
    add_bed(scene, mesh, mats, caustic, "terrain.coral_reef", {"floor": params.floor.model_dump()})
    rubble = MaterialRef("reef_rock", mats.child("rubble").int(), caustic)
    for k, inst in enumerate(st.rocks):
        scene.add(Object(f"rubble{k}", inst, rubble, semantic="rock", generator="rocks", params=params.rocks.model_dump()))
    t0 = time.perf_counter()
    grown = grow_life(plan.kinds, params.life, seeds.child("life").child("grow"))
    timings["life_grow_s"] = time.perf_counter() - t0
    trng = seeds.child("life").child("transforms").rng()
    cur = params.current
    heading = (float(np.radians(cur.heading)) if cur.heading is not None
               else float(seeds.child("current").rng().uniform(0.0, 2 * np.pi)))
    sway = BedSwaySetup(params.life.sway, cur, heading, shot, seeds.child("life").child("sway").rng(), WATER_LEVEL)
    counts, plants = place_life(scene, plan, grown, floor, trng, mats, sway=sway)
    if plants is not None:
        scene.motions.append(plants)
    timings["life_place_s"] = time.perf_counter() - t0
    ref = shot.reference()
    add_water(scene, shot, WATER_LEVEL, mats, surface=params.surface, murk=params.murk, extent=params.mesh.extent)
    t0 = time.perf_counter()
    fish = add_aquatic(scene, params.creatures, shot, floor.height, WATER_LEVEL, layout.obstacles, seeds.child("creatures"))
    if fish is not None:
        scene.motions.append(fish.motion)
    timings["creatures_s"] = time.perf_counter() - t0
    report = {"reef": {"colonies": counts, "water_level_m": WATER_LEVEL,
                       "swaying": len(plants.ids) if plants is not None else 0,
                       "current_heading_deg": round(float(np.degrees(heading)) % 360.0, 2),
                       "camera_depth_m": round(WATER_LEVEL - float(ref.position[2]), 3),
                       "creatures": list(fish.kinds) if fish is not None else []},
              "sky": scene.sky.drawn,
              "terrain": {"timings_s": {k: round(v, 3) for k, v in timings.items()},
                          "triangles": {o.name: o.n_triangles for o in scene.objects}}}
    return Built(scene, report)


register(SceneRecipe("coral_reef", CoralReefParams.__doc__, CoralReefParams, layout, build, falling_leaves=False))
