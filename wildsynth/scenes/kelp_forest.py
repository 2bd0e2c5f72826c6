"""Kelp forest: a rocky, sandy bed 8-20 m down, dense giant kelp rising to the surface and swaying in
the current, seagrass patches on the sand, urchins, anemones and seaweed on the rock, fish, the wavy
surface above and blue-green water.

- Floor: the reef floor of ``coral_reef`` (``ReefFloor``) tuned to a temperate rocky reef: low rock
  patches (``floor.reef_cover``) with sand between, no drop-off by default. Split into ``rock`` and
  ``sand`` with painted caustics (``sea_scene.add_bed``).
- Kelp (``KelpStandParams``): holdfasts from a Thomas cluster process, dense on rock and rare on sand;
  each plant is a few fronds of the sea-life registry's ``kelp`` (stipe, pneumatocysts, blades), grown
  ``kelp.prototypes`` times at heights spread over ``kelp.height_min``-``height_max`` of the depth, merged
  per plant into one mesh (one id, class ``kelp``). Every plant bends in the current
  (``generators/sea_motion.CurrentSway``: a steady lean and a wave travelling up the stipe, stipe length
  kept, tops squeezed under the surface), a ``Deforming`` motion: flow and scene flow come from the
  vertex positions at each time, exactly.
- Bed life (``life.*``, ``coral_reef.plan_life``): seagrass patches and shells on the sand; urchins,
  anemones, starfish, sponges and seaweed on the rock; boulders (``rocks.*``). The seagrass and seaweed in
  or near the view sway in the kelp's current (``life.sway``, ``sea_scene.place_life``: one
  ``sea_motion.BedSway`` for the bed, each plant a deforming mesh keeping its placement's id).
- Water: the wavy surface (``waves.*``: a deforming sheet around the cameras, flat beyond; class
  ``water_surface``) and the murk (``murk.*``), out of the ground truth; fish and fish schools through
  the creatures' underwater hook (``add_aquatic``), kept out of the kelp.
- Camera: ``camera.height_min``-``height_max`` above the bed, under the surface, out of the kelp
  (spheres along every stipe), looking level to slightly up (stipes rising into the light).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..camera import CameraParams, Obstacles, choose_view
from ..core.mesh import Mesh
from ..core.scene import MaterialRef, Object, Scene
from ..core.seeds import SeedTree
from ..core.shot import Shot
from ..generators.creatures.placement import CreatureParams, add_aquatic
from ..generators.plants.geometry import merge
from ..generators.rocks import RockParams, scatter_rocks
from ..generators.scatter import sample_clustered
from ..generators.sea_motion import CurrentParams, CurrentSway, WaveParams
from ..generators.terrain.field import MeshParams
from ..generators.underwater import build as build_sea_life
from ..generators.underwater import get_kind
from .base import Built, Layout, SceneRecipe, SkyParams, register
from .coral_reef import WATER_LEVEL, CausticParams, MurkParams, ReefFloor, ReefFloorParams, ReefLifeParams, plan_life
from .sea_scene import BedSwaySetup, add_floor, add_water, grow_life, in_view, place_life

ROCK_MIX = {"seaweed": 1.2, "sea_urchin": 1.0, "sea_anemone": 0.6, "starfish": 0.5, "tube_sponge": 0.3,
            "barnacles": 0.3, "encrusting_coral": 0.15}
SAND_MIX = {"seagrass": 3.0, "starfish": 0.2, "scallop": 0.2, "snail_shell": 0.2, "sea_cucumber": 0.2}
CEILING_GAP = 0.25  # m: kelp tops stay this far under the still surface (below the wave troughs)


class KelpStandParams(BaseModel):
    """The kelp: where the holdfasts are, how tall and leafy the plants, the current that sways them."""

    model_config = ConfigDict(extra="forbid")

    rock_density: float = Field(0.13, ge=0.0, le=5.0, description="plants per m^2 on rock")
    sand_density: float = Field(0.01, ge=0.0, le=5.0, description="plants per m^2 on sand")
    cluster_radius: float = Field(2.5, gt=0.0, le=50.0, description="standard deviation of a stand around its centre, m")
    cluster_size: float = Field(6.0, gt=0.0, le=500.0, description="mean plants per stand")
    radius: float = Field(24.0, gt=1.0, le=300.0, description="kelp grows within this radius of the view area, m")
    view_margin: float = Field(30.0, ge=0.0, le=180.0, description="plants are built only within this many degrees "
                                                                   "beyond some camera's field of view, or near a camera")
    fronds: int = Field(6, ge=1, le=12, description="mean fronds per plant (each plant draws 1 to twice this, less one)")
    height_min: float = Field(0.55, gt=0.05, le=1.0, description="shortest frond / the depth at its holdfast")
    height_max: float = Field(0.95, gt=0.05, le=1.2, description="tallest frond / the depth (above 1: it lies under the surface)")
    blades_per_metre: float = Field(4.5, gt=0.1, le=20.0, description="blades per metre of stipe")
    blade_length: float = Field(0.9, gt=0.05, le=3.0, description="blade length, m")
    blade_width: float = Field(0.07, gt=0.005, le=0.5, description="blade half-width, m")
    prototypes: int = Field(6, ge=1, le=32, description="distinct grown fronds (heights spread over the range)")
    clearance: float = Field(0.9, ge=0.1, le=5.0, description="radius kept clear around a stipe by the camera and fish, m")
    current: CurrentParams = Field(default_factory=CurrentParams, description="the current swaying the kelp")
    tiny: bool = Field(False, description="grow the fronds at the registry's tiny size (fast previews and tests)")


class KelpLifeParams(ReefLifeParams):
    """Life on the bed of a kelp forest: seagrass patches and shells on the sand; urchins, anemones,
    starfish, sponges and seaweed on the rock."""

    reef_density: float = Field(0.5, ge=0.0, le=20.0, description="sea life per m^2 on the rock")
    sand_density: float = Field(0.35, ge=0.0, le=20.0, description="sea life per m^2 on the sand")
    cluster_radius: float = Field(0.8, gt=0.0, le=50.0, description="standard deviation of a patch around its centre, m")
    cluster_size: float = Field(8.0, gt=0.0, le=500.0, description="mean plants or animals per patch")
    radius: float = Field(25.0, gt=1.0, le=500.0, description="life is placed within this radius of the view area, m")
    scale_min: float = Field(0.7, gt=0.01, le=10.0, description="smallest scale of a placed thing (times its grown size)")
    scale_max: float = Field(1.5, gt=0.01, le=10.0, description="largest scale of a placed thing")
    prototypes_by_kind: dict[str, int] = Field(default_factory=dict, description="kind -> distinct grown meshes, "
                                                                                 "replacing prototypes")
    reef_mix: dict[str, float] = Field(default_factory=lambda: dict(ROCK_MIX), description="kind -> weight on the rock")
    sand_mix: dict[str, float] = Field(default_factory=lambda: dict(SAND_MIX), description="kind -> weight on the sand")

    @model_validator(mode="after")
    def _check(self):  # replaces the reef's check: no cross-field rule (a reversed scale range draws between the two)
        if any(not 1 <= n <= 16 for n in self.prototypes_by_kind.values()):
            raise ValueError("life.prototypes_by_kind values must be in [1, 16]")
        for name in (*self.reef_mix, *self.sand_mix, *self.prototypes_by_kind):
            get_kind(name)  # one-line error naming the unknown kind
        if any(w < 0 for w in (*self.reef_mix.values(), *self.sand_mix.values())):
            raise ValueError("life.reef_mix and life.sand_mix weights must be >= 0")
        return self


class KelpForestParams(BaseModel):
    """kelp forest: a rocky, sandy bed, tall kelp swaying to the surface, seagrass, fish, blue-green water"""

    model_config = ConfigDict(extra="forbid")

    floor: ReefFloorParams = Field(default_factory=lambda: ReefFloorParams(
        depth=14.0, reef_height=1.2, reef_scale=16.0, reef_cover=0.55, roughness=0.6, sand_relief=0.3, dropoff=0.0),
        description="the sea bed (rock patches and sand)")
    kelp: KelpStandParams = Field(default_factory=KelpStandParams, description="the kelp")
    life: KelpLifeParams = Field(default_factory=KelpLifeParams,
                                 description="life on the bed: seagrass patches, urchins, anemones, seaweed, shells")
    rocks: RockParams = Field(default_factory=lambda: RockParams(count=70, radius=30.0, size_median=0.45,
                                                                 size_spread=0.7, prototypes=4, subdivisions=3),
                              description="boulders on the bed")
    mesh: MeshParams = Field(default_factory=lambda: MeshParams(extent=400.0, far_start=60.0),
                             description="camera-following meshing of the bed")
    murk: MurkParams = Field(default_factory=lambda: MurkParams(density=0.03), description="absorbing, scattering water")
    caustics: CausticParams = Field(default_factory=lambda: CausticParams(strength=0.4), description="caustics on the bed (painted)")
    waves: WaveParams = Field(default_factory=WaveParams, description="waves on the surface (geometry)")
    surface: bool = Field(True, description="a water surface above (class water_surface)")
    shafts: float = Field(0.0, ge=0.0, le=10.0, description="sun shafts: scattering this much denser along streaks of "
                                                            "the refracted sunlight (0: none; ray-marched, see docs)")
    sky: SkyParams = Field(default_factory=lambda: SkyParams(latitude=34.0, min_sun_elevation=35.0, clouds=0.2),
                           description="sun and sky above the water (a temperate coast by default)")
    camera: CameraParams = Field(default_factory=lambda: CameraParams(height_min=2.0, height_max=5.0, pitch_min=0.0,
                                                                      pitch_max=22.0, area_radius=10.0, min_ground=0.0,
                                                                      min_sky=0.0, min_distance=1.2),
                                 description="camera placement (heights above the bed)")
    camera_surface_clearance: float = Field(2.0, ge=0.1, le=50.0, description="the camera stays this far under the surface, m")
    creatures: CreatureParams = Field(default_factory=lambda: CreatureParams(kinds=["fish", "crab"]),
                                      description="fish, crabs and fish schools (density 0: none)")


@dataclass
class KelpPlan:
    """Holdfasts and fronds (layout), grown in build."""

    base: np.ndarray  # (N, 3) holdfast positions on the bed
    height: np.ndarray  # (N,) tallest frond of each plant, m
    fronds: list  # per plant: list of (prototype, yaw, scale, offset (2,))
    heading: float  # the direction the current flows to, radians
    proto_heights: np.ndarray  # (P,) heights the prototypes are grown at, m


@dataclass
class KelpState:
    floor: ReefFloor
    kelp: KelpPlan
    life: object
    rocks: list
    timings: dict


def plan_kelp(p: KelpStandParams, floor: ReefFloor, centre, seeds: SeedTree) -> KelpPlan:
    rng = seeds.child("points").rng()
    top = max(p.rock_density, p.sand_density, 1e-9)

    def density(x, y):
        r = floor.reef(x, y)
        return r * p.rock_density + (1.0 - r) * p.sand_density

    xy, _ = sample_clustered(rng, density, top, p.cluster_radius, p.cluster_size, centre, p.radius)
    z = floor.height(xy[:, 0], xy[:, 1]) if len(xy) else np.zeros(0)
    lo, hi = sorted((p.height_min, p.height_max))
    depth = floor.p.depth
    proto_h = np.minimum(depth * (lo + (hi - lo) * (np.arange(p.prototypes) + 0.5) / p.prototypes), 40.0)
    frng = seeds.child("fronds").rng()
    h_rng = seeds.child("heading").rng()
    heading = float(np.radians(p.current.heading)) if p.current.heading is not None else float(h_rng.uniform(0, 2 * np.pi))
    fronds, height = [], np.zeros(len(xy))
    for i in range(len(xy)):
        n = int(frng.integers(1, 2 * p.fronds))
        local = WATER_LEVEL - CEILING_GAP - z[i]
        target = local * frng.uniform(lo, hi, n)
        proto = np.abs(proto_h[None] - target[:, None]).argmin(1)
        scale = np.clip(target / proto_h[proto], 0.8, 1.25)
        yaw = frng.uniform(0, 2 * np.pi, n)
        off = frng.normal(0.0, 0.06, (n, 2))
        fronds.append(list(zip(proto.tolist(), yaw.tolist(), scale.tolist(), off)))
        height[i] = float((proto_h[proto] * scale).max())
    base = np.concatenate([xy, z[:, None]], 1) if len(xy) else np.zeros((0, 3))
    return KelpPlan(base, height, fronds, heading, proto_h)


def kelp_obstacles(plan: KelpPlan, p: KelpStandParams) -> Obstacles:
    """Spheres along every stipe (leaning downstream as the current leans it)."""
    centres, radii = [], []
    lean = np.array([np.cos(plan.heading), np.sin(plan.heading), 0.0]) * p.current.lean
    for b, h in zip(plan.base, plan.height):
        u = np.linspace(0.0, 1.0, max(2, int(np.ceil(h / (1.5 * p.clearance))) + 1))
        centres.append(b + np.outer(u * h, [0, 0, 1]) + np.outer(u * u * h, lean))
        radii.append(np.full(len(u), p.clearance))
    if not centres:
        return Obstacles(np.zeros((0, 3)), np.zeros(0))
    return Obstacles(np.concatenate(centres), np.concatenate(radii))


def layout(params: KelpForestParams, seeds: SeedTree) -> Layout:
    t0 = time.perf_counter()
    floor = ReefFloor(params.floor, seeds.child("floor"), params.camera_surface_clearance + 0.5)
    centre = (0.0, 0.0)
    kelp = plan_kelp(params.kelp, floor, centre, seeds.child("kelp"))
    life = plan_life(params.life, floor, centre, seeds.child("life"))
    rocks = scatter_rocks(params.rocks, seeds.child("rocks"), floor.height, floor.normal)
    timings = {"plan_s": time.perf_counter() - t0}
    ko = kelp_obstacles(kelp, params.kelp)
    ro = Obstacles.from_instances(rocks)
    obstacles = Obstacles(np.concatenate([ko.centers, ro.centers]), np.concatenate([ko.radii, ro.radii]))
    clear = params.camera_surface_clearance

    def place(rng):
        c = params.camera
        n = c.proposals
        rad = c.area_radius * np.sqrt(rng.uniform(0, 1, n))
        ang = rng.uniform(0, 2 * np.pi, n)
        xy = np.stack([centre[0] + rad * np.cos(ang), centre[1] + rad * np.sin(ang)], -1)
        lift = rng.uniform(c.height_min, max(c.height_min, c.height_max), n)
        yaw = rng.uniform(0.0, 2 * np.pi, n)
        pitch = np.radians(rng.uniform(c.pitch_min, max(c.pitch_min, c.pitch_max), n))
        bed = floor.height(xy[:, 0], xy[:, 1])
        eyes = np.stack([xy[:, 0], xy[:, 1], np.minimum(bed + lift, WATER_LEVEL - clear)], -1)
        return choose_view(c, floor.height, obstacles, eyes, yaw, pitch)

    return Layout(floor, obstacles, place, surface=floor.height, state=KelpState(floor, kelp, life, rocks, timings),
                  report={"water_level_m": WATER_LEVEL, "kelp_plants": len(kelp.base)})


def grow_fronds(plan: KelpPlan, p: KelpStandParams, seeds: SeedTree) -> list[Mesh]:
    """One frond of the sea-life registry's ``kelp`` per prototype height."""
    out = []
    tiny = get_kind("kelp").tiny if p.tiny else {}
    for j, h in enumerate(plan.proto_heights):
        h = min(float(h), 40.0)  # the registry's largest frond
        fix = {"size": h, "blades": int(np.clip(round(p.blades_per_metre * h), 2, 200)), "blade_length": p.blade_length,
               "blade_width": p.blade_width,
               "lean": 0.03, "segments": int(np.clip(round(2.5 * h), 8, 200)), "stipe_radius": 0.012}
        fix.update(tiny)
        mesh, _ = build_sea_life("kelp", seeds.child(str(j)), **fix)
        out.append(mesh)
    return out


def plant_meshes(plan: KelpPlan, protos: list[Mesh]) -> list[Mesh]:
    """Each plant's fronds (rotated, scaled, set on its holdfast) merged into one mesh."""
    out = []
    for b, fronds in zip(plan.base, plan.fronds):
        parts = []
        for j, yaw, s, off in fronds:
            m = protos[j]
            c, si = np.cos(yaw), np.sin(yaw)
            rot = np.array([[c, -si, 0.0], [si, c, 0.0], [0.0, 0.0, 1.0]])
            v = (m.vertices @ rot.T) * s + np.array([b[0] + off[0], b[1] + off[1], b[2] - 0.03])
            parts.append(Mesh(v, m.faces, {k: a.copy() for k, a in m.attributes.items()}))
        out.append(merge(parts) if len(parts) > 1 else parts[0])
    return out


def add_kelp(scene: Scene, plan: KelpPlan, p: KelpStandParams, shot: Shot, mats: SeedTree, seeds: SeedTree):
    """The plants as deforming mesh objects (class ``kelp``) and their ``CurrentSway``; None if none."""
    rng = seeds.child("sway").rng()
    phase = rng.uniform(0, 2 * np.pi, (len(plan.base), 2))  # drawn for every plant: culling changes no draw
    keep = np.flatnonzero(in_view(plan.base, shot, p.view_margin))
    if not len(keep):
        return None
    plan = KelpPlan(plan.base[keep], plan.height[keep], [plan.fronds[i] for i in keep], plan.heading,
                    plan.proto_heights)
    phase = phase[keep]
    protos = grow_fronds(plan, p, seeds.child("grow"))
    meshes = plant_meshes(plan, protos)
    material = MaterialRef("kelp", mats.child("kelp").int())
    objs = [scene.add(Object(f"kelp.{i:03d}", m, material, semantic="kelp", generator="underwater.kelp_forest",
                             params={"fronds": len(plan.fronds[i]), "height": round(float(plan.height[i]), 3)}))
            for i, m in enumerate(meshes)]
    sway = CurrentSway([o.instance_id for o in objs], [m.vertices for m in meshes], [m.faces for m in meshes],
                       plan.base, plan.height, phase, p.current, plan.heading, WATER_LEVEL - CEILING_GAP)
    posed = sway.vertices(float(shot.times[0]))
    for o, m, v in zip(objs, meshes, posed):
        o.geometry = Mesh(v, m.faces, m.attributes, m.smooth)
    return sway


def build(params: KelpForestParams, layout: Layout, shot: Shot, seeds: SeedTree) -> Built:
    st: KelpState = layout.state
    floor = st.floor
    timings = dict(st.timings)
    cams = shot.cameras()
    scene = Scene()
    scene.sun, scene.sky = params.sky.make(seeds.child("sky").rng())
    mats = seeds.child("materials")
    t0 = time.perf_counter()
    add_floor(scene, params, floor, st.rocks, cams, mats, WATER_LEVEL, "terrain.kelp_forest")
    timings["terrain_mesh_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    sway = add_kelp(scene, st.kelp, params.kelp, shot, mats, seeds.child("kelp"))
    if sway is not None:
        scene.motions.append(sway)
    timings["kelp_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    grown = grow_life(st.life.kinds, params.life, seeds.child("life").child("grow"))
    bed_sway = BedSwaySetup(params.life.sway, params.kelp.current, st.kelp.heading, shot,
                            seeds.child("life").child("sway").rng(), WATER_LEVEL - CEILING_GAP)
    counts, plants = place_life(scene, st.life, grown, floor, seeds.child("life").child("transforms").rng(), mats,
                                "bed", bed_sway)
    if plants is not None:
        scene.motions.append(plants)
    timings["life_s"] = time.perf_counter() - t0
    waves = add_water(scene, shot, WATER_LEVEL, mats, surface=params.surface, murk=params.murk,
                      extent=params.mesh.extent, waves=params.waves, seeds=seeds.child("water"),
                      shafts=params.shafts)
    if waves is not None:
        scene.motions.append(waves)
    t0 = time.perf_counter()
    fish = add_aquatic(scene, params.creatures, shot, floor.height, WATER_LEVEL - CEILING_GAP, layout.obstacles,
                       seeds.child("creatures"))
    if fish is not None:
        scene.motions.append(fish.motion)
    timings["creatures_s"] = time.perf_counter() - t0
    ref = shot.reference()
    kelp_tris = sum(o.n_triangles for o in scene.objects if o.semantic == "kelp")
    n_kelp = sum(1 for o in scene.objects if o.semantic == "kelp")
    report = {"kelp_forest": {"plants_planned": len(st.kelp.base), "plants_built": n_kelp, "kelp_triangles": kelp_tris, "life": counts,
                              "life_swaying": len(plants.ids) if plants is not None else 0,
                              "current_heading_deg": round(float(np.degrees(st.kelp.heading)) % 360.0, 2),
                              "water_level_m": WATER_LEVEL,
                              "camera_depth_m": round(WATER_LEVEL - float(ref.position[2]), 3),
                              "creatures": list(fish.kinds) if fish is not None else []},
              "sky": scene.sky.drawn,
              "terrain": {"timings_s": {k: round(v, 3) for k, v in timings.items()},
                          "triangles": {o.name: o.n_triangles for o in scene.objects}}}
    return Built(scene, report)


register(SceneRecipe("kelp_forest", KelpForestParams.__doc__, KelpForestParams, layout, build, falling_leaves=False))
