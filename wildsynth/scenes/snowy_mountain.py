"""Snowy mountain: ridged peaks under snow that lies by slope and exposure, alpine conifers thinning
to a treeline, snow-capped boulders, a low winter sun in a clear cold sky.

- Terrain: the mountain landform eroded on a grid (``terrain/field.py``), then snow
  (``terrain/snow.py``): depth by slope (none on faces steeper than the angle of repose), hollows
  and ribs, exposure of ridges, wind (lee faces loaded) and altitude. The snow surface is the ground
  raised by the depth: the mesh, the trees, the rocks and the camera all stand on it. Its per-vertex
  ``snow`` cover drives the terrain material (snow over the ``arctic`` palette's gravel and rock, a
  soft noisy edge) and the semantic split (``snow``, ``rock`` on steep bare ground, ``terrain``).
- Trees: conifers (the ``trees`` family) whose density falls linearly to zero over the treeline
  band (``Niche.altitude_fade``), and stunted conifers (krummholz, the ``bushes`` family, class
  ``bush``) in the band itself; none above its top. Snow lies on their needles and branches by
  up-facing normals (``snowy_leaf``, ``snowy_bark``: material only, no new geometry).
- Rocks: boulders and scree with displaced snow caps on their up-facing parts (``snowy_rock``).
- Sky: a winter day (``sun``: a day in the winter window, the hour at which the sun stands at a drawn
  elevation of 5-25 degrees, morning or afternoon), a clear, low-haze sky.
- Falling snow: the weather particles (``weather.snow``), off by default: a still under a clear sky
  has no snowfall; ``--set weather.snow=80`` (flakes per 1000 m^3) adds it, with exact flow in
  sequences (``weather.in_ground_truth`` decides whether flakes are in depth and ids).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Optional

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..camera import CameraParams, Obstacles, choose_view
from ..core.scene import MaterialRef, Object, Scene
from ..core.seeds import SeedTree
from ..core.shot import Shot
from ..core.solar import solar_position
from ..generators.ecology import TreeLayer, Vegetation, VegetationParams
from ..generators.plants.trees import TreeParams
from ..generators.rocks import RockParams, ScreeParams, scatter_rocks, scatter_scree
from ..generators.scatter import Niche
from ..generators.terrain import landforms as lf
from ..generators.terrain.erosion import ErosionParams
from ..generators.terrain.field import GridParams, MeshParams, TerrainField
from ..generators.terrain.snow import SnowCover, SnowParams
from ..generators.weather import WeatherParams, add_weather
from .base import Built, Layout, SceneRecipe, SkyParams, register
from .landscapes import landscape_proposals, terrain_parts

WINTER_DAYS = (-40, 50)  # day-of-year window (days before 1 January negative): mid-November to mid-February


class WinterSunParams(BaseModel):
    """A low winter sun: a day in the winter window and the hour at which the sun stands at a drawn elevation."""

    model_config = ConfigDict(extra="forbid")

    elevation: tuple[float, float] = Field((5.0, 25.0), description="the sun's elevation is drawn in this range, degrees, low then high, each in -5...80 (the high end at most the day's noon)")
    winter: bool = Field(True, description="draw the day from mid-November to mid-February (False: sky.day_of_year or any day)")

    @field_validator("elevation")
    @classmethod
    def _range(cls, v: tuple[float, float]) -> tuple[float, float]:
        # one field for both ends: each setting is checked alone, no cross-field rule between two knobs
        lo, hi = v
        if not (-5.0 <= lo <= 80.0 and -5.0 <= hi <= 80.0):
            raise ValueError(f"sun.elevation ({lo}, {hi}): both ends must be in -5...80 degrees")
        if hi < lo:
            raise ValueError(f"sun.elevation ({lo}, {hi}): the high end must be at least the low end")
        return v


class TreelineParams(BaseModel):
    """Alpine conifers thinning with altitude to a treeline."""

    model_config = ConfigDict(extra="forbid")

    top: Optional[float] = Field(None, ge=-1000.0, le=10000.0, description="treeline: no tree above this altitude, m (None: top_above_view above the ground at the view point)")
    top_above_view: float = Field(40.0, ge=-2000.0, le=5000.0, description="with top None: the treeline this high above the ground where the camera is placed, m")
    band: float = Field(160.0, gt=1.0, le=3000.0, description="tree density falls linearly to zero over this height below the treeline, m")
    density: float = Field(0.006, ge=0.0, le=1.0, description="trees per m^2 below the band where the ground suits them")
    height: float = Field(13.0, gt=1.0, le=60.0, description="typical tree height, m")
    dead: float = Field(0.02, ge=0.0, le=1.0, description="share of dead snags among the trees")
    krummholz: float = Field(0.004, ge=0.0, le=1.0, description="stunted conifers per m^2 at the middle of the band (class bush)")
    krummholz_height: float = Field(2.2, gt=0.3, le=10.0, description="typical height of the stunted conifers, m")
    slope_max: float = Field(0.45, ge=0.0, le=1.0, description="slope (1 - n_z) above which no tree grows")
    area_radius: float = Field(380.0, gt=5.0, le=2000.0, description="trees are planned within this radius of the view point, m")
    prototypes: int = Field(3, ge=1, le=16, description="distinct grown trees per species")


class SnowyMountainParams(BaseModel):
    """snowy mountain: peaks under snow that lies by slope and exposure, conifers to a treeline, a low winter sun"""

    model_config = ConfigDict(extra="forbid")

    terrain: lf.MountainParams = Field(default_factory=lambda: lf.MountainParams(peak_height=900.0, scale=3200.0, ridge_sharpness=1.5),
                                       description="landform shape")
    grid: GridParams = Field(default_factory=GridParams, description="erosion grid")
    erosion: ErosionParams = Field(default_factory=ErosionParams, description="hydraulic and thermal erosion")
    mesh: MeshParams = Field(default_factory=lambda: MeshParams(far_factor=3.0),
                             description="camera-following meshing (far triangles less stretched than on a summer mountain: snow edges on far slopes)")
    snow: SnowParams = Field(default_factory=SnowParams, description="snow accumulation: slope, hollows, wind, altitude")
    rock_slope: float = Field(0.12, ge=0.0, le=1.0, description="bare ground steeper than this (1 - n_z) shows rock, not gravel (terrain material and semantic split)")
    trees: TreelineParams = Field(default_factory=TreelineParams, description="alpine conifers and the treeline")
    tree_snow: float = Field(1.0, ge=0.0, le=2.0, description="snow on needles and branches (0 none, 1 default, 2 heavy)")
    rocks: RockParams = Field(default_factory=lambda: RockParams(count=40, radius=90.0, size_median=0.9, kind="block",
                                                                 mix=("boulder", "slab")),
                              description="scattered boulders (snow-capped)")
    rock_snow: float = Field(1.0, ge=0.0, le=2.0, description="snow caps on boulders and scree (0 none, 1 default, 2 heavy)")
    scree: ScreeParams = Field(default_factory=lambda: ScreeParams(count=1200, radius=250.0, cell=2.0, reach=40.0,
                                                                   size_min=0.2, size_max=1.2),
                               description="scree where steep slopes break (mostly snowed in: fewer than on a summer mountain)")
    sky: SkyParams = Field(default_factory=lambda: SkyParams(latitude=46.5, clouds=0.05, dust_density=1.0),
                           description="sun and sky (clear and cold by default; the hour comes from sun unless sky.hour is set)")
    sun: WinterSunParams = Field(default_factory=WinterSunParams, description="a low winter sun")
    camera: CameraParams = Field(default_factory=lambda: CameraParams(height_min=3.0, height_max=20.0, pitch_min=-8.0,
                                                                      pitch_max=4.0, area_radius=300.0, min_sky=0.15),
                                 description="camera placement")
    weather: WeatherParams = Field(default_factory=WeatherParams, description="falling snow (weather.snow, off by default), fog")


def winter_sky(sky: SkyParams, sun: WinterSunParams, rng: np.random.Generator) -> SkyParams:
    """``sky`` with a day and an hour set so the sun stands at an elevation drawn in ``sun.elevation``
    (capped a little under the day's noon elevation), morning or afternoon. A set ``sky.hour`` is kept."""
    if sun.winter and sky.day_of_year is None:
        day = int(rng.integers(WINTER_DAYS[0], WINTER_DAYS[1] + 1)) % 365 + 1
    else:
        day = sky.day_of_year if sky.day_of_year is not None else int(rng.integers(1, 366))
    target = float(rng.uniform(*sun.elevation))
    morning = bool(rng.uniform() < 0.5)
    if sky.hour is not None:
        return sky.model_copy(update={"day_of_year": day})
    hours = np.linspace(0.0, 12.0, 289)  # sunrise to noon: elevation rises
    elev = np.array([solar_position(sky.latitude, day, h)[0] for h in hours])
    target = float(np.clip(target, elev[0], elev[-1] - 0.25)) if elev[-1] > elev[0] + 0.5 else float(elev[-1])
    hour = float(np.interp(target, elev, hours)) if elev[-1] > elev[0] + 0.5 else 12.0
    if not morning:
        hour = 24.0 - hour
    return sky.model_copy(update={"day_of_year": day, "hour": round(hour, 4)})


def treeline_top(params: SnowyMountainParams, field: TerrainField) -> float:
    if params.trees.top is not None:
        return float(params.trees.top)
    eye = field.view_hint().eye
    return float(field.height(eye[:1], eye[1:])[0]) + params.trees.top_above_view


def vegetation_params(params: SnowyMountainParams, top: float) -> VegetationParams:
    """Conifers to the treeline (density falling over the band), krummholz within the band, nothing else
    (the ground layers are under the snow)."""
    t = params.trees
    species = {"conifer": 1.0, **({"dead": t.dead} if t.dead > 0 else {})}
    trees = TreeLayer(species=species, tree=TreeParams(height=t.height), prototypes=t.prototypes,
                      niche=Niche(density=t.density, slope_max=t.slope_max, patchiness=0.7, snow_max=1.0,
                                  altitude_max=top, altitude_fade=t.band, cluster_radius=0.0))
    krumm = TreeLayer(species={"conifer": 1.0}, tree=TreeParams(height=t.krummholz_height, leaf_density=1.3),
                      prototypes=2, spacing=0.7,
                      niche=Niche(density=t.krummholz, slope_max=t.slope_max + 0.05, patchiness=0.8, snow_max=1.0,
                                  altitude_min=top - t.band, altitude_max=top, altitude_fade=0.5 * t.band))
    return VegetationParams(area_radius=t.area_radius, season="winter", trees=trees, bushes=krumm)


@dataclass
class SnowyState:
    snowy: SnowCover
    rocks: list
    vegetation: Vegetation
    treeline: float
    timings: dict


def layout(params: SnowyMountainParams, seeds: SeedTree) -> Layout:
    t0 = time.perf_counter()
    field = TerrainField(params.terrain, seeds.child("terrain"), params.grid, params.erosion)
    timings = {"terrain_field_s": time.perf_counter() - t0}
    t0 = time.perf_counter()
    snowy = SnowCover(field, params.snow, seeds.child("snow"))
    timings["snow_grid_s"] = time.perf_counter() - t0
    hint = field.view_hint()
    cx, cy = float(hint.eye[0]), float(hint.eye[1])
    rock_sets = scatter_rocks(params.rocks, seeds.child("rocks"),
                              lambda x, y: snowy.height(np.asarray(x) + cx, np.asarray(y) + cy),
                              lambda x, y: snowy.normal(np.asarray(x) + cx, np.asarray(y) + cy))
    for inst in rock_sets:
        inst.transforms[:, 0, 3] += cx
        inst.transforms[:, 1, 3] += cy
    top = treeline_top(params, field)
    t0 = time.perf_counter()
    veg = Vegetation(vegetation_params(params, top), snowy.height, snowy.normal, seeds.child("vegetation"),
                     centre=(cx, cy), masks=snowy.masks)
    planned = veg.plan()
    timings["trees_plan_s"] = time.perf_counter() - t0
    rocks = Obstacles.from_instances(rock_sets)
    obstacles = Obstacles(np.concatenate([rocks.centers, planned.centers]), np.concatenate([rocks.radii, planned.radii]))

    def place(rng):
        eyes, yaw, pitch = landscape_proposals(params, field, snowy.height, rng)
        return choose_view(params.camera, snowy.upper, obstacles, eyes, yaw, pitch)  # the sight lines' ground

    return Layout(snowy, obstacles, place, surface=snowy.height,
                  state=SnowyState(snowy, rock_sets, veg, top, timings),
                  report={"treeline_m": round(top, 2), "wind_heading_deg": round(snowy.wind_heading_deg, 2)})


def _snowy_plants(scene: Scene, amount: float) -> None:
    """Trees' bark and needles take their snowy twins (same seed and params, plus the snow amount)."""
    swap = {"bark": "snowy_bark", "leaf": "snowy_leaf"}
    for o in scene.objects:
        if o.generator.startswith("plants.") and o.material.recipe in swap:
            o.material = MaterialRef(swap[o.material.recipe], o.material.seed, (*o.material.params, ("snow", amount)))


def build(params: SnowyMountainParams, layout: Layout, shot: Shot, seeds: SeedTree) -> Built:
    st: SnowyState = layout.state
    snowy = st.snowy
    timings = dict(st.timings)
    cams = shot.cameras()
    t0 = time.perf_counter()
    mesh = snowy.mesh_for(cams, params.mesh)
    timings["terrain_mesh_s"] = time.perf_counter() - t0
    scene = Scene()
    sky = winter_sky(params.sky, params.sun, seeds.child("sun").rng())
    scene.sun, scene.sky = sky.make(seeds.child("sky").rng())
    mats = seeds.child("materials")
    ground_mat = MaterialRef("terrain", mats.child("ground").int(), (("palette", "arctic"), ("rock_slope", params.rock_slope)))
    parts = terrain_parts(mesh, desert=False, rock_slope=params.rock_slope)
    for label in ("terrain", "rock", "snow"):
        if label not in parts:  # empty at this tessellation: its id stays free (ids never follow the size)
            scene.skip_id()
            continue
        scene.add(Object(f"terrain_{label}", parts[label], ground_mat, semantic=label, generator="terrain.snowy_mountain",
                         params={"terrain": params.terrain.model_dump(), "snow": params.snow.model_dump()}))
    rock_mat = MaterialRef("snowy_rock", mats.child("rock").int(), (("snow", params.rock_snow),))
    for k, inst in enumerate(st.rocks):
        scene.add(Object(f"rocks{k}", inst, rock_mat, semantic="rock", generator="rocks", params=params.rocks.model_dump()))
    t0 = time.perf_counter()
    if params.scree.count:  # talus where the slopes break, not on any camera's spot
        eyes = np.array([c.position for c in cams])
        for k, inst in enumerate(scatter_scree(params.scree, seeds.child("scree"), snowy.height, snowy.normal,
                                               centre=shot.reference().position[:2])):
            p = inst.transforms[:, :3, 3].astype(np.float64)
            keep = np.min(np.hypot(p[:, None, 0] - eyes[None, :, 0], p[:, None, 1] - eyes[None, :, 1]), axis=1) > 1.5
            if not keep.any():
                scene.skip_id()
                continue
            inst.transforms = np.ascontiguousarray(inst.transforms[keep])
            scene.add(Object(f"scree{k}", inst, rock_mat, semantic="rock", generator="rocks.scree",
                             params=params.scree.model_dump()))
    timings["scree_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    vreport = st.vegetation.build(scene, cams)
    _snowy_plants(scene, params.tree_snow)
    timings["vegetation_s"] = time.perf_counter() - t0
    add_weather(scene, params.weather, shot.reference(), snowy.height, seeds.child("weather"), shot.duration())
    a = mesh.attributes
    report = {"snow": {"wind_heading_deg": round(snowy.wind_heading_deg, 2), "treeline_m": round(st.treeline, 2),
                       "mean_depth_m": round(float(a["snow_depth"].mean()), 3),
                       "max_depth_m": round(float(a["snow_depth"].max()), 3),
                       "covered_vertex_share": round(float((a["snow"] > 0.55).mean()), 4)},
              "vegetation": vreport, "sky": scene.sky.drawn,
              "terrain": {"timings_s": {k: round(v, 3) for k, v in timings.items()},
                          "triangles": {o.name: o.n_triangles for o in scene.objects}}}
    return Built(scene, report)


register(SceneRecipe("snowy_mountain", SnowyMountainParams.__doc__, SnowyMountainParams, layout, build))
