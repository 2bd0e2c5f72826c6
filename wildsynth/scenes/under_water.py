"""Open water: the camera in mid-water far above a dim sandy floor, jellyfish and a school of fish
drifting past, marine snow, the wavy surface with Snell's window above and blue-green water all round.

- Floor: the reef floor of ``coral_reef`` (``ReefFloor``) deep down (``floor.depth``, 45 m by default)
  with low rock outcrops, sparse boulders; through ``murk.density`` of water it is a faint shape.
- Life: the creatures' underwater hook (``add_aquatic``) with fish and jellyfish only by default
  (a school of fish and single fish; ``creatures.*``), in the water column around the camera.
- Marine snow (``snow.*``): small pale flocs drifting with the current and sinking slowly, one
  ``Instances`` object of class ``weather_particle`` with a rigid ``Fall`` motion per floc: exact flow.
- Water: the wavy surface (``waves.*``, a deforming sheet around the cameras, flat beyond; class
  ``water_surface``) and the murk volume (``murk.*``), out of the ground truth.
- Camera: ``camera_depth_min``-``camera_depth_max`` m under the surface, level to looking up.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..camera import CameraParams, Obstacles, choose_view
from ..core.scene import Scene
from ..core.seeds import SeedTree
from ..core.shot import Shot
from ..generators.creatures.placement import CreatureParams, add_aquatic
from ..generators.rocks import RockParams, scatter_rocks
from ..generators.sea_motion import MarineSnowParams, WaveParams
from ..generators.terrain.field import MeshParams
from .base import Built, Layout, SceneRecipe, SkyParams, register
from .coral_reef import WATER_LEVEL, CausticParams, MurkParams, ReefFloor, ReefFloorParams
from .sea_scene import add_floor, add_snow, add_water


class UnderWaterParams(BaseModel):
    """under water: open water far above a dim floor, jellyfish, a fish school, marine snow, the surface above"""

    model_config = ConfigDict(extra="forbid")

    floor: ReefFloorParams = Field(default_factory=lambda: ReefFloorParams(
        depth=45.0, reef_height=3.0, reef_scale=40.0, reef_cover=0.25, roughness=0.8, sand_relief=0.8, dropoff=0.0),
        description="the distant sea bed")
    rocks: RockParams = Field(default_factory=lambda: RockParams(count=40, radius=60.0, size_median=0.8,
                                                                 size_spread=0.6, prototypes=3, subdivisions=2),
                              description="boulders on the bed")
    mesh: MeshParams = Field(default_factory=lambda: MeshParams(extent=1500.0, far_start=60.0),
                             description="camera-following meshing of the bed")
    murk: MurkParams = Field(default_factory=lambda: MurkParams(density=0.022, extent=600.0),
                             description="absorbing, scattering water")
    caustics: CausticParams = Field(default_factory=lambda: CausticParams(strength=0.3), description="caustics on the bed (painted)")
    waves: WaveParams = Field(default_factory=WaveParams, description="waves on the surface (geometry)")
    snow: MarineSnowParams = Field(default_factory=MarineSnowParams, description="marine snow")
    current_heading: float | None = Field(None, ge=0.0, le=360.0, description="direction the current carries the snow, degrees from +X (None: drawn)")
    surface: bool = Field(True, description="a water surface above (class water_surface)")
    shafts: float = Field(0.0, ge=0.0, le=10.0, description="sun shafts: scattering this much denser along streaks of "
                                                            "the refracted sunlight (0: none; ray-marched, see docs)")
    sky: SkyParams = Field(default_factory=lambda: SkyParams(latitude=20.0, min_sun_elevation=45.0, clouds=0.1),
                           description="sun and sky above the water")
    camera: CameraParams = Field(default_factory=lambda: CameraParams(pitch_min=20.0, pitch_max=42.0, area_radius=5.0,
                                                                      proposals=16, min_ground=0.0, min_sky=0.0,
                                                                      min_distance=0.0),
                                 description="camera view (its height comes from camera_depth_min/max)")
    camera_depth_min: float = Field(6.0, ge=0.5, le=500.0, description="shallowest camera depth under the surface, m")
    camera_depth_max: float = Field(14.0, ge=0.5, le=500.0, description="deepest camera depth, m (kept 2 m above the bed)")
    creatures: CreatureParams = Field(default_factory=lambda: CreatureParams(kinds=["fish", "jellyfish"], density=1.5),
                                      description="fish, jellyfish and fish schools (density 0: none)")


@dataclass
class OpenState:
    floor: ReefFloor
    rocks: list
    heading: float
    timings: dict


def layout(params: UnderWaterParams, seeds: SeedTree) -> Layout:
    t0 = time.perf_counter()
    floor = ReefFloor(params.floor, seeds.child("floor"), 2.5)
    rocks = scatter_rocks(params.rocks, seeds.child("rocks"), floor.height, floor.normal)
    h = seeds.child("current").rng().uniform(0, 2 * np.pi)
    heading = float(np.radians(params.current_heading)) if params.current_heading is not None else float(h)
    obstacles = Obstacles.from_instances(rocks)
    lo, hi = sorted((params.camera_depth_min, params.camera_depth_max))

    def place(rng):
        c = params.camera
        n = c.proposals
        rad = c.area_radius * np.sqrt(rng.uniform(0, 1, n))
        ang = rng.uniform(0, 2 * np.pi, n)
        xy = np.stack([rad * np.cos(ang), rad * np.sin(ang)], -1)
        depth = rng.uniform(lo, hi, n)
        yaw = rng.uniform(0.0, 2 * np.pi, n)
        pitch = np.radians(rng.uniform(c.pitch_min, max(c.pitch_min, c.pitch_max), n))
        bed = floor.height(xy[:, 0], xy[:, 1])
        ez = np.maximum(WATER_LEVEL - depth, bed + 2.0)
        ez = np.minimum(ez, WATER_LEVEL - 0.5)
        return choose_view(c, floor.height, obstacles, np.stack([xy[:, 0], xy[:, 1], ez], -1), yaw, pitch)

    return Layout(floor, obstacles, place, surface=floor.height,
                  state=OpenState(floor, rocks, heading, {"layout_s": time.perf_counter() - t0}),
                  report={"water_level_m": WATER_LEVEL})


def build(params: UnderWaterParams, layout: Layout, shot: Shot, seeds: SeedTree) -> Built:
    st: OpenState = layout.state
    floor = st.floor
    timings = dict(st.timings)
    cams = shot.cameras()
    scene = Scene()
    scene.sun, scene.sky = params.sky.make(seeds.child("sky").rng())
    mats = seeds.child("materials")
    t0 = time.perf_counter()
    add_floor(scene, params, floor, st.rocks, cams, mats, WATER_LEVEL, "terrain.under_water")
    timings["terrain_mesh_s"] = time.perf_counter() - t0
    waves = add_water(scene, shot, WATER_LEVEL, mats, surface=params.surface, murk=params.murk,
                      extent=params.mesh.extent, waves=params.waves, seeds=seeds.child("water"),
                      shafts=params.shafts)
    if waves is not None:
        scene.motions.append(waves)
    t0 = time.perf_counter()
    ceiling = WATER_LEVEL - (params.waves.height / 2 if params.surface else 0.0)
    snow = add_snow(scene, params.snow, shot, st.heading, ceiling, seeds.child("snow"))
    if snow is not None:
        scene.motions.append(snow)
    timings["snow_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    life = add_aquatic(scene, params.creatures, shot, floor.height, ceiling - 0.2, layout.obstacles,
                       seeds.child("creatures"))
    if life is not None:
        scene.motions.append(life.motion)
    timings["creatures_s"] = time.perf_counter() - t0
    ref = shot.reference()
    flocs = sum(len(o.geometry) for o in scene.objects if o.generator == "sea.marine_snow")
    report = {"under_water": {"water_level_m": WATER_LEVEL, "camera_depth_m": round(WATER_LEVEL - float(ref.position[2]), 3),
                              "bed_below_camera_m": round(float(ref.position[2] - floor.height(ref.position[:1], ref.position[1:2])[0]), 3),
                              "marine_snow": flocs, "current_heading_deg": round(float(np.degrees(st.heading)) % 360.0, 2),
                              "creatures": list(life.kinds) if life is not None else []},
              "sky": scene.sky.drawn,
              "terrain": {"timings_s": {k: round(v, 3) for k, v in timings.items()},
                          "triangles": {o.name: o.n_triangles for o in scene.objects}}}
    return Built(scene, report)


register(SceneRecipe("under_water", UnderWaterParams.__doc__, UnderWaterParams, layout, build, falling_leaves=False))
